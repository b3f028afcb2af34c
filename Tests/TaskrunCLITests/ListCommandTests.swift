import Testing

@Suite struct ListCommandTests {
    @Test func tableWithABrokenFileShownAsBroken() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("tasks/review.md", TaskFiles.clean)
        try directory.write("tasks/broken.md", TaskFiles.broken)
        try directory.write("tasks/warn.md", TaskFiles.warning)
        try directory.write("tasks/agents/quant-analyst.md", "# Not a task\n")
        let output = await CLI.run(["list"], in: directory.path)
        #expect(output.status == 0)
        #expect(
            output.stdout == """
                TASK    NAME          VERSION  PHASES  AGENTS  REQUIREMENTS
                broken  broken: 14:12: phase 'Analysis' depends on unknown phase 'Gathr'
                review  Quick Review  2.1.0         4       3  ticker, amount
                warn    Warn          -             1       2  -

                3 tasks, 1 broken; run 'taskrun validate' to see every problem

                """)
    }
}
