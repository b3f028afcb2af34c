import Foundation
import TaskrunCore

/// What one step of a phase did.
public struct StepResult: Sendable, Hashable, Codable {
    /// The step's position in the phase's effective step list (listed agents without steps first,
    /// then the `### Steps` bullets in order).
    public var index: Int
    /// The strategy that ran it: `agent`, `validation`, `aggregate`, `wait`, `description`, `classify`, ...
    public var type: String
    /// The agent an agent step queried.
    public var agent: String?
    public var status: StepStatus
    /// The strategy's result: an agent's response, an aggregate, a classification, a validation report.
    public var value: JSONValue?
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
        self.value = value
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
