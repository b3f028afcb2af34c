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
///
/// A value type whose fields live in one shared, copy-on-write box, like ``PhaseResult``'s: the
/// phase's `responses`, the agent step's value and the phase's result are the same reply, and each
/// keeps one reference to one box instead of a copy of its strings and arrays (a copy is then one
/// retain instead of six; Docs/performance.md, W1). Writing through a copy never changes another.
public struct AgentReply: Sendable {
    /// The fields, shared by copies until one of them writes.
    ///
    /// Mutated only through ``AgentReply``'s accessors, after `isKnownUniquelyReferenced` has made
    /// the box this value's own (``mutableStorage``): a box that another copy (another task's
    /// snapshot) can see is never written, so sharing it across tasks is safe.
    private final class Storage: CopyOnWriteBox, @unchecked Sendable {
        // Unchecked: every access goes through `AgentReply`, whose own exclusivity the compiler
        // checks statically; the dynamic checks cost more than the writes.
        @exclusivity(unchecked) var agent: String
        @exclusivity(unchecked) var step: Int
        @exclusivity(unchecked) var attempt: Int
        @exclusivity(unchecked) var response: AgentResponse

        init(agent: String, step: Int, attempt: Int, response: AgentResponse) {
            self.agent = agent
            self.step = step
            self.attempt = attempt
            self.response = response
        }

        func copy() -> Storage {
            Storage(agent: agent, step: step, attempt: attempt, response: response)
        }
    }

    private var storage: Storage

    /// The box, made this value's own first.
    private var mutableStorage: Storage {
        mutating get { uniqueBox(&storage) }
    }

    public var agent: String {
        get { storage.agent }
        set { mutableStorage.agent = newValue }
    }

    /// The index of the step (in the phase's effective step list) that asked.
    public var step: Int {
        get { storage.step }
        set { mutableStorage.step = newValue }
    }

    /// The attempt that succeeded, from 1.
    public var attempt: Int {
        get { storage.attempt }
        set { mutableStorage.attempt = newValue }
    }

    public var response: AgentResponse {
        get { storage.response }
        _modify { yield &mutableStorage.response }
    }

    public init(agent: String, step: Int, attempt: Int, response: AgentResponse) {
        storage = Storage(agent: agent, step: step, attempt: attempt, response: response)
    }

    /// Sets the response's latency to `measured` when the agent left it out; returns the latency.
    /// Reads and writes the box's field itself: no copy of the response.
    mutating func fillLatency(_ measured: Duration) -> Duration? {
        let box = mutableStorage
        if box.response.latency == nil { box.response.latency = measured }
        return box.response.latency
    }

    /// Whether `other` is this very reply (one box), not merely an equal one.
    func isIdentical(to other: AgentReply) -> Bool {
        storage === other.storage
    }
}

// Written out because the fields are in a box: the same box is equal without comparing its contents,
// and different boxes compare (and hash) by content, as the synthesized conformance did.
extension AgentReply: Hashable {
    public static func == (lhs: AgentReply, rhs: AgentReply) -> Bool {
        if lhs.storage === rhs.storage { return true }
        return lhs.agent == rhs.agent && lhs.step == rhs.step && lhs.attempt == rhs.attempt
            && lhs.response == rhs.response
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(agent)
        hasher.combine(step)
        hasher.combine(attempt)
        hasher.combine(response)
    }
}

// Written out because the fields are in a box: the keys, order and calls of the synthesized
// conformance it replaces, so stored replies encode byte for byte as before.
extension AgentReply: Codable {
    private enum CodingKeys: String, CodingKey {
        case agent, step, attempt, response
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            agent: try container.decode(String.self, forKey: .agent),
            step: try container.decode(Int.self, forKey: .step),
            attempt: try container.decode(Int.self, forKey: .attempt),
            response: try container.decode(AgentResponse.self, forKey: .response))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agent, forKey: .agent)
        try container.encode(step, forKey: .step)
        try container.encode(attempt, forKey: .attempt)
        try container.encode(response, forKey: .response)
    }
}
