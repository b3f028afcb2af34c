import Foundation
import Testing

@Suite struct ValidateCommandTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        try directory.write("tasks/review.md", TaskFiles.clean)
        try directory.write("tasks/warn.md", TaskFiles.warning)
        try directory.write("broken/broken.md", TaskFiles.broken)
    }

    func run(_ arguments: String..., environment: [String: String] = [:], terminal: Bool = false) async
        -> CommandOutput
    {
        await CLI.run(arguments, in: directory.path, environment: environment, terminal: terminal)
    }

    @Test func cleanTaskExitsZero() async {
        let output = await run("validate", "review")
        #expect(output.status == 0)
        #expect(output.stdout == "1 task checked: no errors or warnings\n")
        #expect(output.stderr.isEmpty)
    }

    @Test func errorsArePrintedLikeACompilerAndExitOne() async {
        let output = await run("validate", "broken/broken.md")
        #expect(output.status == 1)
        #expect(
            output.stdout == """
                broken/broken.md:14:12: error: phase 'Analysis' depends on unknown phase 'Gathr'
                dependsOn: Gathr, Debate
                           ^~~~~
                hint: did you mean 'Gather'?
                broken/broken.md:14:19: error: dependency cycle: Analysis -> Debate -> Analysis
                dependsOn: Gathr, Debate
                                  ^~~~~~
                note: 'Debate' depends on 'Analysis' at 20:12
                hint: remove one of these dependencies; phases in a cycle can never start

                1 task checked: 2 errors

                """)
    }

    @Test func warningsPassUnlessTreatedAsErrors() async {
        let output = await run("validate", "warn")
        #expect(output.status == 0)
        #expect(output.stdout.contains("tasks/warn.md:11:3: warning: agent 'risk-manager' is listed for phase"))
        #expect(output.stdout.hasSuffix("1 task checked: 1 warning\n"))

        let strict = await run("validate", "warn", "--warnings-as-errors")
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("tasks/warn.md:11:3: error: agent 'risk-manager' is listed for phase"))
        #expect(strict.stdout.hasSuffix("1 task checked: 1 error\n"))
    }

    @Test func allTasksInTheDirectoryWhenNoneAreNamed() async {
        let output = await run("validate")
        #expect(output.status == 0)
        #expect(output.stdout.hasSuffix("2 tasks checked: 1 warning\n"))

        let elsewhere = await run("validate", environment: ["TASKRUN_TASKS_DIR": "broken"])
        #expect(elsewhere.status == 1)
        #expect(elsewhere.stdout.hasSuffix("1 task checked: 2 errors\n"))
    }

    @Test func jsonForEditors() async throws {
        let output = await run("validate", "broken/broken.md", "--format", "json")
        #expect(output.status == 1)
        let array = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]
        #expect(array?.map { $0["code"] as? String } == ["unknown-dependency", "dependency-cycle"])
        #expect(array?.first?["line"] as? Int == 14)
        #expect(array?.first?["column"] as? Int == 12)
        #expect(array?.first?["sourceLine"] as? String == "dependsOn: Gathr, Debate")
        #expect(array?.first?["hint"] as? String == "did you mean 'Gather'?")
    }

    @Test func coloursOnlyOnATerminalWithoutNoColor() async {
        let plain = await run("validate", "broken/broken.md")
        #expect(!plain.stdout.contains("\u{1B}["))
        let colored = await run("validate", "broken/broken.md", terminal: true)
        #expect(colored.stdout.contains("\u{1B}[1;31merror:\u{1B}[0m"))
        let noColor = await run("validate", "broken/broken.md", environment: ["NO_COLOR": "1"], terminal: true)
        #expect(!noColor.stdout.contains("\u{1B}["))
    }

    @Test func aMissingTaskAmongGoodOnesStillValidatesTheRest() async {
        let output = await run("validate", "review", "reviw")
        #expect(output.status == 2)
        #expect(output.stderr == "error: no task named 'reviw' in 'tasks'\nhint: did you mean 'review'?\n")
        #expect(output.stdout == "1 task checked: no errors or warnings\n")
    }
}

/// `validate` checks the agents a task uses against `<tasks dir>/agents/` when that folder exists.
@Suite struct ValidateAgentDefinitionTests {
    static let task = """
        # Solo

        ## Phase: Look
        ### Agents
        - ghost-analyst
        ### Steps
        - agent: ghost-analyst - Look at it
        """

    static let agent = """
        # Quant

        ```yaml
        id: quant-analyst
        name: Quinn
        title: Quantitative Analyst
        role: Reads momentum and volatility
        persona: You are a quantitative analyst.
        ```
        """

    @Test func anAgentWithoutADefinitionIsAnErrorAtItsID() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("tasks/solo.md", Self.task)
        try directory.write("tasks/agents/quant-analyst.md", Self.agent)
        let output = await CLI.run(["validate", "solo"], in: directory.path)
        #expect(output.status == 1)
        #expect(output.stdout.hasPrefix("tasks/solo.md:7:10: error: agent 'ghost-analyst' has no definition\n"))
        #expect(output.stdout.contains("         ^~~~~~~~~~~~~\n"))
    }

    @Test func withoutAnAgentsFolderAgentsAreNotChecked() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("tasks/solo.md", Self.task)
        let output = await CLI.run(["validate", "solo"], in: directory.path)
        #expect(output.status == 0)
    }
}
