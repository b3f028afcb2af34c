import Logging
import TaskrunCore

/// What a step strategy can see and do while its step runs.
///
/// A context belongs to one step of one phase attempt. Reading it is cheap; the template and
/// expression view (``variables()``) is built on demand.
public struct StepContext: Sendable {
    let scope: PhaseScope
    let plan: StepPlan
    /// Earlier answers in this phase: every earlier step's in a sequential phase; in a parallel
    /// phase, those of the steps before the current group of concurrent steps.
    public let responses: [AgentReply]
    /// 1 for the first try of the step, then one more per retry.
    public internal(set) var attempt: Int = 1

    init(scope: PhaseScope, plan: StepPlan, responses: [AgentReply]) {
        self.scope = scope
        self.plan = plan
        self.responses = responses
    }

    private var run: ExecutionRun { scope.run }

    public var executionID: ExecutionID { run.id }
    public var task: TaskDefinition { run.plan.task }
    public var phase: Phase { scope.phase.phase }
    public var step: Step { plan.step }
    /// The step's index in the phase's effective step list.
    public var stepIndex: Int { plan.index }
    /// The execution's input, defaults applied.
    public var input: [String: JSONValue] { run.input }
    public var logger: Logger { run.logger }
    /// The phases this one depends on, directly or not, in file order, as they ended.
    public var earlierPhases: [PhaseResult] { scope.ancestors }
    /// The reviewer agent for prose validations: the phase's `reviewer`, else the task's.
    public var reviewer: String? { scope.phase.reviewer }
    /// The response format the step asks for (`format:` parameter, or `structured` in phases with a
    /// consensus aggregate, else `text`).
    public var responseFormat: AgentRequest.ResponseFormat { plan.responseFormat }

    /// This phase as it stands now: its steps so far and their results.
    public var currentPhase: PhaseResult {
        run.state.withLock { $0.execution.phaseList[scope.phase.index] }
    }

    /// An earlier phase by exact name or alias.
    public func earlierPhase(named name: String) -> PhaseResult? {
        guard let index = run.plan.phaseIndex[name] else { return nil }
        let wanted = run.plan.phases[index].name
        return scope.ancestors.first { $0.name == wanted }
    }

    /// The names templates and expressions read: `input`, `phases` (earlier phases and this one,
    /// by exact name and alias), `steps` (this phase's steps), `execution.id`, `task.name`,
    /// `task.id`, `phase.name`, and `agent` in agent steps.
    public func variables() -> [String: JSONValue] {
        let current = currentPhase
        var phases = scope.phaseViews
        let view = current.view
        phases[current.name] = view
        if let alias = scope.phase.alias { phases[alias] = view }
        var variables = run.baseVariables(phase: scope.phase, phases: phases, steps: current.steps)
        if let agent = plan.agentID { variables["agent"] = .string(agent) }
        return variables
    }

    /// Renders the step's own text (an agent prompt, a description) with its template compiled at preflight.
    public func renderStepText() throws(TemplateError) -> String {
        guard let template = plan.template else { return try render(plan.step.text) }
        guard template.hasTags else { return template.source }
        return try template.render(variables())
    }

    /// Renders `template` over ``variables()``. A reference to anything that does not exist throws,
    /// naming the missing path.
    public func render(_ template: String) throws(TemplateError) -> String {
        let compiled = try CompiledTemplate(template)
        guard compiled.hasTags else { return template }
        return try compiled.render(variables())
    }

    /// Parses `source` (from the preflight cache when it was seen there).
    public func expression(_ source: String) throws(ExpressionSyntaxError) -> Expression {
        try run.plan.expression(source)
    }

    /// Evaluates `expression` over ``variables()``.
    public func evaluate(_ expression: Expression) throws(ExpressionEvaluationError) -> JSONValue {
        try expression.evaluate(in: ExpressionContext(variables: variables()))
    }

    /// Asks an agent, with the executor's retries, events and cancellation. The answer is recorded
    /// among this phase's responses unless `purpose` is `review`.
    public func queryAgent(
        _ agentID: String, prompt: String, format: AgentRequest.ResponseFormat? = nil,
        purpose: AgentRequest.Purpose = .custom
    ) async throws -> AgentResponse {
        try await run.queryAgent(
            agentID, prompt: prompt, format: format ?? plan.responseFormat, purpose: purpose, context: self,
            recordsReply: purpose != .review
        ).response
    }

    /// The built-in agent step's query: like ``queryAgent(_:prompt:format:purpose:)`` with the
    /// `step` purpose, returning the reply recorded among this phase's responses, which the step
    /// keeps as its value rather than a copy.
    nonisolated(nonsending) func queryAgentReply(_ agentID: String, prompt: String) async throws -> AgentReply {
        try await run.queryAgent(
            agentID, prompt: prompt, format: plan.responseFormat, purpose: .step, context: self, recordsReply: true)
    }

    /// Sleeps on the executor's clock; throws `CancellationError` when the step is cancelled.
    public func sleep(for duration: Duration) async throws {
        try await run.clock.sleep(for: duration)
    }
}
