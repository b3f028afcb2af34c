import Testing

@testable import TaskrunCore

@Suite struct PhaseGraphPresentationTests {
    /// Activation -> Analysis (3 parallel agents), Research (2 sequential) -> Verdict.
    static let graph: PhaseGraph = {
        func agents(_ ids: [String]) -> [Step] { ids.map { Step(kind: .agent(id: $0), text: "go") } }
        var phases = GraphFixtures.phases([
            "Activation": [], "Analysis": ["Activation"], "Research \"Desk\"": ["Activation"],
            "Verdict": ["Analysis", "Research \"Desk\""],
        ])
        phases[1].steps = agents(["a", "b", "c"])
        phases[2].steps = agents(["d", "e"])
        phases[2].parallel = false
        phases[3].steps = agents(["chair"])
        return PhaseGraph(phases: phases)
    }()

    @Test func outlineShowsLevelsDependenciesAgentsAndTheCriticalPath() {
        #expect(
            Self.graph.outline(title: "Committee") == """
                Committee: 4 phases in 3 levels

                Level 1
                  * Activation
                Level 2: 2 phases run in parallel
                  * Analysis          after Activation                  3 agents in parallel
                    Research "Desk"   after Activation                  2 agents one after another
                Level 3
                  * Verdict           after Analysis, Research "Desk"   1 agent

                * critical path (3 phases): Activation -> Analysis -> Verdict

                """)
    }

    @Test func mermaidQuotesNamesAndMarksTheCriticalPath() {
        #expect(
            Self.graph.mermaid() == """
                flowchart TD
                    p1["Activation"]
                    p2["Analysis"]
                    p3["Research #quot;Desk#quot;"]
                    p4["Verdict"]
                    p1 --> p2
                    p1 --> p3
                    p2 --> p4
                    p3 --> p4
                    classDef critical stroke-width:3px
                    class p1,p2,p4 critical

                """)
        #expect(PhaseGraph.mermaidLabel("a <b> & `c` #1") == "a #lt;b#gt; #amp; #96;c#96; #35;1")
    }

    @Test func dotQuotesNamesAndBoldsTheCriticalPath() {
        #expect(
            Self.graph.dot(name: "Committee \\ \"X\"") == """
                digraph "Committee \\\\ \\"X\\"" {
                    rankdir=TB;
                    node [shape=box, style=rounded];
                    p1 [label="Activation", penwidth=2];
                    p2 [label="Analysis", penwidth=2];
                    p3 [label="Research \\"Desk\\""];
                    p4 [label="Verdict", penwidth=2];
                    p1 -> p2 [penwidth=2];
                    p1 -> p3;
                    p2 -> p4 [penwidth=2];
                    p3 -> p4;
                }

                """)
    }

    @Test func outlineListsPhasesStuckBehindACycle() {
        let graph = PhaseGraph(phases: GraphFixtures.phases(["Start": [], "A": ["B"], "B": ["A"], "C": ["Start"]]))
        #expect(
            graph.outline(title: "T") == """
                T: 4 phases in 2 levels

                Level 1
                  * Start
                Level 2
                  * C       after Start
                Not schedulable (on or behind a dependency cycle)
                    A       after B
                    B       after A

                * critical path (2 phases): Start -> C

                """)
    }
}
