import Foundation
import GRDB
import TaskrunCore
import TaskrunExecution

/// The executor's writes. Each is one transaction; everything is encoded (and redacted) before the
/// transaction starts, so the write lock is held only for the inserts themselves.
extension SQLiteHistoryStore {
    public func executionStarted(_ record: ExecutionRecord) async throws {
        let redactor = Redactor(
            input: record.input, secretInputs: record.secretInputs, additional: configuration.additionalSecrets)
        redactors.withLock { $0[record.id] = redactor }
        let encoder = StorageCoding.canonicalEncoder()
        var input = record.input
        for name in record.secretInputs where input[name] != nil { input[name] = .string(Redactor.placeholder) }
        var task = record.task
        for index in task.requirements.indices where task.requirements[index].isSecret {
            if task.requirements[index].defaultValue != nil {
                task.requirements[index].defaultValue = .string(Redactor.placeholder)
            }
        }
        let row = ExecutionStartRow(
            id: record.id.description, taskID: record.taskID, taskName: redactor.redact(record.taskName),
            taskHash: TaskFingerprint.of(record.task), taskPath: record.task.sourcePath,
            taskDefinition: try StorageCoding.encode(task, with: encoder, redactor: redactor),
            input: try StorageCoding.encode(input, with: encoder, redactor: redactor),
            inputHash: InputFingerprint.of(record.input, secretInputs: record.secretInputs),
            secretInputs: try StorageCoding.encode(record.secretInputs.sorted(), with: encoder, redactor: .init(secrets: [])),
            startedAt: StorageTime.text(record.startedAt), resumeCount: record.resumeCount,
            owner: configuration.owner, updatedAt: StorageTime.text(Date()))
        let events = try record.events.map { try EventRow($0, encoder: encoder, redactor: redactor) }
        try await pool.write { db in
            try row.upsert(db)
            try EventRow.insert(events, executionID: row.id, db)
        }
    }

    public func commitPhase(_ commit: PhaseCommit) async throws {
        let redactor = redactor(for: commit.executionID)
        let encoder = StorageCoding.canonicalEncoder()
        let id = commit.executionID.description
        let phase = try PhaseRows(commit.phase, executionID: id, encoder: encoder, redactor: redactor)
        let checkpoint = try commit.checkpoint.map { checkpoint in
            CheckpointRow(
                executionID: id, phase: checkpoint.phase, createdAt: StorageTime.text(checkpoint.createdAt),
                lastSequence: Int64(clamping: checkpoint.state.lastSequence),
                checkpoint: try StorageCoding.encode(checkpoint, with: encoder, redactor: redactor))
        }
        let events = try commit.events.map { try EventRow($0, encoder: encoder, redactor: redactor) }
        let now = StorageTime.text(Date())
        try await pool.write { db in
            try Self.requireExecution(id, db)
            try phase.write(committedAt: now, db)
            try checkpoint?.write(db)
            try EventRow.insert(events, executionID: id, db)
            try db.cachedStatement(sql: "UPDATE executions SET updated_at = ? WHERE id = ?").execute(arguments: [now, id])
        }
    }

    public func executionUpdated(_ update: ExecutionUpdate) async throws {
        let redactor = redactor(for: update.executionID)
        let encoder = StorageCoding.canonicalEncoder()
        let id = update.executionID.description
        let events = try update.events.map { try EventRow($0, encoder: encoder, redactor: redactor) }
        let reason = update.reason.map(redactor.redact)
        let now = StorageTime.text(Date())
        try await pool.write { db in
            try Self.requireExecution(id, db)
            // A late pause or resume never reopens an execution that has ended.
            try db.cachedStatement(
                sql: """
                    UPDATE executions SET status = ?, reason = ?, updated_at = ?
                    WHERE id = ? AND status NOT IN ('completed', 'failed', 'aborted', 'timeout')
                    """
            ).execute(arguments: [update.status.rawValue, reason, now, id])
            try EventRow.insert(events, executionID: id, db)
        }
    }

    public func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) async throws {
        let redactor = redactor(for: result.executionID)
        let encoder = StorageCoding.canonicalEncoder()
        let id = result.executionID.description
        let resultJSON = try StorageCoding.encode(result, with: encoder, redactor: redactor)
        let rows = try events.map { try EventRow($0, encoder: encoder, redactor: redactor) }
        let reason = result.reason.map(redactor.redact)
        let now = StorageTime.text(Date())
        try await pool.write { db in
            try Self.requireExecution(id, db)
            try db.cachedStatement(
                sql: """
                    UPDATE executions SET status = ?, reason = ?, finished_at = ?, result = ?, updated_at = ?
                    WHERE id = ?
                    """
            ).execute(arguments: [
                result.status.rawValue, reason, StorageTime.text(result.finishedAt), resultJSON, now, id,
            ])
            try EventRow.insert(rows, executionID: id, db)
        }
        redactors.withLock { _ = $0.removeValue(forKey: result.executionID) }
    }

    static func requireExecution(_ id: String, _ db: Database) throws {
        let exists = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM executions WHERE id = ?)"), arguments: [id])
        guard exists == true else { throw StoreError.unknownExecution(id) }
    }
}

// MARK: Rows

/// The `executions` row written when an execution starts or is continued.
struct ExecutionStartRow: Sendable {
    var id: String
    var taskID: String
    var taskName: String
    var taskHash: String
    var taskPath: String?
    var taskDefinition: String
    var input: String
    var inputHash: String
    var secretInputs: String
    var startedAt: String
    var resumeCount: Int
    var owner: StoreOwner
    var updatedAt: String

    /// Inserts the row, or, for a continued execution, reopens it: running again, with the task it
    /// now runs (a forced resume may run a changed file) and its new owner.
    func upsert(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO executions (id, task_id, task_name, task_hash, task_path, task_definition, input, input_hash,
                    secret_inputs, status, reason, started_at, finished_at, updated_at, resume_count, owner_pid,
                    owner_host, result)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', NULL, ?, NULL, ?, ?, ?, ?, NULL)
                ON CONFLICT (id) DO UPDATE SET
                    task_name = excluded.task_name, task_hash = excluded.task_hash, task_path = excluded.task_path,
                    task_definition = excluded.task_definition, input = excluded.input,
                    input_hash = excluded.input_hash, secret_inputs = excluded.secret_inputs, status = 'running',
                    reason = NULL, finished_at = NULL, updated_at = excluded.updated_at,
                    resume_count = excluded.resume_count, owner_pid = excluded.owner_pid,
                    owner_host = excluded.owner_host, result = NULL
                """
        ).execute(arguments: [
            id, taskID, taskName, taskHash, taskPath, taskDefinition, input, inputHash, secretInputs, startedAt,
            updatedAt, resumeCount, Int64(owner.processID), owner.host,
        ])
    }
}

/// A phase's `phase_runs` row with its `step_results` and `agent_responses` rows.
struct PhaseRows: Sendable {
    var executionID: String
    var name: String
    var status: String
    var attempts: Int
    var startedAt: String?
    var finishedAt: String?
    var durationMs: Double?
    var outputs: String
    var errors: String
    var result: String?
    var steps: [StatementArguments]
    var responses: [StatementArguments]

    init(_ phase: PhaseResult, executionID: String, encoder: JSONEncoder, redactor: Redactor) throws {
        self.executionID = executionID
        name = phase.name
        status = phase.status.rawValue
        attempts = phase.attempts
        startedAt = StorageTime.text(phase.startedAt)
        finishedAt = StorageTime.text(phase.finishedAt)
        durationMs = phase.duration?.storedMilliseconds
        outputs = try StorageCoding.encode(phase.outputs, with: encoder, redactor: redactor)
        errors = try StorageCoding.encode(phase.errors, with: encoder, redactor: redactor)
        result = try phase.result.map { try StorageCoding.encode($0, with: encoder, redactor: redactor) }
        steps = try phase.steps.map { step in
            [
                executionID, phase.name, step.index, step.type, step.agent, step.status.rawValue, step.attempts,
                StorageTime.text(step.startedAt), StorageTime.text(step.finishedAt),
                try step.value.map { try StorageCoding.encode($0, with: encoder, redactor: redactor) },
                try StorageCoding.encode(step.outputs, with: encoder, redactor: redactor),
                step.error.map(redactor.redact),
                try StorageCoding.encode(step.warnings, with: encoder, redactor: redactor),
            ]
        }
        responses = try phase.responses.enumerated().map { ordinal, reply in
            [
                executionID, phase.name, ordinal, reply.agent, reply.step, reply.attempt,
                redactor.redact(reply.response.text), reply.response.position?.rawValue, reply.response.confidence,
                reply.response.latency?.storedMilliseconds,
                try StorageCoding.encode(reply.response, with: encoder, redactor: redactor),
            ]
        }
    }

    /// Replaces whatever an earlier commit of the same phase wrote (a failed phase run again by a resume).
    func write(committedAt: String, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO phase_runs (execution_id, phase, status, attempts, started_at, finished_at, duration_ms,
                    outputs, errors, result, commit_order, committed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    (SELECT COALESCE(MAX(commit_order), 0) + 1 FROM phase_runs WHERE execution_id = ?), ?)
                ON CONFLICT (execution_id, phase) DO UPDATE SET
                    status = excluded.status, attempts = excluded.attempts, started_at = excluded.started_at,
                    finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
                    outputs = excluded.outputs, errors = excluded.errors, result = excluded.result,
                    commit_order = excluded.commit_order, committed_at = excluded.committed_at
                """
        ).execute(arguments: [
            executionID, name, status, attempts, startedAt, finishedAt, durationMs, outputs, errors, result,
            executionID, committedAt,
        ])
        let arguments: StatementArguments = [executionID, name]
        try db.cachedStatement(sql: "DELETE FROM step_results WHERE execution_id = ? AND phase = ?")
            .execute(arguments: arguments)
        try db.cachedStatement(sql: "DELETE FROM agent_responses WHERE execution_id = ? AND phase = ?")
            .execute(arguments: arguments)
        if !steps.isEmpty {
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO step_results (execution_id, phase, step_index, type, agent, status, attempts,
                        started_at, finished_at, value, outputs, error, warnings)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for step in steps { try statement.execute(arguments: step) }
        }
        if !responses.isEmpty {
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO agent_responses (execution_id, phase, ordinal, agent, step_index, attempt, text,
                        position, confidence, latency_ms, response)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for response in responses { try statement.execute(arguments: response) }
        }
    }
}

/// The latest checkpoint of an execution (older ones are replaced: resume needs only the latest).
struct CheckpointRow: Sendable {
    var executionID: String
    var phase: String
    var createdAt: String
    var lastSequence: Int64
    var checkpoint: String

    func write(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO checkpoints (execution_id, phase, created_at, last_sequence, checkpoint_count, checkpoint)
                VALUES (?, ?, ?, ?, 1, ?)
                ON CONFLICT (execution_id) DO UPDATE SET
                    phase = excluded.phase, created_at = excluded.created_at,
                    last_sequence = excluded.last_sequence, checkpoint_count = checkpoint_count + 1,
                    checkpoint = excluded.checkpoint
                """
        ).execute(arguments: [executionID, phase, createdAt, lastSequence, checkpoint])
    }
}

/// One row of the append-only `events` table.
struct EventRow: Sendable {
    var sequence: Int64
    var type: String
    var timestamp: String
    var phase: String?
    var body: String

    init(_ event: ExecutionEvent, encoder: JSONEncoder, redactor: Redactor) throws {
        sequence = Int64(clamping: event.sequence)
        type = event.kind.rawValue
        timestamp = StorageTime.text(event.timestamp)
        phase = event.phase
        body = try StorageCoding.encode(event, with: encoder, redactor: redactor)
    }

    static func insert(_ rows: [EventRow], executionID: String, _ db: Database) throws {
        guard !rows.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO events (execution_id, sequence, type, timestamp, phase, body) VALUES (?, ?, ?, ?, ?, ?)")
        for row in rows {
            try statement.execute(arguments: [executionID, row.sequence, row.type, row.timestamp, row.phase, row.body])
        }
    }
}
