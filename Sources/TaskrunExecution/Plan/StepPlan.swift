import TaskrunCore

/// One step, resolved before the execution starts: its strategy, its parsed parameters and its
/// compiled template. A class: async frames hold a reference, not a copy of the whole step.
final class StepPlan: Sendable {
    // What running a step reads comes first, in the object's first cache lines; the parsed `step`,
    // a large value read mostly by strategies, comes last. A chain's plan is too large for the
    // core's caches, so each field on a line of its own was a miss per phase (Docs/performance.md, W1).
    let index: Int
    /// The name the strategy is registered under (the aggregate kind for custom aggregates).
    let strategyName: String
    /// `step.agentID`, which every event of the step carries, and `step.kind`.
    let agentID: String?
    let kind: StepKind
    let strategy: any StepStrategy
    /// Whether `strategy` is the built-in ``AgentStepStrategy``, which the executor calls directly.
    let isBuiltInAgentStep: Bool
    let isAgent: Bool
    let isValidation: Bool
    let isRequired: Bool
    /// A listed agent queried with the phase description (not written as a step).
    let isSynthesized: Bool
    let condition: Expression?
    let timeout: Duration?
    /// The `retry:` parameter: total attempts for this step (for agent steps, per query).
    let maxAttempts: Int?
    /// The `output:` parameter: a phase output this step's value fills.
    let outputName: String?
    /// The `format:` parameter, or the phase's default.
    let responseFormat: AgentRequest.ResponseFormat
    /// The step text as a template (agent prompts and descriptions).
    let template: CompiledTemplate?
    let step: Step

    init(
        index: Int, step: Step, strategyName: String, strategy: any StepStrategy, isSynthesized: Bool,
        condition: Expression?, timeout: Duration?, maxAttempts: Int?, isRequired: Bool, outputName: String?,
        responseFormat: AgentRequest.ResponseFormat, template: CompiledTemplate?
    ) {
        self.index = index
        self.step = step
        self.strategyName = strategyName
        self.strategy = strategy
        self.isBuiltInAgentStep = strategy is AgentStepStrategy
        self.isSynthesized = isSynthesized
        self.condition = condition
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.isRequired = isRequired
        self.outputName = outputName
        self.responseFormat = responseFormat
        self.template = template
        self.agentID = step.agentID
        self.kind = step.kind
        self.isAgent = step.agentID != nil
        self.isValidation = step.kind == .validation
    }
}

/// One phase, resolved before the execution starts. A class, like ``StepPlan``.
final class PhasePlan: Sendable {
    // What running a phase reads comes first, the parsed `phase` last (see ``StepPlan``).
    let index: Int
    let name: String
    let condition: Expression?
    let timeout: Duration?
    /// Listed agents without steps first (when the phase has no agent steps), then the written steps.
    let steps: [StepPlan]
    /// Groups of step indexes; the steps of one group run at the same time.
    let segments: [[Int]]
    let dependents: [Int]
    /// Every phase this one depends on, directly or not (iterates in file order).
    let ancestors: PhaseSet
    /// `phase.checkpoint`, `phase.continueOnFailure` and `phase.outputs`, read as every phase ends.
    let checkpoints: Bool
    let continueOnFailure: Bool
    let outputs: [String]
    let retry: RetryPolicy?
    let alias: String?
    let dependencies: [Int]
    let reviewer: String?
    let phase: Phase

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
        self.checkpoints = phase.checkpoint
        self.continueOnFailure = phase.continueOnFailure
        self.outputs = phase.outputs
    }
}
