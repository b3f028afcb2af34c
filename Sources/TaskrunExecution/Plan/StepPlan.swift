import TaskrunCore

/// One step, resolved before the execution starts: its strategy, its parsed parameters and its
/// compiled template. A class: async frames hold a reference, not a copy of the whole step.
final class StepPlan: Sendable {
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

    let isAgent: Bool
    let isValidation: Bool

    init(
        index: Int, step: Step, strategyName: String, strategy: any StepStrategy, isSynthesized: Bool,
        condition: Expression?, timeout: Duration?, maxAttempts: Int?, isRequired: Bool, outputName: String?,
        responseFormat: AgentRequest.ResponseFormat, template: CompiledTemplate?
    ) {
        self.index = index
        self.step = step
        self.strategyName = strategyName
        self.strategy = strategy
        self.isSynthesized = isSynthesized
        self.condition = condition
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.isRequired = isRequired
        self.outputName = outputName
        self.responseFormat = responseFormat
        self.template = template
        self.isAgent = step.agentID != nil
        self.isValidation = step.kind == .validation
    }
}

/// One phase, resolved before the execution starts. A class, like ``StepPlan``.
final class PhasePlan: Sendable {
    let index: Int
    let phase: Phase
    let alias: String?
    let dependencies: [Int]
    let dependents: [Int]
    /// Every phase this one depends on, directly or not (iterates in file order).
    let ancestors: PhaseSet
    let condition: Expression?
    /// Listed agents without steps first (when the phase has no agent steps), then the written steps.
    let steps: [StepPlan]
    /// Groups of step indexes; the steps of one group run at the same time.
    let segments: [[Int]]
    let timeout: Duration?
    let retry: RetryPolicy?
    let reviewer: String?

    let name: String

    init(
        index: Int, phase: Phase, alias: String?, dependencies: [Int], dependents: [Int], ancestors: PhaseSet,
        condition: Expression?, steps: [StepPlan], segments: [[Int]], timeout: Duration?, retry: RetryPolicy?,
        reviewer: String?
    ) {
        self.index = index
        self.phase = phase
        self.alias = alias
        self.dependencies = dependencies
        self.dependents = dependents
        self.ancestors = ancestors
        self.condition = condition
        self.steps = steps
        self.segments = segments
        self.timeout = timeout
        self.retry = retry
        self.reviewer = reviewer
        self.name = phase.name
    }
}
