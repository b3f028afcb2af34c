import ArgumentParser
import Foundation
import TaskrunCore
import TaskrunStorage

/// `taskrun prune --older-than 30d`: deletes old executions and vacuums the store.
struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete executions older than a given age, then shrink the history store.",
        discussion: """
            An execution's age counts from the last time anything was written about it (its \
            start, a committed phase, a pause, its end). Executions still running in a live \
            process are never deleted.

            Examples:
              taskrun prune --older-than 30d --dry-run
              taskrun prune --older-than 2w
            """)

    @Option(
        name: .customLong("older-than"),
        help: ArgumentHelp("The age, like 30d, 12h or 90m.", valueName: "duration"))
    var olderThan: String

    @Flag(help: "Only count what would be deleted.")
    var dryRun = false

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let context = CommandContext.current
        let age: TaskDuration
        do {
            age = try TaskDuration.parse(olderThan)
        } catch {
            context.printError("--older-than: \(error)")
            throw ExitCode.usage
        }
        let (opened, location) = try store.openExisting(in: context)
        guard let opened else {
            context.print("Nothing to prune: there is no history store at '\(location.path)'.")
            return
        }
        do {
            let report = try await opened.prune(olderThan: age.duration, dryRun: dryRun)
            context.print(Self.render(report, age: age))
        } catch {
            context.printError("\(error)")
            throw ExitCode(ExitStatus.failure)
        }
    }

    static func render(_ report: PruneReport, age: TaskDuration) -> String {
        let executions = report.executions == 1 ? "1 execution" : "\(report.executions) executions"
        let details = "\(report.phaseRuns) phase results, \(report.events) events"
        if report.dryRun {
            return "would delete \(executions) older than \(age) (\(details)); run without --dry-run to delete"
        }
        if report.executions == 0 { return "nothing older than \(age)" }
        return
            "deleted \(executions) older than \(age) (\(details)); store \(size(report.bytesBefore)) → \(size(report.bytesAfter))"
    }

    static func size(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return String(format: "%.1f MiB", Double(bytes) / 1024 / 1024)
    }
}
