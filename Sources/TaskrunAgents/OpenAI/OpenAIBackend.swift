import Foundation
import Logging
import TaskrunCore
import TaskrunExecution

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Asks any OpenAI-compatible chat-completions endpoint: OpenAI, Ollama, vLLM, a llama.cpp server.
///
/// The persona is the system message, the prompt with the input and the earlier answers is the user
/// message, and the answer is requested as a JSON object (`response_format: json_object`) and parsed,
/// falling back to the text when it is not JSON. Cancelling the calling task cancels the HTTP request.
/// 429 and 5xx answers are retried, waiting for `Retry-After` (or a doubling backoff) on the injected
/// clock. The API key goes into the `Authorization` header and nowhere else: it is never logged, never
/// stored in a result, and scrubbed from error messages a server echoes it in.
public struct OpenAIBackend: AgentBackend {
    public let configuration: OpenAIConfiguration
    private let session: URLSession
    private let sleep: @Sendable (Duration) async throws -> Void
    private let environment: @Sendable (String) -> String?
    private let logger: Logger

    /// - Parameters:
    ///   - configuration: The run's endpoint, model and key (see ``OpenAIConfiguration/init(environment:)``).
    ///   - session: The URL session requests go through.
    ///   - clock: What retry waits sleep on.
    ///   - environment: Looks up the variables an agent's `endpoint.apiKeyEnv` names.
    ///   - logger: Gets a line per retry: status and wait, never the key, the prompt or the answer.
    public init(
        configuration: OpenAIConfiguration, session: URLSession = URLSession(configuration: .ephemeral),
        clock: any Clock<Duration> = ContinuousClock(),
        environment: @escaping @Sendable (String) -> String? = { ProcessInfo.processInfo.environment[$0] },
        logger: Logger = Logger(label: "taskrun.agents.openai")
    ) {
        self.configuration = configuration
        self.session = session
        self.sleep = { duration in try await clock.sleep(for: duration) }
        self.environment = environment
        self.logger = logger
    }

    /// The endpoint, model and key one agent's queries use.
    struct Target {
        var url: URL
        var model: String
        var key: APIKey?
    }

    func target(for agent: AgentDefinition) throws -> Target {
        let base: String
        let model: String?
        var key: APIKey?
        if let endpoint = agent.endpoint {
            base = endpoint.baseURL
            model = agent.model.name ?? configuration.model
            if let variable = endpoint.apiKeyEnv {
                guard let value = environment(variable), !value.isEmpty else {
                    throw AgentError.misconfigured(
                        agent: agent.id, message: "the environment variable \(variable) (endpoint.apiKeyEnv) is not set"
                    )
                }
                key = APIKey(value)
            }
        } else {
            base = configuration.baseURL
            model = configuration.model ?? agent.model.name
            key = configuration.apiKey
        }
        guard let model else {
            throw AgentError.misconfigured(
                agent: agent.id, message: "no model: set TASKRUN_LLM_MODEL or model.name in the agent file")
        }
        let root = base.hasSuffix("/") ? String(base.dropLast()) : base
        guard let url = URL(string: root + "/chat/completions"), url.scheme == "http" || url.scheme == "https",
            url.host != nil
        else {
            throw AgentError.misconfigured(agent: agent.id, message: "'\(base)' is not an http(s) URL")
        }
        return Target(url: url, model: model, key: key)
    }

    public func answer(_ request: AgentRequest, agent: AgentDefinition) async throws -> AgentResponse {
        let target = try target(for: agent)
        var requestJSON = configuration.requestJSON
        var retries = 0
        while true {
            try Task.checkCancellation()
            let body = requestBody(request, agent: agent, model: target.model, requestJSON: requestJSON)
            let (data, status, retryAfter) = try await send(body, to: target, agent: agent)
            switch status {
            case 200..<300:
                return try parse(data, agent: agent)
            case 400 where requestJSON && String(decoding: data, as: UTF8.self).contains("response_format"):
                // Some servers do not know JSON mode; ask again without it and parse the text.
                requestJSON = false
                logger.info(
                    "endpoint rejected response_format; retrying without it", metadata: ["agent": "\(agent.id)"])
            case _ where Self.isRetryable(status) && retries < configuration.maxRetries:
                let backoff = configuration.retryBackoff * (1 << min(retries, 16))
                let delay = min(RetryAfter.delay(retryAfter) ?? backoff, configuration.maxRetryDelay)
                retries += 1
                logger.info(
                    "endpoint busy; retrying",
                    metadata: [
                        "agent": "\(agent.id)", "status": "\(status)", "retry": "\(retries)", "wait": "\(delay)",
                    ])
                try await sleep(delay)
            default:
                throw AgentError.httpStatus(
                    agent: agent.id, status: status, message: errorMessage(data, key: target.key))
            }
        }
    }

    /// Rate limits and server errors are worth another try; other client errors are not.
    static func isRetryable(_ status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }

    func requestBody(_ request: AgentRequest, agent: AgentDefinition, model: String, requestJSON: Bool) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(model),
            "messages": [
                [
                    "role": "system",
                    "content": .string(AgentPromptRenderer.systemMessage(agent: agent, format: request.responseFormat)),
                ],
                ["role": "user", "content": .string(AgentPromptRenderer.userMessage(request))],
            ],
        ]
        if let temperature = agent.model.temperature { body["temperature"] = .number(temperature) }
        if let maxTokens = agent.model.maxTokens { body["max_tokens"] = .number(Double(maxTokens)) }
        if requestJSON { body["response_format"] = ["type": "json_object"] }
        return .object(body)
    }

    private func send(
        _ body: JSONValue, to target: Target, agent: AgentDefinition
    ) async throws -> (Data, Int, String?) {
        var urlRequest = URLRequest(url: target.url)
        urlRequest.httpMethod = "POST"
        urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        urlRequest.setValue("application/json", forHTTPHeaderField: "Accept")
        if let key = target.key { urlRequest.setValue("Bearer \(key.value)", forHTTPHeaderField: "Authorization") }
        // The agent's timeout is enforced by the manager; this only stops URLSession's own idle timer
        // from cutting off a model that thinks for a long time before its first byte.
        urlRequest.timeoutInterval = 3600
        urlRequest.httpBody = Data(body.compactJSONText.utf8)
        do {
            let (data, response) = try await session.data(for: urlRequest)
            guard let http = response as? HTTPURLResponse else {
                throw AgentError.invalidResponse(agent: agent.id, message: "not an HTTP response")
            }
            return (data, http.statusCode, http.value(forHTTPHeaderField: "Retry-After"))
        } catch let error as AgentError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            let reason = (error as? URLError).map { "\($0.code.rawValue)" } ?? ""
            throw AgentError.transport(
                agent: agent.id,
                message: "cannot reach \(target.url.absoluteString): \(error.localizedDescription)"
                    + (reason.isEmpty ? "" : " (URLError \(reason))"))
        }
    }

    private func parse(_ data: Data, agent: AgentDefinition) throws -> AgentResponse {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            throw AgentError.invalidResponse(agent: agent.id, message: "the body is not JSON")
        }
        guard let message = value["choices"]?.arrayValue?.first?["message"],
            let content = message["content"]?.stringValue, !content.trimmingWhitespace().isEmpty
        else {
            throw AgentError.invalidResponse(agent: agent.id, message: "no choices[0].message.content in the answer")
        }
        var response = AgentAnswerParser.parse(content)
        if let usage = value["usage"]?.objectValue {
            response.usage = AgentResponse.TokenUsage(
                prompt: usage["prompt_tokens"]?.doubleValue.map { Int($0) },
                completion: usage["completion_tokens"]?.doubleValue.map { Int($0) },
                total: usage["total_tokens"]?.doubleValue.map { Int($0) })
        }
        return response
    }

    /// The server's error message, without the key if the server echoes it.
    private func errorMessage(_ data: Data, key: APIKey?) -> String {
        var message: String
        if let value = try? JSONDecoder().decode(JSONValue.self, from: data),
            let text = value["error"]?["message"]?.stringValue ?? value["error"]?.stringValue
                ?? value["message"]?.stringValue
        {
            message = text
        } else {
            message = String(decoding: data.prefix(300), as: UTF8.self).trimmingWhitespace()
        }
        if let key, !key.value.isEmpty { message = message.replacingOccurrences(of: key.value, with: "<redacted>") }
        return message
    }
}
