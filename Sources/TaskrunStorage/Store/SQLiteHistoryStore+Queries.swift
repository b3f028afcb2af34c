import Foundation
import GRDB
import TaskrunCore
import TaskrunExecution

/// Reads. Each runs in one read transaction, so it sees one consistent state of the file even
/// while another process writes.
extension SQLiteHistoryStore {
    public func history(limit: Int) async throws -> [ExecutionSummary] {
        try await entries(limit: limit).map(\.summary)
    }

    /// The most recent executions, newest first, optionally only those of one task (by id or name)
    /// or in one status.
    public func entries(limit: Int, task: String? = nil, status: ExecutionStatus? = nil) async throws -> [HistoryEntry]
    {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let task {
            conditions.append("(task_id = ? OR task_name = ?)")
            arguments += [task, task]
        }
        if let status {
            conditions.append("status = ?")
            arguments += [status.rawValue]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [max(0, limit)]
        let sql = """
            SELECT \(HistoryEntry.columns) FROM executions \(filter) ORDER BY id DESC LIMIT ?
            """
        let bound = arguments
        return try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: bound).map(HistoryEntry.init(row:))
        }
    }

    /// The full id of the execution whose id is `text` or starts with it (at least 4 characters).
    ///
    /// - Throws: ``StoreError/unknownExecution(_:)`` or ``StoreError/ambiguousExecution(_:candidates:)``.
    public func resolveID(_ text: String) async throws -> ExecutionID {
        let prefix = text.lowercased()
        if let id = ExecutionID(prefix) { return id }
        guard prefix.count >= 4, prefix.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw StoreError.unknownExecution(text)
        }
        let matches = try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM executions WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
                arguments: [prefix, prefix + "\u{10FFFF}"])
        }
        guard let first = matches.first else { throw StoreError.unknownExecution(text) }
        guard matches.count == 1 else {
            throw StoreError.ambiguousExecution(text, candidates: Array(matches.prefix(5)))
        }
        guard let id = ExecutionID(first) else { throw StoreError.corruptRecord(what: "execution id", reason: first) }
        return id
    }

    public func loadExecution(_ id: ExecutionID) async throws -> StoredExecution? {
        try await loadDetails(id)?.execution
    }

    /// Everything about one execution, with what only this store records (task hash, owner, …).
    public func loadDetails(_ id: ExecutionID) async throws -> ExecutionDetails? {
        let key = id.description
        return try await pool.read { db -> ExecutionDetails? in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT *, \(HistoryEntry.lastActivity) AS last_activity FROM executions WHERE id = ?"),
                    arguments: [key])
            else { return nil }
            let phases = try Self.phaseResults(of: key, db)
            let checkpoint = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT phase, created_at, checkpoint_count FROM checkpoints WHERE execution_id = ?"),
                arguments: [key])
            let eventCount =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT COUNT(*) FROM events WHERE execution_id = ?"), arguments: [key])
                ?? 0
            return try ExecutionDetails(
                row: row, phases: phases, checkpointPhase: checkpoint?["phase"],
                checkpointCount: checkpoint?["checkpoint_count"] ?? 0, eventCount: eventCount)
        }
    }

    public func loadCheckpoint(_ id: ExecutionID) async throws -> ExecutionCheckpoint? {
        let key = id.description
        return try await pool.read { db in try Self.readCheckpoint(key, db) }
    }

    /// The latest checkpoint of execution `id`, its phases put back together from `phase_runs` (the
    /// completed and skipped ones committed up to it) and `checkpoint_phases` (the others).
    static func readCheckpoint(_ id: String, _ db: Database) throws -> ExecutionCheckpoint? {
        let what = "checkpoint of \(id)"
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT k.checkpoint, COALESCE(n.phase_names, '[]') AS phase_names, k.committed_through
                        FROM checkpoints k LEFT JOIN checkpoint_names n ON n.execution_id = k.execution_id
                        WHERE k.execution_id = ?
                        """),
                arguments: [id])
        else { return nil }
        let head = try StorageCoding.decode(CheckpointHead.self, from: row["checkpoint"], what: what)
        let names = try StorageCoding.decode([String].self, from: row["phase_names"], what: what)
        var phases: [String: PhaseResult] = [:]
        let committed = try String.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT record FROM phase_runs
                    WHERE execution_id = ? AND commit_order <= ? AND status IN ('completed', 'skipped')
                    """),
            arguments: [id, row["committed_through"] as Int])
        while let record = try committed.next() {
            let phase = try StorageCoding.decode(PhaseResult.self, from: record, what: what)
            phases[phase.name] = phase
        }
        let started = try String.fetchCursor(
            db.cachedStatement(sql: "SELECT record FROM checkpoint_phases WHERE execution_id = ?"), arguments: [id])
        while let record = try started.next() {
            let phase = try StorageCoding.decode(PhaseResult.self, from: record, what: what)
            phases[phase.name] = phase
        }
        return head.restored(names: names, phases: phases)
    }

    public func events(of id: ExecutionID) async throws -> [ExecutionEvent] {
        try await pool.read { db in
            var events = try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT c.events FROM executions x JOIN commit_log c ON \(StorageSchema.rowsOfExecution)
                        WHERE x.id = ? AND c.events IS NOT NULL
                        ORDER BY c.first_sequence
                        """),
                arguments: [id.description]
            ).flatMap { try EventRows.events(ofBatch: $0, executionID: id) }
            // Batches never overlap when the executor numbers events; sorting keeps the order promise anyway.
            if zip(events, events.dropFirst()).contains(where: { $0.sequence > $1.sequence }) {
                events.sort { $0.sequence < $1.sequence }
            }
            return events
        }
    }

    /// The sequence number of the last stored event of `id` (0 when it has none).
    public func lastEventSequence(of id: ExecutionID) async throws -> UInt64 {
        let value = try await pool.read { db in
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT MAX(sequence) FROM events WHERE execution_id = ?"),
                arguments: [id.description])
        }
        return UInt64(max(0, value ?? 0))
    }

    /// The result of `PRAGMA integrity_check`: `["ok"]` for a healthy file.
    public func integrityCheck() async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// The committed phases of an execution, in commit order.
    static func phaseResults(of id: String, _ db: Database) throws -> [PhaseResult] {
        try String.fetchAll(
            db.cachedStatement(sql: "SELECT record FROM phase_runs WHERE execution_id = ? ORDER BY commit_order"),
            arguments: [id]
        ).map { try StorageCoding.decode(PhaseResult.self, from: $0, what: "phase of execution \(id)") }
    }
}

extension [PhaseResult] {
    /// The phases by name.
    var byName: [String: PhaseResult] {
        Dictionary(map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }
}

// MARK: Decoding rows

func decodeStatus<Status: RawRepresentable<String>>(_ type: Status.Type, _ text: String, what: String) throws -> Status
{
    guard let status = Status(rawValue: text) else {
        throw StoreError.corruptRecord(what: what, reason: "unknown status '\(text)'")
    }
    return status
}
