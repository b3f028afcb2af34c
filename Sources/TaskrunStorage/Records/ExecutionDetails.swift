import Foundation
import GRDB
import TaskrunCore
import TaskrunExecution

/// Everything the store knows about one execution: what `taskrun show` prints.
public struct ExecutionDetails: Sendable, Hashable {
    /// The execution as the ``HistoryStore`` protocol describes it. Its record's input has secret
    /// values redacted, and its `events` are empty: read the log with ``SQLiteHistoryStore/events(of:)``.
    public var execution: StoredExecution
    /// The task file's fingerprint when the execution (last) started.
    public var taskHash: String
    /// Hash of the input (defaults applied, secrets redacted).
    public var inputHash: String
    public var updatedAt: Date
    public var finishedAt: Date?
    public var owner: StoreOwner?
    /// The phase after which the latest checkpoint was taken.
    public var checkpointPhase: String?
    /// How many checkpoints were written (only the latest is kept).
    public var checkpointCount: Int
    public var eventCount: Int

    public var id: ExecutionID { execution.record.id }
    public var standing: ExecutionStanding { ExecutionStanding(status: execution.status, owner: owner) }

    init(row: Row, phases: [PhaseResult], checkpointPhase: String?, checkpointCount: Int, eventCount: Int) throws {
        let text: String = row["id"]
        guard let id = ExecutionID(text) else { throw StoreError.corruptRecord(what: "execution id", reason: text) }
        let what = "execution \(text)"
        var task = try StorageCoding.decode(TaskDefinition.self, from: row["task_definition"], what: "task of \(what)")
        // A definition stored as its fingerprint's JSON leaves its path to `task_path`.
        if task.sourcePath == nil { task.sourcePath = row["task_path"] }
        let record = ExecutionRecord(
            id: id, taskID: row["task_id"], taskName: row["task_name"], task: task,
            input: try StorageCoding.decode([String: JSONValue].self, from: row["input"], what: "input of \(what)"),
            secretInputs: try StorageCoding.decode([String].self, from: row["secret_inputs"], what: what),
            startedAt: try storedDate(row["started_at"], what: what), resumeCount: row["resume_count"], events: [])
        let result = try (row["result"] as String?).map {
            try StorageCoding.decode(StoredResult.self, from: $0, what: "result of \(what)").restored(
                from: phases.byName)
        }
        execution = StoredExecution(
            record: record, status: try decodeStatus(ExecutionStatus.self, row["status"], what: what),
            reason: row["reason"], phases: phases, result: result)
        taskHash = row["task_hash"]
        inputHash = row["input_hash"]
        updatedAt = try storedDate(row["last_activity"], what: what)
        finishedAt = (row["finished_at"] as String?).flatMap(StorageTime.date)
        owner = StoreOwner(row: row)
        self.checkpointPhase = checkpointPhase
        self.checkpointCount = checkpointCount
        self.eventCount = eventCount
    }
}
