import Foundation
import TaskrunExecution

/// Shows an execution's progress from its event stream until its terminal event.
///
/// Live mode redraws the list in place on every event and every spinner tick; plain and verbose
/// modes write one line per event. The caller awaits ``run(_:of:board:)`` before it prints the
/// report, so the two never interleave.
struct ProgressDisplay: Sendable {
    var mode: ProgressMode
    var renderer: ProgressRenderer
    /// Where progress goes (standard error).
    var write: @Sendable (String) -> Void
    /// The time the live list measures running phases against.
    var now: @Sendable () -> Date
    /// Spinner ticks for the live list; `nil` redraws on events only.
    var ticks: (@Sendable () -> AsyncStream<Void>)?

    init(
        mode: ProgressMode, renderer: ProgressRenderer, write: @escaping @Sendable (String) -> Void,
        now: @escaping @Sendable () -> Date, ticks: (@Sendable () -> AsyncStream<Void>)? = nil
    ) {
        self.mode = mode
        self.renderer = renderer
        self.write = write
        self.now = now
        self.ticks = ticks
    }

    /// The display a run uses: progress on standard error, the wall clock, a spinner tick every 100ms.
    static func standard(_ mode: ProgressMode, context: CommandContext) -> ProgressDisplay {
        let spinner: @Sendable () -> AsyncStream<Void> = {
            Self.ticks(every: .milliseconds(100), clock: ContinuousClock())
        }
        let now: @Sendable () -> Date = { Date() }
        return ProgressDisplay(
            mode: mode, renderer: ProgressRenderer(colors: mode == .live), write: context.writeError, now: now,
            ticks: mode == .live ? spinner : nil)
    }

    /// A stream that yields every `interval` of `clock` until its consumer goes away.
    static func ticks<C: Clock>(every interval: Duration, clock: C) -> AsyncStream<Void> where C.Duration == Duration {
        AsyncStream { continuation in
            let task = Task {
                while true {
                    do { try await clock.sleep(for: interval) } catch { break }
                    continuation.yield()
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private enum Input: Sendable {
        case event(ExecutionEvent)
        case tick
    }

    /// Follows `events` of execution `id` until its terminal event (or until cancelled, when a run
    /// pauses) and returns the final board.
    @discardableResult
    func run(_ events: AsyncStream<ExecutionEvent>, of id: ExecutionID, board initial: ProgressBoard) async
        -> ProgressBoard
    {
        var board = initial
        guard mode != .quiet else { return board }
        let (inputs, continuation) = AsyncStream.makeStream(of: Input.self)
        let forwarder = Task {
            for await event in events where event.executionID == id {
                continuation.yield(.event(event))
                if event.kind.isTerminal { break }
            }
            continuation.finish()
        }
        let ticker = ticks.map { ticks in
            Task {
                for await _ in ticks() { continuation.yield(.tick) }
            }
        }
        defer {
            forwarder.cancel()
            ticker?.cancel()
        }

        var tick = 0
        var screen = LiveScreen()
        if mode == .live { write(screen.draw(renderer.frame(board, now: now(), tick: tick))) }
        for await input in inputs {
            switch input {
            case .event(let event):
                board.apply(event)
                if mode != .live,
                    let line = renderer.line(for: event, board: board, verbose: mode == .verbose)
                {
                    write(line + "\n")
                }
            case .tick:
                tick += 1
            }
            if mode == .live { write(screen.draw(renderer.frame(board, now: now(), tick: tick))) }
            if board.isFinished { break }
        }
        // A blank line sets the finished list apart from the report that follows on the terminal.
        if mode == .live && board.isFinished { write("\n") }
        return board
    }
}

/// Redraws a block of lines in place: moves the cursor back to the block's first line, then
/// rewrites each line, clearing what was there.
struct LiveScreen: Sendable {
    private var previous: [String] = []

    /// The text that replaces the last frame with `lines`; empty when nothing changed.
    mutating func draw(_ lines: [String]) -> String {
        guard lines != previous else { return "" }
        var text = previous.isEmpty ? "" : "\u{1B}[\(previous.count)A\r"
        for line in lines { text += "\u{1B}[2K" + line + "\n" }
        // A shorter frame must not leave the end of the longer one on screen.
        for _ in lines.count..<max(lines.count, previous.count) { text += "\u{1B}[2K\n" }
        previous = lines + Array(repeating: "", count: max(0, previous.count - lines.count))
        return text
    }
}
