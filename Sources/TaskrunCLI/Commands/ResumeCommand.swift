import ArgumentParser
import Foundation
import Logging
import TaskrunCore
import TaskrunExecution
import TaskrunStorage

/// `taskrun resume ID`: continues an interrupted, paused, failed or timed-out execution.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue an execution that was interrupted, paused, failed or timed out.",
        discussion: """
            Completed phases are not run again: their results and outputs are restored from the \
            history store. Phases that were in flight when the execution stopped run again from \
            their start. If the task file changed since the execution started, resume refuses and \
            lists what changed, unless --force. Secret inputs are never stored: give them again \
            with --input.

            Ctrl-C pauses (in-flight steps finish, at most --grace), a second Ctrl-C aborts.

            Exit codes: 0 completed, 1 failed, 2 cannot resume (or usage error), 3 timeout, \
            130 aborted or interrupted.

            Examples:
              taskrun resume 01a20533-81ba
              taskrun resume 01a20533-81ba --force
              taskrun resume 01a20533-81ba --input apiKey=$API_KEY
            """)

    @Argument(help: "The execution id (or a unique prefix of it).")
    var id: String

    @Flag(help: "Resume even though the task file changed (or the execution's process seems alive).")
    var force = false

    @Option(
        name: .customLong("input"),
        help: ArgumentHelp(
            "A secret input as key=value, which the store does not keep (repeatable).", valueName: "key=value"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp("How long the first Ctrl-C waits for in-flight steps, like 10s.", valueName: "duration"))
    var grace: String = "10s"

    @Option(help: ArgumentHelp("Write the full result as JSON to this file.", valueName: "file.json"))
    var output: String?

    @OptionGroup var store: StoreOptions

    @OptionGroup var agentOptions: AgentOptions

    func run() async throws {
        let context = CommandContext.current
        let graceDuration: Duration
        do {
            graceDuration = try TaskDuration.parse(grace).duration
        } catch {
            context.printError("--grace: \(error)")
            throw ExitCode.usage
        }
        let (opened, id) = try await store.openExecution(self.id, in: context)
        let task = try await loadTask(for: id, from: opened, context: context)
        let secrets = try secretValues(for: task, context: context)

        var logger = Logger(label: "taskrun", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .error
        let locator = store.tasks.locator(in: context)
        let agents = try agentOptions.manager(locator: locator, context: context, logger: logger)
        let executor = TaskExecutor(
            configuration: .init(tasksDirectory: locator.tasksDirectory), agents: agents, history: opened,
            logger: logger)
        let handle: ExecutionHandle
        do {
            let preparation = try await opened.prepareResume(id, task: task, secrets: secrets, force: force)
            if let changes = preparation.changes {
                context.writeError("warning: the task file changed since the execution started (--force):\n")
                context.writeError(changes.lines.map { "  \($0)\n" }.joined())
            }
            if !preparation.restoredPhases.isEmpty {
                let count = preparation.restoredPhases.count
                context.writeError("resuming \(id): \(count) completed phase\(count == 1 ? "" : "s") kept\n")
            }
            handle = try executor.start(resumingFrom: preparation.checkpoint, task: task, options: preparation.options)
        } catch let error as ResumeError {
            context.printError(error.description)
            throw ExitCode.usage
        } catch {
            context.printError("\(error)")
            throw ExitCode.usage
        }

        let interrupts = InterruptHandler()
        let ending = await interrupts.supervise(handle, executor: executor, grace: graceDuration) { signal, count in
            context.writeError(count == 1 ? "pausing… (Ctrl-C again to abort)\n" : "aborting…\n")
        }
        interrupts.stop()
        switch ending {
        case .paused(let id, let settled):
            if !settled { context.writeError("steps still in flight after \(grace) will run again on resume\n") }
            context.writeError("paused: resume with taskrun resume \(id)\n")
            throw ExitCode(130)
        case .finished(let result):
            context.writeOutput(RunCommand.summary(of: result))
            if let output {
                let path = store.tasks.locator(in: context).absolute(output)
                do {
                    try RunCommand.encoder(pretty: true).encode(result).write(to: URL(fileURLWithPath: path))
                    context.writeOutput("result written to \(output)\n")
                } catch {
                    context.printError("cannot write \(output): \(error)")
                    throw ExitCode(ExitStatus.failure)
                }
            }
            let code = RunCommand.exitStatus(for: result.status)
            if code != ExitStatus.success { throw ExitCode(code) }
        }
    }

    /// The task file as it is now: the path the execution ran, else its id in the tasks directory.
    private func loadTask(for id: ExecutionID, from history: SQLiteHistoryStore, context: CommandContext) async throws
        -> TaskDefinition
    {
        guard let details = try await history.loadDetails(id) else {
            context.printError(StoreError.unknownExecution(id.description).description)
            throw ExitCode.usage
        }
        let record = details.execution.record
        let locator = store.tasks.locator(in: context)
        var candidates: [String] = []
        if let path = record.task.sourcePath { candidates.append(locator.absolute(path)) }
        if let reference = try? locator.locate(record.taskID) { candidates.append(reference.absolutePath) }
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            context.printError(
                "cannot find the task file of execution \(id) (task '\(record.taskID)', "
                    + "was \(record.task.sourcePath ?? "not a file"))",
                hint: "run from the directory it was started in, or pass --tasks-dir")
            throw ExitCode.usage
        }
        let executor = TaskExecutor(agents: ScriptedAgentManager(recordsRequests: false))
        do {
            var task = try executor.loadTaskFile(path, locator: locator).task
            task.sourcePath = path
            return task
        } catch {
            context.printError("cannot load the task file '\(path)': \(error)")
            throw ExitCode.usage
        }
    }

    /// `--input` values, typed by their requirements.
    private func secretValues(for task: TaskDefinition, context: CommandContext) throws -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for pair in inputs {
            guard let separator = pair.firstIndex(of: "="), separator != pair.startIndex else {
                context.printError("--input '\(pair)' must be key=value")
                throw ExitCode.usage
            }
            let key = String(pair[..<separator])
            let requirement = task.requirements.first { $0.name == key }
            do {
                values[key] = try RunCommand.value(
                    String(pair[pair.index(after: separator)...]), for: key, type: requirement?.type)
            } catch {
                context.printError("\(error)")
                throw ExitCode.usage
            }
        }
        return values
    }
}
