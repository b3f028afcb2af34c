import TaskrunCore

/// The scheduler: starts each phase the moment its dependencies are done, up to the concurrency
/// limit, reacts to each phase's end, commits it, and ends the execution.
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
    }

    enum DriverEvent: Sendable {
        case phaseEnded(Int, PhaseOutcome)
        case deadline(Bool)
        case signal
    }

    /// Runs the execution to its end and returns the result. Never throws: every way an
    /// execution can end is a status.
    func drive() async -> ExecutionResult {
        await begin()
        var ready = ReadyQueue(plan: plan, phases: snapshot().phases)
        await withTaskGroup(of: DriverEvent.self) { group in
            if let budget = executionBudget {
                group.addTask { .deadline(await self.waitForActiveTime(budget)) }
            }
            var running = 0
            var watching = false
            while true {
                await launchReadyPhases(&ready, running: &running, group: &group)
                if stopReason != nil {
                    group.cancelAll()
                    if running == 0 { break }
                } else if running == 0 && ready.isEmpty && !isPaused {
                    break
                }
                if !watching && stopReason == nil {
                    watching = true
                    group.addTask {
                        await self.waitForSignal()
                        return .signal
                    }
                }
                guard let event = await group.next() else { break }
                switch event {
                case .phaseEnded(let index, let outcome):
                    running -= 1
                    await phaseEnded(index, outcome, &ready)
                case .deadline(let fired):
                    if fired, let budget = executionBudget {
                        requestStop(.executionTimedOut("the execution exceeded its time limit of \(Self.format(budget))"))
                    }
                case .signal:
                    watching = false
                }
            }
            group.cancelAll()
        }
        return await finish()
    }

    /// Starts phases from the ready queue while the execution is running and below its limit.
    /// Phases whose condition is false are skipped (and committed) here, which can make more ready.
    private func launchReadyPhases(
        _ ready: inout ReadyQueue, running: inout Int, group: inout TaskGroup<DriverEvent>
    ) async {
        while stopReason == nil, !isPaused, running < maxConcurrentPhases, let index = ready.pop() {
            switch admit(index) {
            case .run:
                running += 1
                group.addTask { .phaseEnded(index, await self.runPhase(index)) }
            case .skipped:
                if await commit(index, checkpoint: true) { ready.markDone(index) }
                state.withLock { $0.busy -= 1 }
                resumeSettleWaitersIfSettled()
            case .failed(let message):
                await phaseEnded(index, .failed(message), &ready)
            }
        }
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
                    failure = "condition '\(condition.source)' must be true or false, got \(other.typeName) \(other.abbreviated())"
                }
            } catch {
                failure = "condition '\(condition.source)' could not be evaluated: \(error.message)"
            }
        }
        return state.withLock { state -> Admission in
            let now = clock.currentDate
            if skip {
                try? state.execution.phases[index].transition(to: .skipped)
                state.execution.phases[index].startedAt = now
                state.execution.phases[index].finishedAt = now
                emit(.phaseSkipped, into: &state, phase: phase.name, message: phase.condition?.source)
                state.busy += 1
                return .skipped
            }
            state.busy += 1
            guard let failure else { return .run }
            try? state.execution.phases[index].transition(to: .running)
            state.execution.phases[index].attempts += 1
            state.execution.phases[index].startedAt = now
            emit(.phaseStart, into: &state, phase: phase.name, attempt: state.execution.phases[index].attempts)
            try? state.execution.phases[index].transition(to: .failed)
            state.execution.phases[index].finishedAt = now
            state.execution.phases[index].errors.append(failure)
            emit(.phaseFailed, into: &state, phase: phase.name, status: PhaseStatus.failed.rawValue, message: failure)
            return .failed(failure)
        }
    }

    /// Reacts to a phase's end: commits it and releases its dependents, or stops the execution.
    private func phaseEnded(_ index: Int, _ outcome: PhaseOutcome, _ ready: inout ReadyQueue) async {
        let name = plan.phases[index].name
        defer {
            state.withLock { $0.busy -= 1 }
            resumeSettleWaitersIfSettled()
        }
        switch outcome {
        case .completed, .failedContinuing:
            if await commit(index, checkpoint: true) { ready.markDone(index) }
        case .failed(let message):
            let continues = plan.phases[index].phase.continueOnFailure
            if !continues { requestStop(.phaseEnded(.failed, "phase '\(name)' failed: \(message)")) }
            if await commit(index, checkpoint: false), continues { ready.markDone(index) }
        case .timedOut(let message):
            requestStop(.phaseEnded(.timeout, "phase '\(name)' timed out: \(message)"))
            _ = await commit(index, checkpoint: false)
        case .stopped, .interrupted:
            break
        }
    }

    /// Hands a finished phase (and, when asked and the phase checkpoints, a snapshot) to the
    /// history store, and waits for it. Returns `false` when the store failed (the execution stops).
    func commit(_ index: Int, checkpoint: Bool) async -> Bool {
        let phase = plan.phases[index]
        let wantsCheckpoint = checkpoint && phase.phase.checkpoint
        let commit = state.withLock { state in
            let snapshot =
                wantsCheckpoint
                ? ExecutionCheckpoint(phase: phase.name, createdAt: clock.currentDate, state: state.execution) : nil
            return PhaseCommit(
                executionID: id, phase: state.execution.phases[index], checkpoint: snapshot,
                events: takeEvents(from: &state))
        }
        do {
            try await core.history.commitPhase(commit)
        } catch {
            requestStop(.storeFailed("the history store could not commit phase '\(phase.name)': \(error)"))
            return false
        }
        if wantsCheckpoint {
            state.withLock { emit(.checkpointCreated, into: &$0, phase: phase.name) }
        }
        return true
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
    }

    private func finish() async -> ExecutionResult {
        let (result, events) = state.withLock { state -> (ExecutionResult, [ExecutionEvent]) in
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
            let execution = state.execution
            let final = execution.phases.last { $0.status == .completed }
            let result = ExecutionResult(
                executionID: id, taskID: execution.taskID, taskName: execution.taskName, status: status,
                reason: execution.reason, input: execution.input, startedAt: execution.startedAt ?? now,
                finishedAt: now, duration: duration, phases: execution.phases, finalPhase: final?.name,
                finalResult: final?.result, warnings: execution.warnings)
            return (result, takeEvents(from: &state))
        }
        resumeSettleWaitersIfSettled()
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
        if result.status == .completed {
            logger.debug("execution completed", metadata: ["task": "\(plan.task.id)"])
        } else {
            logger.notice(
                "execution ended: \(result.status)", metadata: ["task": "\(plan.task.id)", "reason": "\(result.reason ?? "")"])
        }
        return result
    }

    static func format(_ duration: Duration) -> String {
        TaskDuration(milliseconds: Int64(duration.milliseconds.rounded())).description
    }
}

/// The phases waiting to start, in file order, and how many dependencies each still waits for.
struct ReadyQueue {
    private var waitingFor: [Int]
    private let dependents: [[Int]]
    /// Ready phases, kept sorted so the earliest in the file starts first.
    private var ready: [Int] = []

    init(plan: ExecutionPlan, phases: [PhaseResult]) {
        dependents = plan.phases.map(\.dependents)
        let done = phases.map { Self.isDone($0, plan: plan) }
        waitingFor = plan.phases.map { phase in phase.dependencies.filter { !done[$0] }.count }
        for index in plan.phases.indices where !done[index] && phases[index].status == .pending && waitingFor[index] == 0 {
            ready.append(index)
        }
    }

    /// Whether a restored phase counts as done for its dependents.
    static func isDone(_ phase: PhaseResult, plan: ExecutionPlan) -> Bool {
        switch phase.status {
        case .completed, .skipped: true
        case .failed, .timeout: plan.phases.first { $0.name == phase.name }?.phase.continueOnFailure ?? false
        default: false
        }
    }

    var isEmpty: Bool { ready.isEmpty }

    mutating func pop() -> Int? {
        ready.isEmpty ? nil : ready.removeFirst()
    }

    mutating func markDone(_ index: Int) {
        for dependent in dependents[index] {
            waitingFor[dependent] -= 1
            if waitingFor[dependent] == 0 {
                let position = ready.firstIndex { $0 > dependent } ?? ready.endIndex
                ready.insert(dependent, at: position)
            }
        }
    }
}
