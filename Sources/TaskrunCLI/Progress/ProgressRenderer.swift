import Foundation
import TaskrunExecution

/// Turns a ``ProgressBoard`` into text: a frame of lines for the live list, or one line per event.
///
/// Pure functions of the board, the event and the time given, so a fixed clock gives golden output.
struct ProgressRenderer: Sendable {
    /// Whether the live list uses ANSI colours.
    var colors: Bool

    static let spinner: [String] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    // MARK: Live list

    /// The live list at `now`: a title line, then one line per phase. `tick` turns the spinner.
    func frame(_ board: ProgressBoard, now: Date, tick: Int) -> [String] {
        let width = min(28, board.rows.map(\.name.count).max() ?? 0)
        var title = paint(board.title, "1")
        if let startedAt = board.startedAt {
            let end = board.finishedAt ?? now
            let state = board.ending.map(Self.ending) ?? (board.paused ? "paused" : "running")
            title += "  " + paint("\(state) \(Self.elapsed(end.timeIntervalSince(startedAt)))", "2")
        }
        return [title] + board.rows.map { row in line(row, width: width, now: now, tick: tick) }
    }

    private func line(_ row: ProgressBoard.Row, width: Int, now: Date, tick: Int) -> String {
        let mark: String
        let status: String
        switch row.state {
        case .waiting:
            mark = "·"  // the whole line is dimmed below
            status = "waiting"
        case .running:
            mark = paint(Self.spinner[tick % Self.spinner.count], "36")
            status = "running"
        case .done:
            mark = paint("✓", "32")
            status = "done"
        case .skipped:
            mark = "-"
            status = "skipped"
        case .failed(let how):
            mark = paint("✗", "31")
            status = how
        }
        let name = row.name.count > width ? String(row.name.prefix(width - 1)) + "…" : row.name
        var text = "  \(mark) \(name.padding(toLength: width, withPad: " ", startingAt: 0))  "
        text += status.padding(toLength: 8, withPad: " ", startingAt: 0)
        var details: [String] = []
        if let startedAt = row.startedAt {
            details.append(Self.elapsed((row.finishedAt ?? now).timeIntervalSince(startedAt)).leftPadded(to: 6))
        }
        if !row.asked.isEmpty { details.append("\(row.answered.count)/\(row.asked.count) agents") }
        if row.retries > 0 { details.append(row.retries == 1 ? "1 retry" : "\(row.retries) retries") }
        if row.attempt > 1 { details.append("attempt \(row.attempt)") }
        if !details.isEmpty { text += "  " + details.joined(separator: "  ") }
        if row.state == .waiting || row.state == .skipped { return paint(Self.trimmed(text), "2") }
        return Self.trimmed(text)
    }

    // MARK: Plain lines

    /// The plain line for `event` (already applied to `board`), or `nil` for events the plain mode
    /// leaves out; `verbose` gives a line for every event.
    func line(for event: ExecutionEvent, board: ProgressBoard, verbose: Bool) -> String? {
        let stamp =
            "["
            + Self.elapsed(event.timestamp.timeIntervalSince(board.startedAt ?? event.timestamp))
            .leftPadded(to: 6) + "] "
        if verbose { return stamp + Self.describe(event) }
        let row = event.phase.flatMap { name in board.rows.first { $0.name == name } }
        let subject = event.phase ?? ""
        switch event.kind {
        case .executionStart:
            return stamp + "\(board.title): started"
        case .phaseStart:
            return stamp + "\(subject): running" + ((event.attempt ?? 1) > 1 ? " (attempt \(event.attempt ?? 1))" : "")
        case .phaseComplete:
            var text = stamp + "\(subject): done"
            if let row, let startedAt = row.startedAt, let finishedAt = row.finishedAt {
                text += " in " + Self.elapsed(finishedAt.timeIntervalSince(startedAt))
            }
            if let row, !row.asked.isEmpty { text += ", \(row.answered.count)/\(row.asked.count) agents" }
            if let row, row.retries > 0 { text += ", \(row.retries) \(row.retries == 1 ? "retry" : "retries")" }
            return text
        case .phaseFailed:
            let status = event.status ?? "failed"
            // The executor's message may already lead with the status ("aborted: interrupted twice").
            let message = event.message.map {
                $0.hasPrefix(status + ": ") ? String($0.dropFirst(status.count + 2)) : $0
            }
            return stamp + "\(subject): \(status)" + (message.map { ": \($0)" } ?? "")
        case .phaseSkipped:
            return stamp + "\(subject): skipped" + (event.message.map { " (when: \($0))" } ?? "")
        case .phaseRetry:
            let delay = event.delay.map { " in " + Self.elapsed($0.seconds) } ?? ""
            return stamp + "\(subject): retrying (attempt \(event.attempt ?? 0))\(delay)"
                + (event.message.map { ": \($0)" } ?? "")
        case .executionPaused:
            return stamp + "paused" + (event.message.map { ": \($0)" } ?? "")
        case .executionResumed:
            return stamp + "resumed"
        case .executionComplete, .executionError, .executionTimeout, .executionAborted:
            let total = board.startedAt.map { Self.elapsed(event.timestamp.timeIntervalSince($0)) } ?? ""
            return stamp + "\(board.title): \(Self.ending(event.kind)) in \(total)"
                + (event.message.map { ": \($0)" } ?? "")
        default:
            return nil
        }
    }

    /// Every field of an event: `phase:start phase=Analysis attempt=1`.
    static func describe(_ event: ExecutionEvent) -> String {
        var fields: [String] = [event.kind.rawValue]
        func add(_ name: String, _ value: String?) {
            guard let value else { return }
            fields.append(value.contains(" ") ? "\(name)=\"\(value)\"" : "\(name)=\(value)")
        }
        add("task", event.task)
        add("phase", event.phase)
        add("step", event.step.map(String.init))
        add("type", event.stepType)
        add("agent", event.agent)
        add("attempt", event.attempt.map(String.init))
        add("status", event.status)
        add("delay", event.delay.map { elapsed($0.seconds) })
        add("duration", event.duration.map { elapsed($0.seconds) })
        add("message", event.message)
        return fields.joined(separator: " ")
    }

    // MARK: Formatting

    static func ending(_ kind: ExecutionEvent.Kind) -> String {
        switch kind {
        case .executionComplete: "completed"
        case .executionTimeout: "timed out"
        case .executionAborted: "aborted"
        default: "failed"
        }
    }

    /// `0.0s`, `12.3s`, `2m05s`: one decimal so the list does not jitter.
    static func elapsed(_ seconds: TimeInterval) -> String {
        let value = max(0, seconds)
        if value < 60 { return String(format: "%.1fs", value) }
        let whole = Int(value)
        return String(format: "%dm%02ds", whole / 60, whole % 60)
    }

    static func trimmed(_ text: String) -> String {
        var text = text
        while text.last == " " { text.removeLast() }
        return text
    }

    private func paint(_ text: String, _ code: String) -> String {
        colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
