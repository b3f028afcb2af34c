import TaskrunCore
import TaskrunExecution

/// Why an agent query failed. The description is what the executor records and shows.
public enum AgentError: RetryableError, Sendable, Hashable, CustomStringConvertible {
    /// The task names an agent that has no definition.
    case undefinedAgent(String)
    /// The agent's backend is not registered with the manager.
    case unknownBackend(name: String, agent: String, known: [String])
    /// The query took longer than the agent's `timeout`; `detail` says how the backend stopped.
    case timedOut(agent: String, after: TaskDuration, detail: String?)
    /// The backend lacks something it needs (a model name, a command), with what to do about it.
    case misconfigured(agent: String, message: String)
    /// The endpoint answered with an HTTP error after all retries.
    case httpStatus(agent: String, status: Int, message: String)
    /// The endpoint could not be reached or the connection broke.
    case transport(agent: String, message: String)
    /// The endpoint's answer could not be read.
    case invalidResponse(agent: String, message: String)
    /// The command failed to start, exited non-zero or was killed.
    case commandFailed(agent: String, message: String, stderr: String)

    /// Whether trying again could help. A missing definition, an unknown backend, a misconfiguration
    /// or an HTTP client error (other than 429) fails the same way every time, so the executor does
    /// not retry those.
    public var isRetryable: Bool {
        switch self {
        case .undefinedAgent, .unknownBackend, .misconfigured: false
        case .httpStatus(_, let status, _): status == 429 || status >= 500
        case .timedOut, .transport, .invalidResponse, .commandFailed: true
        }
    }

    public var description: String {
        switch self {
        case .undefinedAgent(let id):
            "agent '\(id)' has no definition (add agents/\(id).md to the tasks directory)"
        case .unknownBackend(let name, let agent, let known):
            "agent '\(agent)' uses backend '\(name)', which is not available; known backends: "
                + known.sorted().joined(separator: ", ")
        case .timedOut(let agent, let after, let detail):
            "agent '\(agent)' did not answer within its timeout of \(after)" + (detail.map { " (\($0))" } ?? "")
        case .misconfigured(let agent, let message):
            "agent '\(agent)': \(message)"
        case .httpStatus(let agent, let status, let message):
            "agent '\(agent)': the endpoint answered HTTP \(status)" + (message.isEmpty ? "" : ": \(message)")
        case .transport(let agent, let message):
            "agent '\(agent)': \(message)"
        case .invalidResponse(let agent, let message):
            "agent '\(agent)': unreadable answer: \(message)"
        case .commandFailed(let agent, let message, let stderr):
            "agent '\(agent)': \(message)" + (stderr.isEmpty ? "" : "; stderr: \(stderr)")
        }
    }
}
