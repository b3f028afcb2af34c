import TaskrunExecution

/// Collects an executor's events as they come, and lets a test wait for one.
actor EventLog {
    private(set) var events: [ExecutionEvent] = []
    private var waiters: [(predicate: @Sendable (ExecutionEvent) -> Bool, continuation: CheckedContinuation<ExecutionEvent, Never>)] = []
    private var finishedWaiters: [CheckedContinuation<Void, Never>] = []
    private(set) var isFinished = false

    /// Subscribes now (before the execution starts) and collects in the background.
    static func subscribe(to executor: TaskExecutor, _ filter: EventFilter = .all) -> EventLog {
        let log = EventLog()
        let stream = executor.events(filter)
        Task {
            for await event in stream { await log.append(event) }
            await log.finish()
        }
        return log
    }

    private func append(_ event: ExecutionEvent) {
        events.append(event)
        var remaining: [(predicate: @Sendable (ExecutionEvent) -> Bool, continuation: CheckedContinuation<ExecutionEvent, Never>)] = []
        for waiter in waiters {
            if waiter.predicate(event) { waiter.continuation.resume(returning: event) } else { remaining.append(waiter) }
        }
        waiters = remaining
    }

    private func finish() {
        isFinished = true
        for waiter in finishedWaiters { waiter.resume() }
        finishedWaiters = []
    }

    /// The first event (already seen or to come) that matches.
    @discardableResult
    func first(where predicate: @escaping @Sendable (ExecutionEvent) -> Bool) async -> ExecutionEvent {
        if let found = events.first(where: predicate) { return found }
        return await withCheckedContinuation { waiters.append((predicate, $0)) }
    }

    @discardableResult
    func first(_ kind: ExecutionEvent.Kind, phase: String? = nil, agent: String? = nil, attempt: Int? = nil) async
        -> ExecutionEvent
    {
        await first { event in
            event.kind == kind && (phase == nil || event.phase == phase) && (agent == nil || event.agent == agent)
                && (attempt == nil || event.attempt == attempt)
        }
    }

    /// Waits until `count` events match.
    func count(atLeast count: Int, where predicate: @escaping @Sendable (ExecutionEvent) -> Bool) async {
        while events.filter(predicate).count < count {
            _ = await withCheckedContinuation { (continuation: CheckedContinuation<ExecutionEvent, Never>) in
                waiters.append(({ predicate($0) }, continuation))
            }
        }
    }

    func waitUntilFinished() async {
        if isFinished { return }
        await withCheckedContinuation { finishedWaiters.append($0) }
    }

    func of(_ kind: ExecutionEvent.Kind) -> [ExecutionEvent] {
        events.filter { $0.kind == kind }
    }

    /// The sequence number of the first matching event (`Int.max` when there is none).
    func sequence(_ kind: ExecutionEvent.Kind, phase: String? = nil, agent: String? = nil) -> UInt64 {
        events.first { $0.kind == kind && (phase == nil || $0.phase == phase) && (agent == nil || $0.agent == agent) }?
            .sequence ?? UInt64.max
    }
}
