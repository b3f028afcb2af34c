import Foundation
import TaskrunCore

/// The complete state of one execution: what a checkpoint holds and what a restore gives back.
///
/// It is a plain `Codable` value; encoding it and decoding the result gives an equal value (with a
/// date strategy that keeps sub-second precision, such as the default one).
public struct ExecutionState: Sendable, Hashable {
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
    public var phases: [PhaseResult] {
        get { phaseList.array }
        set { phaseList = PhaseList(newValue) }
    }
    /// The phases' storage: snapshots share it, and a change copies only the chunk it touches.
    var phaseList: PhaseList
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
        self.init(
            id: id, taskID: taskID, taskName: taskName, status: status, reason: reason, input: input,
            phaseList: PhaseList(phases), warnings: warnings, startedAt: startedAt, finishedAt: finishedAt,
            lastSequence: lastSequence, resumeCount: resumeCount)
    }

    /// A state whose phases are `phaseList`, as it is (an execution's start makes its pending
    /// phases straight into a list: ``PhaseList/init(pendingCount:name:)``).
    init(
        id: ExecutionID, taskID: String, taskName: String, status: ExecutionStatus = .pending, reason: String? = nil,
        input: [String: JSONValue], phaseList: PhaseList, warnings: [String] = [], startedAt: Date? = nil,
        finishedAt: Date? = nil, lastSequence: UInt64 = 0, resumeCount: Int = 0
    ) {
        self.id = id
        self.taskID = taskID
        self.taskName = taskName
        self.status = status
        self.reason = reason
        self.input = input
        self.phaseList = phaseList
        self.warnings = warnings
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.lastSequence = lastSequence
        self.resumeCount = resumeCount
    }

    /// The phase named `name`.
    public func phase(named name: String) -> PhaseResult? {
        phaseList.first { $0.name == name }
    }

    /// Moves the execution to `status`, or throws when the state machine does not allow it.
    public mutating func transition(to next: ExecutionStatus) throws(StateTransitionError) {
        guard status.canTransition(to: next) else {
            throw StateTransitionError(subject: "execution \(id)", from: status.rawValue, to: next.rawValue)
        }
        status = next
    }
}

extension ExecutionState: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, taskID, taskName, status, reason, input, phases, warnings, startedAt, finishedAt, lastSequence
        case resumeCount
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(ExecutionID.self, forKey: .id),
            taskID: try container.decode(String.self, forKey: .taskID),
            taskName: try container.decode(String.self, forKey: .taskName),
            status: try container.decode(ExecutionStatus.self, forKey: .status),
            reason: try container.decodeIfPresent(String.self, forKey: .reason),
            input: try container.decode([String: JSONValue].self, forKey: .input),
            phases: try container.decode([PhaseResult].self, forKey: .phases),
            warnings: try container.decodeIfPresent([String].self, forKey: .warnings) ?? [],
            startedAt: try container.decodeIfPresent(Date.self, forKey: .startedAt),
            finishedAt: try container.decodeIfPresent(Date.self, forKey: .finishedAt),
            lastSequence: try container.decode(UInt64.self, forKey: .lastSequence),
            resumeCount: try container.decodeIfPresent(Int.self, forKey: .resumeCount) ?? 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(taskID, forKey: .taskID)
        try container.encode(taskName, forKey: .taskName)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(input, forKey: .input)
        try container.encode(phases, forKey: .phases)
        try container.encode(warnings, forKey: .warnings)
        try container.encodeIfPresent(startedAt, forKey: .startedAt)
        try container.encodeIfPresent(finishedAt, forKey: .finishedAt)
        try container.encode(lastSequence, forKey: .lastSequence)
        try container.encode(resumeCount, forKey: .resumeCount)
    }
}
