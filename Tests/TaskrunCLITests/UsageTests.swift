import Testing

/// Arguments and lookups that go wrong exit with 2; help exits with 0.
@Suite struct UsageTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        try directory.mkdir("tasks")
        try directory.write("tasks/investment-committee.md", "# Investment Committee\n")
    }

    func run(_ arguments: String..., environment: [String: String] = [:]) async -> CommandOutput {
        await CLI.run(arguments, in: directory.path, environment: environment)
    }

    @Test func helpTeachesAndExitsZero() async {
        let root = await run("--help")
        #expect(root.status == 0)
        #expect(root.stdout.contains("taskrun graph investment-committee"))
        #expect(root.stdout.contains("validate"))
        #expect(root.stderr.isEmpty)

        for command in ["validate", "list", "graph"] {
            let help = await run(command, "--help")
            #expect(help.status == 0)
            #expect(help.stdout.contains("Examples:"), "\(command) --help has examples")
        }
        #expect(await run("help", "graph").stdout.contains("--format <format>"))
    }

    @Test func unknownOptionsAndValuesExitTwo() async {
        let badFlag = await run("validate", "--frobnicate")
        #expect(badFlag.status == 2)
        #expect(badFlag.stderr.contains("Unknown option '--frobnicate'"))

        let badFormat = await run("validate", "--format", "yaml")
        #expect(badFormat.status == 2)
        #expect(badFormat.stderr.contains("'yaml' is invalid for '--format <format>'"))

        let noTask = await run("graph")
        #expect(noTask.status == 2)
        #expect(noTask.stderr.contains("Missing expected argument '<task|path>'"))

        #expect(await run("graph", "investment-committee", "--format", "png").status == 2)
        #expect(await run("frobnicate").status == 2)
    }

    @Test func unknownTaskExitsTwoWithASuggestion() async {
        let output = await run("validate", "investment-comittee")
        #expect(output.status == 2)
        #expect(
            output.stderr == """
                error: no task named 'investment-comittee' in 'tasks'
                hint: did you mean 'investment-committee'?

                """)
        #expect(await run("graph", "investment-comittee").status == 2)
    }

    @Test(arguments: ["../secrets", "/etc/no-such-task", "a/../../b"])
    func namesOutsideTheTasksDirectoryAreRefused(name: String) async {
        let output = await run("validate", name)
        #expect(output.status == 2)
        #expect(
            output.stderr == """
                error: the task name '\(name)' points outside the tasks directory 'tasks'
                hint: name a task inside 'tasks' (see 'taskrun list'), or pass the path of a .md file

                """)
    }

    @Test func missingTasksDirectory() async {
        let output = await run("list", "--tasks-dir", "nowhere")
        #expect(output.status == 2)
        #expect(
            output.stderr == """
                error: the tasks directory 'nowhere' does not exist
                hint: check --tasks-dir or TASKRUN_TASKS_DIR

                """)
        let fromEnvironment = await run("validate", environment: ["TASKRUN_TASKS_DIR": "elsewhere"])
        #expect(fromEnvironment.status == 2)
        #expect(fromEnvironment.stderr.contains("'elsewhere' does not exist"))
    }

    @Test func emptyTasksDirectory() async throws {
        try directory.mkdir("empty")
        let list = await run("list", "--tasks-dir", "empty")
        #expect(list.status == 0)
        #expect(list.stdout == "No tasks in 'empty'. Add a <name>.md task file there.\n")
        let validate = await run("validate", "--tasks-dir", "empty")
        #expect(validate.status == 0)
        #expect(validate.stderr == "no task files (*.md) in 'empty'; nothing to validate\n")
        #expect(validate.stdout.isEmpty)
    }

    @Test func missingFileExitsTwo() async {
        let output = await run("validate", "drafts/new.md")
        #expect(output.status == 2)
        #expect(output.stderr.hasPrefix("error: no such file: 'drafts/new.md'\n"))
    }
}
