import ArgumentParser
import Dispatch
import Foundation
import Logging
import TaskrunCore
import TaskrunExecution
import TaskrunStorage

/// `taskrun run TASK` (and `taskrun TASK`, with this as the root command's default subcommand):
/// runs a task and prints a readable summary.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a task.",
        discussion: """
            Runs the phases of a task as soon as their dependencies are done. While it runs, the \
            phases are shown on stderr (a live list on a terminal, one line per event otherwise, \
            every event with --verbose, nothing with --quiet); at the end a markdown report goes to \
            stdout: the verdict or answer, the agents' positions, agreement and dissent, key risks \
            and per-phase timing. --format json prints the full result instead.

            Inputs are typed by the task's requirements: --input amount=10000 is a number when \
            'amount' is declared as one. --input values win over --input-file values. With \
            --events ndjson, stdout carries one JSON event per line and the summary goes to stderr.

            Examples:
              taskrun run investment-committee
              taskrun investment-committee --input ticker=ETH --input amount=5000
              taskrun run daily-market-analysis --input "question=Why is ETH down?" --events ndjson
              taskrun run drafts/new-task.md --input-file inputs.json --output result.json

            Agents answer through the backend their agents/<id>.md file names, offline by \
            default; --agents or $TASKRUN_AGENTS picks one backend for every agent.

            Exit status: 0 completed, 1 failed, 2 usage or validation error (bad arguments, a \
            task that cannot be found or has errors, unmet requirements), 3 timeout, 130 aborted \
            or interrupted.
            """)

    /// How events are printed while the task runs.
    enum EventFormat: String, ExpressibleByArgument, CaseIterable {
        case ndjson
    }

    /// What stdout carries at the end of a run.
    enum ResultFormat: String, ExpressibleByArgument, CaseIterable {
        case markdown, json
    }

    /// Exit statuses beyond the shared ones (``ExitStatus``).
    enum RunStatus {
        static let timeout: Int32 = 3
        static let interrupted: Int32 = 130
    }

    @OptionGroup var store: StoreOptions

    @OptionGroup var agentOptions: AgentOptions
    var tasks: TasksDirectoryOptions { store.tasks }

    @Flag(name: .customLong("no-store"), help: "Keep the history in memory only.")
    var noStore = false

    @Option(help: ArgumentHelp("How long the first Ctrl-C waits for in-flight steps.", valueName: "duration"))
    var grace: String = "10s"

    @Argument(help: ArgumentHelp("A task name or the path of a task file.", valueName: "task|path"))
    var reference: String

    @Option(
        name: .customLong("input"), help: ArgumentHelp("An input as key=value (repeatable).", valueName: "key=value"))
    var inputs: [String] = []

    @Option(
        name: .customLong("input-file"),
        help: ArgumentHelp("A JSON or YAML object of inputs.", valueName: "file.json|file.yaml"))
    var inputFile: String?

    @Option(name: .customLong("max-concurrent-phases"), help: "How many phases may run at once (overrides the task).")
    var maxConcurrentPhases: Int?

    @Option(
        help: ArgumentHelp("The longest the run may take, like 90s or 5m (overrides the task).", valueName: "duration"))
    var timeout: String?

    @Option(help: "Print every event on stdout as it happens, one JSON object per line.")
    var events: EventFormat?

    @Option(help: ArgumentHelp("Write the full result as JSON to this file.", valueName: "file.json"))
    var output: String?

    @Option(help: "What to print at the end: markdown (the report) or json (the full result).")
    var format: ResultFormat = .markdown

    @Flag(name: .customLong("quiet"), help: "Show no progress, only the report.")
    var quiet = false

    @Flag(name: .customLong("verbose"), help: "Show every event as a line of progress.")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together") }
        if format == .json && events != nil {
            throw ValidationError("--format json and --events ndjson would both print on stdout; pick one")
        }
        if let maxConcurrentPhases, maxConcurrentPhases < 1 {
            throw ValidationError("--max-concurrent-phases must be at least 1, got \(maxConcurrentPhases)")
        }
        if let timeout {
            do { _ = try TaskDuration.parse(timeout) } catch { throw ValidationError("--timeout: \(error)") }
        }
    }

    func run() async throws {
        let context = CommandContext.current
        let locator = tasks.locator(in: context)
        var logger = Logger(label: "taskrun", factory: { StreamLogHandler.standardError(label: $0) })
        // Warnings are part of the summary; the log carries only errors.
        logger.logLevel = .error
        let agents = try agentOptions.manager(locator: locator, context: context, logger: logger)
        let executor = TaskExecutor(
            configuration: .init(tasksDirectory: locator.tasksDirectory, eventBufferSize: 1 << 16),
            agents: agents, history: try history(in: context), logger: logger)

        let task: TaskDefinition
        let input: [String: JSONValue]
        var options = ExecutionOptions(maxConcurrentPhases: maxConcurrentPhases)
        options.maxExecutionTime = try timeout.map { try TaskDuration.parse($0).duration }
        do {
            task = try executor.loadTaskFile(reference, locator: locator).task
            input = try resolveInput(for: task, locator: locator)
        } catch let error as ExecutionError {
            report(error, in: context, executor: executor)
            throw ExitCode(ExitStatus.usage)
        } catch {
            context.printError("\(error)")
            throw ExitCode(ExitStatus.usage)
        }

        if let durable = executor.historyStore as? SQLiteHistoryStore,
            let previous = try? await durable.interruptedExecutions(of: task, input: input).first
        {
            context.writeError("hint: an interrupted execution exists: taskrun resume \(previous.id)\n")
        }
        let stream = events == nil ? nil : executor.events
        // With --events, stdout already narrates the run.
        let mode = events == nil ? ProgressMode.choose(quiet: quiet, verbose: verbose, context: context) : .quiet
        let progressStream = mode == .quiet ? nil : executor.events
        let handle: ExecutionHandle
        do {
            handle = try executor.start(task, input: input, options: options)
        } catch {
            report(error, in: context, executor: executor)
            throw ExitCode(ExitStatus.usage)
        }
        let printer = stream.map { stream in Task { await Self.printEvents(stream, of: handle.id, in: context) } }
        let board = ProgressBoard(title: task.metadata.name, phases: task.phases.map(\.name))
        let progress = progressStream.map { stream in
            Task { await ProgressDisplay.standard(mode, context: context).run(stream, of: handle.id, board: board) }
        }
        let interrupts = InterruptHandler()
        let ending = await interrupts.supervise(
            handle, executor: executor, grace: try TaskDuration.parse(grace).duration
        ) { _, count in
            context.writeError(count == 1 ? "pausing… (Ctrl-C again to abort)\n" : "aborting…\n")
        }
        interrupts.stop()
        guard case .finished(let result) = ending else {
            printer?.cancel()
            progress?.cancel()
            _ = await progress?.value
            context.writeError("paused: resume with taskrun resume \(handle.id)\n")
            throw ExitCode(RunStatus.interrupted)
        }
        await printer?.value
        // The progress display ends before the report starts, so the two never interleave.
        _ = await progress?.value

        let write = events == nil ? context.writeOutput : context.writeError
        switch format {
        case .markdown: write(ExecutionReport(result).markdown())
        case .json:
            do {
                let data = try Self.encoder(pretty: true).encode(result)
                context.writeOutput(String(decoding: data, as: UTF8.self) + "\n")
            } catch {
                context.printError("cannot encode the result: \(error)")
                throw ExitCode(ExitStatus.failure)
            }
        }
        if let output {
            do {
                try Self.encoder(pretty: true).encode(result).write(to: URL(fileURLWithPath: locator.absolute(output)))
                // Keep stdout pure JSON with --format json.
                (format == .json ? context.writeError : write)("result written to \(output)\n")
            } catch {
                context.printError("cannot write '\(output)': \(error.localizedDescription)")
                throw ExitCode(ExitStatus.failure)
            }
        }
        let status = Self.exitStatus(for: result.status)
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    private func history(in context: CommandContext) throws -> any HistoryStore {
        if noStore { return InMemoryHistoryStore() }
        return try SQLiteHistoryStore(path: store.location(in: context).path)
    }

    /// The exit status of a finished execution.
    static func exitStatus(for status: ExecutionStatus) -> Int32 {
        switch status {
        case .completed: ExitStatus.success
        case .timeout: RunStatus.timeout
        case .aborted: RunStatus.interrupted
        case .failed, .pending, .running, .paused: ExitStatus.failure
        }
    }

    private func report(_ error: ExecutionError, in context: CommandContext, executor: TaskExecutor) {
        switch error {
        case .taskNotFound(let lookup):
            context.printError(lookup)
        case .invalidTask(let path, let diagnostics):
            let renderer = DiagnosticRenderer(colors: context.usesColor(terminal: context.errorIsTerminal))
            let source = (try? String(contentsOfFile: tasks.locator(in: context).absolute(path), encoding: .utf8)) ?? ""
            context.writeError(
                renderer.render(diagnostics.sortedByPosition(), sources: [path: source])
                    + "cannot run '\(reference)': \(DiagnosticRenderer.summary(of: diagnostics))\n")
        case .preflightFailed(let problems):
            context.printError(
                "'\(reference)' cannot run:\n" + problems.map { "  \($0)" }.joined(separator: "\n"))
        default:
            context.printError(error.description)
        }
    }

    // MARK: Input

    struct InputError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The object in an `--input-file`: YAML when the name ends in `.yaml` or `.yml`, else JSON.
    static func readInputFile(_ inputFile: String, locator: TaskLocator) throws -> [String: JSONValue] {
        guard let data = FileManager.default.contents(atPath: locator.absolute(inputFile)) else {
            throw InputError("--input-file: cannot read '\(inputFile)'")
        }
        let lowered = inputFile.lowercased()
        let value: JSONValue
        if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") {
            do {
                value = try JSONValue(yaml: String(decoding: data, as: UTF8.self))
            } catch {
                throw InputError("--input-file: \(inputFile):\(error.location): \(error.message)")
            }
        } else {
            do { value = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
                throw InputError("--input-file: '\(inputFile)' is not valid JSON")
            }
        }
        guard let object = value.objectValue else {
            throw InputError("--input-file: '\(inputFile)' must hold an object of inputs, got \(value.typeName)")
        }
        return object
    }

    /// `--input-file` (a JSON or YAML object) overlaid with `--input key=value` pairs, each typed by the
    /// requirement of that name.
    func resolveInput(for task: TaskDefinition, locator: TaskLocator) throws -> [String: JSONValue] {
        var input: [String: JSONValue] = [:]
        if let inputFile {
            input = try Self.readInputFile(inputFile, locator: locator)
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
        if !problems.isEmpty { throw InputError(problems.joined(separator: "; ")) }
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
                throw InputError("--input \(key)=\(text): '\(key)' must be a \(type?.rawValue ?? "number")")
            }
            return .number(number)
        case .boolean?:
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw InputError("--input \(key)=\(text): '\(key)' must be true or false")
            }
        case .array?, .object?:
            guard let value = json() else {
                throw InputError("--input \(key)=\(text): '\(key)' must be a JSON \(type?.rawValue ?? "value")")
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
    static func printEvents(_ stream: AsyncStream<ExecutionEvent>, of id: ExecutionID, in context: CommandContext) async
    {
        let encoder = encoder(pretty: false)
        for await event in stream where event.executionID == id {
            if let data = try? encoder.encode(event) {
                context.writeOutput(String(decoding: data, as: UTF8.self) + "\n")
            }
            if event.kind.isTerminal { return }
        }
    }

    // MARK: Signals

    /// Ctrl-C (SIGINT) or SIGTERM aborts the execution; it then ends `aborted` (exit 130). The
    /// default handlers come back when the run is over.
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
