import TaskrunCore

/// One step, resolved before the execution starts: its strategy, its parsed parameters and its
/// compiled template.
struct StepPlan: Sendable {
    let index: Int
    let step: Step
    /// The name the strategy is registered under (the aggregate kind for custom aggregates).
    let strategyName: String
    let strategy: any StepStrategy
    /// A listed agent queried with the phase description (not written as a step).
    let isSynthesized: Bool
    let condition: Expression?
    let timeout: Duration?
    /// The `retry:` parameter: total attempts for this step (for agent steps, per query).
    let maxAttempts: Int?
    let isRequired: Bool
    /// The `output:` parameter: a phase output this step's value fills.
    let outputName: String?
    /// The `format:` parameter, or the phase's default.
    let responseFormat: AgentRequest.ResponseFormat
    /// The step text as a template (agent prompts and descriptions).
    let template: CompiledTemplate?

    var isAgent: Bool { step.agentID != nil }
    var isValidation: Bool { step.kind == .validation }
}

/// One phase, resolved before the execution starts.
struct PhasePlan: Sendable {
    let index: Int
    let phase: Phase
    let alias: String?
    let dependencies: [Int]
    let dependents: [Int]
    /// Every phase this one depends on, directly or not, in file order.
    let ancestors: [Int]
    let condition: Expression?
    /// Listed agents without steps first (when the phase has no agent steps), then the written steps.
    let steps: [StepPlan]
    /// Groups of step indexes; the steps of one group run at the same time.
    let segments: [[Int]]
    let timeout: Duration?
    let retry: RetryPolicy?
    let reviewer: String?

    var name: String { phase.name }
}
