import Synchronization

/// A one-way door: tasks wait until it opens; waiting is cancellable. Counts how many waiters
/// were cancelled, so tests can see cancellation reach them.
final class Gate: Sendable {
    private struct State {
        var open = false
        var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var nextID: UInt64 = 0
        var cancelled = 0
        var arrived = 0
        var arrivalWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.open = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    var cancelledCount: Int { state.withLock { $0.cancelled } }
    var arrivedCount: Int { state.withLock { $0.arrived } }

    /// Returns once `count` tasks have called ``wait()``.
    func waitForArrivals(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.arrived >= count { return true }
                state.arrivalWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func wait() async throws {
        let (id, arrivals) = state.withLock { state -> (UInt64, [CheckedContinuation<Void, Never>]) in
            state.nextID += 1
            state.arrived += 1
            let arrived = state.arrived
            let due = state.arrivalWaiters.filter { $0.count <= arrived }.map(\.continuation)
            state.arrivalWaiters.removeAll { $0.count <= arrived }
            return (state.nextID, due)
        }
        for arrival in arrivals { arrival.resume() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let result = state.withLock { state -> Result<Void, any Error>? in
                    if state.open { return .success(()) }
                    if Task.isCancelled {
                        state.cancelled += 1
                        return .failure(CancellationError())
                    }
                    state.waiters[id] = continuation
                    return nil
                }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let waiter = state.waiters.removeValue(forKey: id) else { return nil }
                state.cancelled += 1
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
