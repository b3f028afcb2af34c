import Foundation
import TaskrunCore

/// The scheduler: starts each phase the moment its dependencies are done, up to the concurrency
/// limit, commits each phase as it ends, and ends the execution.
///
/// There is no scheduling task. Scheduling is a short synchronous decision under the run's lock
/// (``advance()``), made by whoever changed something: the start, a phase that just committed, a
/// resume. Each running phase is its own task, tracked in the run's state so that a stop cancels
/// it, and counted, so that the execution ends only after the last one has returned. This keeps
/// an execution that waits on a slow agent down to that one phase task (see `Docs/execution.md`,
/// "Performance").
extension ExecutionRun {
    enum PhaseOutcome: Sendable, Equatable {
        case completed
        /// Failed (or timed out) with `continueOnFailure`: counts as done for dependents.
        case failedContinuing
        case failed(String)
        case timedOut(String)
        /// Stopped because the execution is stopping; the phase already recorded how.
        case stopped
        /// Cancelled by its own time limit (the caller records the timeout).
        case interrupted
        /// Completed, committed and settled in the critical section that ended its attempt, which
        /// also admitted the phases it made ready (see ``ExecutionRun/endPhase(_:taskKey:at:in:)``).
        case advanced(Admissions)
    }

    /// What a phase task's scheduling section decided: the phases it admitted (to run or launch),
    /// and whether it found the execution done and claimed its end.
    struct Admissions: Sendable, Equatable {
        var admitted: AdmittedPhases
        var claimed: Bool
    }

    /// Starts the execution: records the start, arms the time limit, launches the first phases.
    func start() async {
        await begin()
        if let budget = executionBudget {
            let timer = Task(executorPreference: executor) {
                if await self.waitForActiveTime(budget) {
                    self.requestStop(
                        .executionTimedOut("the execution exceeded its time limit of \(Self.format(budget))"))
                }
            }
            let stopping = state.withLock { state -> Bool in
                state.deadlineTask = timer
                return state.stop != nil
            }
            if stopping { timer.cancel() }
        }
        await advance()
    }

    /// Launches every phase that is ready, allowed and within the limit; commits the ones whose
    /// `when:` is false (which can make more ready); ends the execution when nothing is left.
    func advance() async {
        _ = await advance(keepingOne: false, settling: false)
    }

    /// ``advance()`` for a phase task whose phase has just been handled: with `keepingOne`, the
    /// first phase to run is returned instead of launched, and the caller runs it in its own task.
    /// A chain then runs in one task instead of creating a task, and waking a thread for it, per
    /// phase (Docs/performance.md, W1). With `settling`, the caller's phase is settled (see
    /// ``phaseSettled()``) in the same critical section as the first admission.
    @inline(never)  // Not part of the frame of the phase task, which keeps it while its phase waits.
    private nonisolated(nonsending) func advance(
        keepingOne: Bool, settling: Bool, committing: Int? = nil, to store: (any CompactCheckpointStore)? = nil,
        taskKey: UInt64? = nil, after first: Admissions? = nil
    ) async -> Int? {
        var kept: Int?
        var settling = settling
        var committing = committing
        var first = first
        // Whether the last section found nothing to admit and so also looked whether the
        // execution is done (and claimed its end): no section of its own for that per phase.
        var looked = false
        var claimed = false
        while true {
            let admitted: AdmittedPhases
            let finishing: Bool
            if let made = first {
                // The phase's last section already made this one's decisions.
                (admitted, finishing) = (made.admitted, made.claimed)
                first = nil
            } else {
                (admitted, finishing) = admit(
                    settling: settling, committing: committing, to: store, taskKey: kept == nil ? taskKey : nil)
                settling = false
                committing = nil
            }
            if admitted.isEmpty {
                looked = true
                claimed = finishing
                break
            }
            // Only a phase skipped or refused here can make more phases ready without a phase task
            // that advances after it: when every admitted phase runs, looking again finds nothing
            // that the ending phases will not admit themselves.
            var again = false
            for index in admitted {
                switch admit(index) {
                case .run:
                    if keepingOne && kept == nil {
                        kept = index
                    } else {
                        launch(index)
                    }
                case .skipped:
                    _ = await commit(index, checkpoint: true, marksDone: true)
                    phaseSettled()
                    again = true
                case .failed(let message):
                    await phaseEnded(index, .failed(message))
                    phaseSettled()
                    again = true
                }
            }
            if !again { break }
        }
        if looked {
            if claimed { await finish() }
        } else if kept == nil {
            await finishIfDone()
        }
        return kept
    }

    /// One section of ``advance(keepingOne:settling:committing:to:taskKey:after:)``: commits
    /// `committing` (with `store`), then ``admit(settling:taskKey:in:)``; wakes the waiters it
    /// settled. Returns the admitted phases and whether the execution's end was claimed.
    ///
    /// Synchronous and not inlined, like ``launch(_:)`` and ``phaseSettled()``: the continuations
    /// and task priorities they handle are types of unknown size to the compiler, and an async
    /// function allocates room for each from its task on every call, whether it uses them or not
    /// (ten allocations per call of `advance` before; Docs/performance.md, W1).
    @inline(never)
    private func admit(
        settling: Bool, committing: Int?, to store: (any CompactCheckpointStore)?, taskKey: UInt64?
    ) -> (AdmittedPhases, claimed: Bool) {
        let (taken, settled, claims, leftover) = state.withLock {
            state -> (AdmittedPhases, [CheckedContinuation<Void, any Error>], Bool, CommitLeftover?) in
            var leftover: CommitLeftover?
            if let index = committing, let store {
                leftover = commit(index, checkpoint: true, marksDone: true, to: store, in: &state)
            }
            let (taken, settled, claims) = admit(settling: settling, taskKey: taskKey, in: &state)
            return (taken, settled, claims, leftover)
        }
        withExtendedLifetime(leftover) {}  // Released here, after the lock.
        for waiter in settled { waiter.resume() }
        return (taken, claims)
    }

    /// The scheduling decision of a phase task's section, after whatever else the section did:
    /// settles the caller's phase (with `settling`), then admits ready phases up to the limit;
    /// when it admits nothing, the calling task (`taskKey`) ends and leaves `phaseTasks` here
    /// rather than in a section of its own, and the execution's end is claimed if it is done.
    /// Call inside `state.withLock`; resume the returned waiters after it.
    func admit(
        settling: Bool, taskKey: UInt64?, in state: inout RunState
    ) -> (AdmittedPhases, [CheckedContinuation<Void, any Error>], Bool) {
        var settled: [CheckedContinuation<Void, any Error>] = []
        if settling {
            state.running -= 1
            state.busy -= 1
            settled = settleWaiters(&state)
        }
        guard state.stop == nil, !state.paused else {
            if let taskKey { state.phaseTasks.removeValue(forKey: taskKey) }
            return (AdmittedPhases(), settled, state.claimFinish())
        }
        var admitted = AdmittedPhases()
        while state.running < maxConcurrentPhases, let index = state.ready.pop() {
            state.running += 1
            state.busy += 1
            admitted.append(index)
        }
        guard admitted.isEmpty else { return (admitted, settled, false) }
        if let taskKey { state.phaseTasks.removeValue(forKey: taskKey) }
        return (admitted, settled, state.claimFinish())
    }

    /// Ends a completed phase in the critical section that completed it, when its store writes at
    /// once: commits it, settles it and admits what it made ready, the section that
    /// ``advance(keepingOne:settling:committing:to:taskKey:after:)`` would otherwise take right
    /// after (one section per phase less on the lock a fan-out's phases share, Docs/performance.md
    /// W2). Call inside `state.withLock`; resume the returned waiters after it.
    func endPhase(_ index: Int, taskKey: UInt64, at now: Date, in state: inout RunState) -> PhaseEnd? {
        guard let compactStore else { return nil }
        let leftover = commit(index, checkpoint: true, marksDone: true, to: compactStore, at: now, in: &state)
        let (admitted, settled, claimed) = admit(settling: true, taskKey: taskKey, in: &state)
        return PhaseEnd(
            admissions: Admissions(admitted: admitted, claimed: claimed), settled: settled, leftover: leftover)
    }

    /// What ``endPhase(_:taskKey:at:in:)`` leaves for after its critical section.
    struct PhaseEnd {
        var admissions: Admissions
        var settled: [CheckedContinuation<Void, any Error>]
        var leftover: CommitLeftover?

        /// Releases what the commit replaced and wakes whoever waited for the phase to settle.
        /// Call after the section.
        func finish() -> Admissions {
            withExtendedLifetime(leftover) {}
            for waiter in settled { waiter.resume() }
            return admissions
        }
    }

    /// Runs a phase in a new task, and after it any phase that becomes ready when it ends (one at
    /// a time; the others get their own tasks). The task is tracked under its own key, whichever
    /// phase it runs, so a stop cancels it.
    @inline(never)  // See admit(settling:committing:to:taskKey:).
    private func launch(_ index: Int) {
        // A key without the lock: launching a fan-out's phases took it twice per phase.
        let key = phaseTaskKeys.wrappingAdd(1, ordering: .relaxed).newValue
        let task = Task(executorPreference: executor) {
            var next: Int? = index
            while let current = next {
                let outcome = await self.runPhase(current, taskKey: key)
                if case .advanced(let admissions) = outcome {
                    // The usual end of a chain's phase runs the next phase without the async call
                    // (which takes a frame from the task's allocator even when it does not wait).
                    if let only = self.runsAtOnce(admissions) {
                        next = only
                    } else {
                        next = await self.advance(keepingOne: true, settling: false, taskKey: key, after: admissions)
                    }
                } else if let store = self.compactStore, outcome == .completed || outcome == .failedContinuing {
                    // Committed in the critical section that settles it and admits what it made
                    // ready: one section less per phase on the lock a fan-out's phases share.
                    next = await self.advance(
                        keepingOne: true, settling: true, committing: current, to: store, taskKey: key)
                } else {
                    await self.phaseEnded(current, outcome)
                    next = await self.advance(keepingOne: true, settling: true, taskKey: key)
                }
            }
            // advance(keepingOne:) removed the task's key in the section where it found nothing to
            // keep: with `keepingOne`, it returns nothing only after such a section.
        }
        // Registered at once, not in a batch after a fan-out's launches: a task that ended before
        // its registration would leave a stale entry, which keeps the ended task until the
        // execution's end (a thousand of them in a fan-out).
        let stopping = state.withLock { state -> Bool in
            // If the task already ended, this entry is stale; cancelling an ended task does nothing.
            state.phaseTasks[key] = task
            return state.stop != nil
        }
        if stopping { task.cancel() }
    }

    /// The phase a phase task runs next without ``advance(keepingOne:settling:committing:to:taskKey:after:)``,
    /// when its phase's section admitted exactly that one and it has no `when:` to evaluate (what
    /// `advance` would then do is run it). Synchronous and not inlined: the phase task keeps its
    /// frame while its phase waits, and reading the condition there took room for a whole
    /// `Expression` in it (a kilobyte per waiting execution, Docs/performance.md, W8).
    @inline(never)
    private func runsAtOnce(_ admissions: Admissions) -> Int? {
        guard !admissions.claimed, let only = admissions.admitted.only, plan.phases[only].condition == nil else {
            return nil
        }
        return only
    }

    /// A launched (or skipped, or refused) phase is fully handled: it no longer counts as running.
    @inline(never)  // See admit(settling:committing:to:taskKey:).
    private func phaseSettled() {
        let settled = state.withLock { state in
            state.running -= 1
            state.busy -= 1
            return settleWaiters(&state)
        }
        for waiter in settled { waiter.resume() }
    }

    private enum Admission {
        case run, skipped
        case failed(String)
    }

    /// Evaluates the phase's `when:` and marks it running or skipped.
    private func admit(_ index: Int) -> Admission {
        let phase = plan.phases[index]
        var skip = false
        var failure: String?
        if let condition = phase.condition {
            let variables = conditionVariables(for: index)
            do {
                switch try condition.evaluate(in: ExpressionContext(variables: variables)) {
                case .bool(let value): skip = !value
                case let other:
                    failure = "condition '\(condition.source)' must be true or false, got \(other.typedDescription)"
                }
            } catch {
                failure = "condition '\(condition.source)' could not be evaluated: \(error.message)"
            }
        }
        guard skip || failure != nil else { return .run }
        return state.withLock { state -> Admission in
            let now = clock.currentDate
            if skip {
                try? state.execution.phaseList[index].transition(to: .skipped)
                state.execution.phaseList[index].startedAt = now
                state.execution.phaseList[index].finishedAt = now
                emit(.phaseSkipped, into: &state, phase: phase.name, message: phase.condition?.source)
                return .skipped
            }
            let failure = failure ?? ""
            try? state.execution.phaseList[index].transition(to: .running)
            state.execution.phaseList[index].attempts += 1
            state.execution.phaseList[index].startedAt = now
            emit(.phaseStart, into: &state, phase: phase.name, attempt: state.execution.phaseList[index].attempts)
            try? state.execution.phaseList[index].transition(to: .failed)
            state.execution.phaseList[index].finishedAt = now
            state.execution.phaseList[index].errors.append(failure)
            emit(.phaseFailed, into: &state, phase: phase.name, status: PhaseStatus.failed.rawValue, message: failure)
            return .failed(failure)
        }
    }

    /// Reacts to a phase's end: commits it and releases its dependents, or stops the execution.
    @inline(never)  // Not part of the frame of the phase task, like `advance(keepingOne:)`.
    private nonisolated(nonsending) func phaseEnded(_ index: Int, _ outcome: PhaseOutcome) async {
        let name = plan.phases[index].name
        switch outcome {
        case .completed, .failedContinuing:
            _ = await commit(index, checkpoint: true, marksDone: true)
        case .failed(let message):
            let continues = plan.phases[index].continueOnFailure
            if !continues { requestStop(.phaseEnded(.failed, "phase '\(name)' failed: \(message)")) }
            _ = await commit(index, checkpoint: false, marksDone: continues)
        case .timedOut(let message):
            requestStop(.phaseEnded(.timeout, "phase '\(name)' timed out: \(message)"))
            _ = await commit(index, checkpoint: false, marksDone: false)
        case .stopped, .interrupted, .advanced:
            break
        }
    }

    /// Hands a finished phase (and, when asked and the phase checkpoints, a snapshot) to the
    /// history store, and waits for it. Commits of one execution never overlap, so the store sees
    /// checkpoints in the order they were taken. With `marksDone`, a phase the store recorded
    /// releases its dependents. Returns `false` when the store failed (the execution stops).
    // Not inlined: its commit lock's continuations would cost every caller an allocation per call
    // (see `admit(settling:committing:to:taskKey:)`).
    @inline(never)
    nonisolated(nonsending) func commit(_ index: Int, checkpoint: Bool, marksDone: Bool) async -> Bool {
        if let compactStore {
            commit(index, checkpoint: checkpoint, marksDone: marksDone, to: compactStore)
            return true
        }
        // Usually the commit lock is free: taken in the same critical section that makes the commit.
        var commit: PhaseCommit
        if let made = makeCommitIfFree(index, checkpoint: checkpoint) {
            commit = made
        } else {
            await acquireCommitLock()
            commit = makeCommit(index, checkpoint: checkpoint)
        }
        var committed = true
        do {
            try await core.history.commitPhase(commit)
        } catch {
            commitFailed(index, error)
            committed = false
        }
        endCommit(&commit, committed: committed, marking: committed && marksDone ? index : nil)
        return committed
    }

    /// A commit to a store that writes at once (``CompactCheckpointStore``): made, written and
    /// ended in one critical section, so commits of one execution never overlap without a commit
    /// lock, and a phase of a fan-out never waits for another's commit to end (it did, most of the
    /// time, on two threads: Docs/performance.md, W2).
    @inline(never)
    private func commit(_ index: Int, checkpoint: Bool, marksDone: Bool, to store: any CompactCheckpointStore) {
        let leftover = state.withLock { state in
            commit(index, checkpoint: checkpoint, marksDone: marksDone, to: store, in: &state)
        }
        withExtendedLifetime(leftover) {}  // Released here, after the lock.
    }

    /// ``commit(_:checkpoint:marksDone:to:)`` inside a critical section the caller holds. Release
    /// what it returns once the section has ended. `now`: the section's clock reading, when it has
    /// one (the checkpoint is taken at that moment: nothing changes within the section).
    @inline(never)
    func commit(
        _ index: Int, checkpoint: Bool, marksDone: Bool, to store: any CompactCheckpointStore, at now: Date? = nil,
        in state: inout RunState
    ) -> CommitLeftover? {
        // The events stay records in the run's buffer: the store packs them from there.
        let commit = makeCommit(index, checkpoint: checkpoint, takingEvents: false, at: now, in: &state)
        // Read before the commit is handed over, and from the checkpoint itself (made compact for
        // this store): reading them from the commit afterwards copied the whole commit.
        let checkpointed = commit.deferredCheckpoint
        let leftover = store.commitNow(commit, pending: state.pendingEvents)
        state.pendingEvents.removeAll()
        // Recorded at the moment the checkpoint was taken: the same critical section.
        settleCommit(
            checkpointed: checkpointed?.phase, at: checkpointed?.createdAt, marking: marksDone ? index : nil,
            in: &state)
        return leftover
    }

    /// What follows a commit, in the run's state: the checkpoint's event (when one was committed),
    /// and the phase counted as done for its dependents.
    private func settleCommit(checkpointed: String?, at timestamp: Date?, marking: Int?, in state: inout RunState) {
        if let checkpointed { emit(.checkpointCreated, into: &state, at: timestamp, phase: checkpointed) }
        if let marking { state.ready.markDone(marking) }
    }

    // The commit's bookkeeping is in non-inlined helpers: what an async function holds lives in a
    // frame its task allocates on every call, and with the snapshot and the events inlined here
    // that frame was 4 KB per phase.

    /// Takes the commit lock and makes the commit, in one critical section; `nil` when another
    /// commit holds the lock.
    @inline(never)
    private func makeCommitIfFree(_ index: Int, checkpoint: Bool) -> PhaseCommit? {
        state.withLock { state in
            guard !state.committing else { return nil }
            state.committing = true
            return makeCommit(index, checkpoint: checkpoint, in: &state)
        }
    }

    @inline(never)
    private func makeCommit(_ index: Int, checkpoint: Bool) -> PhaseCommit {
        state.withLock { state in makeCommit(index, checkpoint: checkpoint, in: &state) }
    }

    /// Call inside `state.withLock`. Without `takingEvents`, the commit's events are left in
    /// `state.pendingEvents` for the caller to hand over. `now`: the section's clock reading, if
    /// it has taken one (each reading is a system call's worth of time).
    private func makeCommit(
        _ index: Int, checkpoint: Bool, takingEvents: Bool = true, at now: Date? = nil, in state: inout RunState
    ) -> PhaseCommit {
        let events = takingEvents ? takeEvents(from: &state) : []
        let phase = plan.phases[index]
        let result = state.execution.phaseList[index]
        state.execution.phaseList.noteCommitted(index)
        let checkpoints = checkpoint && phase.checkpoints
        guard compactStore != nil else {
            let snapshot =
                checkpoints
                ? ExecutionCheckpoint(phase: phase.name, createdAt: clock.currentDate, state: state.execution) : nil
            return PhaseCommit(executionID: id, phase: result, checkpoint: snapshot, events: events)
        }
        guard checkpoints else {
            return PhaseCommit(executionID: id, phase: result, checkpoint: nil, events: events)
        }
        let journal =
            state.journal ?? PhaseJournal(plans: plan.phases, start: startRecords, state: state.execution)
        state.journal = journal
        let deferred = DeferredCheckpoint(
            phase: phase.name, createdAt: now ?? clock.currentDate, state: &state.execution, journal: journal)
        return PhaseCommit(executionID: id, phase: result, deferredCheckpoint: deferred, events: events)
    }

    @inline(never)
    private func commitFailed(_ index: Int, _ error: any Error) {
        requestStop(.storeFailed("the history store could not commit phase '\(plan.phases[index].name)': \(error)"))
    }

    /// Reports the checkpoint, releases the dependents of `marking` (a phase that counts as done),
    /// and lets the next commit go.
    @inline(never)
    private func endCommit(_ commit: inout PhaseCommit, committed: Bool, marking: Int?) {
        let checkpointed = commit.checkpointPhase
        commit.checkpoint = nil
        let next = state.withLock { state in
            settleCommit(checkpointed: committed ? checkpointed : nil, at: nil, marking: marking, in: &state)
            return nextCommitter(&state)
        }
        next?.resume()
    }

    private func acquireCommitLock() async {
        // Usually free: taken without making a continuation.
        let free = state.withLock { state -> Bool in
            guard !state.committing else { return false }
            state.committing = true
            return true
        }
        if free { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state -> Bool in
                guard state.committing else {
                    state.committing = true
                    return true
                }
                state.commitWaiters.append(continuation)
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    /// Releases the commit lock: hands it to the next waiting commit (resume it outside the
    /// lock), or frees it. Call inside `state.withLock`.
    private func nextCommitter(_ state: inout RunState) -> CheckedContinuation<Void, Never>? {
        guard state.commitWaitersResumed < state.commitWaiters.count else {
            state.commitWaiters.removeAll(keepingCapacity: true)
            state.commitWaitersResumed = 0
            state.committing = false
            return nil
        }
        state.commitWaitersResumed += 1
        return state.commitWaiters[state.commitWaitersResumed - 1]
    }

    // MARK: Start and end

    private func begin() async {
        let record = state.withLock { state -> ExecutionRecord in
            state.startedOffset = clock.now
            let now = clock.currentDate
            try? state.execution.transition(to: .running)
            if state.execution.startedAt == nil { state.execution.startedAt = now }
            emit(.executionStart, into: &state, task: plan.task.id)
            return ExecutionRecord(
                id: id, taskID: plan.task.id, taskName: state.execution.taskName, task: plan.task,
                input: state.execution.input, secretInputs: plan.secretInputs,
                startedAt: state.execution.startedAt ?? now, resumeCount: state.execution.resumeCount,
                events: takeEvents(from: &state))
        }
        logger.debug("execution started", metadata: ["task": "\(plan.task.id)"])
        do {
            try await core.history.executionStarted(record)
        } catch {
            requestStop(.storeFailed("the history store could not record the start: \(error)"))
        }
        state.withLock { $0.begun = true }
    }

    /// Ends the execution once nothing runs and nothing more will: all phases done, or stopping.
    /// A paused execution stays paused until it is resumed or aborted. Exactly one caller finishes.
    nonisolated(nonsending) func finishIfDone() async {
        let finishing = state.withLock { $0.claimFinish() }
        if finishing { await finish() }
    }

    private func finish() async {
        let (result, events, tasks) = state.withLock {
            state -> (ExecutionResult, [ExecutionEvent], [Task<Void, Never>]) in
            let offset = clock.now
            let now = clock.date(at: offset)
            let status = state.stop?.executionStatus ?? .completed
            if state.execution.status == .paused, !state.execution.status.canTransition(to: status) {
                try? state.execution.transition(to: .running)
            }
            try? state.execution.transition(to: status)
            state.execution.reason = state.stop?.message
            state.execution.finishedAt = now
            state.paused = false
            pausedFlag.store(false, ordering: .releasing)
            let duration = offset - state.startedOffset
            let kind: ExecutionEvent.Kind =
                switch status {
                case .completed: .executionComplete
                case .timeout: .executionTimeout
                case .aborted: .executionAborted
                default: .executionError
                }
            emit(kind, into: &state, status: status.rawValue, message: state.stop?.message, duration: duration)
            state.finished = true
            let phases = state.execution.phaseList
            // Found by status, without a copy of every phase after it.
            let final = phases.indices.last { phases.status(at: $0) == .completed }.map { phases[$0] }
            // The result shares the run's phases (no copy of each; the run leaves them to it), and
            // says when they are its journal's at the last checkpoint and the ones it committed: a
            // store that keeps those then keeps each phase once, without comparing them.
            let checkpointed = state.journal.flatMap { journal in
                phases.hasUntakenChanges
                    ? nil : ExecutionResult.JournalPosition(journal: journal, length: journal.length)
            }
            let result = ExecutionResult(
                executionID: id, taskID: state.execution.taskID, taskName: state.execution.taskName,
                status: status, reason: state.execution.reason, input: state.execution.input,
                startedAt: state.execution.startedAt ?? now, finishedAt: now, duration: duration,
                phaseList: phases.detached, checkpointed: checkpointed,
                asCommitted: startRecords.isEmpty && phases.isAsCommitted, finalPhase: final?.name,
                finalResult: final?.result,
                warnings: state.execution.warnings)
            let tasks = [state.deadlineTask].compactMap { $0 } + state.phaseTasks.values
            state.deadlineTask = nil
            state.phaseTasks.removeAll()
            return (result, takeEvents(from: &state), tasks)
        }
        for task in tasks { task.cancel() }
        let pauseWaiters = state.withLock { state in
            defer { state.pauseWaiters.removeAll() }
            return Array(state.pauseWaiters.values)
        }
        for waiter in pauseWaiters { waiter.resume(throwing: CancellationError()) }
        do {
            try await core.history.executionFinished(result, events: events)
        } catch {
            logger.error("history store could not record the end: \(error)")
        }
        core.unregister(self)
        let waiters = state.withLock { state -> [CheckedContinuation<ExecutionResult, Never>] in
            state.result = result
            defer { state.resultWaiters.removeAll() }
            return state.resultWaiters
        }
        for waiter in waiters { waiter.resume(returning: result) }
        resumeSettleWaitersIfSettled()
        if result.status == .completed {
            logger.debug("execution completed", metadata: ["task": "\(plan.task.id)"])
        } else {
            logger.notice(
                "execution ended: \(result.status)",
                metadata: ["task": "\(plan.task.id)", "reason": "\(result.reason ?? "")"])
        }
    }

    /// Waits for the execution to end.
    func result() async -> ExecutionResult {
        await withCheckedContinuation { (continuation: CheckedContinuation<ExecutionResult, Never>) in
            let result = state.withLock { state -> ExecutionResult? in
                if let result = state.result { return result }
                state.resultWaiters.append(continuation)
                return nil
            }
            if let result { continuation.resume(returning: result) }
        }
    }

    static func format(_ duration: Duration) -> String {
        TaskDuration(milliseconds: Int64(duration.milliseconds.rounded())).description
    }
}

/// The phases waiting to start, in file order, and how many dependencies each still waits for.
struct ReadyQueue: Sendable {
    private var waitingFor: [Int] = []
    /// Every phase's dependents in one array, phase `i`'s at `dependents[dependentStarts[i] ..<
    /// dependentStarts[i + 1]]`: an array per phase was a pointer to follow to memory of its own
    /// (a cache miss per phase in a long chain) and a reference counted per phase ended
    /// (Docs/performance.md, W1).
    private var dependents: [Int] = []
    private var dependentStarts: [Int] = [0]
    /// Ready phases, sorted from last to first in file order, so the earliest pops first.
    private var ready: [Int] = []

    init() {}

    /// The queue of an execution of `plan` whose phases are all pending. The executor makes it
    /// once per plan, and each fresh execution starts from a copy, which shares its arrays until
    /// it changes them (a thousand phases' dependents are then never copied).
    init(fresh plan: ExecutionPlan) {
        for phase in plan.phases {
            dependents.append(contentsOf: phase.dependents)
            dependentStarts.append(dependents.count)
        }
        waitingFor = plan.phases.map(\.dependencies.count)
        for index in plan.phases.indices.reversed() where waitingFor[index] == 0 {
            ready.append(index)
        }
    }

    /// The queue of an execution of `plan` continued with `phases` (some done, the others
    /// pending); `fresh` is the plan's ``init(fresh:)``.
    init(plan: ExecutionPlan, phases: PhaseList, fresh: ReadyQueue) {
        dependents = fresh.dependents
        dependentStarts = fresh.dependentStarts
        let done = phases.map { Self.isDone($0, plan: plan) }
        // Counted, not filtered: a filtered array per phase was an allocation per phase per run.
        waitingFor = plan.phases.map { phase in phase.dependencies.reduce(0) { $0 + (done[$1] ? 0 : 1) } }
        for index in plan.phases.indices.reversed()
        where !done[index] && phases.status(at: index) == .pending && waitingFor[index] == 0 {
            ready.append(index)
        }
    }

    /// Whether a restored phase counts as done for its dependents.
    static func isDone(_ phase: PhaseResult, plan: ExecutionPlan) -> Bool {
        switch phase.status {
        case .completed, .skipped: true
        case .failed, .timeout: plan.phases.first { $0.name == phase.name }?.continueOnFailure ?? false
        default: false
        }
    }

    var isEmpty: Bool { ready.isEmpty }

    mutating func pop() -> Int? {
        ready.popLast()
    }

    /// Counts `index` as done for its dependents; those that wait for nothing more join the queue.
    mutating func markDone(_ index: Int) {
        // A phase's dependents are in file order (the plan lists them so), and are walked from the
        // last: each that becomes ready goes right after the ones just placed, so an insert moves
        // only the ready phases that come earlier in the file. Walked from the first, each went to
        // the front and moved all the others: a fan-out of 1,000 phases moved half a million.
        for position in (dependentStarts[index]..<dependentStarts[index + 1]).reversed() {
            let dependent = dependents[position]
            waitingFor[dependent] -= 1
            if waitingFor[dependent] == 0 {
                var low = 0
                var high = ready.count
                while low < high {
                    let middle = (low + high) / 2
                    if ready[middle] > dependent { low = middle + 1 } else { high = middle }
                }
                ready.insert(dependent, at: low)
            }
        }
    }
}

/// The phases one scheduling section admitted, in order: usually one (the next phase of a
/// chain), kept without an array (an allocation per phase, Docs/performance.md W1).
struct AdmittedPhases: Sequence, Sendable, Equatable {
    private var first: Int?
    private var rest: [Int] = []

    init() {}

    var isEmpty: Bool { first == nil }

    /// The one phase admitted, when there is exactly one.
    var only: Int? { rest.isEmpty ? first : nil }

    mutating func append(_ index: Int) {
        if first == nil { first = index } else { rest.append(index) }
    }

    func makeIterator() -> Iterator {
        Iterator(phases: self)
    }

    struct Iterator: IteratorProtocol {
        let phases: AdmittedPhases
        var position = -1

        mutating func next() -> Int? {
            defer { position += 1 }
            guard position >= 0 else { return phases.first }
            return position < phases.rest.count ? phases.rest[position] : nil
        }
    }
}
