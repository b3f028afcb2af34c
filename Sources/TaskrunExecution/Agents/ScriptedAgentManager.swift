import Synchronization
import TaskrunCore

/// An offline, deterministic agent manager for tests, demos and the CLI until real backends exist.
///
/// By default every agent echoes: it answers `"<agent>: <prompt>"`. Script an agent with a queue of
/// replies (consumed one per query, then back to the fallback), or give it a handler that computes
/// the answer. Nothing sleeps unless a ``Reply/delayed(_:_:)`` reply says so, and that waits on the
/// clock given at init (inject a manual clock in tests). Every request is recorded in order.
public final class ScriptedAgentManager: AgentManager {
    /// Computes an answer.
    public typealias Handler = @Sendable (AgentRequest) async throws -> AgentResponse

    /// One scripted answer.
    public indirect enum Reply: Sendable {
        case response(AgentResponse)
        /// Answer with this text.
        case text(String)
        /// Fail with this message.
        case failure(String)
        /// Wait on the manager's clock, then reply.
        case delayed(Duration, Reply)
    }

    /// A query failed on purpose.
    public struct ScriptedFailure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    private struct State {
        var queues: [String: [Reply]] = [:]
        var handlers: [String: Handler] = [:]
        var requests: [AgentRequest] = []
    }

    private let state = Mutex(State())
    private let fallback: Handler
    private let clock: any Clock<Duration>
    private let recordsRequests: Bool

    /// - Parameters:
    ///   - clock: What ``Reply/delayed(_:_:)`` waits on.
    ///   - recordsRequests: Whether to keep every request for ``requests`` (turn off for long runs).
    ///   - fallback: Answers agents with no script left; echoes by default.
    public init(
        clock: any Clock<Duration> = ContinuousClock(), recordsRequests: Bool = true, fallback: Handler? = nil
    ) {
        self.clock = clock
        self.recordsRequests = recordsRequests
        self.fallback = fallback ?? { request in Self.echo(request) }
    }

    /// The echo answer: `"<agent>: <prompt>"`.
    public static func echo(_ request: AgentRequest) -> AgentResponse {
        AgentResponse(text: "\(request.agentID): \(request.prompt)")
    }

    /// Queues `replies` for `agentID`, after any still queued.
    public func script(_ agentID: String, _ replies: [Reply]) {
        state.withLock { $0.queues[agentID, default: []].append(contentsOf: replies) }
    }

    /// Answers every query to `agentID` that has no queued reply with `handler`.
    public func handle(_ agentID: String, _ handler: @escaping Handler) {
        state.withLock { $0.handlers[agentID] = handler }
    }

    /// Every request received so far, in arrival order (empty when `recordsRequests` is off).
    public var requests: [AgentRequest] {
        state.withLock { $0.requests }
    }

    public func query(_ request: AgentRequest) async throws -> AgentResponse {
        let (reply, handler) = state.withLock { state -> (Reply?, Handler?) in
            if recordsRequests { state.requests.append(request) }
            if var queue = state.queues[request.agentID], !queue.isEmpty {
                let reply = queue.removeFirst()
                state.queues[request.agentID] = queue
                return (reply, nil)
            }
            return (nil, state.handlers[request.agentID])
        }
        if let reply { return try await answer(reply) }
        try Task.checkCancellation()
        return try await (handler ?? fallback)(request)
    }

    private func answer(_ reply: Reply) async throws -> AgentResponse {
        try Task.checkCancellation()
        switch reply {
        case .response(let response): return response
        case .text(let text): return AgentResponse(text: text)
        case .failure(let message): throw ScriptedFailure(message: message)
        case .delayed(let duration, let next):
            try await clock.sleep(for: duration)
            return try await answer(next)
        }
    }
}
