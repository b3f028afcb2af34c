import TaskrunCore

/// One agent, as `tasks/agents/ID.md` describes it: who it is, what it is told, and how it is reached.
///
/// A definition is plain data; the ``RoutingAgentManager`` reads it to pick a backend, apply the
/// agent's timeout and enforce its `maxConcurrent` limit, and every backend reads the persona and
/// the model settings from it.
public struct AgentDefinition: Sendable, Hashable, Codable {
    /// The id tasks use (`quant-analyst`); the agent file's name without `.md`.
    public var id: String
    /// The agent's display name (`Maya Chen`). Falls back to the file's title, then the id.
    public var name: String
    /// The job title (`Senior Quantitative Analyst`).
    public var title: String?
    /// What the agent does, as a short kebab-case word (`quant`, `risk`, `chair`). The offline backend
    /// picks its analyst by role; other backends only show it.
    public var role: String
    /// The system prompt: who the agent is and how it answers.
    public var persona: String
    /// What the agent is good at, for people and for prompts.
    public var capabilities: [String]
    /// The backend this agent uses unless a run overrides it (`--agents`, `TASKRUN_AGENTS`).
    public var backend: String?
    public var model: AgentModelSettings
    /// The longest one query may take; the query fails with a timeout past it.
    public var timeout: TaskDuration?
    /// How many queries to this agent may run at the same time in the whole process.
    public var maxConcurrent: Int?
    /// Where an `openai` backend sends this agent's queries, when not to the run's endpoint.
    public var endpoint: AgentEndpoint?
    /// The program a `command` backend runs for this agent, as an argv array (no shell).
    public var command: [String]?
    /// The file the definition was read from.
    public var sourcePath: String?
    /// Where the definition's YAML block starts in that file.
    public var location: SourceLocation?

    public init(
        id: String, name: String? = nil, title: String? = nil, role: String, persona: String,
        capabilities: [String] = [], backend: String? = nil, model: AgentModelSettings = AgentModelSettings(),
        timeout: TaskDuration? = nil, maxConcurrent: Int? = nil, endpoint: AgentEndpoint? = nil,
        command: [String]? = nil, sourcePath: String? = nil, location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name ?? id
        self.title = title
        self.role = role
        self.persona = persona
        self.capabilities = capabilities
        self.backend = backend
        self.model = model
        self.timeout = timeout
        self.maxConcurrent = maxConcurrent
        self.endpoint = endpoint
        self.command = command
        self.sourcePath = sourcePath
        self.location = location
    }
}

/// The language model an agent asks for, and how.
public struct AgentModelSettings: Sendable, Hashable, Codable {
    /// The model name the endpoint knows (`gpt-4o-mini`, `llama3.1:8b`).
    public var name: String?
    /// Sampling temperature, 0...2.
    public var temperature: Double?
    /// The longest answer, in tokens.
    public var maxTokens: Int?

    public init(name: String? = nil, temperature: Double? = nil, maxTokens: Int? = nil) {
        self.name = name
        self.temperature = temperature
        self.maxTokens = maxTokens
    }
}

/// An OpenAI-compatible endpoint pinned in an agent file.
///
/// The file never holds a key: `apiKeyEnv` names the environment variable that does.
public struct AgentEndpoint: Sendable, Hashable, Codable {
    /// The API root, such as `http://localhost:11434/v1`; `/chat/completions` is appended.
    public var baseURL: String
    /// The environment variable holding the API key, if the endpoint needs one.
    public var apiKeyEnv: String?

    public init(baseURL: String, apiKeyEnv: String? = nil) {
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
    }
}
