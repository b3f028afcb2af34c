import ArgumentParser
import Foundation
import TaskrunExecution
import TaskrunStorage

/// `taskrun history`: recent executions, newest first.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show recent executions, newest first.",
        discussion: """
            One row per execution: its id, task, status, start time (UTC), duration and how many \
            phases are committed. 'interrupted' means its process died while it ran; it can be \
            continued with 'taskrun resume ID', as can paused, failed and timed-out executions.

            Examples:
              taskrun history
              taskrun history --task investment-committee --status failed
              taskrun history --limit 100 --json
            """)

    @Option(help: "How many executions to show.")
    var limit: Int = 20

    @Option(help: ArgumentHelp("Only executions of this task (its id or name).", valueName: "name"))
    var task: String?

    @Option(
        help: ArgumentHelp(
            "Only executions in this status (\(ExecutionStatus.allCases.map(\.rawValue).joined(separator: ", "))).",
            valueName: "status"))
    var status: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let context = CommandContext.current
        guard limit >= 0 else {
            context.printError("--limit must be 0 or more, got \(limit)")
            throw ExitCode.usage
        }
        var statusFilter: ExecutionStatus?
        if let status {
            guard let parsed = ExecutionStatus(rawValue: status.lowercased()) else {
                context.printError(
                    "unknown status '\(status)'",
                    hint: "use one of \(ExecutionStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                throw ExitCode.usage
            }
            statusFilter = parsed
        }
        let (opened, location) = try store.openExisting(in: context)
        var entries: [HistoryEntry] = []
        if let opened {
            do {
                entries = try await opened.entries(limit: limit, task: task, status: statusFilter)
            } catch {
                context.printError("\(error)")
                throw ExitCode(ExitStatus.failure)
            }
        }
        if json {
            context.print(try HistoryFormat.json(entries))
        } else if entries.isEmpty {
            context.print(
                opened == nil
                    ? "No executions yet (no history store at '\(location.path)')."
                    : "No executions match.")
        } else {
            context.writeOutput(Self.render(entries))
        }
    }

    /// The table and its footer.
    static func render(_ entries: [HistoryEntry]) -> String {
        var table = TextTable(header: ["ID", "TASK", "STATUS", "STARTED", "DURATION", "PHASES"])
        table.rightAligned = [4, 5]
        for entry in entries {
            let summary = entry.summary
            let duration = summary.finishedAt.map { HistoryFormat.duration($0.timeIntervalSince(summary.startedAt)) }
            table.rows.append(
                .cells([
                    summary.id.description, summary.taskID, HistoryFormat.status(summary.status, entry.standing),
                    HistoryFormat.time(summary.startedAt), duration ?? "-",
                    "\(entry.committedPhases)/\(entry.totalPhases)",
                ]))
        }
        var text = table.render()
        let resumable = entries.filter(\.standing.isResumable)
        text += "\n" + (entries.count == 1 ? "1 execution" : "\(entries.count) executions")
        if let first = resumable.first {
            text += "; \(resumable.count) resumable (taskrun resume \(first.id))"
        }
        return text + "\n"
    }
}
