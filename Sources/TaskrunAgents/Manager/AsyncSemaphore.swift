import Synchronization

/// A counting semaphore for async code: `acquire()` suspends (without blocking a thread or polling)
/// until a permit is free, in first-come order, and throws `CancellationError` if the waiting task
/// is cancelled first.
public final class AsyncSemaphore: Sendable {
    /// The semaphore's state at one moment, for observers.
    public struct Snapshot: Sendable, Hashable {
        /// Permits held right now.
        public var inUse: Int
        /// Tasks waiting for a permit.
        public var waiting: Int
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    /// How many permits there are.
    public let limit: Int
    private let state: Mutex<State>
    private let observer: (@Sendable (Snapshot) -> Void)?

    /// - Parameters:
    ///   - limit: The number of permits, at least 1.
    ///   - observer: Called after every change, outside the lock (tests use it to await a state).
    public init(limit: Int, observer: (@Sendable (Snapshot) -> Void)? = nil) {
        self.limit = max(1, limit)
        self.state = Mutex(State(available: max(1, limit)))
        self.observer = observer
    }

    /// The current state.
    public var snapshot: Snapshot {
        state.withLock { Snapshot(inUse: limit - $0.available, waiting: $0.waiters.count) }
    }

    /// Takes a permit, waiting for one if none is free.
    ///
    /// - Throws: `CancellationError` when the task is cancelled before it gets a permit; it then holds none.
    public func acquire() async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, CancellationError>? in
                    // Checked under the lock: a cancellation handler that ran before this point found no
                    // waiter to remove, so this check is what catches it.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.available > 0 {
                        state.available -= 1
                        return .success(())
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
                notify()
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
            if waiter != nil { notify() }
        }
    }

    /// Returns a permit, handing it straight to the longest waiter if there is one.
    public func release() {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.available = min(limit, state.available + 1)
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
        notify()
    }

    /// Runs `body` holding a permit.
    public func withPermit<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    private func notify() {
        guard let observer else { return }
        observer(snapshot)
    }
}
