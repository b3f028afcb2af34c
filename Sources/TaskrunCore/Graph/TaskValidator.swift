/// Whole-task checks that need every phase at once: duplicate names, unknown dependencies,
/// cycles, agents used but not listed.
///
/// ``TaskParser`` calls it after building the definition. The diagnostics it returns, sorted by
/// position, have these stable codes:
///
/// | code | severity | meaning |
/// |---|---|---|
/// | `duplicate-phase` | error | a second phase with an existing name (note: where the first is) |
/// | `unknown-dependency` | error | a dependency names no phase (hint: the closest name) |
/// | `self-dependency` | error | a phase depends on itself |
/// | `dependency-cycle` | error | phases wait for each other (`A -> B -> A`), once per cycle |
/// | `duplicate-dependency` | warning | the same dependency named twice by one phase |
/// | `agent-not-listed` | warning | an agent step's agent is missing from the phase's (non-empty) `### Agents` list |
/// | `agent-without-step` | warning | a listed agent has no step in a phase that has agent steps (unless a step names a close misspelling of it: that is one slip, reported as `agent-not-listed`) |
///
/// A phase with no agent steps queries each listed agent with its description, so its list is
/// never warned about; in a phase with agent steps and an `### Agents` list, the list must name
/// exactly the agents the steps use (SHARED-DECISIONS 4). A phase with agent steps and no list
/// declares nothing to compare with and gets no warning.
public struct TaskValidator: Sendable {
    public init() {}

    /// Every whole-task problem of `task`, reported against `path`, sorted by position.
    public func validate(_ task: TaskDefinition, path: String) -> [Diagnostic] {
        validate(task, path: path, spans: NameSpans())
    }

    /// Every whole-task problem of `task`, underlining the names at `spans` when known.
    func validate(_ task: TaskDefinition, path: String, spans: NameSpans) -> [Diagnostic] {
        var diagnostics =
            Self.dependsOnlyOnEarlierPhases(task.phases) ? [] : graphDiagnostics(task, path: path, spans: spans)
        for index in task.phases.indices where Self.mayHaveAgentDiagnostics(task.phases[index]) {
            diagnostics += agentDiagnostics(for: task.phases[index], path: path, spans: spans[phase: index])
        }
        return diagnostics.isEmpty ? diagnostics : diagnostics.sortedByPosition()
    }

    /// Whether the phases have unique names and each dependency names, once, a phase written
    /// before its own: then the graph has no problem (no unknown name, no cycle, file order is an
    /// order to run in). Compares names in place, for a task of usual size: no dictionary, no
    /// dependency lists; `false` (the full check decides) for larger tasks.
    static func dependsOnlyOnEarlierPhases(_ phases: [Phase]) -> Bool {
        guard phases.count <= 32 else { return false }
        for index in phases.indices {
            for earlier in 0..<index where phases[earlier].name == phases[index].name { return false }
            let dependencies = phases[index].dependencies
            guard dependencies.count <= 16 else { return false }
            for entry in dependencies.indices {
                let name = dependencies[entry].name
                guard (0..<index).contains(where: { phases[$0].name == name }) else { return false }
                for other in 0..<entry where dependencies[other].name == name { return false }
            }
        }
        return true
    }

    /// Whether ``agentDiagnostics(for:path:spans:)`` can find anything: the phase has agent
    /// steps and an agent list that are not exactly the same agents. Decided without building
    /// anything for a phase of usual size.
    static func mayHaveAgentDiagnostics(_ phase: Phase) -> Bool {
        guard !phase.agents.isEmpty else { return false }
        guard phase.steps.count <= 64, phase.agents.count <= 32 else { return true }
        var hasAgentStep = false
        for index in phase.steps.indices {
            guard case .agent(let id) = phase.steps[index].kind else { continue }
            hasAgentStep = true
            if !phase.agents.contains(id) { return true }
        }
        guard hasAgentStep else { return false }
        for id in phase.agents {
            let used = phase.steps.indices.contains { index in
                if case .agent(let stepID) = phase.steps[index].kind { return stepID == id }
                return false
            }
            if !used { return true }
        }
        return false
    }

    /// The graph checks of ``validate(_:path:spans:)``, by the general path.
    private func graphDiagnostics(_ task: TaskDefinition, path: String, spans: NameSpans) -> [Diagnostic] {
        // Most tasks have no graph problem: finding that out needs only the names resolved and
        // the cycles looked for, not the whole graph (order, levels, critical path).
        let resolution = PhaseGraph.resolve(task.phases)
        var diagnostics: [Diagnostic] = []
        // When every phase depends only on phases written before it (the usual way to write a
        // task), file order is a topological order and there is no cycle to look for.
        let dependencies = resolution.dependencies
        let pointsBackward = dependencies.indices.allSatisfy { index in dependencies[index].allSatisfy { $0 < index } }
        if !resolution.problems.isEmpty
            || (!pointsBackward && !PhaseGraph.findCycles(dependencies: dependencies).isEmpty)
        {
            let graph = PhaseGraph(phases: task.phases)
            var suggestions = NameSuggestions(names: task.phases.map(\.name))
            diagnostics = graph.problems.map {
                diagnostic(for: $0, in: graph, path: path, spans: spans, suggestions: &suggestions)
            }
        }
        return diagnostics
    }
}

extension TaskValidator {
    /// The diagnostic for one problem of the phase graph.
    func diagnostic(
        for problem: PhaseGraph.Problem, in graph: PhaseGraph, path: String, spans: NameSpans,
        suggestions: inout NameSuggestions
    ) -> Diagnostic {
        let phases = graph.phases
        switch problem {
        case .duplicateName(let index, let first):
            let phase = phases[index]
            let name = spans[phase: index].name
            let firstName = spans[phase: first].name
            return .error(
                "duplicate-phase", "duplicate phase name '\(phase.name)'", path: path,
                at: name?.location ?? phase.location, length: name?.length ?? 1,
                notes: ["first defined at \(firstName?.location ?? phases[first].location)"],
                hint: "rename one of them; dependencies refer to phases by name")

        case .unknownDependency(let index, let entry):
            let phase = phases[index]
            let dependency = phase.dependencies[entry]
            var notes: [String] = []
            let suggestion = suggestions.closest(to: dependency.name).flatMap { $0 == phase.name ? nil : $0 }
            if suggestion == nil, phases.count <= 13 {
                let known = phases.map(\.name).filter { $0 != phase.name }
                if !known.isEmpty {
                    notes.append("phases of this task: \(known.map { "'\($0)'" }.joined(separator: ", "))")
                }
            }
            return .error(
                "unknown-dependency", "phase '\(phase.name)' depends on unknown phase '\(dependency.name)'",
                path: path, at: dependency.location, length: dependency.name.unicodeScalars.count,
                notes: notes, hint: suggestion.map { "did you mean '\($0)'?" })

        case .selfDependency(let index, let entry):
            let phase = phases[index]
            let dependency = phase.dependencies[entry]
            return .error(
                "self-dependency", "phase '\(phase.name)' depends on itself", path: path, at: dependency.location,
                length: dependency.name.unicodeScalars.count,
                hint: "remove '\(dependency.name)' from the phase's dependencies")

        case .duplicateDependency(let index, let entry, let first):
            let phase = phases[index]
            let dependency = phase.dependencies[entry]
            return .warning(
                "duplicate-dependency", "phase '\(phase.name)' depends on '\(dependency.name)' more than once",
                path: path, at: dependency.location, length: dependency.name.unicodeScalars.count,
                notes: ["first named at \(phase.dependencies[first].location)"])

        case .cycle(let cycle):
            return cycleDiagnostic(cycle, in: graph, path: path)
        }
    }

    /// One error per cycle, at the dependency that starts its path; each further link of the
    /// chain is a note with its position, so the user can pick which one to remove.
    func cycleDiagnostic(_ cycle: PhaseGraph.Cycle, in graph: PhaseGraph, path: String) -> Diagnostic {
        let phases = graph.phases
        let links = cycle.path.indices.map { position in
            (from: cycle.path[position], to: cycle.path[(position + 1) % cycle.path.count])
        }
        func entry(_ link: (from: Int, to: Int)) -> PhaseDependency? {
            phases[link.from].dependencies.first { graph.index(of: $0.name) == link.to }
        }
        let first = links.first.flatMap(entry)
        var notes = links.dropFirst().map { link in
            let place = entry(link).map { " at \($0.location)" } ?? ""
            return "'\(phases[link.from].name)' depends on '\(phases[link.to].name)'\(place)"
        }
        let others = cycle.members.filter { !cycle.path.contains($0) }
        if !others.isEmpty {
            let names = graph.names(others).map { "'\($0)'" }.joined(separator: ", ")
            notes.append("also caught in this cycle: \(names)")
        }
        let start = phases[cycle.path[0]]
        return .error(
            "dependency-cycle", "dependency cycle: \(graph.describe(cycle))", path: path,
            at: first?.location ?? start.location, length: first?.name.unicodeScalars.count ?? 1,
            notes: notes, hint: "remove one of these dependencies; phases in a cycle can never start")
    }

    /// Warnings about a phase's `### Agents` list disagreeing with its agent steps
    /// (SHARED-DECISIONS 4). A step agent missing from the list and a listed agent no step uses
    /// that are one typo apart are the same slip, reported once, at the step.
    func agentDiagnostics(for phase: Phase, path: String, spans: NameSpans.PhaseSpans) -> [Diagnostic] {
        let stepAgents = phase.steps.indices.compactMap { index in
            phase.steps[index].agentID.map { (id: $0, step: index) }
        }
        // Without agent steps the list is what gets queried; without a list there is nothing to
        // compare the steps with (files from the original framework often have none).
        guard !stepAgents.isEmpty, !phase.agents.isEmpty else { return [] }
        // The usual case, the list naming exactly the step agents, needs no sets: a few string
        // comparisons for a phase of committee size (building sets dominated this check).
        if stepAgents.count <= 32, phase.agents.count <= 32,
            stepAgents.allSatisfy({ phase.agents.contains($0.id) }),
            phase.agents.allSatisfy({ id in stepAgents.contains { $0.id == id } })
        {
            return []
        }
        let listed = Set(phase.agents)
        let used = Set(stepAgents.map(\.id))
        var diagnostics: [Diagnostic] = []
        // Where `id` is listed: its first bullet, when known.
        func listing(_ id: String) -> NameSpans.Span? {
            phase.agents.firstIndex(of: id).flatMap { spans.agents.indices.contains($0) ? spans.agents[$0] : nil }
        }

        var reported = Set<String>()
        var explained = Set<String>()
        for (id, stepIndex) in stepAgents where !listed.contains(id) && reported.insert(id).inserted {
            let unused = phase.agents.filter { !used.contains($0) && !explained.contains($0) }
            let suggestion = Suggestion.closest(to: id, in: unused)
            var notes: [String] = []
            if let suggestion {
                explained.insert(suggestion)
                let place = listing(suggestion).map { " at \($0.location)" } ?? ""
                notes.append("'\(suggestion)' is listed\(place), but no step queries it")
            }
            let agent = spans.stepAgents[stepIndex]
            diagnostics.append(
                .warning(
                    "agent-not-listed",
                    "agent '\(id)' is used in a step but not listed under '### Agents' of phase '\(phase.name)'",
                    path: path, at: agent?.location ?? phase.steps[stepIndex].location, length: agent?.length ?? 1,
                    notes: notes,
                    hint: suggestion.map { "did you mean '\($0)'?" } ?? "add '- \(id)' to the phase's '### Agents' list"
                ))
        }

        reported.removeAll()
        for id in phase.agents where !used.contains(id) && !explained.contains(id) && reported.insert(id).inserted {
            let bullet = listing(id)
            let suggestion = Suggestion.closest(to: id, in: used.filter { !listed.contains($0) })
            diagnostics.append(
                .warning(
                    "agent-without-step",
                    "agent '\(id)' is listed for phase '\(phase.name)' but no step queries it",
                    path: path, at: bullet?.location ?? phase.location, length: bullet?.length ?? 1,
                    notes: ["a phase with agent steps only queries the agents its steps name"],
                    hint: suggestion.map { "did you mean '\($0)'?" }
                        ?? "add a step '- agent: \(id) - <prompt>', or remove it from '### Agents'"))
        }
        return diagnostics
    }
}

/// "Did you mean" lookups over a task's phase names (the rules of ``Suggestion/closest(to:in:)``),
/// with the names lowercased once, results remembered per misspelling, and the total work
/// bounded, so a generated file with thousands of bad dependencies stays fast: once the budget
/// is spent, further misspellings just get no hint.
struct NameSuggestions {
    /// Edit-distance comparisons allowed over the whole task.
    static let comparisonBudget = 50_000
    /// Longer names are not typos worth an edit-distance search.
    static let maximumLength = 256

    private let names: [String]
    private let lowered: [[Unicode.Scalar]]
    private var found: [String: String?] = [:]
    private var budget = comparisonBudget

    init(names: [String]) {
        self.names = names
        lowered = names.map { Array($0.lowercased().unicodeScalars) }
    }

    mutating func closest(to name: String) -> String? {
        if let known = found[name] { return known }
        let target = Array(name.lowercased().unicodeScalars)
        guard target.count <= Self.maximumLength, budget >= names.count else { return nil }
        budget -= names.count
        let limit = max(1, target.count / 3)
        var best: (index: Int, distance: Int)?
        for (index, candidate) in lowered.enumerated() where names[index] != name {
            guard abs(candidate.count - target.count) <= limit else { continue }
            let distance = Suggestion.editDistance(target, candidate, limit: limit)
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (index, distance)
            }
        }
        let suggestion = best.map { names[$0.index] }
        found[name] = suggestion
        return suggestion
    }
}
