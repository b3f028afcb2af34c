/// Stop, pause, resume and the waits that go with them. Every wait here ends promptly when its
/// task is cancelled.
extension ExecutionRun {
    /// Stops the execution for `reason` unless it is already stopping or finished; the first
    /// reason wins. Cancels every phase in flight (which cancels their steps and agent queries);
    /// the execution ends when the last of them has returned.
    func requestStop(_ reason: StopReason) {
        let (tasks, idle) = state.withLock { state -> ([Task<Void, Never>], Bool) in
            guard state.stop == nil, !state.finished else { return ([], false) }
            state.stop = reason
            let tasks = Array(state.phaseTasks.values) + [state.deadlineTask].compactMap { $0 }
            return (tasks, state.running == 0)
        }
        for task in tasks { task.cancel() }
        // With no phase in flight, no phase task will notice: end the execution from here.
        if idle { Task(executorPreference: executor) { await self.finishIfDone() } }
    }

    // MARK: Pause and resume

    /// Pauses: nothing new starts; steps in flight finish. Throws when the execution is not running.
    func pause(reason: String?) async throws(ExecutionError) {
        let now = clock.now
        let update = try state.withLock { state throws(ExecutionError) -> ExecutionUpdate in
            guard state.stop == nil, !state.finished else {
                throw .illegalTransition(
                    StateTransitionError(
                        subject: "execution \(id)", from: "stopping", to: ExecutionStatus.paused.rawValue))
            }
            do throws(StateTransitionError) { try state.execution.transition(to: .paused) } catch {
                throw .illegalTransition(error)
            }
            state.paused = true
            pausedFlag.store(true, ordering: .releasing)
            state.pausedSince = now
            state.execution.reason = reason
            emit(.executionPaused, into: &state, message: reason)
            return ExecutionUpdate(executionID: id, status: .paused, reason: reason, events: takeEvents(from: &state))
        }
        resumeSettleWaitersIfSettled()
        logger.info("execution paused", metadata: reason.map { ["reason": "\($0)"] } ?? [:])
        await record(update)
    }

    /// Resumes a paused execution where it stood.
    func resume() async throws(ExecutionError) {
        let now = clock.now
        let (update, waiters) = try state.withLock {
            state throws(ExecutionError) -> (ExecutionUpdate, [CheckedContinuation<Void, any Error>]) in
            guard state.stop == nil else {
                throw .illegalTransition(
                    StateTransitionError(
                        subject: "execution \(id)", from: "stopping", to: ExecutionStatus.running.rawValue))
            }
            do throws(StateTransitionError) { try state.execution.transition(to: .running) } catch {
                throw .illegalTransition(error)
            }
            state.paused = false
            pausedFlag.store(false, ordering: .releasing)
            if let since = state.pausedSince { state.pausedTotal += now - since }
            state.pausedSince = nil
            state.execution.reason = nil
            emit(.executionResumed, into: &state)
            let waiters = Array(state.pauseWaiters.values)
            state.pauseWaiters.removeAll()
            let update = ExecutionUpdate(
                executionID: id, status: .running, reason: nil, events: takeEvents(from: &state))
            return (update, waiters)
        }
        for waiter in waiters { waiter.resume() }
        // Phases that became ready while paused start now, from a task of their own.
        Task(executorPreference: executor) { await self.advance() }
        logger.info("execution resumed")
        await record(update)
    }

    private func record(_ update: ExecutionUpdate) async {
        do {
            try await core.history.executionUpdated(update)
        } catch {
            // The status change already happened; the store only missed a note about it.
            logger.error("history store could not record \(update.status): \(error)")
        }
    }

    /// Whether a phase goes on at once, neither paused nor cancelled: what ``gate(phase:)`` says
    /// without waiting, checked before calling it, as an async call allocates its frame even when
    /// it does not suspend.
    var gateIsOpen: Bool {
        !pausedFlag.load(ordering: .acquiring) && !Task.isCancelled
    }

    /// Waits while the execution is paused. Returns `false` when the task was cancelled.
    /// With a phase index, the phase shows as `paused` (and stops counting as busy) meanwhile.
    @inline(never)  // Not part of the frames of the phase and step functions that wait (W8).
    nonisolated(nonsending) func gate(phase index: Int?) async -> Bool {
        // Not paused: nothing to change, no lock to take. The flag changes in the critical section
        // that changes `state.paused`, so this sees a pause made before it as the lock would; a
        // pause racing with it is one made just after, as with the lock.
        guard pausedFlag.load(ordering: .acquiring) else { return !Task.isCancelled }
        let parked = state.withLock { state -> Bool in
            guard state.paused else { return false }
            if let index {
                try? state.execution.phaseList[index].transition(to: .paused)
                state.busy -= 1
            }
            return true
        }
        guard parked else { return !Task.isCancelled }
        if index != nil { resumeSettleWaitersIfSettled() }
        let resumed = (try? await waitWhilePaused()) != nil
        if let index {
            state.withLock { state in
                if state.execution.phaseList[index].status == .paused {
                    try? state.execution.phaseList[index].transition(to: .running)
                }
                state.busy += 1
            }
        }
        return resumed && !Task.isCancelled
    }

    /// Returns when the execution is not paused; throws `CancellationError` when the task is cancelled.
    func waitWhilePaused() async throws {
        let id = state.withLock { $0.makeWaiterID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let result = state.withLock { state -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if !state.paused { return .success(()) }
                    state.pauseWaiters[id] = continuation
                    return nil
                }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            state.withLock { $0.pauseWaiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    // MARK: Settling

    /// Returns once the paused execution has no step in flight and every finished phase is
    /// committed (or once the execution has ended).
    func waitUntilSettled() async throws {
        let id = state.withLock { $0.makeWaiterID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let result = state.withLock { state -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.finished || state.isSettled { return .success(()) }
                    guard state.paused else {
                        return .failure(
                            ExecutionError.illegalTransition(
                                StateTransitionError(
                                    subject: "execution \(self.id)", from: state.execution.status.rawValue,
                                    to: "settled")))
                    }
                    state.settleWaiters[id] = continuation
                    return nil
                }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            state.withLock { $0.settleWaiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    func resumeSettleWaitersIfSettled() {
        let waiters = state.withLock { state in settleWaiters(&state) }
        for waiter in waiters { waiter.resume() }
    }

    /// Takes the settle waiters to resume (outside the lock), when the execution has settled or
    /// finished. Call inside `state.withLock`.
    func settleWaiters(_ state: inout RunState) -> [CheckedContinuation<Void, any Error>] {
        guard state.finished || state.isSettled, !state.settleWaiters.isEmpty else { return [] }
        defer { state.settleWaiters.removeAll() }
        return Array(state.settleWaiters.values)
    }

    /// Waits `budget` of active time (clock time minus pauses). Returns `true` when the budget is
    /// spent, `false` when the task was cancelled first.
    func waitForActiveTime(_ budget: Duration) async -> Bool {
        let start = activeTime()
        do {
            while true {
                let remaining = budget - (activeTime() - start)
                if remaining <= .zero { return true }
                if isPaused {
                    try await waitWhilePaused()
                } else {
                    try await clock.sleep(for: remaining)
                }
            }
        } catch {
            return false
        }
    }
}
