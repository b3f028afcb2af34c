import Foundation
import TaskrunCore
import TaskrunExecution

/// Runs an external program per query: any CLI agent, in any language.
///
/// The program is an argv array (the agent file's `command`, else ``defaultCommand``), started
/// without a shell. It reads the query as one JSON document on stdin (agent, prompt, system message,
/// response format, context, execution) and writes its answer on stdout: a JSON object with `text`,
/// `position`, `confidence`, `keyPoints`, `risks`, `data`, or plain text. A non-zero exit fails the
/// query with the program's stderr in the error. When the query is cancelled (abort, or the agent's
/// timeout) the program gets SIGTERM, then SIGKILL after ``gracePeriod``.
public struct CommandBackend: AgentBackend {
    /// The environment variable holding the command for agents whose file has none, as a JSON array.
    public static let environmentVariable = "TASKRUN_AGENT_COMMAND"

    /// The program for agents whose file has no `command`.
    public var defaultCommand: [String]?
    /// How long a program has to exit after SIGTERM before it gets SIGKILL.
    public var gracePeriod: Duration
    /// The program's environment; `nil` inherits taskrun's.
    public var environment: [String: String]?
    public var workingDirectory: String?
    /// The most stderr kept in an error message, in characters (the end is kept).
    public var stderrLimit: Int
    private let sleep: @Sendable (Duration) async throws -> Void

    /// - Parameters:
    ///   - clock: What the grace period is measured on.
    public init(
        defaultCommand: [String]? = nil, gracePeriod: Duration = .seconds(3), environment: [String: String]? = nil,
        workingDirectory: String? = nil, stderrLimit: Int = 2000, clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.defaultCommand = defaultCommand
        self.gracePeriod = gracePeriod
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stderrLimit = stderrLimit
        self.sleep = { duration in try await clock.sleep(for: duration) }
    }

    /// Reads ``environmentVariable``: a JSON array of strings, or a single program path without spaces.
    ///
    /// - Returns: `nil` when the variable is unset or empty.
    /// - Throws: ``AgentError/misconfigured(agent:message:)`` for anything else.
    public static func command(fromEnvironment environment: [String: String]) throws -> [String]? {
        guard let text = environment[environmentVariable]?.trimmingWhitespace(), !text.isEmpty else { return nil }
        if text.hasPrefix("[") {
            guard let value = try? JSONDecoder().decode([String].self, from: Data(text.utf8)), !value.isEmpty else {
                throw AgentError.misconfigured(
                    agent: "*",
                    message: "\(environmentVariable) must be a JSON array of strings, like [\"python3\", \"agent.py\"]")
            }
            return value
        }
        guard !text.contains(" ") else {
            throw AgentError.misconfigured(
                agent: "*",
                message:
                    "\(environmentVariable) has spaces; write it as a JSON array, like [\"python3\", \"agent.py\"] (no shell is used)"
            )
        }
        return [text]
    }

    public func answer(_ request: AgentRequest, agent: AgentDefinition) async throws -> AgentResponse {
        guard let argv = agent.command ?? defaultCommand, !argv.isEmpty else {
            throw AgentError.misconfigured(
                agent: agent.id,
                message:
                    "no command: add 'command: [program, args...]' to the agent file or set \(Self.environmentVariable)"
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let input = try encoder.encode(CommandQuery(request: request, agent: agent))
        let child = ChildProcess(gracePeriod: gracePeriod, sleep: sleep)
        let outcome: ChildProcess.Outcome
        do {
            outcome = try await child.run(
                argv: argv, input: input, environment: environment, workingDirectory: workingDirectory)
        } catch let error as ChildProcess.LaunchError {
            throw AgentError.commandFailed(agent: agent.id, message: error.description, stderr: "")
        }
        let stderr = tail(outcome.stderr)
        if !outcome.signalsSent.isEmpty {
            let signals = outcome.signalsSent.joined(separator: ", then ")
            throw AgentError.commandFailed(
                agent: agent.id, message: "stopped '\(argv[0])': sent \(signals)" + ended(outcome), stderr: stderr)
        }
        if let signal = outcome.signal {
            throw AgentError.commandFailed(
                agent: agent.id, message: "'\(argv[0])' was killed by signal \(signal)", stderr: stderr)
        }
        if let status = outcome.exitStatus, status != 0 {
            throw AgentError.commandFailed(
                agent: agent.id, message: "'\(argv[0])' exited with status \(status)", stderr: stderr)
        }
        let text = String(decoding: outcome.stdout, as: UTF8.self)
        guard !text.trimmingWhitespace().isEmpty else {
            throw AgentError.commandFailed(
                agent: agent.id, message: "'\(argv[0])' wrote nothing on stdout", stderr: stderr)
        }
        return AgentAnswerParser.parse(text)
    }

    private func ended(_ outcome: ChildProcess.Outcome) -> String {
        if let signal = outcome.signal { return "; it ended by signal \(signal)" }
        if let status = outcome.exitStatus { return "; it exited with status \(status)" }
        return ""
    }

    private func tail(_ data: Data) -> String {
        let text = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        return text.count > stderrLimit ? "..." + String(text.suffix(stderrLimit)) : text
    }
}
