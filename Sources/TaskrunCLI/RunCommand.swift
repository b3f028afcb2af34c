import ArgumentParser
import Dispatch
import Foundation
import Logging
import TaskrunCore
import TaskrunExecution

/// `taskrun run TASK` (and `taskrun TASK`, as the root command's default subcommand): runs a task
/// and prints a readable summary.
///
/// Exit codes: 0 completed, 1 failed, 2 usage or validation error (the task cannot run, the input
/// does not meet its requirements, a bad option value), 3 timeout, 130 aborted or interrupted.
public struct RunCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a task.",
        discussion: """
            Inputs are typed by the task's requirements: --input amount=10000 is a number when \
            'amount' is declared as one. --input values win over --input-file values. With \
            --events ndjson, stdout carries one JSON event per line and the summary goes to stderr.

            Exit codes: 0 completed, 1 failed, 2 usage or validation error, 3 timeout, \
            130 aborted or interrupted (Ctrl-C).
            """)

    /// How events are printed while the task runs.
    public enum EventFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
        case ndjson
    }

    @Argument(help: "The task: a name in the tasks directory (investment-committee) or a path to a .md file.")
    public var task: String

    @Option(name: .customLong("input"), help: ArgumentHelp("An input as key=value (repeatable).", valueName: "key=value"))
    public var inputs: [String] = []

    @Option(name: .customLong("input-file"), help: ArgumentHelp("A JSON object of inputs.", valueName: "file.json"))
    public var inputFile: String?

    @Option(name: .customLong("max-concurrent-phases"), help: "How many phases may run at once (overrides the task).")
    public var maxConcurrentPhases: Int?

    @Option(help: ArgumentHelp("The longest the execution may take, like 90s or 5m (overrides the task).", valueName: "duration"))
    public var timeout: String?

    @Option(help: "Print every event on stdout as it happens, one JSON object per line.")
    public var events: EventFormat?

    @Option(help: ArgumentHelp("Write the full result as JSON to this file.", valueName: "file.json"))
    public var output: String?

    @Option(
        name: .customLong("tasks-dir"),
        help: ArgumentHelp("Where task names are looked up (default: $TASKRUN_TASKS_DIR, else ./tasks).", valueName: "dir"))
    public var tasksDirectory: String?

    public init() {}

    public func run() async throws {
        let code = await execute(standardOutput: .standardOutput, standardError: .standardError)
        if code != 0 { throw ExitCode(code) }
    }

    /// Runs the command, writing to the given handles, and returns the exit code.
    public func execute(standardOutput: FileHandle, standardError: FileHandle) async -> Int32 {
        let out = TextOutput(standardOutput)
        let err = TextOutput(standardError)
        let summary = events == nil ? out : err
        let directory =
            tasksDirectory ?? ProcessInfo.processInfo.environment["TASKRUN_TASKS_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "tasks"
        var logger = Logger(label: "taskrun", factory: { StreamLogHandler.standardError(label: $0) })
        // Warnings are part of the summary; the log only carries errors.
        logger.logLevel = .error
        let executor = TaskExecutor(
            configuration: .init(tasksDirectory: directory, eventBufferSize: 1 << 16),
            // Until real agent backends exist, agents answer offline by echoing their prompt.
            agents: ScriptedAgentManager(recordsRequests: false), history: InMemoryHistoryStore(), logger: logger)

        let definition: TaskDefinition
        let input: [String: JSONValue]
        var options = ExecutionOptions(maxConcurrentPhases: maxConcurrentPhases)
        do {
            // Checked here rather than in validate(), so that the exit code is 2, not 64.
            if let maxConcurrentPhases, maxConcurrentPhases < 1 {
                throw RunError("--max-concurrent-phases must be at least 1, got \(maxConcurrentPhases)")
            }
            definition = try executor.loadTask(task)
            input = try resolveInput(for: definition)
            if let timeout {
                do { options.maxExecutionTime = try TaskDuration.parse(timeout).duration } catch {
                    throw RunError("--timeout: \(error)")
                }
            }
        } catch let error as ExecutionError {
            err.line(Self.describe(error))
            return 2
        } catch {
            err.line("error: \(error)")
            return 2
        }

        let stream = events == nil ? nil : executor.events
        let handle: ExecutionHandle
        do {
            handle = try executor.start(definition, input: input, options: options)
        } catch {
            err.line(Self.describe(error))
            return 2
        }
        let printer = stream.map { stream in
            Task { await Self.printEvents(stream, of: handle.id, to: out) }
        }
        let interrupts = Self.abortOnSignals(handle)
        let result = await handle.result
        interrupts.forEach { $0.cancel() }
        await printer?.value

        Self.printSummary(result, definition: definition, to: summary)
        if let output {
            do {
                try Self.encoder(pretty: true).encode(result).write(to: URL(fileURLWithPath: output))
                summary.line("result written to \(output)")
            } catch {
                err.line("error: cannot write \(output): \(error)")
                return 1
            }
        }
        return Self.exitCode(for: result.status)
    }

    /// The exit code of a finished execution.
    public static func exitCode(for status: ExecutionStatus) -> Int32 {
        switch status {
        case .completed: 0
        case .timeout: 3
        case .aborted: 130
        case .failed, .pending, .running, .paused: 1
        }
    }

    // MARK: Input

    struct RunError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// `--input-file` (a JSON object) overlaid with `--input key=value` pairs, each typed by the
    /// requirement of that name.
    func resolveInput(for task: TaskDefinition) throws -> [String: JSONValue] {
        var input: [String: JSONValue] = [:]
        if let inputFile {
            let lowered = inputFile.lowercased()
            if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") {
                throw RunError("--input-file: YAML input files are not supported yet; write the inputs as a JSON object")
            }
            guard let data = FileManager.default.contents(atPath: inputFile) else {
                throw RunError("--input-file: cannot read '\(inputFile)'")
            }
            let value: JSONValue
            do { value = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
                throw RunError("--input-file: '\(inputFile)' is not valid JSON")
            }
            guard let object = value.objectValue else {
                throw RunError("--input-file: '\(inputFile)' must hold a JSON object, got \(value.typeName)")
            }
            input = object
        }
        let requirements = Dictionary(task.requirements.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var seen: Set<String> = []
        var problems: [String] = []
        for pair in inputs {
            guard let separator = pair.firstIndex(of: "="), separator != pair.startIndex else {
                problems.append("--input '\(pair)' must be key=value")
                continue
            }
            let key = String(pair[..<separator])
            let text = String(pair[pair.index(after: separator)...])
            guard seen.insert(key).inserted else {
                problems.append("--input '\(key)' is given more than once")
                continue
            }
            do {
                input[key] = try Self.value(text, for: key, type: requirements[key]?.type)
            } catch {
                problems.append("\(error)")
            }
        }
        if !problems.isEmpty { throw RunError(problems.joined(separator: "; ")) }
        return input
    }

    /// A command-line value as the requirement's type says; without a requirement (or `any`),
    /// `true`/`false`/`null`/numbers/JSON arrays and objects are recognised and the rest is text.
    static func value(_ text: String, for key: String, type: RequirementType?) throws -> JSONValue {
        func json() -> JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
        switch type {
        case .string?:
            return .string(text)
        case .number?, .integer?:
            guard let number = Double(text.trimmingWhitespace()), number.isFinite else {
                throw RunError("--input \(key)=\(text): '\(key)' must be a \(type?.rawValue ?? "number")")
            }
            return .number(number)
        case .boolean?:
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw RunError("--input \(key)=\(text): '\(key)' must be true or false")
            }
        case .array?, .object?:
            guard let value = json() else {
                throw RunError("--input \(key)=\(text): '\(key)' must be a JSON \(type?.rawValue ?? "value")")
            }
            return value
        case .any?, nil:
            switch text {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default: break
            }
            if let number = Double(text), number.isFinite, text.first.map({ $0.isNumber || $0 == "-" }) == true {
                return .number(number)
            }
            if text.hasPrefix("[") || text.hasPrefix("{"), let value = json() { return value }
            return .string(text)
        }
    }

    // MARK: Output

    static func describe(_ error: any Error) -> String {
        guard let error = error as? ExecutionError else { return "error: \(error)" }
        switch error {
        case .invalidTask(_, let diagnostics):
            return diagnostics.sortedByPosition().map { diagnostic in
                "\(diagnostic.path):\(diagnostic.location): \(diagnostic.severity.rawValue): \(diagnostic.message)"
                    + (diagnostic.hint.map { " (\($0))" } ?? "")
            }.joined(separator: "\n")
        case .preflightFailed(let problems):
            return "error: the task cannot run:\n" + problems.map { "  \($0)" }.joined(separator: "\n")
        default:
            return "error: \(error)"
        }
    }

    static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return encoder
    }

    /// Prints the execution's events as NDJSON until its terminal event.
    static func printEvents(_ stream: AsyncStream<ExecutionEvent>, of id: ExecutionID, to output: TextOutput) async {
        let encoder = encoder(pretty: false)
        for await event in stream where event.executionID == id {
            if let data = try? encoder.encode(event) { output.line(String(decoding: data, as: UTF8.self)) }
            if event.kind.isTerminal { return }
        }
    }

    static func printSummary(_ result: ExecutionResult, definition: TaskDefinition, to output: TextOutput) {
        output.line("\(result.taskName) (\(result.taskID)): \(result.status) in \(format(result.duration))")
        output.line("execution \(result.executionID)")
        let width = min(32, result.phases.map(\.name.count).max() ?? 0)
        for phase in result.phases {
            let mark =
                switch phase.status {
                case .completed: "✓"
                case .failed, .timeout, .aborted: "✗"
                case .skipped: "-"
                default: "·"
                }
            var line = "  \(mark) \(phase.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(phase.status.rawValue)"
            if let duration = phase.duration { line += "  \(format(duration))" }
            let agents = phase.steps.filter { $0.type == "agent" && $0.status != .skipped && $0.status != .pending }
            if !agents.isEmpty {
                line += "  \(agents.filter { $0.status == .completed }.count)/\(agents.count) agents"
            }
            if phase.attempts > 1 { line += "  \(phase.attempts) attempts" }
            output.line(line)
            for error in phase.errors { output.line("      error: \(error)") }
        }
        for warning in result.warnings { output.line("warning: \(warning)") }
        if let reason = result.reason { output.line("reason: \(reason)") }
        guard let final = result.finalPhase, let phase = result[phase: final] else { return }
        func text(_ value: JSONValue) -> String { value["text"]?.stringValue ?? value.compactDescription }
        if phase.outputs.isEmpty {
            if let value = result.finalResult { output.line("result (\(final)): \(text(value))") }
        } else {
            for (name, value) in phase.outputs.sorted(by: { $0.key < $1.key }) {
                output.line("\(final) → \(name): \(text(value))")
            }
        }
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        if milliseconds < 1000 { return "\(Int(milliseconds.rounded()))ms" }
        return String(format: "%.1fs", milliseconds / 1000)
    }

    // MARK: Signals

    /// Ctrl-C (SIGINT) or SIGTERM aborts the execution; it then ends with status `aborted` (exit 130).
    static func abortOnSignals(_ handle: ExecutionHandle) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                handle.abort(reason: number == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)")
            }
            source.setCancelHandler { signal(number, SIG_DFL) }
            source.resume()
            return source
        }
    }
}

/// Line-oriented text output to a file handle; safe from any task.
public struct TextOutput: Sendable {
    let handle: FileHandle

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    func line(_ text: String) {
        handle.write(Data((text + "\n").utf8))
    }
}
