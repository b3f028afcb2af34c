import ArgumentParser
import Foundation
import TaskrunCore
import TaskrunExecution
import TaskrunStorage

/// `--store PATH` and `--tasks-dir DIR`: where the history database is (see ``StoreLocation``).
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "The history database (default: $\(StoreLocation.environmentVariable), else "
                + "\(StoreLocation.defaultRelativePath) beside the tasks directory).",
            valueName: "path"))
    var store: String?

    @OptionGroup var tasks: TasksDirectoryOptions

    /// Where the store is for these options in `context`.
    func location(in context: CommandContext) throws(StoreError) -> StoreLocation {
        let locator = tasks.locator(in: context)
        return try StoreLocation.resolve(
            option: store, environment: context.environment,
            tasksDirectory: locator.absolute(locator.tasksDirectory), workingDirectory: locator.currentDirectory)
    }

    /// Opens the existing store, or returns `nil` when there is none yet (nothing has run).
    /// Reports problems and throws the exit code.
    func openExisting(in context: CommandContext) throws -> (SQLiteHistoryStore?, StoreLocation) {
        let location: StoreLocation
        do {
            location = try self.location(in: context)
        } catch {
            context.printError(error.description)
            throw ExitCode.usage
        }
        guard FileManager.default.fileExists(atPath: location.path) else { return (nil, location) }
        do {
            return (
                try SQLiteHistoryStore(path: location.path, configuration: .init(createIfMissing: false)), location
            )
        } catch {
            context.printError("\(error)")
            throw ExitCode(ExitStatus.failure)
        }
    }

    /// Opens the existing store and finds the execution `id` (a full id or a unique prefix).
    func openExecution(_ id: String, in context: CommandContext) async throws -> (SQLiteHistoryStore, ExecutionID) {
        let (opened, location) = try openExisting(in: context)
        guard let store = opened else {
            context.printError(
                "no execution '\(id)': there is no history store at '\(location.path)' yet",
                hint: "executions are recorded by 'taskrun run'; --store or $TASKRUN_STORE pick another store")
            throw ExitCode.usage
        }
        do {
            return (store, try await store.resolveID(id))
        } catch {
            context.printError("\(error)")
            throw ExitCode.usage
        }
    }
}

/// Text and JSON renderings shared by the history commands.
enum HistoryFormat {
    /// JSON with ISO 8601 dates and sorted keys, pretty-printed: stable for scripts and golden files.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return encoder
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }

    /// `2026-11-22 21:39:51Z`: UTC, so output is the same wherever it is read.
    static func time(_ date: Date) -> String {
        let text = date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
        return text.replacingOccurrences(of: "T", with: " ")
    }

    /// `850ms`, `12.3s`, `4m05s`, `2h03m`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let total = Int(seconds.rounded())
        if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60)
    }

    /// What `history` shows as the status: the standing, except that a live execution shows its status.
    static func status(_ status: ExecutionStatus, _ standing: ExecutionStanding) -> String {
        standing == .active ? status.rawValue : standing.rawValue
    }

    /// `text` on one line, cut to `limit` characters with an ellipsis.
    static func abbreviated(_ text: String, limit: Int = 100) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }
}
