import TaskrunCore

/// Builds an ``ExecutionPlan``'s phases, collecting every preflight problem instead of stopping at
/// the first.
struct PlanBuilder {
    let task: TaskDefinition
    let strategies: [String: any StepStrategy]
    private(set) var phaseIndex: [String: Int] = [:]
    private(set) var expressions: [String: Expression] = [:]

    init(task: TaskDefinition, strategies: [String: any StepStrategy]) {
        self.task = task
        self.strategies = strategies
    }

    mutating func build(problems: inout [PreflightProblem]) -> [PhasePlan] {
        checkTaskSettings(&problems)
        let aliases = indexPhases(&problems)
        let dependencies = resolveDependencies(&problems)
        guard let ancestors = ancestorSets(dependencies, &problems) else { return [] }
        var dependents = Array(repeating: [Int](), count: task.phases.count)
        for (index, deps) in dependencies.enumerated() {
            for dependency in deps { dependents[dependency].append(index) }
        }
        var plans: [PhasePlan] = []
        for (index, phase) in task.phases.enumerated() {
            let steps = planSteps(of: phase, &problems)
            plans.append(
                PhasePlan(
                    index: index, phase: phase, alias: aliases[index], dependencies: dependencies[index],
                    dependents: dependents[index], ancestors: ancestors[index],
                    condition: parseCondition(phase.condition, phase: phase, step: nil, &problems),
                    steps: steps, segments: segments(of: phase, steps), timeout: phase.timeout?.duration,
                    retry: phase.retry, reviewer: phase.reviewer ?? task.metadata.reviewer))
            if let retry = phase.retry { check(retry, "phase '\(phase.name)' retry", phase.location, &problems) }
        }
        return plans
    }

    // MARK: Task and phases

    private func checkTaskSettings(_ problems: inout [PreflightProblem]) {
        if let limit = task.metadata.maxConcurrentPhases, limit < 1 {
            problems.append(PreflightProblem("maxConcurrentPhases must be at least 1, got \(limit)"))
        }
        if let retry = task.metadata.retry { check(retry, "retry", nil, &problems) }
        if task.phases.isEmpty { problems.append(PreflightProblem("the task has no phases")) }
    }

    private func check(
        _ retry: RetryPolicy, _ what: String, _ location: SourceLocation?, _ problems: inout [PreflightProblem]
    ) {
        if retry.maxAttempts < 1 {
            problems.append(
                PreflightProblem(
                    "\(what): maxAttempts must be at least 1, got \(retry.maxAttempts)", location: location))
        }
        if retry.backoffMs < 0 || (retry.maxBackoffMs ?? 0) < 0 {
            problems.append(PreflightProblem("\(what): backoff cannot be negative", location: location))
        }
        if !(0...1).contains(retry.jitter) {
            problems.append(
                PreflightProblem("\(what): jitter must be between 0 and 1, got \(retry.jitter)", location: location))
        }
    }

    /// Fills `phaseIndex` with exact names and aliases; returns each phase's alias.
    private mutating func indexPhases(_ problems: inout [PreflightProblem]) -> [String?] {
        for (index, phase) in task.phases.enumerated() {
            if let other = phaseIndex[phase.name] {
                problems.append(
                    PreflightProblem(
                        "duplicate phase name '\(phase.name)' (first at line \(task.phases[other].location.line))",
                        phase: phase.name, location: phase.location))
            } else {
                phaseIndex[phase.name] = index
            }
        }
        var aliases: [String?] = []
        for (index, phase) in task.phases.enumerated() {
            guard let alias = PhaseAlias.make(phase.name), alias != phase.name else {
                aliases.append(nil)
                continue
            }
            if let other = phaseIndex[alias], other != index {
                problems.append(
                    PreflightProblem(
                        "phase '\(phase.name)' has the template alias '\(alias)', which is also the name or alias of phase '\(task.phases[other].name)'",
                        phase: phase.name, location: phase.location, hint: "rename one of them"))
                aliases.append(nil)
            } else {
                phaseIndex[alias] = index
                aliases.append(alias)
            }
        }
        return aliases
    }

    private func resolveDependencies(_ problems: inout [PreflightProblem]) -> [[Int]] {
        // Exact names only (an alias is not a dependency's name), the first phase of a duplicated
        // name: looked up, not searched, or a 1,000-phase chain costs half a million comparisons.
        var firstIndex: [String: Int] = [:]
        firstIndex.reserveCapacity(task.phases.count)
        for (index, phase) in task.phases.enumerated() where firstIndex[phase.name] == nil {
            firstIndex[phase.name] = index
        }
        return task.phases.map { phase in
            var indexes: [Int] = []
            for dependency in phase.dependencies {
                guard let index = firstIndex[dependency.name] else {
                    let names = task.phases.map(\.name)
                    problems.append(
                        PreflightProblem(
                            "depends on unknown phase '\(dependency.name)'", phase: phase.name,
                            location: dependency.location,
                            hint: Suggestion.closest(to: dependency.name, in: names).map { "did you mean '\($0)'?" }))
                    continue
                }
                if !indexes.contains(index) { indexes.append(index) }
            }
            return indexes
        }
    }

    /// Each phase's transitive dependencies, or `nil` (with a problem) for a cycle.
    private func ancestorSets(_ dependencies: [[Int]], _ problems: inout [PreflightProblem]) -> [PhaseSet]? {
        let count = dependencies.count
        var remaining = dependencies.map(\.count)
        var dependents = Array(repeating: [Int](), count: count)
        for (index, deps) in dependencies.enumerated() {
            for dependency in deps { dependents[dependency].append(index) }
        }
        var order: [Int] = []
        var ready = (0..<count).filter { remaining[$0] == 0 }
        while let next = ready.popLast() {
            order.append(next)
            for dependent in dependents[next] {
                remaining[dependent] -= 1
                if remaining[dependent] == 0 { ready.append(dependent) }
            }
        }
        guard order.count == count else {
            let stuck = (0..<count).filter { remaining[$0] > 0 }.map { "'\(task.phases[$0].name)'" }
            problems.append(PreflightProblem("dependency cycle among phases \(stuck.joined(separator: ", "))"))
            return nil
        }
        var ancestors = Array(repeating: PhaseSet(capacity: count), count: count)
        for index in order {
            for dependency in dependencies[index] {
                ancestors[index].insert(dependency)
                ancestors[index].formUnion(ancestors[dependency])
            }
        }
        return ancestors
    }

    private mutating func parseCondition(
        _ source: String?, phase: Phase, step: Int?, _ problems: inout [PreflightProblem]
    ) -> Expression? {
        guard let source else { return nil }
        do {
            let expression = try Expression(parsing: source)
            expressions[source] = expression
            return expression
        } catch {
            problems.append(
                PreflightProblem(
                    "'when: \(source)' is not a valid expression: \(error.message)", phase: phase.name, step: step,
                    location: phase.location))
            return nil
        }
    }

    // MARK: Steps

    private mutating func planSteps(of phase: Phase, _ problems: inout [PreflightProblem]) -> [StepPlan] {
        var written = phase.steps
        var synthesized = 0
        if !phase.steps.contains(where: { $0.agentID != nil }) {
            // Listed agents with no step of their own are asked the phase description (SHARED-DECISIONS 4).
            let prompt = phase.description.isEmpty ? phase.name : phase.description
            let listed = phase.agents.map { Step(kind: .agent(id: $0), text: prompt, location: phase.location) }
            synthesized = listed.count
            written = listed + written
        }
        let defaultFormat: AgentRequest.ResponseFormat =
            phase.steps.contains { $0.kind == .aggregate(kind: "consensus") } ? .structured : .text
        var plans: [StepPlan] = []
        for (index, step) in written.enumerated() {
            if let plan = planStep(
                step, index: index, synthesized: index < synthesized, in: phase, defaultFormat, &problems)
            {
                plans.append(plan)
            }
        }
        return plans
    }

    private func strategyName(for step: Step) -> String {
        if case .aggregate(let kind) = step.kind, !ExecutionPlan.builtInAggregateKinds.contains(kind),
            strategies[kind] != nil
        {
            return kind
        }
        return step.kind.typeName
    }

    private mutating func planStep(
        _ step: Step, index: Int, synthesized: Bool, in phase: Phase, _ defaultFormat: AgentRequest.ResponseFormat,
        _ problems: inout [PreflightProblem]
    ) -> StepPlan? {
        let name = strategyName(for: step)
        func problem(_ message: String, hint: String? = nil) {
            problems.append(
                PreflightProblem(message, phase: phase.name, step: index, location: step.location, hint: hint))
        }
        guard let strategy = strategies[name] else {
            problem(
                "unknown step type '\(name)'",
                hint: Suggestion.closest(to: name, in: strategies.keys).map { "did you mean '\($0)'?" }
                    ?? "known types: \(strategies.keys.sorted().joined(separator: ", "))")
            return nil
        }
        for found in strategy.preflight(step, in: phase, task: task) {
            var found = found
            found.phase = found.phase ?? phase.name
            found.step = found.step ?? index
            found.location = found.location ?? step.location
            problems.append(found)
        }
        let parameters = step.parameters
        var condition: Expression?
        if let when = parameters["when"] {
            if let source = when.stringValue {
                condition = parseCondition(source, phase: phase, step: index, &problems)
            } else {
                problem("'when' must be an expression, got \(when.compactJSON)")
            }
        }
        var timeout: Duration?
        switch parameters["timeout"] {
        case nil: break
        case .number(let milliseconds)? where milliseconds >= 0: timeout = .milliseconds(exactly: milliseconds)
        case .string(let text)?:
            do { timeout = try TaskDuration.parse(text).duration } catch { problem("'timeout': \(error)") }
        case let other?: problem("'timeout' must be a duration, got \(other.compactJSON)")
        }
        var maxAttempts: Int?
        if let retry = parameters["retry"] {
            if let count = retry.doubleValue, count >= 1, count.rounded() == count, count < 1000 {
                maxAttempts = Int(count)
            } else {
                problem("'retry' must be a whole number of attempts (1 or more), got \(retry.compactJSON)")
            }
        }
        if let required = parameters["required"], required.boolValue == nil {
            problem("'required' must be true or false, got \(required.compactJSON)")
        }
        var outputName: String?
        if let output = parameters["output"] {
            if let text = output.stringValue, !text.isEmpty {
                outputName = text
            } else {
                problem("'output' must be the name of an output, got \(output.compactJSON)")
            }
        }
        var format = defaultFormat
        if let requested = parameters["format"] {
            if let text = requested.stringValue, let parsed = AgentRequest.ResponseFormat(rawValue: text) {
                format = parsed
            } else {
                problem("'format' must be text, structured or judgement, got \(requested.compactJSON)")
            }
        }
        var template: CompiledTemplate?
        switch step.kind {
        case .agent, .description:
            do { template = try CompiledTemplate(step.text) } catch { problem(error.message) }
        case .validation:
            if let expression = try? Expression(parsing: step.text.trimmingWhitespace()) {
                expressions[step.text.trimmingWhitespace()] = expression
            }
        case .custom("classify"):
            for rule in ClassifyRule.rules(of: step) {
                if case .success(let rule) = rule, let expression = try? Expression(parsing: rule.condition) {
                    expressions[rule.condition] = expression
                }
            }
        default: break
        }
        return StepPlan(
            index: index, step: step, strategyName: name, strategy: strategy, isSynthesized: synthesized,
            condition: condition, timeout: timeout, maxAttempts: maxAttempts, isRequired: step.isRequired,
            outputName: outputName, responseFormat: format, template: template)
    }

    private func segments(of phase: Phase, _ steps: [StepPlan]) -> [[Int]] {
        var segments: [[Int]] = []
        var group: [Int] = []
        for step in steps {
            if phase.runsAgentsInParallel, step.strategy.scheduling == .concurrent {
                group.append(step.index)
            } else {
                if !group.isEmpty { segments.append(group) }
                group = []
                segments.append([step.index])
            }
        }
        if !group.isEmpty { segments.append(group) }
        return segments
    }
}
