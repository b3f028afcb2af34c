import Foundation
import Synchronization
import TaskrunCore

/// One phase: its attempts, its time limit, its steps in segments, and the verdict on whether it
/// failed.
extension ExecutionRun {
    struct PhaseFailure {
        var message: String
        var status: PhaseStatus
    }

    /// Runs a phase in the phase task `taskKey`. Without a time limit, a phase that completes ends
    /// in the critical section that completes it (``endPhase(_:taskKey:at:in:)``): `advanced`.
    nonisolated(nonsending) func runPhase(_ index: Int, taskKey: UInt64) async -> PhaseOutcome {
        guard let timeout = plan.phases[index].timeout else { return await runAttempts(index, taskKey: taskKey) }
        return await runAttempts(index, timeout: timeout)
    }

    /// A phase with a time limit: its attempts raced against the timer. Not inlined into
    /// ``runPhase(_:)``, whose frame every waiting phase keeps (Docs/performance.md, W8).
    @inline(never)
    private nonisolated(nonsending) func runAttempts(_ index: Int, timeout: Duration) async -> PhaseOutcome {
        let phase = plan.phases[index]
        let outcome = await race(
            timer: { await self.waitForActiveTime(timeout) }, work: { await self.runAttempts(index) })
        switch outcome {
        case .finished(let result):
            return result
        case .timedOut(let result):
            // The work may have ended on its own just as the timer fired; its own ending stands.
            guard result == .interrupted else { return result }
            if stopReason != nil { return interruption(index) }
            let message = "the phase exceeded its time limit of \(Self.format(timeout))"
            endInterrupted(index, phaseStatus: .timeout, stepStatus: .timeout, message: message)
            return phase.continueOnFailure ? .failedContinuing : .timedOut(message)
        }
    }

    /// The attempts of a phase. Everything but the waiting is in non-inlined synchronous helpers:
    /// an async function keeps all it holds across a wait in its task's frame, and every phase
    /// waiting on an agent keeps this frame (Docs/performance.md, W8).
    private nonisolated(nonsending) func runAttempts(_ index: Int, taskKey: UInt64? = nil) async -> PhaseOutcome {
        var attempt = 0
        while true {
            attempt += 1
            if !gateIsOpen {
                guard await gate(phase: index) else { return interruption(index) }
            }
            let (scope, started) = beginAttempt(index)
            let last = await runSteps(scope, firstStarted: started)
            if Task.isCancelled {
                if let last { recordStepEnd(last, in: scope) }
                return interruption(index)
            }
            switch endAttempt(index, attempt: attempt, last: last, in: scope, taskKey: taskKey) {
            case .ended(let outcome):
                return outcome
            case .retry(let delay):
                do { try await clock.sleep(for: delay) } catch { return interruption(index) }
            }
        }
    }

    private enum AttemptEnd {
        case ended(PhaseOutcome)
        case retry(after: Duration)
    }

    /// Judges an attempt: completes the phase, fails it, or records the failure and says how long
    /// to wait before the next attempt.
    @inline(never)
    private func endAttempt(
        _ index: Int, attempt: Int, last: StepEnd?, in scope: PhaseScope, taskKey: UInt64?
    ) -> AttemptEnd {
        let phase = plan.phases[index]
        // The last step's end recorded, the attempt judged and, when it did not fail, the phase
        // completed (and, in a phase task, committed and followed by the next admissions), in
        // one critical section.
        let (failure, ended, logs) = state.withLock { state -> (PhaseFailure?, PhaseEnd?, Bool) in
            let now = clock.now
            var logs = false
            if let last { logs = recordStepEnd(last, in: scope, state: &state, at: now) }
            let failure = judge(index, steps: state.execution.phaseList[index].steps)
            guard failure == nil else { return (failure, nil, logs) }
            let date = clock.date(at: now)
            complete(index, in: &state, at: date)
            return (nil, taskKey.flatMap { endPhase(index, taskKey: $0, at: date, in: &state) }, logs)
        }
        if logs, let last { logStepEnd(last, in: scope) }
        if let ended { return .ended(.advanced(ended.finish())) }
        guard let failure else { return .ended(.completed) }
        if let retry = phase.retry, attempt < retry.maxAttempts {
            let delay = retry.delay(beforeRetry: attempt, unitRandom: core.random()).duration
            state.withLock { state in
                state.execution.phaseList[index].errors.append("attempt \(attempt): \(failure.message)")
                emit(
                    .phaseRetry, into: &state, phase: phase.name, attempt: attempt + 1,
                    status: failure.status.rawValue,
                    message: failure.message, delay: delay)
            }
            return .retry(after: delay)
        }
        fail(index, failure, label: phase.retry.map { _ in "attempt \(attempt): " } ?? "")
        if phase.continueOnFailure { return .ended(.failedContinuing) }
        return .ended(failure.status == .timeout ? .timedOut(failure.message) : .failed(failure.message))
    }

    /// What a phase whose task was cancelled reports: how the execution is stopping, if it is.
    func interruption(_ index: Int) -> PhaseOutcome {
        guard let stop = stopReason else { return .interrupted }
        endInterrupted(
            index, phaseStatus: stop.interruptedPhaseStatus, stepStatus: stop.interruptedStepStatus,
            message: stop.interruptionMessage)
        return .stopped
    }

    /// Marks the phase and its steps still in flight as `phaseStatus` / `stepStatus`, keeping what
    /// finished (partial results).
    func endInterrupted(_ index: Int, phaseStatus: PhaseStatus, stepStatus: StepStatus, message: String) {
        let phase = plan.phases[index]
        state.withLock { state in
            let now = clock.currentDate
            guard
                state.execution.phaseList[index].status == .running
                    || state.execution.phaseList[index].status == .paused
            else { return }
            for step in state.execution.phaseList[index].steps where step.status == .running {
                try? state.execution.phaseList[index].steps[step.index].transition(to: stepStatus)
                state.execution.phaseList[index].steps[step.index].finishedAt = now
                state.execution.phaseList[index].steps[step.index].error = message
                emit(
                    .stepFailed, into: &state, phase: phase.name, step: step.index, stepType: step.type,
                    agent: step.agent,
                    attempt: step.attempts, status: stepStatus.rawValue, message: message)
            }
            if state.execution.phaseList[index].status == .paused,
                !PhaseStatus.paused.canTransition(to: phaseStatus)
            {
                try? state.execution.phaseList[index].transition(to: .running)
            }
            fillOutputs(of: index, in: &state)
            try? state.execution.phaseList[index].transition(to: phaseStatus)
            state.execution.phaseList[index].finishedAt = now
            state.execution.phaseList[index].errors.append(message)
            emit(.phaseFailed, into: &state, phase: phase.name, status: phaseStatus.rawValue, message: message)
        }
    }

    /// Starts an attempt: fresh step results and `phase:start`. When the first segment is one step
    /// with no `when:` (nothing to evaluate before it starts), and the execution is neither paused
    /// nor stopping, the same critical section starts that step (`step:start`): returns whether it
    /// did. The pause check before the first segment is then this section's, a moment earlier.
    @inline(never)
    private func beginAttempt(_ index: Int) -> (PhaseScope, firstStarted: Bool) {
        let phase = plan.phases[index]
        let first = phase.segments.first.flatMap { $0.count == 1 && phase.steps[$0[0]].condition == nil ? $0[0] : nil }
        // Made before the lock: the phases of a fan-out share it (Docs/performance.md, W2).
        var steps = phase.steps.map { StepResult(index: $0.index, type: $0.strategyName, agent: $0.agentID) }
        let started = state.withLock { state -> Bool in
            let now = clock.currentDate
            // One access to the phase for all its changes (each access checks the list is unique).
            let attempts = Self.startAttempt(of: &state.execution.phaseList[index], steps: &steps, at: now)
            emit(.phaseStart, into: &state, at: now, phase: phase.name, attempt: attempts)
            guard let first, !state.paused, state.stop == nil, !Task.isCancelled else { return false }
            let step = phase.steps[first]
            Self.start(&state.execution.phaseList[index].steps[first], at: now)
            emit(
                .stepStart, into: &state, at: now, phase: phase.name, step: first, stepType: step.strategyName,
                agent: step.agentID)
            return true
        }
        return (PhaseScope(run: self, phase: phase), started)
    }

    /// Records a step's end left by ``runOwnStep(_:in:visible:started:)`` in a critical section of
    /// its own (when the attempt stops early).
    @inline(never)
    private func recordStepEnd(_ end: StepEnd, in scope: PhaseScope) {
        let logs = state.withLock { state in recordStepEnd(end, in: scope, state: &state, at: clock.now) }
        if logs { logStepEnd(end, in: scope) }
    }

    /// Starts an attempt of `result` with the fresh step results `steps` (swapped in, so that the
    /// phase holds the only reference to them and writes to them copy nothing); returns its number.
    private static func startAttempt(of result: inout PhaseResult, steps: inout [StepResult], at now: Date) -> Int {
        if result.status == .pending {
            try? result.transition(to: .running)
            result.startedAt = now
        }
        result.attempts += 1
        swap(&result.steps, &steps)
        result.responses = []
        result.outputs = [:]
        result.result = nil
        return result.attempts
    }

    /// Runs the steps segment by segment: a segment's steps at the same time, the next segment
    /// after it. Stops early once a validation or a required step has failed. A segment of one
    /// step runs on the phase task, and its end is recorded in the next section: the next
    /// segment's check, or the attempt's end, to which the last such step's end is returned.
    private nonisolated(nonsending) func runSteps(_ scope: PhaseScope, firstStarted: Bool) async -> StepEnd? {
        let index = scope.phase.index
        let segments = scope.phase.segments
        var pending: StepEnd?
        for position in segments.indices {
            if position == 0 && firstStarted {
                // Started with the attempt, past the checks below (see `beginAttempt`).
                pending = await runOwnStep(segments[0][0], in: scope, visible: [], started: true)
                continue
            }
            // Read before the gate: no step of this phase runs between segments, so a pause cannot
            // change them. Before the first segment the attempt has just begun (no answer, no
            // failed step), so there is nothing to read under the lock.
            let visible = position == 0 ? [] : responsesUnlessDecided(index, recording: pending, in: scope)
            pending = nil
            guard !Task.isCancelled, let visible else { return nil }
            if !gateIsOpen {
                guard await gate(phase: index) else { return nil }
            }
            if segments[position].count == 1 {
                pending = await runOwnStep(segments[position][0], in: scope, visible: visible, started: false)
            } else {
                await runConcurrently(segments[position], in: scope, visible: visible)
            }
        }
        return pending
    }

    /// A segment of several steps, each in a child task. Its own function, so that the task group
    /// is not part of the frame of a phase whose segments are single steps.
    @inline(never)
    private func runConcurrently(_ segment: [Int], in scope: PhaseScope, visible: [AgentReply]) async {
        await withTaskGroup(of: Void.self) { group in
            for step in segment {
                group.addTask { await self.runStep(step, in: scope, visible: visible) }
            }
        }
    }

    /// The phase's answers so far, or `nil` once a validation or a required step has failed
    /// (the remaining segments do not run). One critical section for both.
    @inline(never)
    private func responsesUnlessDecided(_ index: Int, recording end: StepEnd?, in scope: PhaseScope) -> [AgentReply]? {
        let steps = plan.phases[index].steps
        let (responses, logs) = state.withLock { state -> ([AgentReply]?, Bool) in
            var logs = false
            if let end { logs = recordStepEnd(end, in: scope, state: &state, at: clock.now) }
            let decided = state.execution.phaseList[index].steps.contains { result in
                result.status.isFailure && (steps[result.index].isValidation || steps[result.index].isRequired)
            }
            return (decided ? nil : state.execution.phaseList[index].responses, logs)
        }
        if logs, let end { logStepEnd(end, in: scope) }
        return responses
    }

    /// Why the attempt failed, or `nil` when it did not: a validation failed, a required step
    /// failed, or every agent that was asked failed.
    private func judge(_ index: Int, steps results: [StepResult]) -> PhaseFailure? {
        // Usually no step failed, and then nothing below can find a reason: checked by status
        // alone, without copying each step's result (a retain and release of its fields).
        guard results.indices.contains(where: { results[$0].status.isFailure }) else { return nil }
        let plans = plan.phases[index].steps
        var reasons: [String] = []
        var statuses: [StepStatus] = []
        for step in plans {
            let result = results[step.index]
            guard result.status.isFailure, step.isValidation || step.isRequired else { continue }
            let error = result.error ?? result.status.rawValue
            reasons.append(
                step.isValidation ? error : "required step \(step.index) (\(Self.label(step))) failed: \(error)")
            statuses.append(result.status)
        }
        func wasAsked(_ step: StepPlan) -> Bool {
            step.isAgent && results[step.index].status != .skipped && results[step.index].status != .pending
        }
        // Checked before the list is built: a phase whose agents answered needs no list.
        let everyAskedFailed =
            plans.contains(where: wasAsked)
            && !plans.contains { wasAsked($0) && !results[$0.index].status.isFailure }
        if everyAskedFailed {
            let asked = plans.filter(wasAsked)
            // A step's error names its agent already (`agent 'a' failed: …`): not again in front of it.
            let details = asked.map { plan -> String in
                let agent = plan.agentID ?? "?"
                let error = results[plan.index].error ?? "failed"
                return AgentQueryError.message(error, names: agent) ? error : "\(agent): \(error)"
            }
            reasons.append("every agent failed (\(details.joined(separator: "; ")))")
            statuses.append(contentsOf: asked.map { results[$0.index].status })
        }
        guard !reasons.isEmpty else { return nil }
        let status: PhaseStatus = statuses.allSatisfy { $0 == .timeout } ? .timeout : .failed
        return PhaseFailure(message: reasons.joined(separator: "; "), status: status)
    }

    static func label(_ step: StepPlan) -> String {
        step.agentID.map { "agent \($0)" } ?? step.strategyName
    }

    /// Call inside `state.withLock`.
    private func complete(_ index: Int, in state: inout RunState, at now: Date) {
        let phase = plan.phases[index]
        fillOutputs(of: index, in: &state)
        let (attempts, duration) = { (result: inout PhaseResult) in
            try? result.transition(to: .completed)
            result.finishedAt = now
            return (result.attempts, result.duration)
        }(&state.execution.phaseList[index])
        emit(
            .phaseComplete, into: &state, at: now, phase: phase.name, attempt: attempts,
            status: PhaseStatus.completed.rawValue, duration: duration)
    }

    private func fail(_ index: Int, _ failure: PhaseFailure, label: String) {
        let phase = plan.phases[index]
        state.withLock { state in
            fillOutputs(of: index, in: &state)
            state.execution.phaseList[index].errors.append(label + failure.message)
            try? state.execution.phaseList[index].transition(to: failure.status)
            let now = clock.currentDate
            state.execution.phaseList[index].finishedAt = now
            emit(
                .phaseFailed, into: &state, at: now, phase: phase.name,
                attempt: state.execution.phaseList[index].attempts,
                status: failure.status.rawValue, message: failure.message,
                duration: state.execution.phaseList[index].duration)
        }
    }
}

/// One attempt of one phase: the plan, and the ancestors' results and their template views,
/// read on first use (they are final by the time the phase starts, so reading later gives the
/// same values, and phases that never look at them never pay for them).
final class PhaseScope: Sendable {
    let run: ExecutionRun
    let phase: PhasePlan
    private let cache = Mutex<(results: [PhaseResult]?, views: [String: JSONValue]?)>((nil, nil))

    init(run: ExecutionRun, phase: PhasePlan) {
        self.run = run
        self.phase = phase
    }

    /// The phases this one depends on, directly or not, in file order, as they ended.
    var ancestors: [PhaseResult] {
        if let results = cache.withLock({ $0.results }) { return results }
        let results = run.state.withLock { state in phase.ancestors.map { state.execution.phaseList[$0] } }
        cache.withLock { $0.results = results }
        return results
    }

    /// The ancestors under their exact names and aliases.
    var phaseViews: [String: JSONValue] {
        if let views = cache.withLock({ $0.views }) { return views }
        let views = run.views(of: phase.ancestors)
        cache.withLock { $0.views = views }
        return views
    }
}
