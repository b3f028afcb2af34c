import Foundation
import Logging
import Synchronization
import TaskrunCore

/// One execution in flight: its immutable plan and input, and its state behind a mutex.
///
/// The driver task schedules phases; each phase runs in a child task, each concurrent step in a
/// grandchild. They all update the state through short critical sections that never suspend, and
/// events are numbered and published inside the same critical section as the change they report,
/// so every subscriber sees an execution's events in sequence order.
///
/// The async methods a phase goes through are `nonisolated(nonsending)`: they run on their
/// caller's executor, the phase task's, instead of each hopping to the generic executor as it
/// starts (`swift_task_switch`: 14 calls per phase of a chain before, 4 after; Docs/performance.md).
final class ExecutionRun: Sendable {
    let id: ExecutionID
    let plan: ExecutionPlan
    let core: ExecutorCore
    let input: [String: JSONValue]
    let maxConcurrentPhases: Int
    let executionBudget: Duration?
    let logger: Logger
    /// The executor's clock, kept here rather than read through `core`: a computed property hands
    /// out a copy, a retain and a release per reading (about ten per phase, Docs/performance.md W1).
    let clock: ExecutorClock
    let state: Mutex<RunState>
    /// The phases that were not `PhaseResult(name:)` at the start (those a continued execution
    /// kept), for the run's journal (made at its first compact checkpoint, in ``RunState/journal``).
    let startRecords: [PhaseRecord]
    /// The store, when it takes compact checkpoints and writes at once: commits are then made in
    /// one critical section (see ``commit(_:checkpoint:marksDone:)``).
    let compactStore: (any CompactCheckpointStore)?
    /// ``RunState/paused``, stored in the same critical sections that change it, so that a phase
    /// checks for a pause (``gate(phase:)``, twice per phase) without taking the run's lock: the
    /// lock is the one thing a fan-out's phases share, and each section less is one less place
    /// where the two threads wait for each other (Docs/performance.md, W2).
    let pausedFlag = Atomic<Bool>(false)
    /// Keys of ``RunState/phaseTasks``, handed out without the run's lock (see ``pausedFlag``).
    let phaseTaskKeys = Atomic<UInt64>(0)
    /// Where every task of the execution runs (see ``RunExecutor``).
    let executor = RunExecutor()

    /// - Parameters:
    ///   - initialState: The state to start from: pending phases (`PhaseResult(name:)`), but for
    ///     those listed in `restored`.
    ///   - restored: The phases a continued execution keeps from its checkpoint (ascending);
    ///     empty for a fresh one, whose phases are then not looked at one by one.
    ///   - freshQueue: The plan's ``ReadyQueue/init(fresh:)``.
    init(
        id: ExecutionID, plan: ExecutionPlan, core: ExecutorCore, initialState: ExecutionState, restored: [Int],
        freshQueue: ReadyQueue, maxConcurrentPhases: Int, executionBudget: Duration?
    ) {
        self.id = id
        self.plan = plan
        self.core = core
        self.clock = core.clock
        self.input = initialState.input
        self.maxConcurrentPhases = max(1, maxConcurrentPhases)
        self.executionBudget = executionBudget
        var logger = core.logger
        logger[metadataKey: "execution"] = "\(id)"
        self.logger = logger
        var execution = initialState
        compactStore = core.history as? any CompactCheckpointStore
        if compactStore != nil {
            startRecords = restored.map { PhaseRecord(index: $0, value: execution.phaseList[$0]) }
            execution.phaseList.tracksChanges = true
        } else {
            startRecords = []
        }
        var state = RunState(execution: execution)
        state.ready =
            restored.isEmpty
            ? freshQueue : ReadyQueue(plan: plan, phases: state.execution.phaseList, fresh: freshQueue)
        self.state = Mutex(state)
    }

    // MARK: Events

    /// Numbers, stamps, buffers and publishes an event. Call inside `state.withLock`. `timestamp`
    /// is a time read inside the same critical section (the change the event reports), so the
    /// clock is not read twice for one change; by default the clock is read now.
    func emit(
        _ kind: ExecutionEvent.Kind, into state: inout RunState, at timestamp: Date? = nil, phase: String? = nil,
        step: Int? = nil, stepType: String? = nil, agent: String? = nil, attempt: Int? = nil, status: String? = nil,
        message: String? = nil, delay: Duration? = nil, duration: Duration? = nil, task: String? = nil
    ) {
        state.execution.lastSequence += 1
        let sequence = state.execution.lastSequence
        let time = timestamp ?? clock.currentDate
        state.pendingEvents.append(
            kind, sequence: sequence, timestamp: time, task: task, phase: phase, step: step, stepType: stepType,
            agent: agent, attempt: attempt, status: status, message: message, delay: delay, duration: duration)
        // An event value only for a listener.
        if core.hub.hasSubscribers {
            core.hub.publish(
                ExecutionEvent(
                    kind: kind, executionID: id, sequence: sequence, timestamp: time, task: task, phase: phase,
                    step: step, stepType: stepType, agent: agent, attempt: attempt, status: status, message: message,
                    delay: delay, duration: duration))
        }
    }

    /// Takes the events not yet handed to the store, as event values. Call inside `state.withLock`.
    func takeEvents(from state: inout RunState) -> [ExecutionEvent] {
        let events = state.pendingEvents.events(of: id)
        state.pendingEvents.removeAll()
        return events
    }

    // MARK: Queries

    func snapshot() -> ExecutionState {
        var snapshot = state.withLock { $0.execution }
        // The run notes its own changes; a copy handed out does not.
        snapshot.phaseList = snapshot.phaseList.detached
        return snapshot
    }

    var stopReason: StopReason? {
        state.withLock { $0.stop }
    }

    var isPaused: Bool {
        state.withLock { $0.paused }
    }

    /// Clock time minus pauses.
    func activeTime() -> Duration {
        let now = clock.now
        return state.withLock { $0.activeTime(now: now) }
    }
}
