/// The mutable part of one execution, guarded by the run's mutex.
struct RunState {
    var execution: ExecutionState
    /// Events not yet handed to the history store.
    var pendingEvents: [ExecutionEvent] = []

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

    /// The driver waits here for a stop or a resume.
    var signalWaiter: CheckedContinuation<Void, Never>?
    var signalPending = false

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
}
