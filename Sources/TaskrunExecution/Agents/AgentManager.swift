/// Answers agent queries: the executor's only way to talk to agents.
///
/// Implementations must be safe to call from many tasks at once. The executor runs each query in
/// a task that is cancelled on abort, on a timeout that covers the query, and when a sibling phase
/// fails; a manager should stop its work promptly when `Task.isCancelled` becomes true (throwing
/// `CancellationError` or any other error is fine). Retries, timeouts and events are the
/// executor's job: a manager answers or throws, once per call.
public protocol AgentManager: Sendable {
    func query(_ request: AgentRequest) async throws -> AgentResponse
}
