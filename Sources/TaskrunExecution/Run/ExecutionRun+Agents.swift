import TaskrunCore

/// An agent query that failed on every attempt.
public struct AgentQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    public var agent: String
    public var attempts: Int
    /// The last attempt's error.
    public var message: String

    /// `agent 'a' failed: <message>`; a message that already names the agent (as the agent
    /// manager's errors do: `agent 'a' has no definition`) is not prefixed with its name again.
    public var description: String {
        if Self.message(message, names: agent) {
            return attempts > 1 ? "\(message) (after \(attempts) attempts)" : message
        }
        return attempts > 1
            ? "agent '\(agent)' failed after \(attempts) attempts: \(message)" : "agent '\(agent)' failed: \(message)"
    }
}

extension AgentQueryError {
    /// Whether `message` already starts by naming `agent` (`agent 'a' …`), so that what reports it
    /// does not name the agent again.
    static func message(_ message: String, names agent: String) -> Bool {
        message.hasPrefix("agent '\(agent)'")
    }
}

extension ExecutionRun {
    /// Asks an agent, retrying per the task's retry policy (or the step's `retry:`), with an event
    /// for every attempt. Backoff waits are cancellable; cancellation reaches the agent manager.
    /// Returns the answer as a reply: with `recordsReply`, the very one the phase recorded.
    ///
    /// The bookkeeping around the call lives in non-inlined synchronous helpers: everything an async
    /// function keeps in scope is stored in its task's frame for as long as the call is suspended,
    /// and with the events inlined here that frame was kilobytes per waiting agent
    /// (Docs/performance.md, W8).
    nonisolated(nonsending) func queryAgent(
        _ agentID: String, prompt: String, format: AgentRequest.ResponseFormat, purpose: AgentRequest.Purpose,
        context: StepContext, recordsReply: Bool
    ) async throws -> AgentReply {
        var attempt = 1
        while true {
            let (request, started) = beginQuery(
                agentID, prompt: prompt, format: format, purpose: purpose, context: context, attempt: attempt)
            do {
                let response = try await core.agents.query(request)
                return recordResponse(
                    response, started: started, context: context, request: request, recordsReply: recordsReply)
            } catch {
                if Task.isCancelled { throw CancellationError() }
                let delay = try recordFailure(error, context: context, request: request)
                try await clock.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// Emits `agent:query` and builds the request of one attempt; returns it with the time of the
    /// event, from which the query's latency is measured.
    @inline(never)
    private func beginQuery(
        _ agentID: String, prompt: String, format: AgentRequest.ResponseFormat, purpose: AgentRequest.Purpose,
        context: StepContext, attempt: Int
    ) -> (AgentRequest, started: Duration) {
        let step = context.plan
        let phase = context.scope.phase
        let started = state.withLock { state in
            let now = clock.now
            emit(
                .agentQuery, into: &state, at: clock.date(at: now), phase: phase.name, step: step.index,
                stepType: step.strategyName, agent: agentID, attempt: attempt)
            return now
        }
        let request = AgentRequest(
            agentID: agentID, prompt: prompt,
            context: AgentContext(input: input, phaseResponses: context.responses, scope: context.scope),
            responseFormat: format, purpose: purpose, executionID: id, taskID: plan.task.id,
            taskName: plan.task.metadata.name, phase: phase.name, step: step.index, attempt: attempt)
        return (request, started)
    }

    /// Records an answer in the phase (unless it is a review) and emits `agent:response`; returns
    /// it as the reply the phase keeps.
    @inline(never)
    private func recordResponse(
        _ response: consuming AgentResponse, started: Duration, context: StepContext, request: AgentRequest,
        recordsReply: Bool
    ) -> AgentReply {
        let step = context.plan
        let phase = context.scope.phase
        // The answer moved into its box before the lock: no copy of its fields, and the box is
        // still this function's own when the latency is written into it below.
        var reply = AgentReply(agent: request.agentID, step: step.index, attempt: request.attempt, response: response)
        return state.withLock { state in
            // One reading for the latency and the event, inside the critical section that numbers
            // the event, so timestamps follow sequence numbers. The latency is set before the
            // reply is recorded: from then on its box is shared.
            let now = clock.now
            let latency = reply.fillLatency(now - started)
            if recordsReply {
                state.execution.phaseList[phase.index].record(reply)
            }
            emit(
                .agentResponse, into: &state, at: clock.date(at: now), phase: phase.name, step: step.index,
                stepType: step.strategyName, agent: request.agentID, attempt: request.attempt,
                duration: latency)
            return reply
        }
    }

    /// Emits `agent:failed` for a failed attempt; returns the wait before the next attempt, or
    /// throws ``AgentQueryError`` when it was the last (or the error says another attempt cannot help).
    @inline(never)
    private func recordFailure(_ error: any Error, context: StepContext, request: AgentRequest) throws -> Duration {
        let step = context.plan
        var policy = plan.agentRetry
        if let attempts = step.maxAttempts { policy.maxAttempts = attempts }
        let attempt = request.attempt
        let message = String(describing: error)
        let retryable = (error as? any RetryableError)?.isRetryable ?? true
        let delay =
            retryable && attempt < policy.maxAttempts
            ? policy.delay(beforeRetry: attempt, unitRandom: core.random()).duration : nil
        state.withLock { state in
            emit(
                .agentFailed, into: &state, phase: request.phase, step: step.index, stepType: step.strategyName,
                agent: request.agentID, attempt: attempt, message: message, delay: delay)
        }
        guard let delay else { throw AgentQueryError(agent: request.agentID, attempts: attempt, message: message) }
        return delay
    }
}
