import Foundation
import GRDB
import GRDBSQLite
import TaskrunCore
import TaskrunExecution

/// The executor's writes. Each is one transaction; everything is encoded (and redacted) before the
/// transaction starts, so the write lock is held only for the inserts themselves.
///
/// Cost is what matters here, since the executor waits for ``commitPhase(_:)`` before starting a
/// phase's dependents. Swift encodes each value once (the phase, the checkpoint's scalar state, the
/// phases of the checkpoint that changed) and SQLite's JSON functions fan it out into the readable
/// tables; a checkpoint refers to the phases already committed instead of repeating them, and a
/// commit rewrites only the phases of the checkpoint that changed since the previous one (see
/// ``CheckpointTracking``), so a commit costs the same however long the run already is.
extension SQLiteHistoryStore {
    public func executionStarted(_ record: ExecutionRecord) async throws {
        let redactor = Redactor(
            input: record.input, secretInputs: record.secretInputs, additional: configuration.additionalSecrets)
        // A continued execution: the phases it committed before count as committed for its checkpoints.
        let stored = try await committedPhases(of: record.id)
        let execution = LiveExecution(key: record.id.description, redactor: redactor, stored: stored)
        live.withLock { $0[record.id] = execution }
        let encoder = StorageCoding.recordEncoder()
        var input = record.input
        for name in record.secretInputs where input[name] != nil { input[name] = .string(Redactor.placeholder) }
        var task = record.task
        // An absolute path, so `taskrun resume` finds the file from any directory.
        task.sourcePath = task.sourcePath.map { path in
            path.hasPrefix("/")
                ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        }.map { ($0 as NSString).standardizingPath }
        var hasSecretDefaults = false
        for index in task.requirements.indices where task.requirements[index].isSecret {
            if task.requirements[index].defaultValue != nil {
                task.requirements[index].defaultValue = .string(Redactor.placeholder)
                hasSecretDefaults = true
            }
        }
        // A definition fingerprinted from its JSON is stored as that JSON when nothing in it is to be
        // redacted: encoding a large task is most of the cost of a start. It has no `sourcePath`
        // (which is `task_path`, and read back from there); its keys are sorted.
        let (taskHash, canonical) = TaskFingerprint.digest(record.task)
        let definition =
            if let canonical, redactor.isEmpty, !hasSecretDefaults {
                String(decoding: canonical, as: UTF8.self)
            } else {
                try StorageCoding.encode(task, with: encoder, redactor: redactor)
            }
        let row = ExecutionStartRow(
            id: record.id.description, taskID: record.taskID, taskName: redactor.redact(record.taskName),
            taskHash: taskHash, taskPath: task.sourcePath, taskDefinition: definition,
            input: try StorageCoding.encode(input, with: encoder, redactor: redactor),
            inputHash: InputFingerprint.of(record.input, secretInputs: record.secretInputs),
            secretInputs: try StorageCoding.encode(
                record.secretInputs.sorted(), with: encoder, redactor: .init(secrets: [])),
            startedAt: StorageTime.text(record.startedAt), resumeCount: record.resumeCount,
            owner: configuration.owner, updatedAt: StorageTime.text(Date()))
        let events = EventRows(record.events, redactor: redactor)
        try await write(events, of: execution) { db, claim in
            try row.upsert(db)
            try events.insert(executionID: row.id, claim: claim, db)
        }
    }

    public func commitPhase(_ commit: PhaseCommit) async throws {
        let execution = try await registeredExecution(commit.executionID)
        let id = execution.key
        let plan = try execution.tracking.withLock { tracking in
            tracking.note(commit.events)
            return try tracking.plan(commit, executionID: id, redactor: execution.redactor)
        }
        let events = EventRows(commit.events, redactor: execution.redactor)
        let now = StorageTime.text(Date())
        let rows = try await write(events, of: execution) { db, claim in
            // No existence check first: the insert takes the execution's number from its row, and
            // inserts nothing for an unknown execution.
            // `updated_at` is left alone: a commit's time is in `phase_runs.committed_at`.
            try events.check(executionID: id, claim: claim, db)
            return try plan.write(executionID: id, committedAt: now, events: events, db)
        }
        execution.tracking.withLock { $0.apply(plan, rows: rows) }
    }

    public func executionUpdated(_ update: ExecutionUpdate) async throws {
        let execution = liveExecution(update.executionID)
        execution.tracking.withLock { $0.note(update.events) }
        let redactor = execution.redactor
        let id = execution.key
        let events = EventRows(update.events, redactor: redactor)
        let reason = update.reason.map(redactor.redact)
        let now = StorageTime.text(Date())
        try await write(events, of: execution) { db, claim in
            try Self.requireExecution(id, db)
            // A late pause or resume never reopens an execution that has ended.
            try db.cachedStatement(
                sql: """
                    UPDATE executions SET status = ?, reason = ?, updated_at = ?
                    WHERE id = ? AND status NOT IN ('completed', 'failed', 'aborted', 'timeout')
                    """
            ).execute(arguments: [update.status.rawValue, reason, now, id])
            try events.insert(executionID: id, claim: claim, db)
        }
    }

    public func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) async throws {
        let execution = liveExecution(result.executionID)
        let redactor = execution.redactor
        let encoder = StorageCoding.recordEncoder()
        let id = execution.key
        let stored = execution.tracking.withLock { StoredResult(result, committed: $0.committed) }
        let resultJSON = try StorageCoding.encode(stored, with: encoder, redactor: redactor)
        let rows = EventRows(events, redactor: redactor)
        let reason = result.reason.map(redactor.redact)
        let now = StorageTime.text(Date())
        try await write(rows, of: execution) { db, claim in
            try Self.requireExecution(id, db)
            try db.cachedStatement(
                sql: """
                    UPDATE executions SET status = ?, reason = ?, finished_at = ?, result = ?, updated_at = ?
                    WHERE id = ?
                    """
            ).execute(arguments: [
                result.status.rawValue, reason, StorageTime.text(result.finishedAt), resultJSON, now, id,
            ])
            try rows.insert(executionID: id, claim: claim, db)
        }
        live.withLock { _ = $0.removeValue(forKey: result.executionID) }
    }

    /// ``write(_:)`` for a write that stores `events` of `execution`: their batch is claimed first
    /// (see ``LiveExecution/claimBatch(_:)``), and given back when the write fails. `updates` gets
    /// the claim.
    func write<T: Sendable>(
        _ events: EventRows, of execution: LiveExecution,
        _ updates: @escaping @Sendable (Database, _ claim: Bool?) throws -> T
    ) async throws -> T {
        let claim = execution.claimBatch(events.first)
        do {
            return try await write { db in try updates(db, claim) }
        } catch {
            if claim == true { execution.releaseBatch(events.first) }
            throw error
        }
    }

    /// Runs `updates` in one write transaction, even when the calling task is cancelled: the executor
    /// cancels its own work on abort and time-out, and what ended (a phase, the execution itself)
    /// must still be recorded.
    ///
    /// The transaction runs right here when the database is not locked by another process: it is a
    /// few inserts into the page cache (with `synchronous = NORMAL`, no sync), and the caller waits
    /// for it anyway, so handing it to GRDB's writer thread would only add two thread switches to the
    /// executor's critical path. When another process holds the write lock, the transaction goes to
    /// GRDB's writer queue, which waits for the lock (``Configuration/busyTimeout``) without holding
    /// one of Swift's few cooperative threads. (GRDB's async writes throw `CancellationError` in a
    /// cancelled task; its callback-based write does not look at tasks.)
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if case .done(let result) = try writeUnlessLocked(updates) { return result }
        let pool = self.pool
        return try await withCheckedThrowingContinuation { continuation in
            pool.asyncWrite(updates) { _, result in continuation.resume(with: result) }
        }
    }

    private enum Attempt<T> {
        case done(T)
        case locked
    }

    /// Runs `updates` in a transaction on the calling thread, or returns `.locked` at once when
    /// another connection holds the write lock.
    private func writeUnlessLocked<T>(_ updates: (Database) throws -> T) throws -> Attempt<T> {
        let timeout = Int32(clamping: Int(configuration.busyTimeout.seconds * 1000))
        return try pool.writeWithoutTransaction { db -> Attempt<T> in
            // The cached statements spare GRDB's `inTransaction` its parsing of BEGIN and COMMIT.
            sqlite3_busy_timeout(db.sqliteConnection, 0)
            do {
                try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                sqlite3_busy_timeout(db.sqliteConnection, timeout)
                return .locked
            } catch {
                sqlite3_busy_timeout(db.sqliteConnection, timeout)
                throw error
            }
            sqlite3_busy_timeout(db.sqliteConnection, timeout)
            do {
                let result = try updates(db)
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                return .done(result)
            } catch {
                if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK TRANSACTION") }
                throw error
            }
        }
    }

    /// What this store knows about `id`; an execution started through another store (or process) is
    /// registered here on its first commit, with what it committed so far, so that commit orders and
    /// checkpoints continue where it left off.
    func registeredExecution(_ id: ExecutionID) async throws -> LiveExecution {
        if let execution = live.withLock({ $0[id] }) { return execution }
        let execution = LiveExecution(
            key: id.description, redactor: baseRedactor, stored: try await committedPhases(of: id))
        return live.withLock { live in
            if let existing = live[id] { return existing }
            live[id] = execution
            return execution
        }
    }

    /// What is stored of `id` that its next writes build on: the phases committed for good
    /// (completed or skipped), as committed, how many commits and checkpoints it had, and where its
    /// event batches start.
    func committedPhases(of id: ExecutionID) async throws -> StoredProgress {
        let key = id.description
        let pool = self.pool
        // Part of recording a start: not abandoned when the caller is cancelled (see `write`).
        let (records, commits, batches, checkpoints, rows) = try await Task {
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
                        arguments: [key]) ?? 0,
                    try Int64.fetchSet(
                        db.cachedStatement(
                            sql: """
                                SELECT c.first_sequence FROM executions x JOIN commit_log c ON \(StorageSchema.rowsOfExecution)
                                WHERE x.id = ? AND c.events IS NOT NULL
                                """),
                        arguments: [key]),
                    try Int.fetchOne(
                        db.cachedStatement(sql: "SELECT checkpoint_count FROM checkpoints WHERE execution_id = ?"),
                        arguments: [key]) ?? 0,
                    try Row.fetchAll(
                        db.cachedStatement(
                            sql: """
                                SELECT c.phase, c.id FROM executions x JOIN commit_log c ON \(StorageSchema.rowsOfExecution)
                                WHERE x.id = ? AND c.phase IS NOT NULL
                                """),
                        arguments: [key]
                    ).map { row -> (String, Int64) in (row[0], row[1]) }
                )
            }
        }.value
        var phases: [String: PhaseResult] = [:]
        for record in records {
            let phase = try StorageCoding.decode(PhaseResult.self, from: record, what: "phase of \(id)")
            phases[phase.name] = phase
        }
        return StoredProgress(
            phases: phases, commits: commits, batches: batches, checkpoints: checkpoints,
            rows: Dictionary(rows, uniquingKeysWith: max))
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
    /// Its `commit_order`.
    var order: Int

    init(_ phase: PhaseResult, executionID: String, redactor: Redactor, order: Int) throws {
        self.executionID = executionID
        name = phase.name
        status = phase.status.rawValue
        record = try RecordWriter.json(of: phase, redactor: redactor)
        self.order = order
    }

    /// The id of the `commit_log` row that holds the phase now, when one does: a failed phase run
    /// again by a resume, a phase recorded with another's checkpoint. Its phase columns go (its
    /// events stay): an execution has one row per phase (see ``CheckpointTracking/rows``).
    var replacing: Int64?

    /// Appends the phase, with the events of its commit when given, as a row of `commit_log` after
    /// the last of its execution, and returns the row's id. `head`: the checkpoint taken with the
    /// commit, in the same row.
    /// - Throws: ``StoreError/unknownExecution(_:)`` when the execution has no row.
    func write(committedAt: String, events: EventRows?, head: CheckpointRow?, _ db: Database) throws -> Int64 {
        if let replacing {
            // Rare: a phase committed again.
            try db.cachedStatement(
                sql: "DELETE FROM commit_log WHERE id = ? AND events IS NULL AND checkpoint IS NULL"
            ).execute(arguments: [replacing])
            try db.cachedStatement(
                sql: """
                    UPDATE commit_log SET phase = NULL, status = NULL, commit_order = NULL, committed_at = NULL,
                        record = NULL
                    WHERE id = ?
                    """
            ).execute(arguments: [replacing])
        }
        let insert = try db.cachedStatement(sql: Self.insertSQL)
        try insertDirectly(insert.sqliteStatement, committedAt: committedAt, events: events, head: head, db)
        guard db.changesCount == 1 else { throw StoreError.unknownExecution(executionID) }
        return db.lastInsertedRowID
    }

    /// The insert of ``write(committedAt:events:head:_:)`` through SQLite's own functions: GRDB's
    /// arguments box every value (15 of them), a few microseconds of every commit. A failure throws
    /// the `DatabaseError` GRDB would have thrown (SQLite's extended code and message, the SQL);
    /// nothing was written (SQLite undoes a failed statement). GRDB does not see this statement run,
    /// so a `ValueObservation` of these tables would miss it: the store has none.
    private func insertDirectly(
        _ statement: OpaquePointer, committedAt: String, events: EventRows?, head: CheckpointRow?, _ db: Database
    ) throws {
        sqlite3_reset(statement)
        var index: Int32 = 0
        func bind(_ text: String?) {
            index += 1
            guard var text else {
                sqlite3_bind_null(statement, index)
                return
            }
            text.withUTF8 { bytes in
                guard let start = bytes.baseAddress else {
                    // An empty string has no storage to point at; a null pointer would bind NULL.
                    _ = sqlite3_bind_text64(statement, index, "", 0, Self.transient, UInt8(SQLITE_UTF8))
                    return
                }
                _ = sqlite3_bind_text64(
                    statement, index, UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self),
                    sqlite3_uint64(bytes.count), Self.transient, UInt8(SQLITE_UTF8))
            }
        }
        func bind<Integer: BinaryInteger>(_ number: Integer?) {
            index += 1
            if let number {
                sqlite3_bind_int64(statement, index, Int64(number))
            } else {
                sqlite3_bind_null(statement, index)
            }
        }
        bind(executionID)
        bind(name)
        bind(status)
        bind(order)
        bind(committedAt)
        bind(record)
        bind(events?.first)
        bind(events?.last)
        bind(events?.json)
        bind(head?.phase)
        bind(head?.createdAt)
        bind(head?.lastSequence)
        bind(head?.count)
        bind(head?.checkpoint)
        bind(head?.committedThrough)
        let code = sqlite3_step(statement)
        // Read before the reset, which may change them.
        let failure =
            code == SQLITE_DONE
            ? nil
            : DatabaseError(
                resultCode: ResultCode(rawValue: sqlite3_extended_errcode(db.sqliteConnection)),
                message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: Self.insertSQL)
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        if let failure { throw failure }
    }

    /// SQLite copies the bound text (the strings are gone once the statement runs).
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// `?1`: the execution id, whose row gives the execution's number (none: nothing is inserted).
    private static let insertSQL = """
        INSERT INTO commit_log (id, execution_id, phase, status, commit_order, committed_at, record, first_sequence,
            last_sequence, events, checkpoint_phase, checkpoint_created_at, checkpoint_last_sequence,
            checkpoint_count, checkpoint, committed_through)
        SELECT \(StorageSchema.nextID), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15
        FROM executions x WHERE x.id = ?1
        """
}

/// The latest checkpoint of an execution without its phases, written in the row of the phase
/// commit that took it (the `checkpoints` view reads the latest). Its phases are rows of
/// `checkpoint_phases` (see ``CheckpointTracking``).
struct CheckpointRow: Sendable {
    var executionID: String
    var phase: String
    var createdAt: String
    var lastSequence: Int64
    var checkpoint: String
    /// Every phase's name, as a JSON array, when the checkpoint is written whole; `nil` keeps the stored list.
    var phaseNames: String?
    /// The `commit_order` of the last phase committed with or before it: the completed and skipped
    /// phases it holds are the rows of `phase_runs` up to there.
    var committedThrough = 0
    /// How many checkpoints the execution has written, this one included.
    var count = 1

    /// `stateID`: `checkpoint.state.id` as text, when known.
    init(_ checkpoint: ExecutionCheckpoint, executionID: String, redactor: Redactor, stateID: String? = nil) throws {
        self.executionID = executionID
        phase = checkpoint.phase
        createdAt = StorageTime.text(checkpoint.createdAt)
        lastSequence = Int64(clamping: checkpoint.state.lastSequence)
        self.checkpoint = try RecordWriter.headJSON(of: checkpoint, redactor: redactor, stateID: stateID)
    }

    /// The checkpoint's phase list, in a row of its own: a long list spills over into pages of its
    /// own, which SQLite would rewrite with every update of the `checkpoints` row.
    static func writeNames(_ names: String, executionID: String, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO checkpoint_names (execution_id, phase_names) VALUES (?, ?)
                ON CONFLICT (execution_id) DO UPDATE SET phase_names = excluded.phase_names
                """
        ).execute(arguments: [executionID, names])
    }
}

/// The events of one write in one row of `commit_log` (the phase commit's own row, or a row of
/// their own): a JSON array of events, each an array of its fields in the order of ``fields``; the
/// `events` view reads them back one row per event.
///
/// A commit carries about seven events. As rows of their own they were the most numerous inserts
/// of the store, each binding fourteen values and repeating the execution id; as one row they are
/// one insert of one text, encoded (and redacted) before the transaction starts. In a table of their
/// own (keyed by execution and first sequence number), they cost a commit two more pages of the log.
struct EventRows: Sendable {
    /// The sequence number of the first event; `nil` when there are none (nothing to write).
    var first: Int64?
    /// The sequence number of the last event.
    var last: Int64?
    /// The events as JSON.
    var json: String
    /// Whether each event's sequence number is above the one before: stored rows no longer have
    /// one key per event, so ``insert(executionID:_:)`` refuses a batch that repeats one.
    var isIncreasing: Bool

    /// The fields of an event in its array, as the `events` view names them.
    static let fields = [
        "sequence", "type", "time", "task", "phase", "step", "step_type", "agent", "attempt", "status", "message",
        "delay_ms", "duration_ms",
    ]

    init(_ events: [ExecutionEvent], redactor: Redactor) {
        first = events.first.map { Int64(clamping: $0.sequence) }
        last = events.last.map { Int64(clamping: $0.sequence) }
        isIncreasing = !zip(events, events.dropFirst()).contains { $0.sequence >= $1.sequence }
        json = events.isEmpty ? "[]" : RecordWriter.json(ofEvents: events, redactor: redactor)
    }

    /// Appends the events as a row of their own (a write without a phase). `claim` is the
    /// execution's ``LiveExecution/claimBatch(_:)`` of ``first``.
    func insert(executionID: String, claim: Bool?, _ db: Database) throws {
        guard let first else { return }
        try check(executionID: executionID, claim: claim, db)
        try db.cachedStatement(
            sql: """
                INSERT INTO commit_log (id, execution_id, first_sequence, last_sequence, events)
                SELECT \(StorageSchema.nextID), x.id, ?, ?, ? FROM executions x WHERE x.id = ?
                """
        ).execute(arguments: [first, last, json, executionID])
    }

    /// Refuses, as keys on the events (and then on the batches) did, events that are not in
    /// increasing order and a batch that starts where a stored one starts: the write fails and
    /// rolls back. When this process does not know the stored batches (`claim` is `nil`), it looks
    /// in the file.
    func check(executionID: String, claim: Bool?, _ db: Database) throws {
        guard let first else { return }
        guard isIncreasing else {
            throw DatabaseError(
                resultCode: .SQLITE_CONSTRAINT, message: "events of one write must have increasing sequence numbers")
        }
        let isNew =
            try claim
            ?? !(Bool.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT EXISTS (
                            SELECT 1 FROM executions x JOIN commit_log c ON \(StorageSchema.rowsOfExecution)
                            WHERE x.id = ? AND c.first_sequence = ?)
                        """),
                arguments: [executionID, first]) ?? false)
        guard isNew else {
            throw DatabaseError(
                resultCode: .SQLITE_CONSTRAINT, message: "events from sequence number \(first) are stored already")
        }
    }

    /// The events of a stored batch. Decoded in Swift, not through the `events` view: Foundation's
    /// decoder reads a time back to the bit.
    static func events(ofBatch text: String, executionID: ExecutionID) throws -> [ExecutionEvent] {
        let what = "events of \(executionID)"
        let rows = try StorageCoding.decode([[JSONValue]].self, from: text, what: what)
        return try rows.map { row in
            guard row.count == fields.count, let sequence = row[0].doubleValue, let type = row[1].stringValue,
                let time = row[2].doubleValue
            else { throw StoreError.corruptRecord(what: what, reason: "malformed event \(row)") }
            guard let kind = ExecutionEvent.Kind(rawValue: type) else {
                throw StoreError.corruptRecord(what: what, reason: "unknown type '\(type)'")
            }
            return ExecutionEvent(
                kind: kind, executionID: executionID, sequence: UInt64(max(0, sequence)),
                timestamp: Date(timeIntervalSinceReferenceDate: time), task: row[3].stringValue,
                phase: row[4].stringValue, step: row[5].doubleValue.map { Int($0) }, stepType: row[6].stringValue,
                agent: row[7].stringValue, attempt: row[8].doubleValue.map { Int($0) }, status: row[9].stringValue,
                message: row[10].stringValue, delay: row[11].doubleValue.map { Duration.milliseconds(exactly: $0) },
                duration: row[12].doubleValue.map { Duration.milliseconds(exactly: $0) })
        }
    }
}
