/// The dependency graph of a task's phases, with the orders an executor and tools need.
///
/// Build one from the phases in file order; everything is computed once, up front, in time
/// linear in the number of phases and dependencies (the topological order adds a `log n` factor
/// for its file-order tie-breaking):
///
/// ```swift
/// let graph = PhaseGraph(phases: task.phases)
/// guard graph.problems.isEmpty else { ... }        // unknown names, self-dependencies, cycles
/// for level in graph.levels { ... }                 // phases that can run at the same time
/// print(graph.names(graph.criticalPath).joined(separator: " -> "))
/// ```
///
/// Building never fails: a dependency on an unknown phase or on the phase itself is left out of
/// the edges and reported in ``problems``, and phases on a cycle (or waiting on one) are left out
/// of ``topologicalOrder``, ``levels`` and ``criticalPath``, with the cycle in ``cycles``.
///
/// Phases are referred to by their index in ``phases`` (file order). When two phases share a
/// name, the name refers to the first one; the later one is reported as a duplicate.
public struct PhaseGraph: Sendable, Hashable {
    /// The phases, in file order; every other property refers to them by index.
    public let phases: [Phase]

    /// For each phase, the indices of the phases it depends on: in the order written, each once,
    /// without unknown names or the phase itself.
    public let dependencyIndices: [[Int]]

    /// For each phase, the indices of the phases that depend on it, in file order.
    public let dependentIndices: [[Int]]

    /// What is wrong with the graph, in file order of the phase concerned, cycles last.
    /// Empty for a graph an executor can run.
    public let problems: [Problem]

    /// Every dependency cycle, once each, ordered by the file position of their first phase.
    public let cycles: [Cycle]

    /// Every phase after all of its dependencies; among phases that could go next, the one that
    /// comes first in the file goes first, so a file written in dependency order keeps its order.
    /// Phases on a cycle, or depending on one, are missing.
    public let topologicalOrder: [Int]

    /// The phases grouped by their level: a phase's level is the length of the longest chain of
    /// dependencies leading to it (roots are level 0). All phases of a level can run at the same
    /// time once the previous levels are done. Each level is in file order.
    public let levels: [[Int]]

    /// The longest chain of phases each depending on the previous one, from a root to a leaf.
    /// Among chains of equal length, the one that comes first in file order (compared phase by
    /// phase from the root) wins. Its length is the number of levels.
    public let criticalPath: [Int]

    /// The level of each phase (see ``levels``); `nil` for phases on or behind a cycle.
    private let levelOfPhase: [Int?]

    /// The index of the first phase with each name.
    private let indexByName: [String: Int]

    /// Builds the graph of `phases`, given in file order.
    public init(phases: [Phase]) {
        self.phases = phases
        let resolution = Self.resolve(phases)
        indexByName = resolution.indexByName
        dependencyIndices = resolution.dependencies
        dependentIndices = Self.reverse(resolution.dependencies)

        let cycles = Self.findCycles(dependencies: dependencyIndices)
        self.cycles = cycles
        problems = resolution.problems + cycles.map(Problem.cycle)

        let order = Self.topologicalOrder(dependencies: dependencyIndices, dependents: dependentIndices)
        topologicalOrder = order
        let levelOfPhase = Self.levels(order: order, dependencies: dependencyIndices, count: phases.count)
        self.levelOfPhase = levelOfPhase
        levels = Self.group(levelOfPhase)
        criticalPath = Self.criticalPath(order: order, dependents: dependentIndices, count: phases.count)
    }
}

extension PhaseGraph {
    /// The index of the phase with this exact name (the first one, if the name is duplicated).
    public func index(of name: String) -> Int? {
        indexByName[name]
    }

    /// The phase with this exact name (the first one, if the name is duplicated).
    public func phase(named name: String) -> Phase? {
        indexByName[name].map { phases[$0] }
    }

    /// The indices of the phases the phase at `index` depends on (see ``dependencyIndices``).
    public func dependencies(of index: Int) -> [Int] {
        phases.indices.contains(index) ? dependencyIndices[index] : []
    }

    /// The names of the phases the named phase depends on; empty for an unknown name.
    public func dependencies(of name: String) -> [String] {
        indexByName[name].map { names(dependencyIndices[$0]) } ?? []
    }

    /// The indices of the phases that depend on the phase at `index`, in file order.
    public func dependents(of index: Int) -> [Int] {
        phases.indices.contains(index) ? dependentIndices[index] : []
    }

    /// The names of the phases that depend on the named phase; empty for an unknown name.
    public func dependents(of name: String) -> [String] {
        indexByName[name].map { names(dependentIndices[$0]) } ?? []
    }

    /// The level of the phase at `index` (see ``levels``); `nil` for a phase on or behind a cycle.
    public func level(of index: Int) -> Int? {
        phases.indices.contains(index) ? levelOfPhase[index] : nil
    }

    /// The phases that depend on nothing (unknown names and self-dependencies aside), in file order.
    public var roots: [Int] {
        phases.indices.filter { dependencyIndices[$0].isEmpty }
    }

    /// The phases nothing depends on, in file order.
    public var leaves: [Int] {
        phases.indices.filter { dependentIndices[$0].isEmpty }
    }

    /// Whether the graph has no dependency cycle, so every phase is in ``topologicalOrder``.
    public var isAcyclic: Bool { cycles.isEmpty }

    /// The names of the phases at `indices`, in the same order.
    public func names(_ indices: some Sequence<Int>) -> [String] {
        indices.map { phases[$0].name }
    }
}
