import TaskrunCore
import Testing

@testable import TaskrunAgents

@Suite struct DefinitionLoaderTests {
    static let complete = """
        # Senior Quantitative Analyst

        Reads the numbers.

        ```yaml
        id: quant-analyst
        name: Maya Chen
        title: Senior Quantitative Analyst
        role: quant
        persona: |
          You are Maya Chen.
          You read the numbers.
        capabilities: [momentum, volatility]
        backend: openai
        model:
          name: llama3.1:8b
          temperature: 0.2
          maxTokens: 800
        timeout: 2 minutes
        maxConcurrent: 3
        endpoint:
          baseURL: http://localhost:11434/v1
          apiKeyEnv: OLLAMA_KEY
        command: [python3, agent.py, --json]
        ```
        """

    /// The duration parser's own message, so these tests do not pin its wording.
    static func durationError(_ text: String) -> String {
        do {
            _ = try TaskDuration.parse(text)
            return "no error"
        } catch {
            return error.description
        }
    }

    func load(_ yaml: String, id: String = "quant-analyst", title: String = "# Agent") -> AgentDefinitionLoader.Result {
        AgentDefinitionLoader().load(source: "\(title)\n\n```yaml\n\(yaml)\n```\n", path: "agents/\(id).md", id: id)
    }

    /// `line:column: severity: message` for each diagnostic, for compact assertions.
    func rendered(_ result: AgentDefinitionLoader.Result) -> [String] {
        result.diagnostics.map { "\($0.location): \($0.severity.rawValue): \($0.message)" }
    }

    @Test func aCompleteFileLoadsEveryKey() throws {
        let result = AgentDefinitionLoader().load(
            source: Self.complete, path: "agents/quant-analyst.md", id: "quant-analyst")
        #expect(result.diagnostics.isEmpty)
        let agent = try #require(result.definition)
        #expect(agent.id == "quant-analyst")
        #expect(agent.name == "Maya Chen")
        #expect(agent.title == "Senior Quantitative Analyst")
        #expect(agent.role == "quant")
        #expect(agent.persona == "You are Maya Chen.\nYou read the numbers.")
        #expect(agent.capabilities == ["momentum", "volatility"])
        #expect(agent.backend == "openai")
        #expect(agent.model == AgentModelSettings(name: "llama3.1:8b", temperature: 0.2, maxTokens: 800))
        #expect(agent.timeout == .minutes(2))
        #expect(agent.maxConcurrent == 3)
        #expect(agent.endpoint == AgentEndpoint(baseURL: "http://localhost:11434/v1", apiKeyEnv: "OLLAMA_KEY"))
        #expect(agent.command == ["python3", "agent.py", "--json"])
        #expect(agent.location == SourceLocation(line: 5, column: 1))
    }

    @Test func minimalFileFallsBackToTheTitleForTheName() throws {
        let result = load("role: risk\npersona: You size positions.", id: "risk-manager", title: "# Chief Risk Officer")
        let agent = try #require(result.definition)
        #expect(agent.id == "risk-manager")
        #expect(agent.name == "Chief Risk Officer")
        #expect(agent.backend == nil)
        #expect(agent.timeout == nil)
        #expect(agent.maxConcurrent == nil)
    }

    @Test func unknownKeysAreWarningsWithDidYouMeanAtTheirPosition() throws {
        let result = load("role: quant\npersona: p\nmaxConcurent: 2\nmodel:\n  temprature: 0.3\nfavouriteColour: blue")
        #expect(
            rendered(result) == [
                "6:1: warning: unknown agent key 'maxConcurent'",
                "8:3: warning: unknown model key 'temprature'",
                "9:1: warning: unknown agent key 'favouriteColour'",
            ])
        #expect(
            result.diagnostics.map(\.hint) == ["did you mean 'maxConcurrent'?", "did you mean 'temperature'?", nil])
        #expect(result.diagnostics.allSatisfy { $0.code == "agent-unknown-key" })
        #expect(result.diagnostics.first?.length == 12)
        #expect(result.definition != nil)
    }

    @Test func aModelSettingAtTheTopLevelIsPointedToItsPlace() {
        let result = load("role: quant\npersona: p\ntemperature: 0.2\nbaseURL: http://localhost:8080/v1")
        #expect(
            result.diagnostics.map(\.hint) == [
                "'temperature' belongs under 'model:'", "'baseURL' belongs under 'endpoint:'",
            ])
    }

    @Test func badValuesAreErrorsAtTheValue() {
        let result = load(
            """
            role: quant
            persona: p
            model: {name: gpt, temperature: 3, maxTokens: 0}
            timeout: 5 minuts
            maxConcurrent: 0
            backend: opneai
            capabilities: momentum
            command: python3 agent.py
            """)
        #expect(result.definition == nil)
        #expect(
            rendered(result) == [
                "6:33: error: 'model.temperature' must be between 0 and 2, got 3.0",
                "6:47: error: 'model.maxTokens' must be a whole number of at least 1, got 0",
                "7:10: error: 'timeout': \(Self.durationError("5 minuts"))",
                "8:16: error: 'maxConcurrent' must be a whole number of at least 1, got 0",
                "9:10: error: unknown backend 'opneai'; expected one of command, offline, openai",
                "10:15: error: 'capabilities' must be a list, got a scalar",
                "11:10: error: 'command' must be a list: the program, then its arguments (no shell)",
            ])
        #expect(result.diagnostics[4].hint == "did you mean 'openai'?")
    }

    @Test func missingRequiredKeysAndAMismatchedIDAreErrors() {
        let result = load("id: quant-analist\nname: Maya", id: "quant-analyst")
        #expect(
            rendered(result) == [
                "3:1: error: agent definition has no 'persona'",
                "3:1: error: agent definition has no 'role'",
                "4:5: error: 'id' is 'quant-analist' but the file is 'quant-analyst.md'",
            ])
        #expect(result.definition == nil)
    }

    @Test func anEndpointNamesTheKeysVariableNotTheKey() {
        let result = load("role: quant\npersona: p\nendpoint:\n  baseURL: localhost:11434\n  apiKeyEnv: sk-abc123")
        #expect(
            rendered(result) == [
                "7:12: error: 'endpoint.baseURL' must be an http:// or https:// URL, got 'localhost:11434'",
                "8:14: error: 'endpoint.apiKeyEnv' names the environment variable holding the key (like MY_API_KEY), not the key",
            ])
    }

    @Test func aFileWithoutAYAMLBlockOrWithBrokenYAMLIsAnError() {
        let none = AgentDefinitionLoader().load(source: "# Agent\n\nJust prose.\n", path: "a.md", id: "a")
        #expect(none.diagnostics.map(\.code) == ["agent-no-config"])
        let broken = load("role: quant\npersona: [unclosed")
        #expect(broken.diagnostics.map(\.code) == ["agent-yaml"])
        #expect(broken.diagnostics.first?.location.line ?? 0 >= 4)
        let scalar = load("just a sentence")
        #expect(scalar.diagnostics.map(\.code) == ["agent-config-not-mapping"])
    }

    @Test func customBackendNamesCanBeAllowed() throws {
        let loader = AgentDefinitionLoader(knownBackends: Set(AgentBackendName.builtIn + ["my-llm"]))
        let result = loader.load(
            source: "# A\n\n```yaml\nrole: quant\npersona: p\nbackend: my-llm\n```\n", path: "a.md", id: "a")
        #expect(result.diagnostics.isEmpty)
        #expect(result.definition?.backend == "my-llm")
    }
}
