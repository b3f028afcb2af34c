import Foundation
import TaskrunCore

/// One step: its `when:`, its time limit, its attempts, and how its end is recorded.
extension ExecutionRun {
    enum StepRunOutcome: Sendable {
        case succeeded(StepOutput)
        case failed(String)
        case cancelled
    }

    /// One step. The bookkeeping is in non-inlined synchronous helpers and the rarer paths (a time
    /// limit, retries) in their own async functions: every step waiting on an agent keeps this
    /// function's frame, and what an async function holds across a wait lives in it
    /// (Docs/performance.md, W8).
    func runStep(_ stepIndex: Int, in scope: PhaseScope, visible: [AgentReply]) async {
        let step = scope.phase.steps[stepIndex]
        guard let context = startStep(step, in: scope, visible: visible) else { return }
        let outcome: StepRunOutcome
        if let timeout = step.timeout {
            guard let result = await attempts(of: step, context: context, timeout: timeout) else { return }
            outcome = result
        } else {
            outcome = await attempts(of: step, context: context)
        }
        endStep(step, in: scope, outcome)
    }

    /// How a step that its phase task ran itself ended, not yet recorded: the phase's next
    /// critical section records it (``recordStepEnd(_:in:state:at:)``) with whatever that
    /// section does (the next segment's check, or the attempt's end).
    struct StepEnd: Sendable {
        var step: Int
        var outcome: StepRunOutcome
    }

    /// A segment's one step, run by the phase task: like ``runStep(_:in:visible:)``, but its end
    /// is left for the phase's next critical section. With `started`, the
    /// attempt's critical section has already started it (see `beginAttempt`). `nil` when the
    /// step's end is already recorded (skipped, or timed out).
    nonisolated(nonsending) func runOwnStep(
        _ stepIndex: Int, in scope: PhaseScope, visible: [AgentReply], started: Bool
    ) async -> StepEnd? {
        let step = scope.phase.steps[stepIndex]
        let context: StepContext
        if started {
            context = StepContext(scope: scope, plan: step, responses: visible)
        } else {
            guard let made = startStep(step, in: scope, visible: visible) else { return nil }
            context = made
        }
        let outcome: StepRunOutcome
        if let timeout = step.timeout {
            guard let result = await attempts(of: step, context: context, timeout: timeout) else { return nil }
            outcome = result
        } else {
            outcome = await attempts(of: step, context: context)
        }
        return StepEnd(step: stepIndex, outcome: outcome)
    }

    /// Records a step's end left by ``runOwnStep(_:in:visible:started:)``. Call inside
    /// `state.withLock`; `now` is the section's clock reading. Returns whether
    /// ``logStepEnd(_:in:)`` has anything to log after the section (a failure, or warnings):
    /// usually not, and then the outcome is not taken apart again (a copy of the step's output).
    func recordStepEnd(_ end: StepEnd, in scope: PhaseScope, state: inout RunState, at now: Duration) -> Bool {
        let step = scope.phase.steps[end.step]
        switch end.outcome {
        case .succeeded(let output):
            record(output, of: step, in: scope, state: &state, at: clock.date(at: now))
            return !output.warnings.isEmpty
        case .failed(let message):
            finish(step, in: scope, status: .failed, message: message, state: &state, at: clock.date(at: now))
            return true
        case .cancelled:
            return false
        }
    }

    /// What ``recordStepEnd(_:in:state:at:)`` logs, outside the lock, when it says there is something.
    func logStepEnd(_ end: StepEnd, in scope: PhaseScope) {
        switch end.outcome {
        case .succeeded(let output):
            for warning in output.warnings {
                logger.warning("\(warning)", metadata: ["phase": "\(scope.phase.name)", "step": "\(end.step)"])
            }
        case .failed(let message):
            logger.debug("step failed: \(message)", metadata: ["phase": "\(scope.phase.name)", "step": "\(end.step)"])
        case .cancelled:
            return
        }
    }

    /// Evaluates the step's `when:` and records it skipped, failed or started; returns its context
    /// when it starts.
    @inline(never)
    private func startStep(_ step: StepPlan, in scope: PhaseScope, visible: [AgentReply]) -> StepContext? {
        let context = StepContext(scope: scope, plan: step, responses: visible)
        if let condition = step.condition {
            do {
                switch try condition.evaluate(in: ExpressionContext(variables: context.variables())) {
                case .bool(true): break
                case .bool(false):
                    finishUnstarted(step, in: scope, status: .skipped, message: "when: \(condition.source)")
                    return nil
                case let other:
                    finishUnstarted(
                        step, in: scope, status: .failed,
                        message: "'when: \(condition.source)' must be true or false, got \(other.typedDescription)")
                    return nil
                }
            } catch {
                finishUnstarted(
                    step, in: scope, status: .failed,
                    message: "'when: \(condition.source)' could not be evaluated: \(error.message)")
                return nil
            }
        }
        state.withLock { state in
            let now = clock.currentDate
            Self.start(&state.execution.phaseList[scope.phase.index].steps[step.index], at: now)
            emit(
                .stepStart, into: &state, at: now, phase: scope.phase.name, step: step.index,
                stepType: step.strategyName,
                agent: step.agentID)
        }
        return context
    }

    /// Marks a step started: one access to it for all its changes (each access to the phase list
    /// checks that it is unique).
    static func start(_ result: inout StepResult, at now: Date) {
        try? result.transition(to: .running)
        result.attempts = 1
        result.startedAt = now
    }

    /// The step's attempts raced against its time limit; `nil` when the step has ended (timed out,
    /// recorded here) or was cancelled from above.
    @inline(never)
    private nonisolated(nonsending) func attempts(of step: StepPlan, context: StepContext, timeout: Duration) async
        -> StepRunOutcome?
    {
        let raced = await race(
            timer: { (try? await self.clock.sleep(for: timeout)) != nil },
            work: { await self.attempts(of: step, context: context) })
        switch raced {
        case .finished(let result):
            return result
        case .timedOut(.cancelled):
            // Cancelled from above as well: the phase or the execution records how it ended.
            if Task.isCancelled { return nil }
            finish(
                step, in: context.scope, status: .timeout,
                message: "the step exceeded its time limit of \(Self.format(timeout))")
            return nil
        case .timedOut(let result):
            return result
        }
    }

    @inline(never)
    private func endStep(_ step: StepPlan, in scope: PhaseScope, _ outcome: StepRunOutcome) {
        switch outcome {
        case .succeeded(let output): record(output, of: step, in: scope)
        case .failed(let message): finish(step, in: scope, status: .failed, message: message)
        case .cancelled: return
        }
    }

    /// Runs the strategy once, and again per the step's `retry:` parameter if it failed (agent
    /// steps retry each query inside the query instead).
    private nonisolated(nonsending) func attempts(of step: StepPlan, context: StepContext) async -> StepRunOutcome {
        // The plan, held here: `context.scope.phase.phase` read in the call made a copy of the
        // whole `Phase` (and destroyed it after), a retain and release of each of its fields.
        let phase = context.scope.phase
        do {
            // `startStep` recorded the first attempt.
            if step.isBuiltInAgentStep {
                return .succeeded(try await AgentStepStrategy.run(step.step, context: context))
            }
            return .succeeded(try await step.strategy.run(step.step, in: phase.phase, context: context))
        } catch {
            if Task.isCancelled { return .cancelled }
            return await retry(step, context: context, after: error)
        }
    }

    @inline(never)
    private func setAttempt(_ attempt: Int, of step: StepPlan, in scope: PhaseScope) {
        state.withLock { $0.execution.phaseList[scope.phase.index].steps[step.index].attempts = attempt }
    }

    /// The attempts after the first failed, for as long as the step's `retry:` allows.
    @inline(never)
    private func retry(_ step: StepPlan, context: StepContext, after firstError: any Error) async -> StepRunOutcome {
        let maxAttempts = step.isAgent ? 1 : (step.maxAttempts ?? 1)
        let phase = context.scope.phase
        var context = context
        var error = firstError
        var attempt = 1
        while true {
            if Task.isCancelled { return .cancelled }
            let message = String(describing: error)
            guard attempt < maxAttempts, Self.isRetryable(error) else { return .failed(message) }
            var policy = plan.agentRetry
            policy.maxAttempts = maxAttempts
            let delay = policy.delay(beforeRetry: attempt, unitRandom: core.random()).duration
            state.withLock { state in
                emit(
                    .stepFailed, into: &state, phase: phase.name, step: step.index, stepType: step.strategyName,
                    agent: step.agentID, attempt: attempt, status: StepStatus.failed.rawValue,
                    message: message,
                    delay: delay)
            }
            do { try await clock.sleep(for: delay) } catch { return .cancelled }
            attempt += 1
            context.attempt = attempt
            setAttempt(attempt, of: step, in: context.scope)
            do {
                return .succeeded(try await step.strategy.run(step.step, in: phase.phase, context: context))
            } catch let next {
                error = next
            }
        }
    }

    static func isRetryable(_ error: any Error) -> Bool {
        switch error {
        case let failure as StepFailure: failure.isRetryable
        case is TemplateError, is ExpressionEvaluationError, is ExpressionSyntaxError, is AgentQueryError: false
        default: true
        }
    }

    @inline(never)
    private func record(_ output: StepOutput, of step: StepPlan, in scope: PhaseScope) {
        state.withLock { state in
            let now = clock.now
            record(output, of: step, in: scope, state: &state, at: clock.date(at: now))
        }
        for warning in output.warnings {
            logger.warning("\(warning)", metadata: ["phase": "\(scope.phase.name)", "step": "\(step.index)"])
        }
    }

    /// Call inside `state.withLock`.
    private func record(
        _ output: StepOutput, of step: StepPlan, in scope: PhaseScope, state: inout RunState, at now: Date
    ) {
        let status: StepStatus = output.status == .unverified ? .unverified : .completed
        var outputs = output.outputs
        if let name = step.outputName { outputs[name] = output.value }
        // One access to the step for all its changes (each access checks the list is unique).
        let (attempts, duration) = { (result: inout StepResult) in
            try? result.transition(to: status)
            result.storedValue = output.storedValue
            // Usually none, written over none: skipped.
            if !outputs.isEmpty || !result.outputs.isEmpty { result.outputs = outputs }
            if !output.warnings.isEmpty || !result.warnings.isEmpty { result.warnings = output.warnings }
            result.finishedAt = now
            return (result.attempts, result.duration)
        }(&state.execution.phaseList[scope.phase.index].steps[step.index])
        for warning in output.warnings {
            state.execution.warnings.append("phase '\(scope.phase.name)', step \(step.index): \(warning)")
        }
        emit(
            .stepComplete, into: &state, at: now, phase: scope.phase.name, step: step.index,
            stepType: step.strategyName, agent: step.agentID, attempt: attempts, status: status.rawValue,
            duration: duration)
    }

    private func finish(_ step: StepPlan, in scope: PhaseScope, status: StepStatus, message: String) {
        state.withLock { state in
            let now = clock.now
            finish(step, in: scope, status: status, message: message, state: &state, at: clock.date(at: now))
        }
        logger.debug("step failed: \(message)", metadata: ["phase": "\(scope.phase.name)", "step": "\(step.index)"])
    }

    /// Call inside `state.withLock`.
    private func finish(
        _ step: StepPlan, in scope: PhaseScope, status: StepStatus, message: String, state: inout RunState, at now: Date
    ) {
        let phase = scope.phase.index
        try? state.execution.phaseList[phase].steps[step.index].transition(to: status)
        state.execution.phaseList[phase].steps[step.index].error = message
        state.execution.phaseList[phase].steps[step.index].finishedAt = now
        emit(
            .stepFailed, into: &state, at: now, phase: scope.phase.name, step: step.index, stepType: step.strategyName,
            agent: step.agentID, attempt: state.execution.phaseList[phase].steps[step.index].attempts,
            status: status.rawValue, message: message,
            duration: state.execution.phaseList[phase].steps[step.index].duration)
    }

    /// A step that never ran: skipped by its `when:`, or failed evaluating it.
    private func finishUnstarted(_ step: StepPlan, in scope: PhaseScope, status: StepStatus, message: String) {
        state.withLock { state in
            let phase = scope.phase.index
            let now = clock.currentDate
            try? state.execution.phaseList[phase].steps[step.index].transition(to: status)
            state.execution.phaseList[phase].steps[step.index].startedAt = now
            state.execution.phaseList[phase].steps[step.index].finishedAt = now
            if status == .failed { state.execution.phaseList[phase].steps[step.index].error = message }
            emit(
                status == .skipped ? .stepComplete : .stepFailed, into: &state, phase: scope.phase.name,
                step: step.index,
                stepType: step.strategyName, agent: step.agentID, status: status.rawValue, message: message)
        }
    }
}
