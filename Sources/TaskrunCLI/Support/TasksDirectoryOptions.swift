import ArgumentParser
import TaskrunCore

/// The `--tasks-dir` option, shared by every command that looks tasks up by name.
struct TasksDirectoryOptions: ParsableArguments {
    @Option(
        name: .customLong("tasks-dir"),
        help: ArgumentHelp(
            "The folder task names are looked up in (default: $\(TaskLocator.environmentVariable), else ./tasks).",
            valueName: "dir"))
    var tasksDirectory: String?

    /// The locator for these options in `context`.
    func locator(in context: CommandContext) -> TaskLocator {
        TaskLocator(
            tasksDirectory: tasksDirectory, environment: context.environment,
            currentDirectory: context.currentDirectory)
    }
}

extension CommandContext {
    /// Reports a lookup failure with its hint.
    func printError(_ error: TaskLookupError) {
        printError(error.message, hint: error.hint)
    }
}
