extension PhaseGraph {
    /// Something that keeps a task's phases from forming a runnable graph.
    ///
    /// Indices refer to ``PhaseGraph/phases``; a `dependency` index refers to the entry of that
    /// phase's ``Phase/dependencies`` list, so its name and source location are at hand.
    public enum Problem: Sendable, Hashable {
        /// The phase at `phase` has the same name as the earlier phase at `firstDefinition`.
        case duplicateName(phase: Int, firstDefinition: Int)
        /// A dependency names no phase of the task.
        case unknownDependency(phase: Int, dependency: Int)
        /// A phase depends on itself.
        case selfDependency(phase: Int, dependency: Int)
        /// A phase names the same dependency twice; `first` is the earlier entry.
        case duplicateDependency(phase: Int, dependency: Int, first: Int)
        /// Phases that wait for each other, so none of them can ever start.
        case cycle(Cycle)
    }

    /// A set of phases that (directly or indirectly) depend on each other.
    public struct Cycle: Sendable, Hashable {
        /// A shortest cycle through the member that comes first in the file, starting there:
        /// each phase depends on the next one, and the last depends on the first.
        /// `[Analysis, Debate]` reads `Analysis -> Debate -> Analysis`.
        public let path: [Int]
        /// Every phase caught in the cycle (its strongly connected component), in file order.
        /// Larger than `path` when several cycles interlock.
        public let members: [Int]

        public init(path: [Int], members: [Int]) {
            self.path = path
            self.members = members
        }
    }

    /// The cycle's path as text, back to its start: `Analysis -> Debate -> Analysis`.
    public func describe(_ cycle: Cycle) -> String {
        names(cycle.path + cycle.path.prefix(1)).joined(separator: " -> ")
    }
}

extension PhaseGraph {
    /// The result of matching every dependency name to a phase.
    struct Resolution {
        var indexByName: [String: Int] = [:]
        var dependencies: [[Int]] = []
        var problems: [Problem] = []
    }

    /// Indexes the phases by name and turns dependency names into indices, collecting what
    /// cannot be resolved. Linear in phases plus dependencies.
    static func resolve(_ phases: [Phase]) -> Resolution {
        var resolution = Resolution()
        resolution.indexByName.reserveCapacity(phases.count)
        // Phases are read in place (`phases[index].name`), not copied out whole per iteration.
        for index in phases.indices {
            if let first = resolution.indexByName[phases[index].name] {
                resolution.problems.append(.duplicateName(phase: index, firstDefinition: first))
            } else {
                resolution.indexByName[phases[index].name] = index
            }
        }
        resolution.dependencies.reserveCapacity(phases.count)
        for index in phases.indices {
            let dependencies = phases[index].dependencies
            var targets: [Int] = []
            // The entry that first named each target: a short list searched linearly for the
            // usual handful of dependencies, a dictionary for long lists.
            var entries: [Int] = []
            var entryOfTarget: [Int: Int] = [:]
            let useDictionary = dependencies.count > 16
            for entry in dependencies.indices {
                let name = dependencies[entry].name
                guard let target = resolution.indexByName[name] else {
                    resolution.problems.append(.unknownDependency(phase: index, dependency: entry))
                    continue
                }
                let first =
                    useDictionary ? entryOfTarget[target] : targets.firstIndex(of: target).map { entries[$0] }
                if target == index || name == phases[index].name {
                    resolution.problems.append(.selfDependency(phase: index, dependency: entry))
                } else if let first {
                    resolution.problems.append(.duplicateDependency(phase: index, dependency: entry, first: first))
                } else {
                    if useDictionary { entryOfTarget[target] = entry } else { entries.append(entry) }
                    targets.append(target)
                }
            }
            resolution.dependencies.append(targets)
        }
        return resolution
    }

    /// The edges turned around: for each phase, who depends on it, in file order.
    static func reverse(_ dependencies: [[Int]]) -> [[Int]] {
        var dependents = [[Int]](repeating: [], count: dependencies.count)
        for (index, targets) in dependencies.enumerated() {
            for target in targets { dependents[target].append(index) }
        }
        return dependents
    }
}
