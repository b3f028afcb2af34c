import TaskrunExecution

/// Collects an executor's events as they come, and lets a test wait for one.
actor EventLog {
    private var received: [ExecutionEvent] = []
    private var waiters:
        [(predicate: @Sendable (ExecutionEvent) -> Bool, continuation: CheckedContinuation<ExecutionEvent, Never>)] = []
    private var finishedWaiters: [CheckedContinuation<Void, Never>] = []
    private(set) var isFinished = false
    /// Whether the filter lets executions' start and terminal events through, so that ``settled()``
    /// can tell when they have ended.
    private let seesLifecycle: Bool

    private init(seesLifecycle: Bool) {
        self.seesLifecycle = seesLifecycle
    }

    /// Subscribes now (before the execution starts) and collects in the background.
    static func subscribe(to executor: TaskExecutor, _ filter: EventFilter = .all) -> EventLog {
        let log = EventLog(
            seesLifecycle: filter.kinds.map { $0.contains(.executionStart) && $0.contains(where: \.isTerminal) } ?? true
        )
        let stream = executor.events(filter)
        Task {
            for await event in stream { await log.append(event) }
            await log.finish()
        }
        return log
    }

    private func append(_ event: ExecutionEvent) {
        received.append(event)
        var remaining:
            [(predicate: @Sendable (ExecutionEvent) -> Bool, continuation: CheckedContinuation<ExecutionEvent, Never>)] =
                []
        for waiter in waiters {
            if waiter.predicate(event) {
                waiter.continuation.resume(returning: event)
            } else {
                remaining.append(waiter)
            }
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
        if let found = received.first(where: predicate) { return found }
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
        while received.filter(predicate).count < count {
            _ = await withCheckedContinuation { (continuation: CheckedContinuation<ExecutionEvent, Never>) in
                waiters.append(({ predicate($0) }, continuation))
            }
        }
    }

    func waitUntilFinished() async {
        if isFinished { return }
        await withCheckedContinuation { finishedWaiters.append($0) }
    }

    /// Returns once an execution has started and every execution the log has seen has ended (its
    /// terminal event arrived): the stream is consumed in the background, so it can lag behind a
    /// result, even to the point of not having delivered the start yet. (A log whose filter drops
    /// those events returns at once: wait with ``count(atLeast:where:)`` instead.)
    func settled() async {
        while !Self.hasSettled(received, seesLifecycle: seesLifecycle) {
            _ = await withCheckedContinuation { (continuation: CheckedContinuation<ExecutionEvent, Never>) in
                waiters.append(({ $0.kind.isTerminal }, continuation))
            }
        }
    }

    /// Whether `received` holds a start and every execution that started has ended (or, when
    /// the filter drops those events, at once).
    static func hasSettled(_ received: [ExecutionEvent], seesLifecycle: Bool) -> Bool {
        let started = Set(received.filter { $0.kind == .executionStart }.map(\.executionID))
        let ended = Set(received.filter { $0.kind.isTerminal }.map(\.executionID))
        return (!started.isEmpty || !seesLifecycle) && started.isSubset(of: ended)
    }

    /// Every event, once the executions seen have ended.
    var events: [ExecutionEvent] {
        get async {
            await settled()
            return received
        }
    }

    /// The events of `kind`, once the executions seen have ended.
    func of(_ kind: ExecutionEvent.Kind) async -> [ExecutionEvent] {
        await events.filter { $0.kind == kind }
    }

    /// The events of `kind` received so far, without waiting (for checks in the middle of a run).
    func current(_ kind: ExecutionEvent.Kind) -> [ExecutionEvent] {
        received.filter { $0.kind == kind }
    }

    /// The sequence number of the first matching event (`UInt64.max` when there is none), once the
    /// executions seen have ended.
    func sequence(_ kind: ExecutionEvent.Kind, phase: String? = nil, agent: String? = nil) async -> UInt64 {
        await events.first {
            $0.kind == kind && (phase == nil || $0.phase == phase) && (agent == nil || $0.agent == agent)
        }?
        .sequence ?? UInt64.max
    }
}
