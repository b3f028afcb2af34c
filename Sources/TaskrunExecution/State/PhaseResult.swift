import Foundation
import TaskrunCore

/// What one phase of an execution did, so far or in the end.
public struct PhaseResult: Sendable, Hashable, Codable {
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
    public var result: JSONValue?

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
        self.result = result
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
