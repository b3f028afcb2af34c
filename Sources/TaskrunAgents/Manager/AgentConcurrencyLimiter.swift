import Synchronization

/// Enforces each agent's `maxConcurrent` across every execution that shares the limiter.
///
/// ``shared`` is the process-wide limiter every ``RoutingAgentManager`` uses by default, so two
/// executions (or two managers) in one process together never exceed an agent's limit. Each agent
/// gets one ``AsyncSemaphore``, made on first use with the limit of that first query.
public final class AgentConcurrencyLimiter: Sendable {
    /// The limiter of the whole process.
    public static let shared = AgentConcurrencyLimiter()

    private let semaphores = Mutex<[String: AsyncSemaphore]>([:])
    private let observer: (@Sendable (String, AsyncSemaphore.Snapshot) -> Void)?

    /// - Parameter observer: Called with the agent id after every change of its semaphore.
    public init(observer: (@Sendable (String, AsyncSemaphore.Snapshot) -> Void)? = nil) {
        self.observer = observer
    }

    /// The semaphore of `agent`, made with `limit` permits if it does not exist yet.
    public func semaphore(for agent: String, limit: Int) -> AsyncSemaphore {
        semaphores.withLock { semaphores in
            if let existing = semaphores[agent] { return existing }
            var forward: (@Sendable (AsyncSemaphore.Snapshot) -> Void)?
            if let observer {
                forward = { snapshot in observer(agent, snapshot) }
            }
            let semaphore = AsyncSemaphore(limit: limit, observer: forward)
            semaphores[agent] = semaphore
            return semaphore
        }
    }

    /// Runs `body` holding one of `agent`'s permits; without a limit it runs at once.
    public func withPermit<T: Sendable>(
        agent: String, limit: Int?, _ body: () async throws -> T
    ) async throws -> T {
        guard let limit else { return try await body() }
        return try await semaphore(for: agent, limit: limit).withPermit(body)
    }
}
