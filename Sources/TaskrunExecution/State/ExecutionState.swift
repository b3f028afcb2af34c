import Foundation
import TaskrunCore

/// The complete state of one execution: what a checkpoint holds and what a restore gives back.
///
/// It is a plain `Codable` value; encoding it and decoding the result gives an equal value (with a
/// date strategy that keeps sub-second precision, such as the default one).
public struct ExecutionState: Sendable, Hashable, Codable {
    public var id: ExecutionID
    /// The task's id (its file name without `.md`).
    public var taskID: String
    /// The task's display name (`name:` in its config).
    public var taskName: String
    public var status: ExecutionStatus
    /// Why the execution paused, failed or was aborted.
    public var reason: String?
    /// The input after defaults were applied.
    public var input: [String: JSONValue]
    /// Every phase, in file order.
    public var phases: [PhaseResult]
    public var warnings: [String]
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The sequence number of the latest event of this execution.
    public var lastSequence: UInt64
    /// How many times the execution was continued from a checkpoint.
    public var resumeCount: Int

    public init(
        id: ExecutionID, taskID: String, taskName: String, status: ExecutionStatus = .pending, reason: String? = nil,
        input: [String: JSONValue], phases: [PhaseResult], warnings: [String] = [], startedAt: Date? = nil,
        finishedAt: Date? = nil, lastSequence: UInt64 = 0, resumeCount: Int = 0
    ) {
        self.id = id
        self.taskID = taskID
        self.taskName = taskName
        self.status = status
        self.reason = reason
        self.input = input
        self.phases = phases
        self.warnings = warnings
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.lastSequence = lastSequence
        self.resumeCount = resumeCount
    }

    /// The phase named `name`.
    public func phase(named name: String) -> PhaseResult? {
        phases.first { $0.name == name }
    }

    /// Moves the execution to `status`, or throws when the state machine does not allow it.
    public mutating func transition(to next: ExecutionStatus) throws(StateTransitionError) {
        guard status.canTransition(to: next) else {
            throw StateTransitionError(subject: "execution \(id)", from: status.rawValue, to: next.rawValue)
        }
        status = next
    }
}
