import Testing

/// The tasks shipped in the repository's `tasks/` folder validate cleanly and list.
@Suite struct ShippedTasksTests {
    /// The repository root, found from this file's path (Tests/TaskrunCLITests/...).
    static let repository: String = {
        var components = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        return components.joined(separator: "/")
    }()

    @Test func validateWithoutErrorsOrWarnings() async {
        let output = await CLI.run(["validate", "--warnings-as-errors"], in: Self.repository)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.hasSuffix("tasks checked: no errors or warnings\n"))
    }

    @Test func listAndGraph() async {
        let list = await CLI.run(["list"], in: Self.repository)
        #expect(list.status == 0)
        #expect(list.stdout.contains("investment-committee"))
        #expect(!list.stdout.contains("broken"))

        let graph = await CLI.run(["graph", "investment-committee"], in: Self.repository)
        #expect(graph.status == 0)
        #expect(graph.stdout.hasPrefix("Investment Committee Meeting: 7 phases in 7 levels\n"))
    }
}
