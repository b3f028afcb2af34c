import ArgumentParser
import Foundation
import Logging
import TaskrunAgents
import TaskrunCore
import TaskrunExecution

/// `taskrun agents`: a table of the agent definitions in `<tasks dir>/agents/`.
struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "Show the agents defined in the tasks directory's agents/ folder.",
        discussion: """
            One row per agents/<id>.md file: the id tasks use, the agent's name and title, \
            its role, the backend it uses in a run, its model, timeout and concurrency limit, \
            and the tasks that ask it. Agents a task uses that have no file are listed as \
            missing; files with errors are listed as broken, and their problems are printed \
            under the table.

            The backend column shows what a run would use: the agent file's backend, or \
            offline; --agents or $TASKRUN_AGENTS override it for every agent.

            Exit status: 0, or 1 when an agent file has errors or a task uses a missing agent.

            Examples:
              taskrun agents
              taskrun agents --format json
              TASKRUN_AGENTS=openai taskrun agents
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var tasks: TasksDirectoryOptions

    @Option(help: "Output format: text (a table) or json (the definitions).")
    var format: Format = .text

    @OptionGroup var agentOptions: AgentOptions

    func run() async throws {
        let context = CommandContext.current
        let locator = tasks.locator(in: context)
        let override = try agentOptions.override(in: context)
        let directory = AgentDirectory.load(
            tasksDirectory: locator.absolute(locator.tasksDirectory), displayedAs: locator.tasksDirectory)
        let selection = TaskSelection.load([], locator: locator, cache: ParseCache(), context: context)
        var usedBy: [String: [String]] = [:]
        for loaded in selection.loaded {
            for id in loaded.task?.agentIDs ?? [] { usedBy[id, default: []].append(loaded.reference.id) }
        }
        let missing = usedBy.keys.filter { directory[$0] == nil && !directory.brokenIDs.contains($0) }.sorted()

        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(directory.sorted)
            context.writeOutput(String(decoding: data, as: UTF8.self) + "\n")
        case .text:
            guard !directory.definitions.isEmpty || !directory.brokenIDs.isEmpty || !missing.isEmpty else {
                context.print(
                    "No agents in '\(AgentDirectory.agentsPath(inTasksDirectory: locator.tasksDirectory))'. "
                        + "Add an <id>.md agent file there (see Docs/agents.md).")
                return
            }
            context.writeOutput(
                Self.table(directory: directory, usedBy: usedBy, missing: missing, override: override) + "\n"
                    + Self.footer(directory: directory, missing: missing, override: override) + "\n")
        }
        if !directory.diagnostics.isEmpty {
            let renderer = DiagnosticRenderer(colors: context.usesColor(terminal: context.errorIsTerminal))
            context.writeError(renderer.render(directory.diagnostics, sources: directory.sources))
        }
        if directory.diagnostics.hasErrors || !missing.isEmpty { throw ExitCode.taskFailure }
    }

    static func table(
        directory: AgentDirectory, usedBy: [String: [String]], missing: [String], override: String?
    ) -> String {
        var table = TextTable(header: [
            "AGENT", "NAME", "TITLE", "ROLE", "BACKEND", "MODEL", "TIMEOUT", "MAX", "USED BY",
        ])
        table.rightAligned = [6, 7]
        var rows: [(String, TextTable.Row)] = []
        for agent in directory.sorted {
            let backend = override ?? agent.backend ?? "\(AgentBackendName.offline) (default)"
            rows.append(
                (
                    agent.id,
                    .cells([
                        agent.id, agent.name, agent.title ?? "-", agent.role, backend, agent.model.name ?? "-",
                        agent.timeout?.description ?? "-", agent.maxConcurrent.map(String.init) ?? "-",
                        usedBy[agent.id]?.joined(separator: ", ") ?? "-",
                    ])
                ))
        }
        for id in directory.brokenIDs {
            rows.append((id, .note(id, "broken: \(firstError(in: directory, id: id))")))
        }
        for id in missing {
            rows.append(
                (id, .note(id, "missing: no agents/\(id).md, used by \(usedBy[id]?.joined(separator: ", ") ?? "")")))
        }
        table.rows = rows.sorted { $0.0 < $1.0 }.map(\.1)
        return table.render()
    }

    static func footer(directory: AgentDirectory, missing: [String], override: String?) -> String {
        let count = directory.definitions.count
        var footer = count == 1 ? "1 agent" : "\(count) agents"
        if !directory.brokenIDs.isEmpty { footer += ", \(directory.brokenIDs.count) broken" }
        if !missing.isEmpty { footer += ", \(missing.count) missing" }
        if let override { footer += "; every agent uses the \(override) backend in this run" }
        return footer
    }

    static func firstError(in directory: AgentDirectory, id: String) -> String {
        let first = directory.diagnostics.first {
            $0.severity == .error && ($0.path as NSString).lastPathComponent == "\(id).md"
        }
        return first.map { "\($0.location): \($0.message)" } ?? "could not be read"
    }
}

/// The `--agents` option, shared by every command that queries agents (`run`, `resume`) and by
/// `taskrun agents`.
struct AgentOptions: ParsableArguments {
    @Option(
        name: .customLong("agents"),
        help: ArgumentHelp(
            "The backend every agent uses: offline, openai or command (default: $\(AgentBackendSelection.environmentVariable), else each agent file's backend, else offline).",
            valueName: "backend"))
    var backend: String?

    /// The run's backend override: `--agents`, else `$TASKRUN_AGENTS`, else `nil`. A bad value is
    /// reported on standard error and is a usage error.
    func override(in context: CommandContext) throws -> String? {
        do {
            return try AgentBackendSelection.override(flag: backend, environment: context.environment)
        } catch {
            context.printError(error.description, hint: "see 'taskrun agents' and Docs/agents.md")
            throw ExitCode.usage
        }
    }

    /// The agent manager a run uses: the agent files of the tasks directory, the built-in backends
    /// configured from the environment, and the market snapshot. Errors in agent files or in the
    /// snapshot are printed on standard error; a snapshot that does not load or a bad
    /// `--agents`/`TASKRUN_AGENTS`/`TASKRUN_AGENT_COMMAND` is a usage error.
    func manager(locator: TaskLocator, context: CommandContext, logger: Logger) throws -> RoutingAgentManager {
        let override = try override(in: context)
        let setup: RoutingAgentManager.Setup
        do {
            setup = try RoutingAgentManager.standard(
                tasksDirectory: locator.absolute(locator.tasksDirectory), displayedAs: locator.tasksDirectory,
                override: override,
                environment: context.environment, logger: logger)
        } catch let error as MarketSnapshotError {
            let renderer = DiagnosticRenderer(colors: context.usesColor(terminal: context.errorIsTerminal))
            context.writeError(renderer.render(error.diagnostics, sources: [:]))
            throw ExitCode.usage
        } catch {
            context.printError("\(error)")
            throw ExitCode.usage
        }
        let errors = setup.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            let renderer = DiagnosticRenderer(colors: context.usesColor(terminal: context.errorIsTerminal))
            context.writeError(renderer.render(errors, sources: setup.manager.directory.sources))
        }
        return setup.manager
    }
}
