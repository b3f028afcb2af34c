import TaskrunCore

/// What an agent answered.
///
/// `text` is always there; the structured fields are filled when the agent (or its backend)
/// gives them, and the `consensus` aggregate reads `position` and `confidence`.
public struct AgentResponse: Sendable, Hashable {
    /// An agent's stance on the question, for votes.
    public enum Position: String, Sendable, Hashable, Codable, CaseIterable {
        case bullish, bearish, neutral
    }

    /// Tokens spent on a query, when the backend reports them.
    public struct TokenUsage: Sendable, Hashable, Codable {
        public var prompt: Int?
        public var completion: Int?
        public var total: Int?

        public init(prompt: Int? = nil, completion: Int? = nil, total: Int? = nil) {
            self.prompt = prompt
            self.completion = completion
            self.total = total
        }
    }

    public var text: String
    public var position: Position?
    /// How sure the agent is, from 0 to 100.
    public var confidence: Double?
    public var keyPoints: [String]
    public var risks: [String]
    /// Free-form structured data. An object's keys can fill the phase's `### Outputs` of the same name.
    public var data: JSONValue?
    /// How long the query took. The executor measures it with its clock when the manager leaves it `nil`.
    public var latency: Duration?
    public var usage: TokenUsage?

    public init(
        text: String, position: Position? = nil, confidence: Double? = nil, keyPoints: [String] = [],
        risks: [String] = [], data: JSONValue? = nil, latency: Duration? = nil, usage: TokenUsage? = nil
    ) {
        self.text = text
        self.position = position
        self.confidence = confidence
        self.keyPoints = keyPoints
        self.risks = risks
        self.data = data
        self.latency = latency
        self.usage = usage
    }
}

extension AgentResponse: Codable {
    private enum CodingKeys: String, CodingKey {
        case text, position, confidence, keyPoints, risks, data, latencyMs, usage
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decode(String.self, forKey: .text)
        position = try container.decodeIfPresent(Position.self, forKey: .position)
        confidence = try container.decodeIfPresent(Double.self, forKey: .confidence)
        keyPoints = try container.decodeIfPresent([String].self, forKey: .keyPoints) ?? []
        risks = try container.decodeIfPresent([String].self, forKey: .risks) ?? []
        data = try container.decodeIfPresent(JSONValue.self, forKey: .data)
        latency = try container.decodeIfPresent(Double.self, forKey: .latencyMs).map(Duration.milliseconds(exactly:))
        usage = try container.decodeIfPresent(TokenUsage.self, forKey: .usage)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encodeIfPresent(position, forKey: .position)
        try container.encodeIfPresent(confidence, forKey: .confidence)
        if !keyPoints.isEmpty { try container.encode(keyPoints, forKey: .keyPoints) }
        if !risks.isEmpty { try container.encode(risks, forKey: .risks) }
        try container.encodeIfPresent(data, forKey: .data)
        try container.encodeIfPresent(latency?.milliseconds, forKey: .latencyMs)
        try container.encodeIfPresent(usage, forKey: .usage)
    }
}

/// One successful answer recorded in a phase: which agent, for which step, on which attempt.
public struct AgentReply: Sendable, Hashable, Codable {
    public var agent: String
    /// The index of the step (in the phase's effective step list) that asked.
    public var step: Int
    /// The attempt that succeeded, from 1.
    public var attempt: Int
    public var response: AgentResponse

    public init(agent: String, step: Int, attempt: Int, response: AgentResponse) {
        self.agent = agent
        self.step = step
        self.attempt = attempt
        self.response = response
    }
}
