import Foundation
import TaskrunCore

/// How an execution ended: its status, every phase's results, and the final phase's result.
public struct ExecutionResult: Sendable, Hashable {
    public var executionID: ExecutionID
    public var taskID: String
    public var taskName: String
    /// `completed`, `failed`, `aborted` or `timeout`.
    public var status: ExecutionStatus
    /// Why it failed, timed out or was aborted.
    public var reason: String?
    /// The input after defaults were applied.
    public var input: [String: JSONValue]
    public var startedAt: Date
    public var finishedAt: Date
    /// Time from start to end as measured by the executor's clock.
    public var duration: Duration
    /// Every phase in file order, including the ones that never started (`pending`).
    public var phases: [PhaseResult]
    /// The last phase in file order that completed.
    public var finalPhase: String?
    /// That phase's result (for the investment committee, the verdict).
    public var finalResult: JSONValue?
    public var warnings: [String]

    public init(
        executionID: ExecutionID, taskID: String, taskName: String, status: ExecutionStatus, reason: String?,
        input: [String: JSONValue], startedAt: Date, finishedAt: Date, duration: Duration, phases: [PhaseResult],
        finalPhase: String?, finalResult: JSONValue?, warnings: [String]
    ) {
        self.executionID = executionID
        self.taskID = taskID
        self.taskName = taskName
        self.status = status
        self.reason = reason
        self.input = input
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.duration = duration
        self.phases = phases
        self.finalPhase = finalPhase
        self.finalResult = finalResult
        self.warnings = warnings
    }

    /// The phase named `name`.
    public subscript(phase name: String) -> PhaseResult? {
        phases.first { $0.name == name }
    }
}

extension ExecutionResult: Codable {
    private enum CodingKeys: String, CodingKey {
        case executionId, taskId, taskName, status, reason, input, startedAt, finishedAt, durationMs, phases
        case finalPhase, finalResult, warnings
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        executionID = try container.decode(ExecutionID.self, forKey: .executionId)
        taskID = try container.decode(String.self, forKey: .taskId)
        taskName = try container.decode(String.self, forKey: .taskName)
        status = try container.decode(ExecutionStatus.self, forKey: .status)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        input = try container.decode([String: JSONValue].self, forKey: .input)
        startedAt = try container.decode(Date.self, forKey: .startedAt)
        finishedAt = try container.decode(Date.self, forKey: .finishedAt)
        duration = .milliseconds(exactly: try container.decode(Double.self, forKey: .durationMs))
        phases = try container.decode([PhaseResult].self, forKey: .phases)
        finalPhase = try container.decodeIfPresent(String.self, forKey: .finalPhase)
        finalResult = try container.decodeIfPresent(JSONValue.self, forKey: .finalResult)
        warnings = try container.decodeIfPresent([String].self, forKey: .warnings) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(executionID, forKey: .executionId)
        try container.encode(taskID, forKey: .taskId)
        try container.encode(taskName, forKey: .taskName)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(input, forKey: .input)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(duration.milliseconds, forKey: .durationMs)
        try container.encode(phases, forKey: .phases)
        try container.encodeIfPresent(finalPhase, forKey: .finalPhase)
        try container.encodeIfPresent(finalResult, forKey: .finalResult)
        try container.encode(warnings, forKey: .warnings)
    }
}
