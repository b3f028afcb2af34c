import Foundation
import Synchronization
import TaskrunExecution
import Testing

@testable import TaskrunCLI

/// The live list and the plain lines, rendered from a fixed sequence of events at fixed times.
@Suite struct ProgressRenderingTests {
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)
    static let id = ExecutionID(high: 1, low: 2)

    /// A small run: Gather completes, Analysis asks two agents (one retried), Extra is skipped,
    /// Review times out and the execution fails.
    static let events: [ExecutionEvent] = {
        var sequence: UInt64 = 0
        func event(
            _ kind: ExecutionEvent.Kind, at seconds: Double, phase: String? = nil, step: Int? = nil,
            agent: String? = nil, attempt: Int? = nil, status: String? = nil, message: String? = nil,
            delay: Duration? = nil
        ) -> ExecutionEvent {
            sequence += 1
            return ExecutionEvent(
                kind: kind, executionID: id, sequence: sequence, timestamp: epoch.addingTimeInterval(seconds),
                task: kind == .executionStart ? "demo" : nil, phase: phase, step: step,
                stepType: step == nil ? nil : "agent", agent: agent, attempt: attempt, status: status,
                message: message, delay: delay)
        }
        return [
            event(.executionStart, at: 0),
            event(.phaseStart, at: 0, phase: "Gather", attempt: 1),
            event(.phaseComplete, at: 0.2, phase: "Gather", attempt: 1),
            event(.phaseStart, at: 0.2, phase: "Analysis", attempt: 1),
            event(.agentQuery, at: 0.2, phase: "Analysis", step: 0, agent: "quant-analyst", attempt: 1),
            event(.agentQuery, at: 0.2, phase: "Analysis", step: 1, agent: "risk-manager", attempt: 1),
            event(.agentResponse, at: 0.9, phase: "Analysis", step: 0, agent: "quant-analyst", attempt: 1),
            event(
                .agentFailed, at: 1.0, phase: "Analysis", step: 1, agent: "risk-manager", attempt: 1,
                message: "HTTP 429", delay: .milliseconds(500)),
            event(.agentQuery, at: 1.5, phase: "Analysis", step: 1, agent: "risk-manager", attempt: 2),
            event(.agentResponse, at: 1.6, phase: "Analysis", step: 1, agent: "risk-manager", attempt: 2),
            event(.phaseComplete, at: 1.6, phase: "Analysis", attempt: 1),
            event(.phaseSkipped, at: 1.6, phase: "Extra", message: "input.deep == true"),
            event(.phaseStart, at: 1.7, phase: "Review", attempt: 1),
            event(.phaseFailed, at: 2.5, phase: "Review", status: "timeout", message: "took longer than 800ms"),
            event(.executionError, at: 2.5, message: "phase 'Review' timed out"),
        ]
    }()

    static func board(after count: Int) -> ProgressBoard {
        var board = ProgressBoard(title: "Demo", phases: ["Gather", "Analysis", "Extra", "Review"])
        for event in events.prefix(count) { board.apply(event) }
        return board
    }

    @Test func aFailureMessageThatRepeatsTheStatusIsNotPrintedTwice() throws {
        let board = Self.board(after: 4)
        let aborted = ExecutionEvent(
            kind: .phaseFailed, executionID: Self.id, sequence: 99, timestamp: Self.epoch.addingTimeInterval(1),
            phase: "Analysis", status: "aborted", message: "aborted: interrupted twice")
        let line = try #require(ProgressRenderer(colors: false).line(for: aborted, board: board, verbose: false))
        #expect(line.hasSuffix("Analysis: aborted: interrupted twice"))
    }

    @Test func liveFrameMidRun() {
        let board = Self.board(after: 8)
        let frame = ProgressRenderer(colors: false).frame(board, now: Self.epoch.addingTimeInterval(1.2), tick: 3)
        #expect(
            frame == [
                "Demo  running 1.2s",
                "  ✓ Gather    done        0.2s",
                "  ⠸ Analysis  running     1.0s  1/2 agents  1 retry",
                "  · Extra     waiting",
                "  · Review    waiting",
            ])
    }

    @Test func liveFrameAtTheEnd() {
        let board = Self.board(after: Self.events.count)
        let frame = ProgressRenderer(colors: false).frame(board, now: Self.epoch.addingTimeInterval(9), tick: 7)
        #expect(
            frame == [
                "Demo  failed 2.5s",
                "  ✓ Gather    done        0.2s",
                "  ✓ Analysis  done        1.4s  2/2 agents  1 retry",
                "  - Extra     skipped",
                "  ✗ Review    timeout     0.8s",
            ])
    }

    @Test func liveFrameColours() {
        let board = Self.board(after: 8)
        let frame = ProgressRenderer(colors: true).frame(board, now: Self.epoch.addingTimeInterval(1.2), tick: 0)
        #expect(frame[1] == "  \u{1B}[32m✓\u{1B}[0m Gather    done        0.2s")
        #expect(frame[2].hasPrefix("  \u{1B}[36m⠋\u{1B}[0m Analysis  running"))
        #expect(frame[3] == "\u{1B}[2m  · Extra     waiting\u{1B}[0m")
    }

    @Test func plainLinesGolden() {
        let renderer = ProgressRenderer(colors: false)
        var board = ProgressBoard(title: "Demo", phases: ["Gather", "Analysis", "Extra", "Review"])
        var lines: [String] = []
        for event in Self.events {
            board.apply(event)
            if let line = renderer.line(for: event, board: board, verbose: false) { lines.append(line) }
        }
        #expect(
            lines == [
                "[  0.0s] Demo: started",
                "[  0.0s] Gather: running",
                "[  0.2s] Gather: done in 0.2s",
                "[  0.2s] Analysis: running",
                "[  1.6s] Analysis: done in 1.4s, 2/2 agents, 1 retry",
                "[  1.6s] Extra: skipped (when: input.deep == true)",
                "[  1.7s] Review: running",
                "[  2.5s] Review: timeout: took longer than 800ms",
                "[  2.5s] Demo: failed in 2.5s: phase 'Review' timed out",
            ])
    }

    @Test func verboseHasALineForEveryEvent() {
        let renderer = ProgressRenderer(colors: false)
        var board = ProgressBoard(title: "Demo", phases: ["Gather", "Analysis", "Extra", "Review"])
        var lines: [String] = []
        for event in Self.events {
            board.apply(event)
            if let line = renderer.line(for: event, board: board, verbose: true) { lines.append(line) }
        }
        #expect(lines.count == Self.events.count)
        #expect(
            lines[7]
                == "[  1.0s] agent:failed phase=Analysis step=1 type=agent agent=risk-manager attempt=1 delay=0.5s message=\"HTTP 429\""
        )
    }

    @Test func liveScreenRedrawsInPlace() {
        var screen = LiveScreen()
        #expect(screen.draw(["a", "b"]) == "\u{1B}[2Ka\n\u{1B}[2Kb\n")
        #expect(screen.draw(["a", "b"]) == "")
        #expect(screen.draw(["a", "c"]) == "\u{1B}[2A\r\u{1B}[2Ka\n\u{1B}[2Kc\n")
        #expect(screen.draw(["z"]) == "\u{1B}[2A\r\u{1B}[2Kz\n\u{1B}[2K\n")
    }

    @Test func modeFollowsTheTerminalNoColorAndFlags() {
        func context(terminal: Bool, environment: [String: String] = [:]) -> CommandContext {
            CommandContext(
                writeOutput: { _ in }, writeError: { _ in }, environment: environment, outputIsTerminal: terminal,
                errorIsTerminal: terminal)
        }
        #expect(ProgressMode.choose(quiet: false, verbose: false, context: context(terminal: true)) == .live)
        #expect(ProgressMode.choose(quiet: false, verbose: false, context: context(terminal: false)) == .plain)
        #expect(
            ProgressMode.choose(
                quiet: false, verbose: false, context: context(terminal: true, environment: ["NO_COLOR": "1"]))
                == .plain)
        #expect(ProgressMode.choose(quiet: true, verbose: false, context: context(terminal: true)) == .quiet)
        #expect(ProgressMode.choose(quiet: false, verbose: true, context: context(terminal: true)) == .verbose)
    }
}

/// The display driver: events in, the exact text written out, with a fixed clock and no ticks.
@Suite struct ProgressDisplayTests {
    final class Sink: Sendable {
        let text = Mutex("")
    }

    static func show(_ mode: ProgressMode) async -> (String, ProgressBoard) {
        let sink = Sink()
        let display = ProgressDisplay(
            mode: mode, renderer: ProgressRenderer(colors: false), write: { text in sink.text.withLock { $0 += text } },
            now: { ProgressRenderingTests.epoch.addingTimeInterval(3) })
        let (events, continuation) = AsyncStream.makeStream(of: ExecutionEvent.self)
        // Another execution's events are ignored.
        var stranger = ProgressRenderingTests.events[1]
        stranger.executionID = ExecutionID(high: 9, low: 9)
        continuation.yield(stranger)
        for event in ProgressRenderingTests.events { continuation.yield(event) }
        let board = await display.run(
            events, of: ProgressRenderingTests.id,
            board: ProgressBoard(title: "Demo", phases: ["Gather", "Analysis", "Extra", "Review"]))
        continuation.finish()
        return (sink.text.withLock { $0 }, board)
    }

    @Test func liveModeEndsWithTheFinalFrameAndABlankLine() async {
        let (text, board) = await Self.show(.live)
        #expect(board.ending == .executionError)
        let frames = text.components(separatedBy: "\u{1B}[5A\r")
        // The first frame, then one redraw per event that changed the list.
        #expect(frames.count > 5)
        // Typed and built apart: as one `#expect` expression it took the type checker past its
        // limit on a busy machine.
        let lines: [String] = [
            "Demo  failed 2.5s", "  ✓ Gather    done        0.2s",
            "  ✓ Analysis  done        1.4s  2/2 agents  1 retry", "  - Extra     skipped",
            "  ✗ Review    timeout     0.8s",
        ]
        let finalFrame: String = lines.map { (line: String) -> String in "\u{1B}[2K" + line + "\n" }.joined() + "\n"
        #expect(frames.last == finalFrame)
    }

    @Test func plainAndQuietModes() async {
        let (plain, _) = await Self.show(.plain)
        #expect(plain.split(separator: "\n").count == 9)
        #expect(!plain.contains("\u{1B}"))
        let (quiet, _) = await Self.show(.quiet)
        #expect(quiet.isEmpty)
    }
}
