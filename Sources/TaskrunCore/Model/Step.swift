/// What a step does, from its `type:` prefix in the `### Steps` list.
public enum StepKind: Sendable, Hashable {
    /// `agent: <id> - <prompt>`: query an agent.
    case agent(id: String)
    /// `validation: <criterion>` (or `validate:`): check an expression, or record prose as unverified.
    case validation
    /// `aggregate: <kind> - <note>`: combine the phase's responses (`responses`, `consensus`, `summary`, ...).
    case aggregate(kind: String)
    /// `wait: <duration>`.
    case wait(TaskDuration)
    /// Plain text: documents what happens, recorded as done.
    case description
    /// `<type>: <text>` for any other lowercase type: run by the step strategy registered under `type`.
    case custom(type: String)

    /// The strategy name that runs this kind: `agent`, `validation`, `aggregate`, `wait`,
    /// `description`, or the custom type.
    public var typeName: String {
        switch self {
        case .agent: "agent"
        case .validation: "validation"
        case .aggregate: "aggregate"
        case .wait: "wait"
        case .description: "description"
        case .custom(let type): type
        }
    }
}

/// One bullet of a phase's `### Steps` list.
public struct Step: Sendable, Hashable, Codable {
    public var kind: StepKind
    /// The prompt, criterion, note or description: the text after the type (and agent id).
    public var text: String
    /// Nested `key: value` bullets under the step, with scalars typed (`true`, `3`, `"x"`).
    public var parameters: [String: JSONValue]
    /// Where the bullet's text starts.
    public var location: SourceLocation

    public init(kind: StepKind, text: String, parameters: [String: JSONValue] = [:], location: SourceLocation = .start)
    {
        self.kind = kind
        self.text = text
        self.parameters = parameters
        self.location = location
    }

    /// The agent this step queries, for agent steps.
    public var agentID: String? {
        if case .agent(let id) = kind { return id }
        return nil
    }

    /// The step's `when:` parameter: an expression; when it is false the step is skipped.
    public var condition: String? { parameters["when"]?.stringValue }

    /// A step with `required: true` fails its phase when it fails.
    public var isRequired: Bool { parameters["required"]?.boolValue ?? false }
}

extension Step {
    private enum CodingKeys: String, CodingKey {
        case type, agent, aggregate, wait, text, parameters, location
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "agent": kind = .agent(id: try container.decode(String.self, forKey: .agent))
        case "validation": kind = .validation
        case "aggregate": kind = .aggregate(kind: try container.decode(String.self, forKey: .aggregate))
        case "wait": kind = .wait(try container.decode(TaskDuration.self, forKey: .wait))
        case "description": kind = .description
        default: kind = .custom(type: type)
        }
        text = try container.decode(String.self, forKey: .text)
        parameters = try container.decodeIfPresent([String: JSONValue].self, forKey: .parameters) ?? [:]
        location = try container.decode(SourceLocation.self, forKey: .location)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind.typeName, forKey: .type)
        switch kind {
        case .agent(let id): try container.encode(id, forKey: .agent)
        case .aggregate(let kind): try container.encode(kind, forKey: .aggregate)
        case .wait(let duration): try container.encode(duration, forKey: .wait)
        case .validation, .description, .custom: break
        }
        try container.encode(text, forKey: .text)
        if !parameters.isEmpty { try container.encode(parameters, forKey: .parameters) }
        try container.encode(location, forKey: .location)
    }
}
