import Synchronization

/// A clock that only moves when a test advances it. Tests await "a sleeper for this duration is
/// pending" instead of sleeping, and every requested sleep is recorded.
final class TestClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
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

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }
    /// Every sleep requested so far, in order.
    var requestedSleeps: [Duration] { state.withLock { $0.requested } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (immediate, woken) = state.withLock {
                    state -> (Result<Void, any Error>?, [CheckedContinuation<Void, Never>]) in
                    if Task.isCancelled { return (.failure(CancellationError()), []) }
                    let requested = state.now.duration(to: deadline)
                    state.requested.append(requested)
                    if deadline <= state.now { return (.success(()), []) }
                    state.sleepers[id] = Sleeper(deadline: deadline, requested: requested, continuation: continuation)
                    return (nil, Self.takeSatisfied(&state))
                }
                if let immediate { continuation.resume(with: immediate) }
                for watcher in woken { watcher.resume() }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    private static func takeSatisfied(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let pending = state.sleepers.values.map(\.requested)
        var woken: [CheckedContinuation<Void, Never>] = []
        for (id, watcher) in state.watchers where watcher.predicate(pending) {
            woken.append(watcher.continuation)
            state.watchers[id] = nil
        }
        return woken
    }

    /// Moves the clock and wakes every sleeper whose deadline has come.
    func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Returns once a pending sleeper asked for exactly `duration`.
    func waitForSleeper(_ duration: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let predicate: @Sendable ([Duration]) -> Bool = { $0.contains(duration) }
            let ready = state.withLock { state -> Bool in
                if predicate(state.sleepers.values.map(\.requested)) { return true }
                state.nextID += 1
                state.watchers[state.nextID] = Watcher(predicate: predicate, continuation: continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
