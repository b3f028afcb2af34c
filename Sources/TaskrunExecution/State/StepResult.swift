import Foundation
import TaskrunCore

/// What one step of a phase did.
public struct StepResult: Sendable, Hashable {
    /// The step's position in the phase's effective step list (listed agents without steps first,
    /// then the `### Steps` bullets in order).
    public var index: Int
    /// The strategy that ran it: `agent`, `validation`, `aggregate`, `wait`, `description`, `classify`, ...
    public var type: String
    /// The agent an agent step queried.
    public var agent: String?
    public var status: StepStatus
    /// The strategy's result: an agent's response, an aggregate, a classification, a validation report.
    public var value: JSONValue? {
        get { storedValue.json }
        set { storedValue = .plain(newValue) }
    }
    /// ``value`` as the executor keeps it: an agent step's reply rather than its view (see ``ResultValue``).
    var storedValue: ResultValue
    /// Phase outputs this step set explicitly (a `classify` step's label, a step's `output:` parameter).
    public var outputs: [String: JSONValue]
    public var error: String?
    public var warnings: [String]
    /// How many times the step ran (retries included); agent query attempts are counted in events.
    public var attempts: Int
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(
        index: Int, type: String, agent: String? = nil, status: StepStatus = .pending, value: JSONValue? = nil,
        outputs: [String: JSONValue] = [:], error: String? = nil, warnings: [String] = [], attempts: Int = 0,
        startedAt: Date? = nil, finishedAt: Date? = nil
    ) {
        self.index = index
        self.type = type
        self.agent = agent
        self.status = status
        self.storedValue = .plain(value)
        self.outputs = outputs
        self.error = error
        self.warnings = warnings
        self.attempts = attempts
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// How long the step ran, once it has finished.
    public var duration: Duration? {
        guard let startedAt, let finishedAt else { return nil }
        return .milliseconds(exactly: finishedAt.timeIntervalSince(startedAt) * 1000)
    }

    /// Moves the step to `status`, or throws when the state machine does not allow it.
    public mutating func transition(to next: StepStatus) throws(StateTransitionError) {
        guard status.canTransition(to: next) else {
            throw StateTransitionError(subject: "step \(index)", from: status.rawValue, to: next.rawValue)
        }
        status = next
    }
}

// Written out because ``value`` is kept as a ``ResultValue``: the same keys, in the same order, with
// the same present-or-absent rule as the synthesized conformance it replaces, so stored results
// encode byte for byte as before.
extension StepResult: Codable {
    private enum CodingKeys: String, CodingKey {
        case index, type, agent, status, value, outputs, error, warnings, attempts, startedAt, finishedAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decode(Int.self, forKey: .index)
        type = try container.decode(String.self, forKey: .type)
        agent = try container.decodeIfPresent(String.self, forKey: .agent)
        status = try container.decode(StepStatus.self, forKey: .status)
        storedValue = .plain(try container.decodeIfPresent(JSONValue.self, forKey: .value))
        outputs = try container.decode([String: JSONValue].self, forKey: .outputs)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        warnings = try container.decode([String].self, forKey: .warnings)
        attempts = try container.decode(Int.self, forKey: .attempts)
        startedAt = try container.decodeIfPresent(Date.self, forKey: .startedAt)
        finishedAt = try container.decodeIfPresent(Date.self, forKey: .finishedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(agent, forKey: .agent)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(value, forKey: .value)
        try container.encode(outputs, forKey: .outputs)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(attempts, forKey: .attempts)
        try container.encodeIfPresent(startedAt, forKey: .startedAt)
        try container.encodeIfPresent(finishedAt, forKey: .finishedAt)
    }
}
