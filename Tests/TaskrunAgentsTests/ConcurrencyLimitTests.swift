import Synchronization
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunAgents

/// A backend whose answers wait at a gate the test opens, counting how many are in flight. Like a
/// backend that finishes its current step first, an answer ignores cancellation; it only reports it.
final class GateBackend: AgentBackend {
    private struct State {
        var inFlight = 0
        var maxInFlight = 0
        var gates: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// The number of answers in flight, each time one starts.
    let started: AsyncStream<Int>
    private let startedContinuation: AsyncStream<Int>.Continuation
    /// An element each time an answer waiting at the gate is cancelled.
    let cancelled: AsyncStream<Void>
    private let cancelledContinuation: AsyncStream<Void>.Continuation

    init() {
        (started, startedContinuation) = AsyncStream.makeStream()
        (cancelled, cancelledContinuation) = AsyncStream.makeStream()
    }

    var maxInFlight: Int { state.withLock { $0.maxInFlight } }

    func answer(_ request: AgentRequest, agent: AgentDefinition) async throws -> AgentResponse {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let count = state.withLock { state -> Int in
                    state.inFlight += 1
                    state.maxInFlight = max(state.maxInFlight, state.inFlight)
                    state.gates.append(continuation)
                    return state.inFlight
                }
                startedContinuation.yield(count)
            }
        } onCancel: { [cancelledContinuation] in
            cancelledContinuation.yield()
        }
        state.withLock { $0.inFlight -= 1 }
        return AgentResponse(text: "answered \(request.prompt)")
    }

    /// Lets the oldest waiting answer finish.
    func openOne() {
        let gate = state.withLock { $0.gates.isEmpty ? nil : $0.gates.removeFirst() }
        gate?.resume()
    }
}

/// Awaits limiter states (without polling) through the limiter's observer.
final class LimiterWatch: Sendable {
    let snapshots: AsyncStream<AsyncSemaphore.Snapshot>
    let limiter: AgentConcurrencyLimiter

    init() {
        let (stream, continuation) = AsyncStream<AsyncSemaphore.Snapshot>.makeStream()
        snapshots = stream
        limiter = AgentConcurrencyLimiter { _, snapshot in continuation.yield(snapshot) }
    }

    func waitFor(_ predicate: (AsyncSemaphore.Snapshot) -> Bool) async {
        for await snapshot in snapshots where predicate(snapshot) { return }
    }
}

/// A hung query fails its test after the time limit instead of hanging the run.
@Suite(.timeLimit(.minutes(1))) struct ConcurrencyLimitTests {
    @Test func maxConcurrentHoldsAcrossConcurrentQueries() async throws {
        let backend = GateBackend()
        let watch = LimiterWatch()
        let agent = Fixtures.agent(maxConcurrent: 2)
        let manager = RoutingAgentManager(
            directory: AgentDirectory(definitions: [agent]), backends: ["gate": backend], defaultBackend: "gate",
            limiter: watch.limiter)

        try await withThrowingTaskGroup(of: AgentResponse.self) { group in
            for index in 0..<5 {
                group.addTask { try await manager.query(Fixtures.request(prompt: "q\(index)")) }
            }
            // Two hold a permit and three wait for one: nothing more gets in.
            await watch.waitFor { $0.inUse == 2 && $0.waiting == 3 }
            var started = backend.started.makeAsyncIterator()
            #expect(await started.next() != nil)
            #expect(await started.next() != nil)

            // Each answer that finishes lets exactly one waiting query in.
            for remaining in [2, 1, 0] {
                backend.openOne()
                await watch.waitFor { $0.inUse == 2 && $0.waiting == remaining }
                #expect(await started.next() == 2)
            }
            backend.openOne()
            backend.openOne()
            var answered = 0
            for try await _ in group {
                answered += 1
                backend.openOne()
            }
            #expect(answered == 5)
        }
        #expect(backend.maxInFlight == 2)
        #expect(watch.limiter.semaphore(for: "test-agent", limit: 2).snapshot == .init(inUse: 0, waiting: 0))
    }

    @Test func twoManagersSharingALimiterShareTheLimit() async throws {
        let backend = GateBackend()
        let watch = LimiterWatch()
        let agent = Fixtures.agent(maxConcurrent: 1)
        let first = RoutingAgentManager(
            directory: AgentDirectory(definitions: [agent]), backends: ["gate": backend], defaultBackend: "gate",
            limiter: watch.limiter)
        let second = RoutingAgentManager(
            directory: AgentDirectory(definitions: [agent]), backends: ["gate": backend], defaultBackend: "gate",
            limiter: watch.limiter)
        let one = Task { try await first.query(Fixtures.request()) }
        let two = Task { try await second.query(Fixtures.request()) }
        var started = backend.started.makeAsyncIterator()
        await watch.waitFor { $0.inUse == 1 && $0.waiting == 1 }
        // The permit holder's answer must be waiting at its gate before the gate is opened: holding the
        // permit does not mean the backend has been reached yet (opening too early opened nothing and
        // left the test waiting until its time limit).
        #expect(await started.next() == 1)
        backend.openOne()
        await watch.waitFor { $0.inUse == 1 && $0.waiting == 0 }
        #expect(await started.next() == 1)
        backend.openOne()
        _ = try await (one.value, two.value)
        #expect(backend.maxInFlight == 1)
    }

    @Test func aCancelledWaiterLeavesWithoutTakingAPermit() async throws {
        let (events, continuation) = AsyncStream<AsyncSemaphore.Snapshot>.makeStream()
        let semaphore = AsyncSemaphore(limit: 1) { continuation.yield($0) }
        try await semaphore.acquire()
        let waiter = Task { try await semaphore.acquire() }
        for await snapshot in events where snapshot.waiting == 1 { break }

        waiter.cancel()

        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(semaphore.snapshot == .init(inUse: 1, waiting: 0))
        semaphore.release()
        #expect(semaphore.snapshot == .init(inUse: 0, waiting: 0))
    }

    @Test func permitsAreHandedOutInArrivalOrder() async throws {
        let (events, continuation) = AsyncStream<AsyncSemaphore.Snapshot>.makeStream()
        let semaphore = AsyncSemaphore(limit: 1) { continuation.yield($0) }
        let order = OrderRecorder()
        try await semaphore.acquire()
        var tasks: [Task<Void, any Error>] = []
        var snapshots = events.makeAsyncIterator()
        for index in 0..<4 {
            tasks.append(
                Task {
                    try await semaphore.acquire()
                    order.append(index)
                    semaphore.release()
                })
            // Wait until this waiter is queued before starting the next, so arrival order is known.
            while let snapshot = await snapshots.next(), snapshot.waiting < index + 1 {}
        }
        semaphore.release()
        for task in tasks { try await task.value }
        #expect(order.values == [0, 1, 2, 3])
    }
}

final class OrderRecorder: Sendable {
    private let state = Mutex<[Int]>([])
    func append(_ value: Int) { state.withLock { $0.append(value) } }
    var values: [Int] { state.withLock { $0 } }
}
