import Foundation
import TaskrunExecution

/// What the live progress shows, folded from an execution's events: one row per phase.
///
/// It only ever learns from events (no polling of the executor), so the same events always give
/// the same board, which keeps the rendering testable.
struct ProgressBoard: Sendable, Equatable {
    /// Where a phase is.
    enum State: Sendable, Equatable {
        case waiting, running, done, skipped
        /// Ended without completing: `failed`, `timeout` or `aborted`.
        case failed(String)
    }

    struct Row: Sendable, Equatable {
        var name: String
        var state: State = .waiting
        var startedAt: Date?
        var finishedAt: Date?
        /// The agent steps of the latest attempt that asked, and that got an answer.
        var asked: Set<Int> = []
        var answered: Set<Int> = []
        /// Phase, step and agent-query retries so far.
        var retries = 0
        var attempt = 0
    }

    var title: String
    var rows: [Row]
    var startedAt: Date?
    var finishedAt: Date?
    /// The terminal event's kind once the execution has ended.
    var ending: ExecutionEvent.Kind?
    var paused = false

    init(title: String, phases: [String]) {
        self.title = title
        rows = phases.map { Row(name: $0) }
    }

    var isFinished: Bool { ending != nil }

    mutating func apply(_ event: ExecutionEvent) {
        switch event.kind {
        case .executionStart:
            startedAt = startedAt ?? event.timestamp
        case .executionPaused:
            paused = true
        case .executionResumed:
            paused = false
        case .executionComplete, .executionError, .executionTimeout, .executionAborted:
            ending = event.kind
            finishedAt = event.timestamp
        default:
            guard let name = event.phase else { return }
            update(name) { row in Self.apply(event, to: &row) }
        }
    }

    private static func apply(_ event: ExecutionEvent, to row: inout Row) {
        switch event.kind {
        case .phaseStart:
            row.state = .running
            row.startedAt = row.startedAt ?? event.timestamp
            row.finishedAt = nil
            row.attempt = event.attempt ?? row.attempt + 1
            row.asked = []
            row.answered = []
        case .phaseComplete:
            row.state = .done
            row.finishedAt = event.timestamp
        case .phaseFailed:
            row.state = .failed(event.status ?? "failed")
            row.finishedAt = event.timestamp
        case .phaseSkipped:
            row.state = .skipped
        case .phaseRetry:
            row.retries += 1
        case .agentQuery:
            if let step = event.step { row.asked.insert(step) }
        case .agentResponse:
            if let step = event.step { row.answered.insert(step) }
        case .agentFailed, .stepFailed:
            if event.delay != nil { row.retries += 1 }
        default:
            break
        }
    }

    private mutating func update(_ name: String, _ change: (inout Row) -> Void) {
        if let index = rows.firstIndex(where: { $0.name == name }) {
            change(&rows[index])
        } else {
            // A phase the list did not know about still gets a row rather than vanishing.
            var row = Row(name: name)
            change(&row)
            rows.append(row)
        }
    }
}
