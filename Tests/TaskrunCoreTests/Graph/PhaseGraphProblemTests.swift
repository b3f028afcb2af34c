import Testing

@testable import TaskrunCore

@Suite struct PhaseGraphProblemTests {
    @Test func unknownAndSelfDependenciesAreReportedAndLeftOut() {
        let graph = PhaseGraph(phases: GraphFixtures.phases(["A": [], "B": ["A", "Nope", "B"], "C": ["B"]]))
        #expect(
            graph.problems == [.unknownDependency(phase: 1, dependency: 1), .selfDependency(phase: 1, dependency: 2)])
        #expect(graph.dependencies(of: "B") == ["A"])
        #expect(graph.isAcyclic)
        #expect(graph.topologicalOrder == [0, 1, 2])
    }

    @Test func duplicateNamesResolveToTheFirstPhase() {
        let graph = PhaseGraph(phases: GraphFixtures.phases(["A": [], "B": ["A"], "A": ["B"]]))
        #expect(graph.problems == [.duplicateName(phase: 2, firstDefinition: 0)])
        #expect(graph.index(of: "A") == 0)
        #expect(graph.dependents(of: 0) == [1])
        #expect(graph.dependencies(of: 2) == [1])
    }

    @Test func repeatedDependencyIsOneEdge() {
        let graph = PhaseGraph(phases: GraphFixtures.phases(["A": [], "B": ["A", "A"]]))
        #expect(graph.problems == [.duplicateDependency(phase: 1, dependency: 1, first: 0)])
        #expect(graph.dependencies(of: 1) == [0])
        #expect(graph.dependents(of: 0) == [1])
    }

    @Test func twoPhaseCycleStartsAtTheFirstInTheFile() {
        let graph = PhaseGraph(
            phases: GraphFixtures.phases(["Activation": [], "Analysis": ["Debate"], "Debate": ["Analysis"]]))
        #expect(graph.cycles == [PhaseGraph.Cycle(path: [1, 2], members: [1, 2])])
        #expect(graph.describe(graph.cycles[0]) == "Analysis -> Debate -> Analysis")
        #expect(graph.problems == [.cycle(graph.cycles[0])])
        #expect(!graph.isAcyclic)
        // Only the acyclic part is ordered.
        #expect(graph.topologicalOrder == [0])
        #expect(graph.levels == [[0]])
        #expect(graph.criticalPath == [0])
        #expect(graph.level(of: 1) == nil)
    }

    @Test func pathFollowsDependencies() {
        // C depends on B, B on A, A on C: written from A, the path reads A -> C -> B -> A.
        let graph = PhaseGraph(phases: GraphFixtures.phases(["A": ["C"], "B": ["A"], "C": ["B"]]))
        #expect(graph.cycles.map(graph.describe) == ["A -> C -> B -> A"])
    }

    @Test func severalCyclesEachReportedOnceInFileOrder() {
        let graph = PhaseGraph(
            phases: GraphFixtures.phases([
                "Start": [],
                "Z1": ["Z2"], "Z2": ["Z3"], "Z3": ["Z1"],  // three-phase cycle
                "Y1": ["Start", "Y2"], "Y2": ["Y1"],  // two-phase cycle hanging off Start
                "After": ["Y2"],  // waits on a cycle: never ordered, not a cycle itself
                "Fine": ["Start"],
            ]))
        #expect(graph.cycles.map(graph.describe) == ["Z1 -> Z2 -> Z3 -> Z1", "Y1 -> Y2 -> Y1"])
        #expect(graph.names(graph.topologicalOrder) == ["Start", "Fine"])
        #expect(graph.problems.count == 2)
    }

    @Test func interlockingCyclesAreOneComponentWithAShortestPath() {
        // A <-> B and B <-> C interlock: one strongly connected component, reported once.
        let graph = PhaseGraph(phases: GraphFixtures.phases(["A": ["B"], "B": ["C", "A"], "C": ["B"]]))
        #expect(graph.cycles.count == 1)
        #expect(graph.describe(graph.cycles[0]) == "A -> B -> A")
        #expect(graph.cycles[0].members == [0, 1, 2])
    }

    @Test func cycleBehindAnUnknownDependency() {
        let graph = PhaseGraph(phases: GraphFixtures.phases(["A": ["B", "Ghost"], "B": ["A"]]))
        #expect(graph.problems.count == 2)
        #expect(graph.problems.first == .unknownDependency(phase: 0, dependency: 1))
        #expect(graph.cycles.map(graph.describe) == ["A -> B -> A"])
    }
}
