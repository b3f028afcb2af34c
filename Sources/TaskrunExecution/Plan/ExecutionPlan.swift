import TaskrunCore

/// A task resolved for execution: phases indexed, dependencies and ancestors computed, strategies
/// looked up, conditions parsed and templates compiled. Built once per task definition and strategy
/// registry, shared by every execution of it; building it is the preflight check.
final class ExecutionPlan: Sendable {
    let task: TaskDefinition
    let phases: [PhasePlan]
    /// Phase index by exact name and by alias.
    let phaseIndex: [String: Int]
    /// The agent query retry policy (the task's `retry`, or one attempt).
    let agentRetry: RetryPolicy
    /// Parsed expressions by source text: conditions, validation criteria, classify rules.
    let expressions: [String: Expression]
    let secretInputs: [String]

    /// The fields of a phase in templates and expressions.
    static let phaseFields = ["name", "status", "outputs", "responses", "errors", "attempts", "result", "steps"]
    /// The names at the root of the template and expression context.
    static let rootNames = ["input", "phases", "steps", "execution", "task", "phase", "agent"]
    /// Aggregate kinds the built-in `aggregate` strategy computes.
    static let builtInAggregateKinds = ["responses", "consensus", "summary"]

    init(task: TaskDefinition, strategies: [String: any StepStrategy]) throws(ExecutionError) {
        var problems: [PreflightProblem] = []
        var builder = PlanBuilder(task: task, strategies: strategies)
        let phases = builder.build(problems: &problems)
        if !problems.isEmpty { throw .preflightFailed(problems) }
        self.task = task
        self.phases = phases
        self.phaseIndex = builder.phaseIndex
        self.agentRetry = task.metadata.retry ?? .none
        self.expressions = builder.expressions
        self.secretInputs = task.requirements.filter(\.isSecret).map(\.name)
    }

    /// The parsed expression for `source`, from the plan when it was seen at preflight.
    func expression(_ source: String) throws(ExpressionSyntaxError) -> Expression {
        if let parsed = expressions[source] { return parsed }
        return try Expression(parsing: source)
    }

    /// Template references that cannot resolve whatever happens at run time: unknown roots, input
    /// keys the input does not have, phases that are not dependencies. Checked before anything
    /// runs; references inside sections are checked when rendered.
    func templateProblems(input: [String: JSONValue]?) -> [PreflightProblem] {
        var problems: [PreflightProblem] = []
        for phase in phases {
            for step in phase.steps {
                guard let template = step.template, template.hasTags else { continue }
                for node in template.nodes {
                    if let message = staticProblem(node.name, in: phase, isAgent: step.isAgent, input: input) {
                        problems.append(
                            PreflightProblem(
                                message, phase: phase.name, step: step.index, location: step.step.location))
                    }
                }
            }
        }
        return problems
    }

    private func staticProblem(_ name: String, in phase: PhasePlan, isAgent: Bool, input: [String: JSONValue]?)
        -> String?
    {
        guard !name.hasPrefix(".") else { return nil }
        let parts = name.split(separator: ".").map(String.init)
        guard let root = parts.first else { return nil }
        switch root {
        case "input":
            guard let input else { return nil }
            do {
                _ = try TemplateLookup.resolve(name, in: [.object(["input": .object(input)])])
                return nil
            } catch {
                return error.message
            }
        case "phases":
            guard parts.count >= 2 else { return nil }
            guard let index = phaseIndex[parts[1]] else {
                let candidates = phases.flatMap { [$0.name] + ($0.alias.map { [$0] } ?? []) }
                return "template references '\(name)', but there is no phase '\(parts[1])'"
                    + (Suggestion.closest(to: parts[1], in: candidates).map { "; did you mean '\($0)'?" } ?? "")
            }
            guard index == phase.index || phase.ancestors.contains(index) else {
                return "template references '\(name)', but phase '\(phases[index].name)' is not a dependency of '\(phase.name)'; add it to dependsOn"
            }
            if parts.count >= 3, !Self.phaseFields.contains(parts[2]) {
                return "template references '\(name)', but a phase has no '\(parts[2])'"
                    + (Suggestion.closest(to: parts[2], in: Self.phaseFields).map { "; did you mean '\($0)'?" }
                        ?? " (it has \(Self.phaseFields.joined(separator: ", ")))")
            }
            return nil
        case "execution":
            return parts.count == 1 || (parts.count == 2 && parts[1] == "id")
                ? nil : "template references '\(name)'; 'execution' has only 'id'"
        case "task":
            return parts.count == 1 || (parts.count == 2 && ["name", "id"].contains(parts[1]))
                ? nil : "template references '\(name)'; 'task' has 'name' and 'id'"
        case "phase":
            return parts.count == 1 || (parts.count == 2 && parts[1] == "name")
                ? nil : "template references '\(name)'; 'phase' has only 'name'"
        case "agent":
            guard isAgent else { return "template references 'agent' outside an agent step" }
            return parts.count == 1 ? nil : "template references '\(name)'; 'agent' is the agent's id, a string"
        case "steps":
            return nil
        default:
            return "template references '\(name)', but there is no '\(root)'"
                + (Suggestion.closest(to: root, in: Self.rootNames).map { "; did you mean '\($0)'?" }
                    ?? " (names start with \(Self.rootNames.joined(separator: ", ")))")
        }
    }
}
