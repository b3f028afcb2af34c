import Testing

@testable import TaskrunCore

/// Large graphs must build quickly and without deep recursion. The time limits are loose
/// (debug builds on a busy machine); a quadratic or exponential algorithm blows them anyway.
@Suite struct PhaseGraphScaleTests {
    static let size = 10_000

    static func chain(closed: Bool) -> [Phase] {
        (0..<size).map { index in
            let previous = index == 0 ? (closed ? size - 1 : nil) : index - 1
            return Phase(
                name: "Phase \(index)", dependencies: previous.map { [PhaseDependency(name: "Phase \($0)")] } ?? [])
        }
    }

    @Test(.timeLimit(.minutes(1))) func longChain() {
        let clock = ContinuousClock()
        var graph: PhaseGraph?
        let elapsed = clock.measure { graph = PhaseGraph(phases: Self.chain(closed: false)) }
        guard let graph else { return }
        #expect(graph.problems.isEmpty)
        #expect(graph.topologicalOrder == Array(0..<Self.size))
        #expect(graph.levels.count == Self.size)
        #expect(graph.criticalPath.count == Self.size)
        #expect(graph.roots == [0] && graph.leaves == [Self.size - 1])
        #expect(elapsed < .seconds(5))
    }

    @Test(.timeLimit(.minutes(1))) func chainClosedIntoOneBigCycle() {
        let graph = PhaseGraph(phases: Self.chain(closed: true))
        #expect(graph.cycles.count == 1)
        // Phase 0 depends on the last phase, which depends on the one before, and so on.
        #expect(graph.cycles[0].path.count == Self.size)
        #expect(graph.cycles[0].path.prefix(3) == [0, Self.size - 1, Self.size - 2])
        #expect(graph.topologicalOrder.isEmpty)
    }

    @Test(.timeLimit(.minutes(1))) func wideFanOutAndFanIn() {
        let clock = ContinuousClock()
        var phases = [Phase(name: "Root")]
        for index in 0..<Self.size {
            phases.append(Phase(name: "Worker \(index)", dependencies: [PhaseDependency(name: "Root")]))
        }
        phases.append(
            Phase(name: "Join", dependencies: (0..<Self.size).map { PhaseDependency(name: "Worker \($0)") }))
        var graph: PhaseGraph?
        let elapsed = clock.measure { graph = PhaseGraph(phases: phases) }
        guard let graph else { return }
        #expect(graph.levels.map(\.count) == [1, Self.size, 1])
        #expect(graph.names(graph.criticalPath) == ["Root", "Worker 0", "Join"])
        #expect(graph.dependents(of: 0).count == Self.size)
        #expect(elapsed < .seconds(5))
    }

    @Test(.timeLimit(.minutes(1))) func manySmallCycles() {
        var phases: [Phase] = []
        for index in 0..<(Self.size / 2) {
            phases.append(Phase(name: "A\(index)", dependencies: [PhaseDependency(name: "B\(index)")]))
            phases.append(Phase(name: "B\(index)", dependencies: [PhaseDependency(name: "A\(index)")]))
        }
        let graph = PhaseGraph(phases: phases)
        #expect(graph.cycles.count == Self.size / 2)
        #expect(graph.cycles.last.map(graph.describe) == "A4999 -> B4999 -> A4999")
    }
}
