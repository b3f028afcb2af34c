/// The mutable part of one execution, guarded by the run's mutex.
struct RunState {
    var execution: ExecutionState
    /// Events not yet handed to the history store.
    var pendingEvents = PendingEvents()
    /// The phases logged at compact checkpoints, from the first one on (an execution waiting in
    /// its first phase keeps none: Docs/performance.md, W8).
    var journal: PhaseJournal?

    var stop: StopReason?
    var finished = false

    var paused = false
    /// When the current pause began (clock offset).
    var pausedSince: Duration?
    /// All pauses so far together; phase and execution time limits do not count them.
    var pausedTotal: Duration = .zero
    var pauseWaiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]

    /// Phase tasks doing work (not parked at a pause) plus phases whose commit is pending.
    var busy = 0
    var settleWaiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]

    /// Scheduling: phases waiting for their dependencies or a free slot.
    var ready = ReadyQueue()
    /// Phases admitted and not yet fully handled (running, or committing).
    var running = 0
    /// The tasks running phases, each under a key from ``ExecutionRun/phaseTaskKeys``, cancelled when the
    /// execution stops. A task runs a phase, then possibly phases that became ready when it ended.
    var phaseTasks: [UInt64: Task<Void, Never>] = [:]
    /// The execution's time limit, when it has one.
    var deadlineTask: Task<Void, Never>?
    /// Whether the start was recorded (nothing finishes before that).
    var begun = false
    var finishing = false

    /// Commits of one execution run one at a time, in the order they asked.
    var committing = false
    var commitWaiters: [CheckedContinuation<Void, Never>] = []
    /// How many of `commitWaiters` were already resumed: a queue read from the front without
    /// `removeFirst()`, which moved every other waiter each time (quadratic when a fan-out's
    /// thousand phases queue up behind one commit, Docs/performance.md W2).
    var commitWaitersResumed = 0

    var result: ExecutionResult?
    var resultWaiters: [CheckedContinuation<ExecutionResult, Never>] = []

    var nextWaiterID: UInt64 = 0

    /// When the execution started running (clock offset).
    var startedOffset: Duration = .zero

    init(execution: ExecutionState) {
        self.execution = execution
    }

    mutating func makeWaiterID() -> UInt64 {
        nextWaiterID += 1
        return nextWaiterID
    }

    /// Clock time minus pauses: the clock that phase and execution time limits run on.
    func activeTime(now: Duration) -> Duration {
        now - pausedTotal - (pausedSince.map { now - $0 } ?? .zero)
    }

    var isSettled: Bool { paused && busy == 0 }

    /// Whether the execution is done (begun, nothing running, nothing left to start or stopping);
    /// the first caller to see it done claims its end (`finishing`) and must finish it.
    mutating func claimFinish() -> Bool {
        guard begun, !finishing, running == 0 else { return false }
        guard stop != nil || (!paused && ready.isEmpty) else { return false }
        finishing = true
        return true
    }
}
