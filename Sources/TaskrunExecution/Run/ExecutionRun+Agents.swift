import TaskrunCore

/// An agent query that failed on every attempt.
public struct AgentQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    public var agent: String
    public var attempts: Int
    /// The last attempt's error.
    public var message: String

    public var description: String {
        attempts > 1
            ? "agent '\(agent)' failed after \(attempts) attempts: \(message)" : "agent '\(agent)' failed: \(message)"
    }
}

extension ExecutionRun {
    /// Asks an agent, retrying per the task's retry policy (or the step's `retry:`), with an event
    /// for every attempt. Backoff waits are cancellable; cancellation reaches the agent manager.
    func queryAgent(
        _ agentID: String, prompt: String, format: AgentRequest.ResponseFormat, purpose: AgentRequest.Purpose,
        context: StepContext, recordsReply: Bool
    ) async throws -> AgentResponse {
        let step = context.plan
        let phase = context.scope.phase
        var policy = plan.agentRetry
        if let attempts = step.maxAttempts { policy.maxAttempts = attempts }
        let visible = AgentContext(
            input: input, phaseResponses: context.responses, earlierPhases: context.scope.ancestors)
        var attempt = 1
        while true {
            state.withLock { state in
                emit(
                    .agentQuery, into: &state, phase: phase.name, step: step.index, stepType: step.strategyName,
                    agent: agentID, attempt: attempt)
            }
            let request = AgentRequest(
                agentID: agentID, prompt: prompt, context: visible, responseFormat: format, purpose: purpose,
                executionID: id, taskID: plan.task.id, taskName: plan.task.metadata.name, phase: phase.name,
                step: step.index, attempt: attempt)
            let started = clock.now
            do {
                var response = try await core.agents.query(request)
                if response.latency == nil { response.latency = clock.now - started }
                let reply = AgentReply(agent: agentID, step: step.index, attempt: attempt, response: response)
                state.withLock { state in
                    if recordsReply {
                        let position =
                            state.execution.phaseList[phase.index].responses.lastIndex { $0.step <= step.index }
                            .map { $0 + 1 } ?? 0
                        state.execution.phaseList[phase.index].responses.insert(reply, at: position)
                    }
                    emit(
                        .agentResponse, into: &state, phase: phase.name, step: step.index, stepType: step.strategyName,
                        agent: agentID, attempt: attempt, duration: response.latency)
                }
                return response
            } catch {
                if Task.isCancelled { throw CancellationError() }
                let message = String(describing: error)
                let delay =
                    attempt < policy.maxAttempts
                    ? policy.delay(beforeRetry: attempt, unitRandom: core.random()).duration : nil
                state.withLock { state in
                    emit(
                        .agentFailed, into: &state, phase: phase.name, step: step.index, stepType: step.strategyName,
                        agent: agentID, attempt: attempt, message: message, delay: delay)
                }
                guard let delay else { throw AgentQueryError(agent: agentID, attempts: attempt, message: message) }
                try await clock.sleep(for: delay)
                attempt += 1
            }
        }
    }
}
