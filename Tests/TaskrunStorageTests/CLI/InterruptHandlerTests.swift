import Foundation
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunCLI
@testable import TaskrunStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A clock whose sleeps end at once: a grace period that has always already run out.
private struct ExpiredClock: Clock {
    typealias Instant = ContinuousClock.Instant
    var now: Instant { ContinuousClock().now }
    var minimumResolution: Duration { .nanoseconds(1) }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {}
}

@Suite struct InterruptHandlerTests {
    /// An executor recording into a fresh store, running a chain whose phase `gated` waits at `gate`.
    private func start(
        _ directory: TemporaryDirectory, gate: AsyncGate, gated: String = "P2"
    ) throws -> (TaskExecutor, ExecutionHandle, SQLiteHistoryStore) {
        let store = try openStore(directory)
        let executor = TaskExecutor(agents: GatedAgents(gate: gate, gatedPhase: gated), history: store)
        let handle = try executor.start(chainTask(phases: 3), input: ["ticker": "BTC"])
        return (executor, handle, store)
    }

    @Test func theFirstSignalPausesOnceInFlightStepsFinish() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let gate = AsyncGate()
        let (executor, handle, store) = try start(directory, gate: gate)
        let (signals, feed) = AsyncStream.makeStream(of: Int32.self)
        let interrupts = InterruptHandler(feed: signals)
        defer { interrupts.stop() }
        await gate.waitUntilEntered()
        async let ending = interrupts.supervise(handle, executor: executor, grace: .seconds(3600)) { signal, count in
            // The step in flight finishes once the pause is requested (which is before this is called).
            if count == 1 { Task { await gate.open() } }
        }
        feed.yield(SIGINT)
        guard case .paused(let id, let settled) = await ending else {
            Issue.record("expected a pause")
            return
        }
        #expect(id == handle.id)
        #expect(settled)
        let stored = try #require(try await store.loadDetails(id))
        #expect(stored.execution.status == .paused)
        #expect(stored.execution.reason == "interrupted (SIGINT)")
        // The phase in flight finished and was committed; nothing after it started.
        #expect(stored.execution.phases.map(\.name) == ["P1", "P2"])
        await executor.shutdown()
    }

    @Test func aGracePeriodThatRunsOutStillPauses() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let gate = AsyncGate()
        let (executor, handle, _) = try start(directory, gate: gate)
        let (signals, feed) = AsyncStream.makeStream(of: Int32.self)
        let interrupts = InterruptHandler(feed: signals)
        defer { interrupts.stop() }
        await gate.waitUntilEntered()
        feed.yield(SIGTERM)
        let ending = await interrupts.supervise(handle, executor: executor, grace: .seconds(10), clock: ExpiredClock())
        guard case .paused(_, let settled) = ending else {
            Issue.record("expected a pause")
            return
        }
        #expect(!settled)
        await gate.open()
        await executor.shutdown()
    }

    @Test func aSecondSignalAborts() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let gate = AsyncGate()
        let (executor, handle, store) = try start(directory, gate: gate)
        let (signals, feed) = AsyncStream.makeStream(of: Int32.self)
        let interrupts = InterruptHandler(feed: signals)
        defer { interrupts.stop() }
        await gate.waitUntilEntered()
        async let ending = interrupts.supervise(handle, executor: executor, grace: .seconds(3600)) { _, count in
            if count == 1 { feed.yield(SIGINT) }
            // The test agent ignores cancellation: let it return once the abort is requested (before
            // this is called, so the abort reaches the handler before the step in flight settles).
            if count == 2 { Task { await gate.open() } }
        }
        feed.yield(SIGINT)
        guard case .finished(let result) = await ending else {
            Issue.record("expected the execution to end")
            return
        }
        #expect(result.status == .aborted)
        #expect(result.reason == "interrupted twice")
        let stored = try await store.loadExecution(handle.id)
        #expect(
            stored?.status == .aborted, "\(String(describing: stored?.status)) \(String(describing: stored?.reason))")
    }

    @Test func withoutSignalsTheExecutionJustEnds() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let gate = AsyncGate()
        await gate.open()
        let (executor, handle, _) = try start(directory, gate: gate)
        let (signals, _) = AsyncStream.makeStream(of: Int32.self)
        let interrupts = InterruptHandler(feed: signals)
        defer { interrupts.stop() }
        guard case .finished(let result) = await interrupts.supervise(handle, executor: executor, grace: .seconds(1))
        else {
            Issue.record("expected the execution to end")
            return
        }
        #expect(result.status == .completed)
    }
}
