extension PhaseGraph {
    /// Finds every dependency cycle with Tarjan's strongly-connected-components algorithm,
    /// written with an explicit stack so that a chain of thousands of phases cannot overflow
    /// the call stack. Linear in phases plus dependencies.
    ///
    /// Each component with more than one phase is one cycle (self-dependencies never become
    /// edges, so a single phase is never a cycle). Its reported path is a shortest cycle through
    /// the component's first phase in file order, found by a breadth-first search inside the
    /// component: interlocking cycles are reported once, as one component, instead of
    /// enumerating every elementary cycle (which can be exponentially many).
    static func findCycles(dependencies: [[Int]]) -> [Cycle] {
        let components = stronglyConnectedComponents(dependencies)
        var componentOf = [Int](repeating: -1, count: dependencies.count)
        var cycles: [Cycle] = []
        for (number, component) in components.enumerated() where component.count > 1 {
            for member in component { componentOf[member] = number }
            let members = component.sorted()
            let path = shortestCycle(
                through: members[0], component: number, componentOf: componentOf, dependencies: dependencies)
            cycles.append(Cycle(path: path, members: members))
        }
        return cycles.sorted { $0.path[0] < $1.path[0] }
    }

    /// Tarjan's algorithm without recursion. Returns the components in the order they complete.
    static func stronglyConnectedComponents(_ edges: [[Int]]) -> [[Int]] {
        let count = edges.count
        var order = [Int](repeating: -1, count: count)  // discovery number; -1 = not yet visited
        var lowLink = [Int](repeating: 0, count: count)
        var onStack = [Bool](repeating: false, count: count)
        var stack: [Int] = []
        var components: [[Int]] = []
        var nextOrder = 0
        // Each frame is a node being explored and how many of its edges have been followed.
        var frames: [(node: Int, edge: Int)] = []

        for start in 0..<count where order[start] == -1 {
            order[start] = nextOrder
            lowLink[start] = nextOrder
            nextOrder += 1
            stack.append(start)
            onStack[start] = true
            frames.append((start, 0))

            while let frame = frames.last {
                let node = frame.node
                if frame.edge < edges[node].count {
                    frames[frames.count - 1].edge += 1
                    let next = edges[node][frame.edge]
                    if order[next] == -1 {
                        order[next] = nextOrder
                        lowLink[next] = nextOrder
                        nextOrder += 1
                        stack.append(next)
                        onStack[next] = true
                        frames.append((next, 0))
                    } else if onStack[next] {
                        lowLink[node] = min(lowLink[node], order[next])
                    }
                    continue
                }
                frames.removeLast()
                if let parent = frames.last {
                    lowLink[parent.node] = min(lowLink[parent.node], lowLink[node])
                }
                guard lowLink[node] == order[node] else { continue }
                var component: [Int] = []
                while let member = stack.popLast() {
                    onStack[member] = false
                    component.append(member)
                    if member == node { break }
                }
                components.append(component)
            }
        }
        return components
    }

    /// A shortest path from `start` back to itself through phases of the same component,
    /// following dependencies in the order they are written. `start` comes first; it is not
    /// repeated at the end.
    static func shortestCycle(
        through start: Int, component: Int, componentOf: [Int], dependencies: [[Int]]
    ) -> [Int] {
        var parent: [Int: Int] = [start: start]
        var queue = [start]
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for next in dependencies[node] where componentOf[next] == component {
                if next == start {
                    var path = [node]
                    var current = node
                    while current != start, let previous = parent[current] {
                        path.append(previous)
                        current = previous
                    }
                    return path.reversed()
                }
                if parent[next] == nil {
                    parent[next] = node
                    queue.append(next)
                }
            }
        }
        // Unreachable for a true component (every member reaches every other); keep the caller
        // total anyway by reporting the start alone.
        return [start]
    }
}
