import Testing

@testable import TaskrunCore

@Suite struct TaskLocatorTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        try directory.write("tasks/investment-committee.md")
        try directory.write("tasks/daily-market-analysis.md")
        try directory.write("tasks/agents/quant-analyst.md")
        try directory.write("tasks/notes.txt")
        try directory.write("tasks/.hidden.md")
        try directory.mkdir("tasks/folder.md")
        try directory.write("elsewhere/draft.md")
        try directory.write("README")
    }

    func locator(_ tasksDirectory: String? = nil, environment: [String: String] = [:]) -> TaskLocator {
        TaskLocator(tasksDirectory: tasksDirectory, environment: environment, currentDirectory: directory.path)
    }

    func lookupError(_ reference: String, in locator: TaskLocator) -> TaskLookupError? {
        do {
            _ = try locator.locate(reference)
            return nil
        } catch {
            return error
        }
    }

    @Test func tasksDirectoryPrecedence() {
        #expect(locator().tasksDirectory == "tasks")
        #expect(locator(environment: ["TASKRUN_TASKS_DIR": "env-dir"]).tasksDirectory == "env-dir")
        #expect(locator(environment: ["TASKRUN_TASKS_DIR": ""]).tasksDirectory == "tasks")
        #expect(locator("flag-dir", environment: ["TASKRUN_TASKS_DIR": "env-dir"]).tasksDirectory == "flag-dir")
    }

    @Test func nameResolvesInTheTasksDirectory() throws {
        let reference = try locator().locate("investment-committee")
        #expect(reference.id == "investment-committee")
        #expect(reference.path == "tasks/investment-committee.md")
        #expect(reference.absolutePath == "\(directory.path)/tasks/investment-committee.md")
    }

    @Test func pathsAreTakenAsGiven() throws {
        let relative = try locator().locate("elsewhere/draft.md")
        #expect(relative.id == "draft" && relative.path == "elsewhere/draft.md")
        #expect(relative.absolutePath == "\(directory.path)/elsewhere/draft.md")

        let absolute = try locator().locate("\(directory.path)/elsewhere/draft.md")
        #expect(absolute.absolutePath == "\(directory.path)/elsewhere/draft.md")

        // An existing file is a path even without `.md`.
        let plain = try locator().locate("README")
        #expect(plain.id == "README" && plain.path == "README")

        let dotted = try locator().locate("./tasks/daily-market-analysis.md")
        #expect(dotted.absolutePath == "\(directory.path)/tasks/daily-market-analysis.md")
    }

    @Test func subfolderNamesStayInside() throws {
        let nested = try locator().locate("agents/quant-analyst")
        #expect(nested.path == "tasks/agents/quant-analyst.md" && nested.id == "quant-analyst")
        let roundabout = try locator().locate("agents/../investment-committee")
        #expect(roundabout.path == "tasks/investment-committee.md")
    }

    @Test(arguments: ["../x", "..", "/etc/no-such-task", "a/../../b", "agents/../../elsewhere/draft", "./../tasks/x"])
    func namesThatEscapeAreRefused(name: String) {
        let error = lookupError(name, in: locator())
        #expect(error?.kind == .escapesTasksDirectory)
        #expect(error?.message == "the task name '\(name)' points outside the tasks directory 'tasks'")
        #expect(error?.hint == "name a task inside 'tasks' (see 'taskrun list'), or pass the path of a .md file")
    }

    @Test func unknownNameSuggestsTheClosestTask() {
        let error = lookupError("investment-comittee", in: locator())
        #expect(error?.kind == .unknownTask)
        #expect(error?.message == "no task named 'investment-comittee' in 'tasks'")
        #expect(error?.hint == "did you mean 'investment-committee'?")
        #expect(
            error?.description
                == "no task named 'investment-comittee' in 'tasks'\nhint: did you mean 'investment-committee'?")

        let far = lookupError("zebra", in: locator())
        #expect(far?.hint == "run 'taskrun list' to see the tasks in 'tasks'")
    }

    @Test func missingFilesAndDirectories() {
        let missingPath = lookupError("nope.md", in: locator())
        #expect(missingPath?.kind == .fileNotFound)
        #expect(missingPath?.message == "no such file: 'nope.md'")

        // A task name written with `.md` by mistake gets pointed at the task.
        let withExtension = lookupError("investment-committee.md", in: locator())
        #expect(
            withExtension?.hint
                == "did you mean the task 'investment-committee' (tasks/investment-committee.md)? Task names are written without '.md'"
        )

        let noDirectory = lookupError("anything", in: locator("missing"))
        #expect(noDirectory?.kind == .missingTasksDirectory)
        #expect(noDirectory?.message == "the tasks directory 'missing' does not exist")
        #expect(noDirectory?.hint == "check --tasks-dir or TASKRUN_TASKS_DIR")
        #expect(lookupError("", in: locator())?.kind == .emptyName)
        #expect(
            lookupError("x", in: locator("README"))?.message
                == "the tasks directory 'README' is a file, not a directory")
        #expect(lookupError("x", in: locator())?.hint == "run 'taskrun list' to see the tasks in 'tasks'")
        let defaultMissing = TaskLocator(environment: [:], currentDirectory: "\(directory.path)/elsewhere")
        #expect(
            lookupError("x", in: defaultMissing)?.hint
                == "create it, run taskrun where it is, or choose another with --tasks-dir DIR or TASKRUN_TASKS_DIR")
    }

    @Test func listingHasOnlyMarkdownFilesDirectlyInTheDirectory() throws {
        let files = try locator().taskFiles()
        #expect(files.map(\.id) == ["daily-market-analysis", "investment-committee"])
        #expect(files.map(\.path) == ["tasks/daily-market-analysis.md", "tasks/investment-committee.md"])

        #expect(throws: TaskLookupError.self) { try locator("missing").taskFiles() }
        #expect(try locator("elsewhere/").taskFiles().map(\.path) == ["elsewhere/draft.md"])
    }
}
