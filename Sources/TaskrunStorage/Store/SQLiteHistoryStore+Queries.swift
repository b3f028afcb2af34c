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
                    db.cachedStatement(sql: "SELECT * FROM executions WHERE id = ?"), arguments: [key])
            else { return nil }
            let phases = try Self.phaseResults(of: key, db)
            let checkpoint = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT phase, created_at, checkpoint_count FROM checkpoints WHERE execution_id = ?"),
                arguments: [key])
            let eventCount = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM events WHERE execution_id = ?"), arguments: [key]) ?? 0
            return try ExecutionDetails(
                row: row, phases: phases, checkpointPhase: checkpoint?["phase"],
                checkpointCount: checkpoint?["checkpoint_count"] ?? 0, eventCount: eventCount)
        }
    }

    public func loadCheckpoint(_ id: ExecutionID) async throws -> ExecutionCheckpoint? {
        let text = try await pool.read { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT checkpoint FROM checkpoints WHERE execution_id = ?"),
                arguments: [id.description])
        }
        return try text.map { try StorageCoding.decode(ExecutionCheckpoint.self, from: $0, what: "checkpoint of \(id)") }
    }

    public func events(of id: ExecutionID) async throws -> [ExecutionEvent] {
        let bodies = try await pool.read { db in
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT body FROM events WHERE execution_id = ? ORDER BY sequence"),
                arguments: [id.description])
        }
        let decoder = JSONDecoder()
        return try bodies.map { body in
            do {
                return try decoder.decode(ExecutionEvent.self, from: Data(body.utf8))
            } catch {
                throw StoreError.corruptRecord(what: "event of \(id)", reason: String(describing: error))
            }
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

    /// The committed phases of an execution, in commit order, with their steps and agent responses.
    static func phaseResults(of id: String, _ db: Database) throws -> [PhaseResult] {
        let arguments: StatementArguments = [id]
        let stepRows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM step_results WHERE execution_id = ? ORDER BY phase, step_index"),
            arguments: arguments)
        var steps: [String: [StepResult]] = [:]
        for row in stepRows {
            steps[row["phase"], default: []].append(try StepResult(row: row))
        }
        let responseRows = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT phase, agent, step_index, attempt, response FROM agent_responses "
                    + "WHERE execution_id = ? ORDER BY phase, ordinal"),
            arguments: arguments)
        var responses: [String: [AgentReply]] = [:]
        for row in responseRows {
            let response = try StorageCoding.decode(
                AgentResponse.self, from: row["response"], what: "agent response of \(id)")
            let reply = AgentReply(agent: row["agent"], step: row["step_index"], attempt: row["attempt"], response: response)
            responses[row["phase"], default: []].append(reply)
        }
        return try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM phase_runs WHERE execution_id = ? ORDER BY commit_order"),
            arguments: arguments
        ).map { row in
            let name: String = row["phase"]
            return try PhaseResult(row: row, steps: steps[name] ?? [], responses: responses[name] ?? [])
        }
    }
}

// MARK: Decoding rows

extension PhaseResult {
    init(row: Row, steps: [StepResult], responses: [AgentReply]) throws {
        let name: String = row["phase"]
        let what = "phase '\(name)'"
        self.init(
            name: name, status: try decodeStatus(PhaseStatus.self, row["status"], what: what),
            attempts: row["attempts"], startedAt: (row["started_at"] as String?).flatMap(StorageTime.date),
            finishedAt: (row["finished_at"] as String?).flatMap(StorageTime.date), steps: steps,
            responses: responses,
            outputs: try StorageCoding.decode([String: JSONValue].self, from: row["outputs"], what: what),
            errors: try StorageCoding.decode([String].self, from: row["errors"], what: what),
            result: try (row["result"] as String?).map { try StorageCoding.decode(JSONValue.self, from: $0, what: what) })
    }
}

extension StepResult {
    init(row: Row) throws {
        let what = "step \(row["step_index"] as Int? ?? -1) of phase '\(row["phase"] as String? ?? "")'"
        self.init(
            index: row["step_index"], type: row["type"], agent: row["agent"],
            status: try decodeStatus(StepStatus.self, row["status"], what: what),
            value: try (row["value"] as String?).map { try StorageCoding.decode(JSONValue.self, from: $0, what: what) },
            outputs: try StorageCoding.decode([String: JSONValue].self, from: row["outputs"], what: what),
            error: row["error"], warnings: try StorageCoding.decode([String].self, from: row["warnings"], what: what),
            attempts: row["attempts"], startedAt: (row["started_at"] as String?).flatMap(StorageTime.date),
            finishedAt: (row["finished_at"] as String?).flatMap(StorageTime.date))
    }
}

func decodeStatus<Status: RawRepresentable<String>>(_ type: Status.Type, _ text: String, what: String) throws -> Status {
    guard let status = Status(rawValue: text) else {
        throw StoreError.corruptRecord(what: what, reason: "unknown status '\(text)'")
    }
    return status
}
