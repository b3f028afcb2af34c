import Foundation
import TaskrunCore
import TaskrunExecution
import TaskrunTestSupport
import Testing

@testable import TaskrunAgents

/// The OpenAI-compatible backend against a real HTTP/1.1 server on 127.0.0.1.
/// A hung query fails its test after the time limit instead of hanging the run.
@Suite(.timeLimit(.minutes(1))) struct OpenAIBackendTests {
    static let answer = """
        {"text": "Momentum is positive.", "position": "Bullish", "confidence": 72, \
        "keyPoints": ["30-day return +6.8%"], "risks": ["volatility"], "data": {"momentumScore": 0.61}, "horizon": "medium"}
        """

    static func completion(_ content: String) -> String {
        // safe: a string always encodes
        let encoded = String(decoding: try! JSONEncoder().encode(content), as: UTF8.self)
        return """
            {"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": \(encoded)}}], \
            "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}}
            """
    }

    func backend(_ server: LoopbackHTTPServer, clock: ManualClock = ManualClock(), key: String? = "sk-test-secret")
        -> OpenAIBackend
    {
        OpenAIBackend(
            configuration: OpenAIConfiguration(
                baseURL: server.baseURL, model: nil, apiKey: key.map(APIKey.init), maxRetries: 2,
                retryBackoff: .seconds(1)),
            clock: clock, environment: { _ in nil })
    }

    @Test func aJSONAnswerIsParsedIntoStructuredFields() async throws {
        let server = try LoopbackHTTPServer { _, _ in .respond(status: 200, body: Self.completion(Self.answer)) }
        defer { server.stop() }
        let agent = Fixtures.agent(model: "llama3.1")
        var requests = server.events.makeAsyncIterator()

        let response = try await backend(server).answer(Fixtures.request(prompt: "Analyse BTC"), agent: agent)

        #expect(response.text == "Momentum is positive.")
        #expect(response.position == .bullish)
        #expect(response.confidence == 72)
        #expect(response.keyPoints == ["30-day return +6.8%"])
        #expect(response.risks == ["volatility"])
        #expect(response.data?["momentumScore"] == 0.61)
        #expect(response.data?["horizon"] == "medium")
        #expect(response.usage == AgentResponse.TokenUsage(prompt: 120, completion: 30, total: 150))

        guard case .request(let request)? = await requests.next() else {
            Issue.record("the server saw no request")
            return
        }
        #expect(request.method == "POST")
        #expect(request.path == "/v1/chat/completions")
        #expect(request.headers["authorization"] == "Bearer sk-test-secret")
        let body = try #require(request.json)
        #expect(body["model"] as? String == "llama3.1")
        #expect((body["response_format"] as? [String: Any])?["type"] as? String == "json_object")
        #expect(body["max_tokens"] as? Int == 50)
        let messages = try #require(body["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["system", "user"])
        #expect((messages[0]["content"] as? String)?.hasPrefix("You are a test agent.") == true)
        #expect((messages[1]["content"] as? String)?.hasPrefix("Analyse BTC") == true)
        #expect((messages[1]["content"] as? String)?.contains("- ticker: BTC") == true)
    }

    @Test func aPlainTextAnswerFallsBackToText() async throws {
        let server = try LoopbackHTTPServer { _, _ in
            .respond(status: 200, body: Self.completion("BTC looks fine to me."))
        }
        defer { server.stop() }
        let response = try await backend(server).answer(Fixtures.request(), agent: Fixtures.agent())
        #expect(response.text == "BTC looks fine to me.")
        #expect(response.position == nil)
        #expect(response.confidence == nil)
    }

    @Test func a429WithRetryAfterIsRetriedAfterWaitingOnTheClock() async throws {
        let server = try LoopbackHTTPServer { number, _ in
            number == 1
                ? .respond(status: 429, headers: ["Retry-After": "7"], body: #"{"error": {"message": "slow down"}}"#)
                : .respond(status: 200, body: Self.completion(Self.answer))
        }
        defer { server.stop() }
        let clock = ManualClock()
        let backend = backend(server, clock: clock)
        let query = Task { try await backend.answer(Fixtures.request(), agent: Fixtures.agent()) }

        await awaitEvent("the Retry-After wait", while: query) { await clock.waitForSleeper(.seconds(7)) }
        clock.advance(by: .seconds(7))
        let response = try await query.value

        #expect(response.position == .bullish)
        #expect(clock.sleeps == [.seconds(7)])
        var requests = 0
        for await event in server.events {
            if case .request = event { requests += 1 }
            if requests == 2 { break }
        }
        #expect(requests == 2)
    }

    @Test func serverErrorsWithoutRetryAfterBackOffThenFailWithTheMessage() async throws {
        let server = try LoopbackHTTPServer { _, _ in
            .respond(status: 503, body: #"{"error": {"message": "overloaded"}}"#)
        }
        defer { server.stop() }
        let clock = ManualClock()
        let backend = backend(server, clock: clock)
        let query = Task { try await backend.answer(Fixtures.request(), agent: Fixtures.agent()) }
        await awaitEvent("the first backoff", while: query) { await clock.waitForSleeper(.seconds(1)) }
        clock.advance(by: .seconds(1))
        await awaitEvent("the second backoff", while: query) { await clock.waitForSleeper(.seconds(2)) }
        clock.advance(by: .seconds(2))

        let error = await #expect(throws: AgentError.self) { try await query.value }
        #expect(error == .httpStatus(agent: "test-agent", status: 503, message: "overloaded"))
        #expect(clock.sleeps == [.seconds(1), .seconds(2)])
    }

    @Test func theKeyNeverAppearsInErrors() async throws {
        let server = try LoopbackHTTPServer { _, _ in
            .respond(status: 401, body: #"{"error": {"message": "Incorrect API key provided: sk-test-secret"}}"#)
        }
        defer { server.stop() }
        let error = await #expect(throws: AgentError.self) {
            try await backend(server).answer(Fixtures.request(), agent: Fixtures.agent())
        }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("HTTP 401"))
        #expect(text.contains("<redacted>"))
        #expect(!text.contains("sk-test-secret"))
        #expect("\(APIKey("sk-test-secret"))" == "<redacted>")
    }

    @Test func aSlowResponseHitsTheAgentTimeoutAndTheConnectionIsClosed() async throws {
        let server = try LoopbackHTTPServer { _, _ in .hold }
        defer { server.stop() }
        let clock = ManualClock()
        let agent = Fixtures.agent(timeout: .seconds(30))
        let manager = RoutingAgentManager(
            directory: AgentDirectory(definitions: [agent]),
            backends: [AgentBackendName.openai: backend(server, clock: clock)], defaultBackend: AgentBackendName.openai,
            limiter: AgentConcurrencyLimiter(), clock: clock)
        let query = Task { try await manager.query(Fixtures.request()) }
        var events = server.events.makeAsyncIterator()
        guard case .request? = await events.next() else {
            Issue.record("the server saw no request")
            return
        }
        await awaitEvent("the timeout", while: query) { await clock.waitForSleeper(.seconds(30)) }
        clock.advance(by: .seconds(30))

        let error = await #expect(throws: AgentError.self) { try await query.value }
        guard case .timedOut(agent: "test-agent", after: .seconds(30), _)? = error else {
            Issue.record("expected a timeout, got \(String(describing: error))")
            return
        }
        guard case .clientClosedHeldRequest? = await events.next() else {
            Issue.record("the connection was not closed")
            return
        }
    }

    @Test func abortingMidRequestCancelsTheHTTPRequest() async throws {
        let server = try LoopbackHTTPServer { _, _ in .hold }
        defer { server.stop() }
        let backend = backend(server)
        let query = Task { try await backend.answer(Fixtures.request(), agent: Fixtures.agent()) }
        var events = server.events.makeAsyncIterator()
        guard case .request? = await events.next() else {
            Issue.record("the server saw no request")
            return
        }

        query.cancel()

        await #expect(throws: CancellationError.self) { try await query.value }
        guard case .clientClosedHeldRequest? = await events.next() else {
            Issue.record("the connection was not closed")
            return
        }
    }

    @Test func theRunsModelOverridesTheAgentsUnlessTheAgentPinsItsEndpoint() throws {
        let backend = OpenAIBackend(
            configuration: OpenAIConfiguration(baseURL: "http://localhost:11434/v1/", model: "llama3.1"),
            environment: { $0 == "LOCAL_KEY" ? "local-secret" : nil })
        let shared = try backend.target(for: Fixtures.agent(model: "gpt-4o-mini"))
        #expect(shared.model == "llama3.1")
        #expect(shared.url.absoluteString == "http://localhost:11434/v1/chat/completions")

        let pinned = try backend.target(
            for: Fixtures.agent(
                endpoint: AgentEndpoint(baseURL: "http://10.0.0.5:8000/v1", apiKeyEnv: "LOCAL_KEY"), model: "qwen2.5"))
        #expect(pinned.model == "qwen2.5")
        #expect(pinned.url.absoluteString == "http://10.0.0.5:8000/v1/chat/completions")
        #expect(pinned.key == APIKey("local-secret"))

        let noModel = OpenAIBackend(configuration: OpenAIConfiguration())
        #expect(throws: AgentError.self) { try noModel.target(for: Fixtures.agent(model: nil)) }
        #expect(throws: AgentError.self) {
            try backend.target(
                for: Fixtures.agent(endpoint: AgentEndpoint(baseURL: "http://x/v1", apiKeyEnv: "MISSING")))
        }
    }

    @Test func theEnvironmentConfiguresTheRun() {
        let configuration = OpenAIConfiguration(environment: [
            "TASKRUN_LLM_BASE_URL": "http://127.0.0.1:8080/v1", "TASKRUN_LLM_MODEL": "mistral", "OPENAI_API_KEY": "k",
        ])
        #expect(configuration.baseURL == "http://127.0.0.1:8080/v1")
        #expect(configuration.model == "mistral")
        #expect(configuration.apiKey == APIKey("k"))
        #expect(OpenAIConfiguration(environment: [:]).baseURL == "https://api.openai.com/v1")
    }
}
