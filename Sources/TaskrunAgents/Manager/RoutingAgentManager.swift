import Logging
import TaskrunCore
import TaskrunExecution

/// The agent manager taskrun runs with: routes each query to the asked agent's backend, applies the
/// agent's `timeout`, and enforces its `maxConcurrent` across every execution in the process.
///
/// The backend of a query is the run's override (`--agents`, `TASKRUN_AGENTS`) when there is one,
/// else the agent file's `backend`, else ``defaultBackend``. Register your own backends under any name.
public final class RoutingAgentManager: AgentManager {
    public let directory: AgentDirectory
    public let backends: [String: any AgentBackend]
    /// The backend every agent uses for this run, whatever its file says; `nil` to follow the files.
    public let override: String?
    /// The backend of agents whose file names none.
    public let defaultBackend: String
    private let limiter: AgentConcurrencyLimiter
    private let sleep: @Sendable (Duration) async throws -> Void
    private let logger: Logger

    /// - Parameters:
    ///   - directory: The agent definitions; a query for an agent not in it fails.
    ///   - backends: Backends by name (``AgentBackendName`` has the built-in names).
    ///   - override: The backend for every agent in this run (see ``AgentBackendSelection``).
    ///   - defaultBackend: The backend of agents whose file names none.
    ///   - limiter: Where `maxConcurrent` is counted; the process-wide ``AgentConcurrencyLimiter/shared``
    ///     by default.
    ///   - clock: What agent timeouts are measured on.
    ///   - logger: Gets one debug line per query (agent, backend, phase); never prompts or keys.
    public init(
        directory: AgentDirectory, backends: [String: any AgentBackend], override: String? = nil,
        defaultBackend: String = AgentBackendName.offline, limiter: AgentConcurrencyLimiter = .shared,
        clock: any Clock<Duration> = ContinuousClock(), logger: Logger = Logger(label: "taskrun.agents")
    ) {
        self.directory = directory
        self.backends = backends
        self.override = override
        self.defaultBackend = defaultBackend
        self.limiter = limiter
        self.sleep = { duration in try await clock.sleep(for: duration) }
        self.logger = logger
    }

    /// The backend `agent` uses in this run.
    public func backendName(for agent: AgentDefinition) -> String {
        override ?? agent.backend ?? defaultBackend
    }

    public func query(_ request: AgentRequest) async throws -> AgentResponse {
        guard let agent = directory[request.agentID] else { throw AgentError.undefinedAgent(request.agentID) }
        let name = backendName(for: agent)
        guard let backend = backends[name] else {
            throw AgentError.unknownBackend(name: name, agent: agent.id, known: Array(backends.keys))
        }
        logger.debug(
            "agent query",
            metadata: [
                "agent": "\(agent.id)", "backend": "\(name)", "phase": "\(request.phase)",
                "attempt": "\(request.attempt)",
            ])
        let sleep = sleep
        return try await limiter.withPermit(agent: agent.id, limit: agent.maxConcurrent) {
            try await withAgentTimeout(agent.timeout, agent: agent.id, sleep: sleep) {
                try await backend.answer(request, agent: agent)
            }
        }
    }
}
