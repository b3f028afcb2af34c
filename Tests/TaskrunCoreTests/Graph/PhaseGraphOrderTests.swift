import Testing

@testable import TaskrunCore

@Suite struct PhaseGraphOrderTests {
    @Test func indexesByNameAndResolvesEdgesBothWays() {
        let graph = PhaseGraph(phases: GraphFixtures.committee)
        #expect(graph.problems.isEmpty)
        #expect(graph.index(of: "Round Table") == 3)
        #expect(graph.index(of: "round table") == nil)
        #expect(graph.phase(named: "Debate")?.name == "Debate")
        #expect(graph.dependencies(of: "Round Table") == ["Analysis", "Research"])
        #expect(graph.dependents(of: "Activation") == ["Analysis", "Research"])
        #expect(graph.dependents(of: "Research") == ["Round Table", "Verdict"])
        #expect(graph.dependencies(of: "Nope") == [])
        #expect(graph.dependencies(of: 3) == [1, 2])
        #expect(graph.dependents(of: 99) == [])
    }

    @Test func rootsAndLeavesInFileOrder() {
        let graph = PhaseGraph(
            phases: GraphFixtures.phases(["B": ["A"], "A": [], "C": [], "D": ["A", "C"], "E": ["B"]]))
        #expect(graph.names(graph.roots) == ["A", "C"])
        #expect(graph.names(graph.leaves) == ["D", "E"])
    }

    @Test func topologicalOrderKeepsFileOrderWhenPossible() {
        let inOrder = PhaseGraph(phases: GraphFixtures.committee)
        #expect(inOrder.topologicalOrder == Array(0..<7))

        // Written backwards: each phase must still come after what it depends on, and among
        // ready phases the one written first goes first.
        let backwards = PhaseGraph(
            phases: GraphFixtures.phases(["D": ["B", "C"], "C": ["A"], "B": ["A"], "A": [], "E": []]))
        #expect(backwards.names(backwards.topologicalOrder) == ["A", "C", "B", "D", "E"])
    }

    @Test func levelsAreLongestDistanceFromARoot() {
        let graph = PhaseGraph(phases: GraphFixtures.committee)
        #expect(
            graph.levels.map(graph.names) == [
                ["Activation"], ["Analysis", "Research"], ["Round Table"], ["Debate"], ["Validation"], ["Verdict"],
            ])
        // Verdict depends on Research (level 1) too, but its longest chain decides.
        #expect(graph.level(of: 6) == 5)
        #expect(graph.level(of: 42) == nil)
    }

    @Test func criticalPathIsTheLongestChain() {
        let graph = PhaseGraph(phases: GraphFixtures.committee)
        #expect(
            graph.names(graph.criticalPath) == [
                "Activation", "Analysis", "Round Table", "Debate", "Validation", "Verdict",
            ])
        #expect(graph.criticalPath.count == graph.levels.count)
    }

    @Test func criticalPathTiesGoToFileOrder() {
        // Two chains of three: X->Y->Z and A->B->C (X written first), plus a short one.
        let graph = PhaseGraph(
            phases: GraphFixtures.phases([
                "Short": [], "X": [], "A": [], "B": ["A"], "Y": ["X"], "C": ["B"], "Z": ["Y"], "Q": ["Short"],
            ]))
        #expect(graph.names(graph.criticalPath) == ["X", "Y", "Z"])

        // A diamond: both middle phases tie; the one written first is on the path.
        let diamond = PhaseGraph(phases: GraphFixtures.phases(["S": [], "R": ["S"], "L": ["S"], "E": ["L", "R"]]))
        #expect(diamond.names(diamond.criticalPath) == ["S", "R", "E"])
    }

    @Test func emptyAndSingleGraphs() {
        let empty = PhaseGraph(phases: [])
        #expect(empty.topologicalOrder.isEmpty && empty.levels.isEmpty && empty.criticalPath.isEmpty)
        #expect(empty.roots.isEmpty && empty.leaves.isEmpty && empty.isAcyclic)

        let single = PhaseGraph(phases: GraphFixtures.phases(["Only": []]))
        #expect(single.levels == [[0]])
        #expect(single.criticalPath == [0])
        #expect(single.roots == [0] && single.leaves == [0])
    }

    @Test func parallelPhasesShareALevel() {
        let graph = PhaseGraph(
            phases: GraphFixtures.phases([
                "Start": [], "P1": ["Start"], "P2": ["Start"], "P3": ["Start"], "End": ["P2"],
            ]))
        #expect(graph.levels.map(graph.names) == [["Start"], ["P1", "P2", "P3"], ["End"]])
        #expect(graph.names(graph.criticalPath) == ["Start", "P2", "End"])
    }
}
