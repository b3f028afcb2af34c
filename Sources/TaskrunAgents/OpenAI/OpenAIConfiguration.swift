import TaskrunCore

/// An API key held in memory only: it prints as `<redacted>`, is not `Codable`, and is never logged.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// Where the `openai` backend sends queries, and how it retries.
///
/// ``init(environment:)`` reads the usual variables: `TASKRUN_LLM_BASE_URL` (default
/// `https://api.openai.com/v1`), `TASKRUN_LLM_MODEL` and `OPENAI_API_KEY`. An agent file's `endpoint`
/// pins that agent to its own server instead (see `Docs/agents.md`).
public struct OpenAIConfiguration: Sendable {
    public static let defaultBaseURL = "https://api.openai.com/v1"

    /// The API root; `/chat/completions` is appended.
    public var baseURL: String
    /// The model for agents that follow the run's endpoint; it overrides their `model.name`.
    public var model: String?
    public var apiKey: APIKey?
    /// How many times a 429 or 5xx answer is retried (so `2` means up to three requests).
    public var maxRetries: Int
    /// The wait before the first retry when the server sends no `Retry-After`; doubles each retry.
    public var retryBackoff: Duration
    /// The longest wait between two requests, `Retry-After` included.
    public var maxRetryDelay: Duration
    /// Whether to ask for `response_format: json_object`. Servers that reject it are retried once without.
    public var requestJSON: Bool

    public init(
        baseURL: String = OpenAIConfiguration.defaultBaseURL, model: String? = nil, apiKey: APIKey? = nil,
        maxRetries: Int = 2, retryBackoff: Duration = .seconds(1), maxRetryDelay: Duration = .seconds(60),
        requestJSON: Bool = true
    ) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.maxRetries = max(0, maxRetries)
        self.retryBackoff = retryBackoff
        self.maxRetryDelay = maxRetryDelay
        self.requestJSON = requestJSON
    }

    /// The configuration the environment describes.
    public init(environment: [String: String]) {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingWhitespace(), !text.isEmpty else { return nil }
            return text
        }
        self.init(
            baseURL: value("TASKRUN_LLM_BASE_URL") ?? Self.defaultBaseURL, model: value("TASKRUN_LLM_MODEL"),
            apiKey: value("OPENAI_API_KEY").map(APIKey.init))
    }
}
