import Testing

@Suite struct GraphCommandTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        try directory.write("tasks/review.md", TaskFiles.clean)
        try directory.write("tasks/broken.md", TaskFiles.broken)
    }

    func run(_ arguments: String...) async -> CommandOutput {
        await CLI.run(arguments, in: directory.path)
    }

    @Test func textShowsLevels() async {
        let output = await run("graph", "review")
        #expect(output.status == 0)
        #expect(
            output.stdout == """
                Quick Review: 4 phases in 3 levels

                Level 1
                  * Gather
                Level 2: 2 phases run in parallel
                  * Analysis   after Gather               2 agents in parallel
                    Research   after Gather
                Level 3
                  * Verdict    after Analysis, Research   1 agent

                * critical path (3 phases): Gather -> Analysis -> Verdict

                """)
    }

    @Test func mermaidAndDot() async {
        let mermaid = await run("graph", "review", "--format", "mermaid")
        #expect(mermaid.status == 0)
        #expect(mermaid.stdout.hasPrefix("flowchart TD\n    p1[\"Gather\"]\n"))
        #expect(mermaid.stdout.contains("    p2 --> p4\n    p3 --> p4\n"))

        let dot = await run("graph", "tasks/review.md", "--format", "dot")
        #expect(dot.status == 0)
        #expect(dot.stdout.hasPrefix("digraph \"Quick Review\" {\n"))
        #expect(dot.stdout.hasSuffix("    p3 -> p4;\n}\n"))
    }

    @Test func aTaskWithErrorsIsNotDrawn() async {
        let output = await run("graph", "broken")
        #expect(output.status == 1)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.hasPrefix("tasks/broken.md:14:12: error: phase 'Analysis' depends on unknown phase"))
        #expect(output.stderr.hasSuffix("cannot draw 'broken': 2 errors\n"))
    }
}
