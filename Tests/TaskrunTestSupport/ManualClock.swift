import Synchronization

/// A clock that moves only when a test advances it. Sleepers wake, in deadline order, when the
/// clock reaches their deadline; cancelling a sleeper's task wakes it with `CancellationError`.
/// Every sleep request is recorded, and tests can wait for sleepers to arrive.
///
/// Shared by the test targets (the executor's, the agents') so that no test waits on real time.
public final class ManualClock: Clock {
    public struct Instant: InstantProtocol {
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var deadline: Instant
        var requested: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Watcher {
        var predicate: @Sendable ([Duration]) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [UInt64: Sleeper] = [:]
        var watchers: [UInt64: Watcher] = [:]
        var nextID: UInt64 = 0
        var requested: [Duration] = []
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .zero }

    /// Every sleep requested so far (deadline minus now at the time), in order.
    public var sleeps: [Duration] { state.withLock { $0.requested } }

    /// The durations pending sleepers asked for.
    public var pending: [Duration] { state.withLock { $0.sleepers.values.map(\.requested) } }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (result, woken) = state.withLock {
                    state -> (Result<Void, any Error>?, [CheckedContinuation<Void, Never>]) in
                    if Task.isCancelled { return (.failure(CancellationError()), []) }
                    let requested = state.now.duration(to: deadline)
                    state.requested.append(requested)
                    if deadline <= state.now { return (.success(()), []) }
                    state.sleepers[id] = Sleeper(deadline: deadline, requested: requested, continuation: continuation)
                    return (nil, Self.satisfiedWatchers(&state))
                }
                if let result { continuation.resume(with: result) }
                for watcher in woken { watcher.resume() }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    private static func satisfiedWatchers(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let pending = state.sleepers.values.map(\.requested)
        var woken: [CheckedContinuation<Void, Never>] = []
        for (id, watcher) in state.watchers where watcher.predicate(pending) {
            woken.append(watcher.continuation)
            state.watchers[id] = nil
        }
        return woken
    }

    /// Moves the clock forward and wakes every sleeper whose deadline has come, earliest first.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Returns once the pending sleepers satisfy `predicate`.
    public func waitUntil(_ predicate: @escaping @Sendable ([Duration]) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if predicate(state.sleepers.values.map(\.requested)) { return true }
                state.nextID += 1
                state.watchers[state.nextID] = Watcher(predicate: predicate, continuation: continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Returns once a sleeper that asked for exactly `duration` is pending.
    public func waitForSleeper(_ duration: Duration) async {
        await waitUntil { $0.contains(duration) }
    }

    /// Returns once at least `count` sleepers are pending.
    public func waitForSleepers(_ count: Int) async {
        await waitUntil { $0.count >= count }
    }
}
