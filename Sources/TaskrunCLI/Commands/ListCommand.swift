import ArgumentParser
import TaskrunCore

/// `taskrun list`: a table of the tasks in the tasks directory.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show the tasks in the tasks directory.",
        discussion: """
            One row per .md file directly in the tasks directory (subfolders such as \
            tasks/agents/ are not tasks): the name to run it by, its display name and \
            version, how many phases and agents it has, and the inputs it takes.

            A file with errors is shown as broken, with its first error, and the other \
            tasks are still listed; run 'taskrun validate NAME' to see every problem.

            Examples:
              taskrun list
              taskrun list --tasks-dir ~/workflows
              TASKRUN_TASKS_DIR=~/workflows taskrun list
            """)

    @OptionGroup var tasks: TasksDirectoryOptions

    func run() async throws {
        let context = CommandContext.current
        let locator = tasks.locator(in: context)
        let selection = TaskSelection.load([], locator: locator, cache: ParseCache(), context: context)
        if selection.lookupFailed { throw ExitCode.usage }
        guard !selection.loaded.isEmpty else {
            context.print("No tasks in '\(locator.tasksDirectory)'. Add a <name>.md task file there.")
            return
        }
        var table = TextTable(header: ["TASK", "NAME", "VERSION", "PHASES", "AGENTS", "REQUIREMENTS"])
        table.rightAligned = [3, 4]
        var broken = 0
        for loaded in selection.loaded {
            if let task = loaded.task, !loaded.result.hasErrors {
                table.rows.append(.cells(Self.cells(for: task, id: loaded.reference.id)))
            } else {
                broken += 1
                table.rows.append(.note(loaded.reference.id, "broken: " + Self.firstError(of: loaded)))
            }
        }
        var footer = selection.loaded.count == 1 ? "1 task" : "\(selection.loaded.count) tasks"
        if broken > 0 {
            footer += ", \(broken) broken; run 'taskrun validate' to see every problem"
        }
        context.writeOutput(table.render() + "\n" + footer + "\n")
    }

    static func cells(for task: TaskDefinition, id: String) -> [String] {
        [
            id,
            task.metadata.name,
            task.metadata.version ?? "-",
            String(task.phases.count),
            String(task.agentIDs.count),
            task.requirements.isEmpty ? "-" : task.requirements.map(\.name).joined(separator: ", "),
        ]
    }

    /// `12:5: message` for the first error.
    static func firstError(of loaded: LoadedTask) -> String {
        let first = loaded.reportedDiagnostics.first { $0.severity == .error }
        return first.map { "\($0.location): \($0.message)" } ?? "could not be read as a task"
    }
}
