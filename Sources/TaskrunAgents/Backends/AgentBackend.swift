import TaskrunExecution

/// Answers queries for agents, one way: offline heuristics, an HTTP endpoint, a child process, or yours.
///
/// A backend gets the request and the asked agent's definition, and answers or throws, once per call.
/// The ``RoutingAgentManager`` picks the backend, applies the agent's `timeout` and `maxConcurrent`,
/// and cancels the calling task on timeout or abort: a backend must stop promptly when cancelled.
///
/// ```swift
/// struct EchoBackend: AgentBackend {
///     func answer(_ request: AgentRequest, agent: AgentDefinition) async throws -> AgentResponse {
///         AgentResponse(text: "\(agent.name) heard: \(request.prompt)")
///     }
/// }
/// let manager = RoutingAgentManager(directory: directory, backends: ["echo": EchoBackend()], defaultBackend: "echo")
/// ```
public protocol AgentBackend: Sendable {
    func answer(_ request: AgentRequest, agent: AgentDefinition) async throws -> AgentResponse
}
