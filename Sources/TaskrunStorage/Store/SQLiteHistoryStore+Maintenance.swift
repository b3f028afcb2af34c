import Foundation
import GRDB
import TaskrunExecution

/// `taskrun abort` and `taskrun prune`.
extension SQLiteHistoryStore {
    /// Marks a paused or interrupted execution aborted, with `reason`, and appends its
    /// `execution:aborted` event. Returns the standing it had.
    ///
    /// - Throws: ``ExecutionControlError`` when the execution is unknown, still active in a live
    ///   process, or already ended.
    @discardableResult
    public func abort(_ id: ExecutionID, reason: String, now: Date = Date()) async throws -> ExecutionStanding {
        let key = id.description
        let redactor = liveExecution(id).redactor
        return try await pool.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT status, owner_pid, owner_host FROM executions WHERE id = ?", arguments: [key])
            else { throw StoreError.unknownExecution(key) }
            let status = try decodeStatus(ExecutionStatus.self, row["status"], what: "execution \(key)")
            let owner = StoreOwner(row: row)
            let standing = ExecutionStanding(status: status, owner: owner)
            guard standing.isAbortable else {
                throw ExecutionControlError.notAbortable(id: key, standing: standing, owner: owner)
            }
            let sequence =
                (try Int64.fetchOne(
                    db, sql: "SELECT MAX(sequence) FROM events WHERE execution_id = ?", arguments: [key]) ?? 0) + 1
            let event = ExecutionEvent(
                kind: .executionAborted, executionID: id, sequence: UInt64(sequence), timestamp: now,
                status: ExecutionStatus.aborted.rawValue, message: reason)
            let time = StorageTime.text(now)
            try db.execute(
                sql: """
                    UPDATE executions SET status = 'aborted', reason = ?, finished_at = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [redactor.redact(reason), time, time, key])
            try EventRows([event], redactor: redactor).insert(executionID: key, claim: nil, db)
            return standing
        }
    }

    /// Deletes every execution last written before `now - age` (its start, last commit, pause or end;
    /// with its phases, checkpoint and events), except ones still active in a live process, then vacuums the file. With `dryRun`
    /// it only counts.
    public func prune(olderThan age: Duration, now: Date = Date(), dryRun: Bool = false) async throws -> PruneReport {
        let cutoff = now.addingTimeInterval(-age.seconds)
        let cutoffText = StorageTime.text(cutoff)
        let sizeBefore = fileSize()
        let selection = "FROM executions WHERE \(HistoryEntry.lastActivity) < ?"
        let counting: @Sendable (Database) throws -> (ids: [String], phases: Int, events: Int) = { db in
            let candidates = try Row.fetchAll(
                db, sql: "SELECT id, status, owner_pid, owner_host \(selection)", arguments: [cutoffText])
            let ids = try candidates.compactMap { row -> String? in
                let status = try decodeStatus(ExecutionStatus.self, row["status"], what: "execution")
                return ExecutionStanding(status: status, owner: StoreOwner(row: row)) == .active ? nil : row["id"]
            }
            var phases = 0
            var events = 0
            for id in ids {
                phases +=
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM phase_runs WHERE execution_id = ?", arguments: [id]) ?? 0
                events +=
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM events WHERE execution_id = ?", arguments: [id]) ?? 0
            }
            return (ids, phases, events)
        }
        if dryRun {
            let (ids, phases, events) = try await pool.read(counting)
            return PruneReport(
                cutoff: cutoff, dryRun: true, executions: ids.count, phaseRuns: phases, events: events,
                bytesBefore: sizeBefore, bytesAfter: sizeBefore)
        }
        let (ids, phases, events) = try await pool.write { db in
            let counts = try counting(db)
            let statement = try db.makeStatement(sql: "DELETE FROM executions WHERE id = ?")
            for id in counts.ids { try statement.execute(arguments: [id]) }
            return counts
        }
        if !ids.isEmpty {
            try await pool.vacuum()
            // Shrink the write-ahead log too, so the space comes back now rather than at the next checkpoint.
            try await pool.writeWithoutTransaction { db in
                _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
        return PruneReport(
            cutoff: cutoff, dryRun: false, executions: ids.count, phaseRuns: phases, events: events,
            bytesBefore: sizeBefore, bytesAfter: fileSize())
    }

    /// The size of the database file and its write-ahead log.
    func fileSize() -> Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value
            return total + (size ?? 0)
        }
    }
}

/// What `taskrun prune` removed (or, with `--dry-run`, would remove).
public struct PruneReport: Sendable, Hashable, Codable {
    /// Executions last written before this moment were pruned.
    public var cutoff: Date
    public var dryRun: Bool
    public var executions: Int
    public var phaseRuns: Int
    public var events: Int
    /// The size of the database and its log before and after (equal in a dry run).
    public var bytesBefore: Int64
    public var bytesAfter: Int64
}

/// Why `taskrun abort` or `taskrun resume` refuses an execution.
public enum ExecutionControlError: Error, Sendable, Hashable, CustomStringConvertible {
    case notAbortable(id: String, standing: ExecutionStanding, owner: StoreOwner?)

    public var description: String {
        switch self {
        case .notAbortable(let id, let standing, let owner):
            switch standing {
            case .active:
                "execution \(id) is still running in process \(owner.map { "\($0.processID) on \($0.host)" } ?? "?"); "
                    + "interrupt it there (Ctrl-C) instead"
            case .completed, .aborted, .failed, .timeout:
                "execution \(id) has already ended (\(standing)); only a paused or interrupted execution can be aborted"
            case .interrupted, .paused:
                "execution \(id) cannot be aborted"
            }
        }
    }
}
