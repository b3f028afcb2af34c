import ArgumentParser
import Foundation
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

            --format json prints the same as an array of objects, one per file, for \
            scripts and editors; an empty tasks directory is an empty array.

            Examples:
              taskrun list
              taskrun list --format json | jq -r '.[] | select(.broken == null) | .task'
              taskrun list --tasks-dir ~/workflows
              TASKRUN_TASKS_DIR=~/workflows taskrun list
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var tasks: TasksDirectoryOptions

    @Option(help: "Output format: text (a table) or json (one object per task file).")
    var format: Format = .text

    func run() async throws {
        let context = CommandContext.current
        let locator = tasks.locator(in: context)
        let selection = TaskSelection.load([], locator: locator, cache: ParseCache(), context: context)
        if selection.lookupFailed { throw ExitCode.usage }
        if format == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(selection.loaded.map(ListedTask.init))
            context.writeOutput(String(decoding: data, as: UTF8.self) + "\n")
            return
        }
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

/// One task file as `taskrun list --format json` prints it. Optional members are left out when
/// they have no value, so a broken file has only `task`, `path` and `broken`.
struct ListedTask: Encodable {
    /// An input the task takes.
    struct Input: Encodable {
        var name: String
        var type: String
        var optional: Bool
        var secret: Bool
        var description: String?
    }

    /// Where the file's first error is, and what it says.
    struct Problem: Encodable {
        var line: Int
        var column: Int
        var message: String
    }

    /// The name to run it by.
    var task: String
    var path: String
    var name: String?
    var version: String?
    var description: String?
    var phases: Int?
    /// The ids of the agents its agent lists and steps use, in the order the file first mentions them.
    var agents: [String]?
    var requirements: [Input]?
    /// Present when the file has errors: its first one.
    var broken: Problem?

    init(_ loaded: LoadedTask) {
        task = loaded.reference.id
        path = loaded.reference.path
        guard let definition = loaded.task, !loaded.result.hasErrors else {
            let first = loaded.reportedDiagnostics.first { $0.severity == .error }
            broken = Problem(
                line: first?.location.line ?? 1, column: first?.location.column ?? 1,
                message: first?.message ?? "could not be read as a task")
            return
        }
        name = definition.metadata.name
        version = definition.metadata.version
        description = definition.metadata.description
        phases = definition.phases.count
        agents = definition.agentIDs
        requirements = definition.requirements.map {
            Input(
                name: $0.name, type: $0.type.rawValue, optional: $0.isOptional, secret: $0.isSecret,
                description: $0.description)
        }
    }
}
