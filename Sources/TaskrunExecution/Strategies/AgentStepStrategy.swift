import TaskrunCore

/// `agent: <id> - <prompt>`: renders the prompt and asks the agent. Runs concurrently with its
/// neighbours in a parallel phase. The step's value is the answer (`agent`, `text`, `position`,
/// `confidence`, `keyPoints`, `risks`, `data`, `latencyMs`, `step`).
public struct AgentStepStrategy: StepStrategy {
    public init() {}

    public var scheduling: StepScheduling { .concurrent }

    public func preflight(_ step: Step, in phase: Phase, task: TaskDefinition) -> [PreflightProblem] {
        guard let agent = step.agentID else { return [PreflightProblem("an agent step needs an agent id")] }
        return agent.trimmingWhitespace().isEmpty ? [PreflightProblem("an agent step needs an agent id")] : []
    }

    public func run(_ step: Step, in phase: Phase, context: StepContext) async throws -> StepOutput {
        try await Self.run(step, context: context)
    }

    /// ``run(_:in:context:)``, which the executor calls directly for a step this strategy runs: a
    /// call through the protocol goes through a witness, an async function of its own with a frame
    /// of its own, and hops to the generic executor (Docs/performance.md, W1).
    nonisolated(nonsending) static func run(_ step: Step, context: StepContext) async throws -> StepOutput {
        guard let agent = step.agentID else { throw StepFailure("an agent step needs an agent id", isRetryable: false) }
        // The reply the phase recorded, as the step's value: one box for both (Docs/performance.md, W1).
        return StepOutput(reply: try await context.queryAgentReply(agent, prompt: try Self.prompt(context)))
    }

    // The rendering is not inlined into `run`: every step waiting on its agent keeps `run`'s frame,
    // which holds whatever inlined code needs (Docs/performance.md, W8).

    @inline(never)
    private static func prompt(_ context: StepContext) throws(TemplateError) -> String {
        try context.renderStepText()
    }
}

/// A plain-text step: documents what happens and is recorded as done. Its value is its text with
/// templates rendered.
public struct DescriptionStepStrategy: StepStrategy {
    public init() {}

    public var scheduling: StepScheduling { .concurrent }

    public func run(_ step: Step, in phase: Phase, context: StepContext) async throws -> StepOutput {
        StepOutput(.string(try context.renderStepText()))
    }
}

/// `wait: <duration>`: waits on the executor's clock (cancellable).
public struct WaitStepStrategy: StepStrategy {
    public init() {}

    public func preflight(_ step: Step, in phase: Phase, task: TaskDefinition) -> [PreflightProblem] {
        if case .wait = step.kind { return [] }
        do {
            _ = try TaskDuration.parse(step.text)
            return []
        } catch {
            return [PreflightProblem("wait: \(error)")]
        }
    }

    public func run(_ step: Step, in phase: Phase, context: StepContext) async throws -> StepOutput {
        let duration: TaskDuration
        if case .wait(let written) = step.kind {
            duration = written
        } else {
            do { duration = try TaskDuration.parse(step.text) } catch {
                throw StepFailure("wait: \(error)", isRetryable: false)
            }
        }
        try await context.sleep(for: duration.duration)
        return StepOutput(.null)
    }
}
