extension PhaseGraph {
    /// Kahn's algorithm with the ready phases in a min-heap of file positions, so that ties go
    /// to the phase written first. Phases on or behind a cycle never become ready and are left out.
    static func topologicalOrder(dependencies: [[Int]], dependents: [[Int]]) -> [Int] {
        var waitingFor = dependencies.map(\.count)
        var ready = ReadyQueue()
        for index in dependencies.indices where waitingFor[index] == 0 {
            ready.insert(index)
        }
        var order: [Int] = []
        order.reserveCapacity(dependencies.count)
        while let next = ready.popMinimum() {
            order.append(next)
            for dependent in dependents[next] {
                waitingFor[dependent] -= 1
                if waitingFor[dependent] == 0 { ready.insert(dependent) }
            }
        }
        return order
    }

    /// Each phase's level: the length of the longest dependency chain leading to it.
    static func levels(order: [Int], dependencies: [[Int]], count: Int) -> [Int?] {
        var level = [Int?](repeating: nil, count: count)
        for index in order {
            // Every dependency precedes `index` in a topological order, so its level is known.
            level[index] = dependencies[index].reduce(0) { deepest, dependency in
                max(deepest, (level[dependency] ?? 0) + 1)
            }
        }
        return level
    }

    /// The phases of each level, in file order.
    static func group(_ levelOfPhase: [Int?]) -> [[Int]] {
        var levels: [[Int]] = []
        for (index, level) in levelOfPhase.enumerated() {
            guard let level else { continue }
            while levels.count <= level { levels.append([]) }
            levels[level].append(index)
        }
        return levels
    }

    /// The longest dependency chain, smallest in file order among equally long ones.
    ///
    /// `height` is the number of phases on the longest chain starting at a phase and following
    /// dependents. The chain starts at the first phase whose height is the maximum (necessarily a
    /// root) and repeatedly steps to the first dependent exactly one shorter.
    static func criticalPath(order: [Int], dependents: [[Int]], count: Int) -> [Int] {
        var height = [Int](repeating: 0, count: count)
        for index in order.reversed() {
            // Dependents outside the order sit behind a cycle and keep height 0.
            height[index] = 1 + dependents[index].reduce(0) { max($0, height[$1]) }
        }
        guard let tallest = height.max(), tallest > 0, var current = height.firstIndex(of: tallest) else {
            return []
        }
        var path = [current]
        while let next = dependents[current].first(where: { height[$0] == height[current] - 1 && height[$0] > 0 }) {
            path.append(next)
            current = next
        }
        return path
    }
}
