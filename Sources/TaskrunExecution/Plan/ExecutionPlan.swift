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
    /// What keeps the task from running, found while building the plan. A plan with problems is
    /// never run; it is kept so that its references can still be checked and reported together.
    let problems: [PreflightProblem]
    /// Whether ``referenceProblems(input:)`` has anything to look at: a condition, a template with
    /// tags, a validation or a classify step. Checked once per execution, it walked every step of
    /// every phase of a task that has none (a 1,000-phase chain: ~1% of running it).
    private let hasReferences: Bool

    /// The fields of a phase in templates and expressions.
    static let phaseFields = ["name", "status", "outputs", "responses", "errors", "attempts", "result", "steps"]
    /// The names at the root of the template and expression context.
    static let rootNames = ["input", "phases", "steps", "execution", "task", "phase", "agent"]
    /// Aggregate kinds the built-in `aggregate` strategy computes.
    static let builtInAggregateKinds = ["responses", "consensus", "summary"]

    init(task: TaskDefinition, strategies: [String: any StepStrategy]) {
        var problems: [PreflightProblem] = []
        var builder = PlanBuilder(task: task, strategies: strategies)
        let phases = builder.build(problems: &problems)
        self.problems = problems
        self.task = task
        self.phases = phases
        self.phaseIndex = builder.phaseIndex
        self.agentRetry = task.metadata.retry ?? .none
        self.expressions = builder.expressions
        self.secretInputs = task.requirements.filter(\.isSecret).map(\.name)
        self.hasReferences = phases.contains { phase in
            phase.condition != nil
                || phase.steps.contains { step in
                    step.condition != nil || step.template?.hasTags == true || Self.mayHaveExpressions(step)
                }
        }
    }

    /// Whether ``expressionSources(of:)`` may find anything in `step` (by its kind alone).
    private static func mayHaveExpressions(_ step: StepPlan) -> Bool {
        switch step.step.kind {
        case .validation, .custom("classify"): true
        default: false
        }
    }

    /// Every problem that keeps the task from running with `input` (`nil`: checks that need the
    /// input are skipped).
    func allProblems(input: [String: JSONValue]?) -> [PreflightProblem] {
        problems + referenceProblems(input: input)
    }

    /// The parsed expression for `source`, from the plan when it was seen at preflight.
    func expression(_ source: String) throws(ExpressionSyntaxError) -> Expression {
        if let parsed = expressions[source] { return parsed }
        return try Expression(parsing: source)
    }

    /// References that cannot resolve whatever happens at run time, in templates and in
    /// expressions (`when:`, validation criteria, classify rules): unknown roots, input keys the
    /// input does not have (when `input` is given), phases that do not exist or are not
    /// dependencies. Checked before anything runs; template references inside sections, and
    /// anything below a phase's `outputs`, are checked when evaluated.
    func referenceProblems(input: [String: JSONValue]?) -> [PreflightProblem] {
        guard hasReferences else { return [] }
        var problems: [PreflightProblem] = []
        for phase in phases {
            if let condition = phase.condition {
                for message in expressionProblems(condition, in: phase, step: nil, input: input) {
                    problems.append(PreflightProblem(message, phase: phase.name, location: phase.phase.location))
                }
            }
            for step in phase.steps {
                func report(_ message: String) {
                    problems.append(
                        PreflightProblem(message, phase: phase.name, step: step.index, location: step.step.location))
                }
                if let condition = step.condition {
                    expressionProblems(condition, in: phase, step: step, input: input).forEach(report)
                }
                for source in expressionSources(of: step) {
                    guard let expression = expressions[source] else { continue }
                    expressionProblems(expression, in: phase, step: step, input: input).forEach(report)
                }
                guard let template = step.template, template.hasTags else { continue }
                for node in template.nodes {
                    if let message = staticProblem(node.name, in: phase, isAgent: step.isAgent, input: input) {
                        report(message)
                    }
                }
            }
        }
        return problems
    }

    /// The expressions a built-in step evaluates besides its `when:`.
    private func expressionSources(of step: StepPlan) -> [String] {
        switch step.step.kind {
        case .validation:
            let criterion = step.step.text.trimmingWhitespace()
            guard let expression = expressions[criterion], !expression.isBareName else { return [] }
            return [criterion]
        case .custom("classify") where step.strategyName == "classify":
            return ClassifyRule.rules(of: step.step).compactMap { try? $0.get().condition }
        default:
            return []
        }
    }

    /// Problems with the static part of each name the expression reads. A phase's own `when:`
    /// (`step == nil`) sees only its dependencies; a step's expressions see its phase as well.
    private func expressionProblems(
        _ expression: Expression, in phase: PhasePlan, step: StepPlan?, input: [String: JSONValue]?
    ) -> [String] {
        let what = step == nil ? "'when: \(expression.source)'" : "'\(expression.source)'"
        var problems: [String] = []
        var roots = ["input", "phases", "execution", "task", "phase"]
        if step != nil { roots.append("steps") }
        if step?.isAgent == true { roots.append("agent") }
        for reference in expression.references {
            guard roots.contains(reference.root) else {
                problems.append(
                    "\(what) reads '\(reference.root)', which does not exist"
                        + (Suggestion.closest(to: reference.root, in: roots).map { "; did you mean '\($0)'?" }
                            ?? " (names start with \(roots.joined(separator: ", ")))"))
                continue
            }
            guard case .key(let first)? = reference.components.first else { continue }
            switch reference.root {
            case "input":
                guard let input, input[first] == nil else { continue }
                problems.append(
                    "\(what) reads 'input.\(first)', which is not in the input"
                        + (Suggestion.closest(to: first, in: input.keys).map { "; did you mean '\($0)'?" } ?? ""))
            case "phases":
                guard let index = phaseIndex[first] else {
                    let candidates = phases.flatMap { [$0.name] + ($0.alias.map { [$0] } ?? []) }
                    problems.append(
                        "\(what) reads phase '\(first)', which does not exist"
                            + (Suggestion.closest(to: first, in: candidates).map { "; did you mean '\($0)'?" } ?? ""))
                    continue
                }
                if phase.ancestors.contains(index) || (step != nil && index == phase.index) { continue }
                problems.append(
                    "\(what) reads phase '\(phases[index].name)', which is not a dependency of '\(phase.name)'; add it to dependsOn"
                )
            default:
                continue
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
                return
                    "template references '\(name)', but phase '\(phases[index].name)' is not a dependency of '\(phase.name)'; add it to dependsOn"
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
