import Foundation
import TaskrunCore

/// What one phase of an execution did, so far or in the end.
public struct PhaseResult: Sendable, Hashable {
    public var name: String
    public var status: PhaseStatus
    /// How many times the phase was started (phase-level retries included).
    public var attempts: Int
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The steps of the latest attempt.
    public var steps: [StepResult]
    /// The successful agent answers of the latest attempt, in step order.
    public var responses: [AgentReply]
    /// The phase's `### Outputs`, filled when the phase ends (see `Docs/execution.md`).
    public var outputs: [String: JSONValue]
    /// Every error of every attempt, oldest first (`attempt 1: ...` when the phase was retried).
    public var errors: [String]
    /// The phase's result: its last aggregate, else its last custom or classify step's value, else its
    /// agent responses, else its description texts.
    public var result: JSONValue? {
        get { storedResult.json }
        set { storedResult = .plain(newValue) }
    }
    /// ``result`` as the executor keeps it: usually its one agent step's reply (see ``ResultValue``).
    var storedResult: ResultValue

    public init(
        name: String, status: PhaseStatus = .pending, attempts: Int = 0, startedAt: Date? = nil,
        finishedAt: Date? = nil, steps: [StepResult] = [], responses: [AgentReply] = [],
        outputs: [String: JSONValue] = [:], errors: [String] = [], result: JSONValue? = nil
    ) {
        self.name = name
        self.status = status
        self.attempts = attempts
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.steps = steps
        self.responses = responses
        self.outputs = outputs
        self.errors = errors
        self.storedResult = .plain(result)
    }

    /// How long the phase ran, all attempts together, once it has finished.
    public var duration: Duration? {
        guard let startedAt, let finishedAt else { return nil }
        return .milliseconds(exactly: finishedAt.timeIntervalSince(startedAt) * 1000)
    }

    /// Moves the phase to `status`, or throws when the state machine does not allow it.
    public mutating func transition(to next: PhaseStatus) throws(StateTransitionError) {
        guard status.canTransition(to: next) else {
            throw StateTransitionError(subject: "phase '\(name)'", from: status.rawValue, to: next.rawValue)
        }
        status = next
    }
}

// Written out because ``result`` is kept as a ``ResultValue``: the same keys, in the same order, with
// the same present-or-absent rule as the synthesized conformance it replaces, so stored results
// encode byte for byte as before.
extension PhaseResult: Codable {
    private enum CodingKeys: String, CodingKey {
        case name, status, attempts, startedAt, finishedAt, steps, responses, outputs, errors, result
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        status = try container.decode(PhaseStatus.self, forKey: .status)
        attempts = try container.decode(Int.self, forKey: .attempts)
        startedAt = try container.decodeIfPresent(Date.self, forKey: .startedAt)
        finishedAt = try container.decodeIfPresent(Date.self, forKey: .finishedAt)
        steps = try container.decode([StepResult].self, forKey: .steps)
        responses = try container.decode([AgentReply].self, forKey: .responses)
        outputs = try container.decode([String: JSONValue].self, forKey: .outputs)
        errors = try container.decode([String].self, forKey: .errors)
        storedResult = .plain(try container.decodeIfPresent(JSONValue.self, forKey: .result))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encodeIfPresent(startedAt, forKey: .startedAt)
        try container.encodeIfPresent(finishedAt, forKey: .finishedAt)
        try container.encode(steps, forKey: .steps)
        try container.encode(responses, forKey: .responses)
        try container.encode(outputs, forKey: .outputs)
        try container.encode(errors, forKey: .errors)
        try container.encodeIfPresent(result, forKey: .result)
    }
}
