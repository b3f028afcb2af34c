import Foundation
import TaskrunCore

/// An execution as it starts.
public struct ExecutionRecord: Sendable, Hashable, Codable {
    public var id: ExecutionID
    public var taskID: String
    public var taskName: String
    /// The definition being run, so a store can tell later whether the task file changed.
    public var task: TaskDefinition
    /// The input after defaults were applied. Secret inputs are not redacted here: a store that
    /// must not keep them redacts the names in ``secretInputs`` (and their values in prompts and events).
    public var input: [String: JSONValue]
    /// The names of inputs whose requirement is marked `secret: true`.
    public var secretInputs: [String]
    public var startedAt: Date
    /// 0 for a fresh execution, then one more each time it is continued from a checkpoint.
    public var resumeCount: Int
    /// `execution:start` and anything before it.
    public var events: [ExecutionEvent]

    public init(
        id: ExecutionID, taskID: String, taskName: String, task: TaskDefinition, input: [String: JSONValue],
        secretInputs: [String], startedAt: Date, resumeCount: Int, events: [ExecutionEvent]
    ) {
        self.id = id
        self.taskID = taskID
        self.taskName = taskName
        self.task = task
        self.input = input
        self.secretInputs = secretInputs
        self.startedAt = startedAt
        self.resumeCount = resumeCount
        self.events = events
    }
}

/// A phase's results and the checkpoint after it, written together before dependents start.
public struct PhaseCommit: Sendable {
    public var executionID: ExecutionID
    public var phase: PhaseResult
    /// The whole execution state right after the phase ended; `nil` when the phase says
    /// `checkpoint: false` or when it failed.
    ///
    /// For ``InMemoryHistoryStore``, the executor hands the checkpoint over in a compact form, and
    /// reading this property builds it (O(phases)); the store itself keeps the compact form.
    public var checkpoint: ExecutionCheckpoint? {
        get { storedCheckpoint ?? deferredCheckpoint?.checkpoint }
        set {
            storedCheckpoint = newValue
            deferredCheckpoint = nil
        }
    }
    private var storedCheckpoint: ExecutionCheckpoint?
    /// The checkpoint as the scalar state, the phases in flight and a position in the run's
    /// journal of committed phases (see ``PhaseJournal``).
    private(set) var deferredCheckpoint: DeferredCheckpoint?
    /// The events since the previous write.
    public var events: [ExecutionEvent]

    public init(
        executionID: ExecutionID, phase: PhaseResult, checkpoint: ExecutionCheckpoint?, events: [ExecutionEvent]
    ) {
        self.executionID = executionID
        self.phase = phase
        self.storedCheckpoint = checkpoint
        self.events = events
    }

    init(executionID: ExecutionID, phase: PhaseResult, deferredCheckpoint: DeferredCheckpoint, events: [ExecutionEvent])
    {
        self.executionID = executionID
        self.phase = phase
        self.deferredCheckpoint = deferredCheckpoint
        self.events = events
    }

    /// The phase the checkpoint was taken after, without building the checkpoint.
    var checkpointPhase: String? {
        storedCheckpoint?.phase ?? deferredCheckpoint?.phase
    }
}

extension PhaseCommit: Hashable {
    public static func == (lhs: PhaseCommit, rhs: PhaseCommit) -> Bool {
        lhs.executionID == rhs.executionID && lhs.phase == rhs.phase && lhs.checkpoint == rhs.checkpoint
            && lhs.events == rhs.events
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(executionID)
        hasher.combine(phase)
        hasher.combine(checkpoint)
        hasher.combine(events)
    }
}

extension PhaseCommit: Codable {
    private enum CodingKeys: String, CodingKey {
        case executionID, phase, checkpoint, events
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            executionID: try container.decode(ExecutionID.self, forKey: .executionID),
            phase: try container.decode(PhaseResult.self, forKey: .phase),
            checkpoint: try container.decodeIfPresent(ExecutionCheckpoint.self, forKey: .checkpoint),
            events: try container.decode([ExecutionEvent].self, forKey: .events))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(executionID, forKey: .executionID)
        try container.encode(phase, forKey: .phase)
        try container.encodeIfPresent(checkpoint, forKey: .checkpoint)
        try container.encode(events, forKey: .events)
    }
}

/// A snapshot of an execution taken after a phase ended: restore it with
/// ``TaskExecutor/start(resumingFrom:task:options:)``.
public struct ExecutionCheckpoint: Sendable, Hashable, Codable {
    /// The phase whose end triggered the snapshot.
    public var phase: String
    public var createdAt: Date
    public var state: ExecutionState

    public init(phase: String, createdAt: Date, state: ExecutionState) {
        self.phase = phase
        self.createdAt = createdAt
        self.state = state
    }

    public var executionID: ExecutionID { state.id }
}

/// A pause or a resume.
public struct ExecutionUpdate: Sendable, Hashable, Codable {
    public var executionID: ExecutionID
    public var status: ExecutionStatus
    public var reason: String?
    public var events: [ExecutionEvent]

    public init(executionID: ExecutionID, status: ExecutionStatus, reason: String?, events: [ExecutionEvent]) {
        self.executionID = executionID
        self.status = status
        self.reason = reason
        self.events = events
    }
}

/// One line of `history`.
public struct ExecutionSummary: Sendable, Hashable, Codable {
    public var id: ExecutionID
    public var taskID: String
    public var taskName: String
    public var status: ExecutionStatus
    public var reason: String?
    public var startedAt: Date
    public var finishedAt: Date?

    public init(
        id: ExecutionID, taskID: String, taskName: String, status: ExecutionStatus, reason: String?, startedAt: Date,
        finishedAt: Date?
    ) {
        self.id = id
        self.taskID = taskID
        self.taskName = taskName
        self.status = status
        self.reason = reason
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// Everything a store knows about one execution.
public struct StoredExecution: Sendable, Hashable, Codable {
    public var record: ExecutionRecord
    public var status: ExecutionStatus
    public var reason: String?
    /// Committed phases, in commit order.
    public var phases: [PhaseResult]
    /// The result, once the execution ended.
    public var result: ExecutionResult?

    public init(
        record: ExecutionRecord, status: ExecutionStatus, reason: String?, phases: [PhaseResult],
        result: ExecutionResult?
    ) {
        self.record = record
        self.status = status
        self.reason = reason
        self.phases = phases
        self.result = result
    }

    public var summary: ExecutionSummary {
        ExecutionSummary(
            id: record.id, taskID: record.taskID, taskName: record.taskName, status: status, reason: reason,
            startedAt: record.startedAt, finishedAt: result?.finishedAt)
    }
}
