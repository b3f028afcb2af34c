import Foundation
import GRDB
import TaskrunCore
import TaskrunExecution

/// The executor's writes. Each is one transaction; everything is encoded (and redacted) before the
/// transaction starts, so the write lock is held only for the inserts themselves.
///
/// Cost is what matters here, since the executor waits for ``commitPhase(_:)`` before starting a
/// phase's dependents. Swift encodes each value once (the phase, the events, the checkpoint's
/// skeleton) and SQLite's JSON functions fan it out into the readable tables; a checkpoint refers to
/// the phases already committed instead of repeating them, so its size does not grow with the run.
extension SQLiteHistoryStore {
    public func executionStarted(_ record: ExecutionRecord) async throws {
        let redactor = Redactor(
            input: record.input, secretInputs: record.secretInputs, additional: configuration.additionalSecrets)
        // A continued execution: the phases it committed before count as committed for its checkpoints.
        let (committed, commits) = try await committedPhases(of: record.id)
        live.withLock { $0[record.id] = LiveExecution(redactor: redactor, committed: committed, commits: commits) }
        let encoder = StorageCoding.recordEncoder()
        var input = record.input
        for name in record.secretInputs where input[name] != nil { input[name] = .string(Redactor.placeholder) }
        var task = record.task
        // An absolute path, so `taskrun resume` finds the file from any directory.
        task.sourcePath = task.sourcePath.map { path in
            path.hasPrefix("/")
                ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        }.map { ($0 as NSString).standardizingPath }
        for index in task.requirements.indices where task.requirements[index].isSecret {
            if task.requirements[index].defaultValue != nil {
                task.requirements[index].defaultValue = .string(Redactor.placeholder)
            }
        }
        let row = ExecutionStartRow(
            id: record.id.description, taskID: record.taskID, taskName: redactor.redact(record.taskName),
            taskHash: TaskFingerprint.of(record.task), taskPath: task.sourcePath,
            taskDefinition: try StorageCoding.encode(task, with: encoder, redactor: redactor),
            input: try StorageCoding.encode(input, with: encoder, redactor: redactor),
            inputHash: InputFingerprint.of(record.input, secretInputs: record.secretInputs),
            secretInputs: try StorageCoding.encode(
                record.secretInputs.sorted(), with: encoder, redactor: .init(secrets: [])),
            startedAt: StorageTime.text(record.startedAt), resumeCount: record.resumeCount,
            owner: configuration.owner, updatedAt: StorageTime.text(Date()))
        let events = EventRows(record.events, redactor: redactor)
        try await write { db in
            try row.upsert(db)
            try events.insert(executionID: row.id, db)
        }
    }

    public func commitPhase(_ commit: PhaseCommit) async throws {
        let execution = self.liveExecution(commit.executionID)
        let redactor = execution.redactor
        let encoder = StorageCoding.recordEncoder()
        let id = commit.executionID.description
        let phase = try PhaseRow(commit.phase, executionID: id, encoder: encoder, redactor: redactor)
        var committed = execution.committed
        if Self.isSettled(commit.phase) {
            committed[commit.phase.name] = commit.phase
        } else {
            committed[commit.phase.name] = nil
        }
        var order = execution.commits + 1
        var rows = [(phase, order)]
        // A phase that ended while this one was being committed is in the snapshot before its own
        // commit: record it now, with the checkpoint that holds it, so that a crash before its
        // commit leaves no completed phase without its row. (Its own commit rewrites the same row.)
        for settled in commit.checkpoint?.state.phases ?? []
        where settled.name != commit.phase.name && Self.isSettled(settled) && committed[settled.name] != settled {
            order += 1
            rows.append((try PhaseRow(settled, executionID: id, encoder: encoder, redactor: redactor), order))
            committed[settled.name] = settled
        }
        let checkpoint = try commit.checkpoint.map { checkpoint in
            CheckpointRow(
                executionID: id, phase: checkpoint.phase, createdAt: StorageTime.text(checkpoint.createdAt),
                lastSequence: Int64(clamping: checkpoint.state.lastSequence),
                checkpoint: try StorageCoding.encode(
                    StoredCheckpoint(checkpoint, committed: committed), with: encoder, redactor: redactor))
        }
        let events = EventRows(commit.events, redactor: redactor)
        let now = StorageTime.text(Date())
        let finalOrder = order
        let phaseRows = rows
        do {
            try await write { db in
                // No existence check first: the foreign key refuses a phase of an unknown execution.
                // `updated_at` is left alone: a commit's time is in `phase_runs.committed_at`.
                for (row, order) in phaseRows { try row.write(order: order, committedAt: now, db) }
                try checkpoint?.write(db)
                try events.insert(executionID: id, db)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw StoreError.unknownExecution(id)
        }
        live.withLock { live in
            live[commit.executionID]?.committed = committed
            live[commit.executionID]?.commits = finalOrder
        }
    }

    public func executionUpdated(_ update: ExecutionUpdate) async throws {
        let redactor = liveExecution(update.executionID).redactor
        let id = update.executionID.description
        let events = EventRows(update.events, redactor: redactor)
        let reason = update.reason.map(redactor.redact)
        let now = StorageTime.text(Date())
        try await write { db in
            try Self.requireExecution(id, db)
            // A late pause or resume never reopens an execution that has ended.
            try db.cachedStatement(
                sql: """
                    UPDATE executions SET status = ?, reason = ?, updated_at = ?
                    WHERE id = ? AND status NOT IN ('completed', 'failed', 'aborted', 'timeout')
                    """
            ).execute(arguments: [update.status.rawValue, reason, now, id])
            try events.insert(executionID: id, db)
        }
    }

    public func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) async throws {
        let execution = liveExecution(result.executionID)
        let redactor = execution.redactor
        let encoder = StorageCoding.recordEncoder()
        let id = result.executionID.description
        let resultJSON = try StorageCoding.encode(
            StoredResult(result, committed: execution.committed), with: encoder, redactor: redactor)
        let rows = EventRows(events, redactor: redactor)
        let reason = result.reason.map(redactor.redact)
        let now = StorageTime.text(Date())
        try await write { db in
            try Self.requireExecution(id, db)
            try db.cachedStatement(
                sql: """
                    UPDATE executions SET status = ?, reason = ?, finished_at = ?, result = ?, updated_at = ?
                    WHERE id = ?
                    """
            ).execute(arguments: [
                result.status.rawValue, reason, StorageTime.text(result.finishedAt), resultJSON, now, id,
            ])
            try rows.insert(executionID: id, db)
        }
        live.withLock { _ = $0.removeValue(forKey: result.executionID) }
    }

    /// Runs `updates` in one write transaction, even when the calling task is cancelled: the executor
    /// cancels its own work on abort and time-out, and what ended (a phase, the execution itself)
    /// must still be recorded. (GRDB's async writes throw `CancellationError` in a cancelled task;
    /// an unstructured task does not inherit the cancellation.)
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let pool = self.pool
        return try await Task { try await pool.write(updates) }.value
    }

    /// The phases of `id` that are committed for good (completed or skipped), as committed, and how
    /// many commits it had.
    func committedPhases(of id: ExecutionID) async throws -> (phases: [String: PhaseResult], commits: Int) {
        let key = id.description
        let pool = self.pool
        // Part of recording a start: not abandoned when the caller is cancelled (see `write`).
        let (records, commits) = try await Task {
            try await pool.read { db in
                (
                    try String.fetchAll(
                        db.cachedStatement(
                            sql:
                                "SELECT record FROM phase_runs WHERE execution_id = ? AND status IN ('completed', 'skipped')"
                        ),
                        arguments: [key]),
                    try Int.fetchOne(
                        db.cachedStatement(sql: "SELECT MAX(commit_order) FROM phase_runs WHERE execution_id = ?"),
                        arguments: [key]) ?? 0
                )
            }
        }.value
        var phases: [String: PhaseResult] = [:]
        for record in records {
            let phase = try StorageCoding.decode(PhaseResult.self, from: record, what: "phase of \(id)")
            phases[phase.name] = phase
        }
        return (phases, commits)
    }

    /// A phase that will never run again in its execution: a checkpoint or result may refer to its
    /// committed row instead of repeating it. (A failed phase may be run again by a resume.)
    static func isSettled(_ phase: PhaseResult) -> Bool {
        phase.status == .completed || phase.status == .skipped
    }

    static func requireExecution(_ id: String, _ db: Database) throws {
        let exists = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM executions WHERE id = ?)"), arguments: [id])
        guard exists == true else { throw StoreError.unknownExecution(id) }
    }
}

/// What the store keeps in memory about an execution while it runs in this process.
struct LiveExecution: Sendable {
    /// Secret values are known only while the execution runs; they are never stored.
    var redactor: Redactor
    /// Settled phases as committed, so checkpoints can refer to them (see ``StoredPhases``).
    var committed: [String: PhaseResult]
    /// How many phase commits it had (`phase_runs.commit_order` of the latest).
    var commits: Int
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

/// A committed phase: its exact JSON. The other columns of `phase_runs`, and the `step_results` and
/// `agent_responses` views, read from it.
struct PhaseRow: Sendable {
    var executionID: String
    var name: String
    var status: String
    var record: String

    init(_ phase: PhaseResult, executionID: String, encoder: JSONEncoder, redactor: Redactor) throws {
        self.executionID = executionID
        name = phase.name
        status = phase.status.rawValue
        record = try StorageCoding.encode(phase, with: encoder, redactor: redactor)
    }

    /// Replaces whatever an earlier commit of the same phase wrote (a failed phase run again by a resume).
    func write(order: Int, committedAt: String, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO phase_runs (execution_id, phase, status, commit_order, committed_at, record)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (execution_id, phase) DO UPDATE SET
                    status = excluded.status, commit_order = excluded.commit_order,
                    committed_at = excluded.committed_at, record = excluded.record
                """
        ).execute(arguments: [executionID, name, status, order, committedAt, record])
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

/// Events for the append-only `events` table, one column per field (no JSON to encode: events
/// are the most numerous rows, and they are written on every commit).
struct EventRows: Sendable {
    var rows: [StatementArguments]

    init(_ events: [ExecutionEvent], redactor: Redactor) {
        rows = events.map { event in
            [
                Int64(clamping: event.sequence), event.kind.rawValue, event.timestamp.timeIntervalSinceReferenceDate,
                event.task.map(redactor.redact), event.phase.map(redactor.redact), event.step,
                event.stepType.map(redactor.redact), event.agent.map(redactor.redact), event.attempt,
                event.status.map(redactor.redact), event.message.map(redactor.redact),
                event.delay?.storedMilliseconds, event.duration?.storedMilliseconds,
            ]
        }
    }

    func insert(executionID: String, _ db: Database) throws {
        guard !rows.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO events (execution_id, sequence, type, time, task, phase, step, step_type, agent, attempt,
                    status, message, delay_ms, duration_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for row in rows {
            try statement.execute(arguments: [executionID] + row)
        }
    }

    /// The columns `events(of:)` reads back, in this order.
    static let columns =
        "sequence, type, time, task, phase, step, step_type, agent, attempt, status, message, delay_ms, duration_ms"

    /// An event read back from its row.
    static func event(_ row: Row, executionID: ExecutionID) throws -> ExecutionEvent {
        let type: String = row["type"]
        guard let kind = ExecutionEvent.Kind(rawValue: type) else {
            throw StoreError.corruptRecord(what: "event of \(executionID)", reason: "unknown type '\(type)'")
        }
        return ExecutionEvent(
            kind: kind, executionID: executionID, sequence: UInt64(max(0, row["sequence"] as Int64)),
            timestamp: Date(timeIntervalSinceReferenceDate: row["time"]), task: row["task"], phase: row["phase"],
            step: row["step"], stepType: row["step_type"], agent: row["agent"], attempt: row["attempt"],
            status: row["status"], message: row["message"],
            delay: (row["delay_ms"] as Double?).map(Duration.storedMilliseconds),
            duration: (row["duration_ms"] as Double?).map(Duration.storedMilliseconds))
    }
}
