import Foundation
import GRDB
import TaskrunExecution

/// One line of `taskrun history`: the executor's summary and what the store adds.
public struct HistoryEntry: Sendable, Hashable {
    public var summary: ExecutionSummary
    /// How many times the execution was continued by `taskrun resume`.
    public var resumeCount: Int
    /// Phases whose results are committed (completed, skipped or failed).
    public var committedPhases: Int
    /// Phases in the task the execution ran.
    public var totalPhases: Int
    /// The task file's fingerprint when the execution (last) started.
    public var taskHash: String
    /// The last time anything was written about it (a start, a commit, a pause, the end).
    public var updatedAt: Date
    /// The process that ran it last.
    public var owner: StoreOwner?

    public var id: ExecutionID { summary.id }

    /// Whether it can be resumed, and why not.
    public var standing: ExecutionStanding { ExecutionStanding(status: summary.status, owner: owner) }

    /// The last write about an execution: its own row's, or a later phase commit's.
    static let lastActivity = """
        MAX(updated_at, COALESCE(
            (SELECT MAX(committed_at) FROM phase_runs WHERE phase_runs.execution_id = executions.id), updated_at))
        """

    static let columns = """
        id, task_id, task_name, status, reason, started_at, finished_at, \(lastActivity) AS last_activity,
        resume_count, task_hash,
        owner_pid, owner_host,
        (SELECT COUNT(*) FROM phase_runs WHERE phase_runs.execution_id = executions.id) AS committed_phases,
        COALESCE(json_array_length(task_definition, '$.phases'), 0) AS total_phases
        """

    init(row: Row) throws {
        let text: String = row["id"]
        guard let id = ExecutionID(text) else { throw StoreError.corruptRecord(what: "execution id", reason: text) }
        let what = "execution \(text)"
        summary = ExecutionSummary(
            id: id, taskID: row["task_id"], taskName: row["task_name"],
            status: try decodeStatus(ExecutionStatus.self, row["status"], what: what), reason: row["reason"],
            startedAt: try storedDate(row["started_at"], what: what),
            finishedAt: (row["finished_at"] as String?).flatMap(StorageTime.date))
        resumeCount = row["resume_count"]
        committedPhases = row["committed_phases"]
        totalPhases = row["total_phases"]
        taskHash = row["task_hash"]
        updatedAt = try storedDate(row["last_activity"], what: what)
        owner = StoreOwner(row: row)
    }
}

extension HistoryEntry: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, taskId, taskName, status, standing, reason, startedAt, finishedAt, updatedAt, resumeCount
        case committedPhases, totalPhases, taskHash, ownerPid, ownerHost
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        summary = ExecutionSummary(
            id: try container.decode(ExecutionID.self, forKey: .id),
            taskID: try container.decode(String.self, forKey: .taskId),
            taskName: try container.decode(String.self, forKey: .taskName),
            status: try container.decode(ExecutionStatus.self, forKey: .status),
            reason: try container.decodeIfPresent(String.self, forKey: .reason),
            startedAt: try container.decode(Date.self, forKey: .startedAt),
            finishedAt: try container.decodeIfPresent(Date.self, forKey: .finishedAt))
        updatedAt = try container.decode(Date.self, forKey: .updatedAt)
        resumeCount = try container.decode(Int.self, forKey: .resumeCount)
        committedPhases = try container.decode(Int.self, forKey: .committedPhases)
        totalPhases = try container.decode(Int.self, forKey: .totalPhases)
        taskHash = try container.decode(String.self, forKey: .taskHash)
        if let pid = try container.decodeIfPresent(Int32.self, forKey: .ownerPid),
            let host = try container.decodeIfPresent(String.self, forKey: .ownerHost)
        {
            owner = StoreOwner(processID: pid, host: host)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(summary.id, forKey: .id)
        try container.encode(summary.taskID, forKey: .taskId)
        try container.encode(summary.taskName, forKey: .taskName)
        try container.encode(summary.status, forKey: .status)
        try container.encode(standing, forKey: .standing)
        try container.encodeIfPresent(summary.reason, forKey: .reason)
        try container.encode(summary.startedAt, forKey: .startedAt)
        try container.encodeIfPresent(summary.finishedAt, forKey: .finishedAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(resumeCount, forKey: .resumeCount)
        try container.encode(committedPhases, forKey: .committedPhases)
        try container.encode(totalPhases, forKey: .totalPhases)
        try container.encode(taskHash, forKey: .taskHash)
        try container.encodeIfPresent(owner?.processID, forKey: .ownerPid)
        try container.encodeIfPresent(owner?.host, forKey: .ownerHost)
    }
}

extension StoreOwner {
    init?(row: Row) {
        guard let pid = row["owner_pid"] as Int64?, let host = row["owner_host"] as String? else { return nil }
        self.init(processID: Int32(truncatingIfNeeded: pid), host: host)
    }
}

func storedDate(_ text: String, what: String) throws -> Date {
    guard let date = StorageTime.date(text) else {
        throw StoreError.corruptRecord(what: what, reason: "unreadable time '\(text)'")
    }
    return date
}
