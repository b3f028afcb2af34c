import Dispatch
import Foundation
import Synchronization
import TaskrunExecution

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `taskrun run` and `taskrun resume` do on Ctrl-C and SIGTERM.
///
/// The first SIGINT or SIGTERM pauses the execution: nothing new starts, steps in flight finish
/// (for at most the grace period) and every phase that ends is committed to the history store.
/// The caller then prints `paused: resume with taskrun resume ID` and exits with 130. A second
/// signal aborts at once: in-flight work is cancelled, the execution ends `aborted`, and the caller
/// exits with 130 too.
///
/// ```swift
/// let interrupts = InterruptHandler()                // takes over SIGINT and SIGTERM
/// defer { interrupts.stop() }
/// let handle = try executor.start(task, input: input, options: options)
/// switch await interrupts.supervise(handle, executor: executor, grace: .seconds(10)) {
/// case .finished(let result): …                      // print the summary; exit by status
/// case .paused(let id, _):                           // print "paused: resume with taskrun resume \(id)"; exit 130
/// }
/// ```
///
/// Signals arrive through Dispatch signal sources (no polling); while the handler is installed the
/// signals' default action (terminating the process) is off, and ``stop()`` restores it.
public final class InterruptHandler: Sendable {
    /// How a supervised execution ended.
    public enum Ending: Sendable {
        /// It ended by itself, or was aborted by a second signal (then its status is `aborted`).
        case finished(ExecutionResult)
        /// The first signal paused it. `settled` is false when steps were still in flight when the
        /// grace period ran out: their work is lost and runs again on resume.
        case paused(ExecutionID, settled: Bool)
    }

    /// The signals, as their numbers, in the order they arrived.
    public let signals: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation
    /// Behind a lock: Dispatch sources are not `Sendable`, and ``stop()`` may run on any thread.
    private let sources: Mutex<[any DispatchSourceSignal]>

    /// Takes over `numbers` (SIGINT and SIGTERM by default) for this process.
    public init(signals numbers: [Int32] = [SIGINT, SIGTERM]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.signals = stream
        self.continuation = continuation
        sources = Mutex(
            numbers.map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                // Signals that arrive together are coalesced into one event; `data` says how many.
                // The handler holds the source; stop() clears the handler, which breaks the cycle.
                source.setEventHandler {
                    for _ in 0..<max(1, Int(source.data)) { continuation.yield(number) }
                }
                source.setCancelHandler { signal(number, SIG_DFL) }
                source.resume()
                return source
            })
    }

    /// A handler fed by `signals` instead of the process's signals, for tests.
    public init(feed signals: AsyncStream<Int32>) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.signals = stream
        self.continuation = continuation
        sources = Mutex([])
        Task {
            for await number in signals { continuation.yield(number) }
        }
    }

    deinit {
        stop()
    }

    /// Gives the signals back to the process (their default action) and ends ``signals``.
    public func stop() {
        sources.withLock { sources in
            for source in sources where !source.isCancelled {
                source.setEventHandler(handler: nil)
                source.cancel()
            }
            sources.removeAll()
        }
        continuation.finish()
    }

    /// Waits for `handle`'s execution to end, applying the interrupt policy: first signal pause
    /// (waiting at most `grace` for in-flight steps), second signal abort.
    ///
    /// - Parameters:
    ///   - clock: what the grace period is measured on.
    ///   - onSignal: told about each signal once it has been acted on (the pause or abort requested),
    ///     with its ordinal: to print "pausing…".
    public func supervise(
        _ handle: ExecutionHandle, executor: TaskExecutor, grace: Duration,
        clock: any Clock<Duration> = ContinuousClock(),
        onSignal: @escaping @Sendable (_ signal: Int32, _ count: Int) -> Void = { _, _ in }
    ) async -> Ending {
        let id = handle.id
        let signals = self.signals
        let (decisions, sink) = AsyncStream.makeStream(of: Decision.self)
        defer { sink.finish() }
        // Unstructured on purpose: waiting for the result cannot be cancelled (a paused execution
        // never ends by itself), and a task group would wait for it before returning `.paused`.
        Task { sink.yield(.finished(await handle.result)) }
        let listener = Task {
            var count = 0
            for await number in signals {
                count += 1
                if count == 1 {
                    let reason = number == SIGTERM ? "terminated (SIGTERM)" : "interrupted (SIGINT)"
                    do {
                        try await executor.pause(id, reason: reason)
                    } catch {
                        // Not running (already paused, or ending): the result tells how it ended.
                    }
                    sink.yield(.firstSignal)
                    onSignal(number, count)
                } else {
                    handle.abort(reason: "interrupted twice")
                    sink.yield(.aborted)
                    onSignal(number, count)
                    return
                }
            }
        }
        var settler: Task<Void, Never>?
        defer {
            listener.cancel()
            settler?.cancel()
        }
        var aborting = false
        for await decision in decisions {
            switch decision {
            case .finished(let result):
                return .finished(result)
            case .firstSignal:
                settler = Task { sink.yield(await Self.settle(executor: executor, id: id, grace: grace, clock: clock)) }
            case .settled(let settled):
                if !aborting { return .paused(id, settled: settled) }
            case .aborted:
                aborting = true
            }
        }
        // Unreachable: the stream ends only when this function returns.
        return .finished(await handle.result)
    }

    private enum Decision: Sendable {
        case finished(ExecutionResult)
        case firstSignal
        case settled(Bool)
        case aborted
    }

    /// Waits until the paused execution has nothing in flight and its finished phases are
    /// committed, or until `grace` has passed; returns whether it settled.
    private static func settle(
        executor: TaskExecutor, id: ExecutionID, grace: Duration, clock: any Clock<Duration>
    ) async -> Decision {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await executor.waitUntilSettled(id)
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                try? await clock.sleep(for: grace)
                return false
            }
            let settled = await group.next() ?? false
            group.cancelAll()
            return .settled(settled)
        }
    }
}
