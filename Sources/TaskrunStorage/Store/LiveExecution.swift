import GRDB
import Synchronization
import TaskrunExecution

/// What the file holds of an execution that its next writes build on (see
/// ``SQLiteHistoryStore/committedPhases(of:)``).
struct StoredProgress: Sendable {
    var phases: [String: PhaseResult]
    var commits: Int
    var batches: Set<Int64>
    var checkpoints: Int
    /// The `commit_log` row of each phase that has one.
    var rows: [String: Int64] = [:]
}

/// What the store keeps in memory about an execution while it runs in this process.
final class LiveExecution: Sendable {
    /// The execution's id as the store's rows hold it (formatting an id costs a few microseconds,
    /// and every commit needs it).
    let key: String
    /// Secret values are known only while the execution runs; they are never stored.
    let redactor: Redactor
    /// Commits of one execution never overlap, but a pause or resume may be recorded during one.
    let tracking: Mutex<CheckpointTracking>
    /// The first sequence numbers of the event batches stored (or being stored) for the execution,
    /// `nil` when not known here: two batches never start at the same event (see ``EventRows``).
    let batches: Mutex<Set<Int64>?>

    /// `stored`: what the file holds of the execution; `nil` for an execution this store does not
    /// write (its batches are looked up in the file).
    init(key: String, redactor: Redactor, stored: StoredProgress?) {
        self.key = key
        self.redactor = redactor
        tracking = Mutex(
            CheckpointTracking(
                committed: stored?.phases ?? [:], commits: stored?.commits ?? 0, checkpoints: stored?.checkpoints ?? 0,
                rows: stored?.rows ?? [:]))
        batches = Mutex(stored?.batches)
    }

    /// Claims the batch starting at `first` before it is written; `false` when one starting there
    /// is stored or being stored already. `nil` when this process does not know the stored batches.
    func claimBatch(_ first: Int64?) -> Bool? {
        guard let first else { return true }
        return batches.withLock { batches -> Bool? in
            guard batches != nil else { return nil }
            return batches?.insert(first).inserted
        }
    }

    /// Gives back a claim whose write failed.
    func releaseBatch(_ first: Int64?) {
        guard let first else { return }
        _ = batches.withLock { $0?.remove(first) }
    }
}

/// What the stored checkpoint of a running execution holds, so that the next checkpoint writes only
/// what changed: a commit costs the same at the thousandth phase as at the first.
///
/// The stored checkpoint takes every phase that was completed or skipped when it was taken from
/// `phase_runs` (the rows committed up to `checkpoints.committed_through`), and holds the other
/// phases that have started as `checkpoint_phases` rows. So committing a phase usually writes no
/// checkpoint phase at all, only the checkpoint's scalar state.
///
/// The executor's checkpoints list the same phases, in the same order, for the whole run; a phase
/// that has not started, or that is completed or skipped and committed, does not change again until
/// an event names it (`phase:start`, `phase:skipped`, …). So only three kinds of phases can differ
/// from the stored checkpoint: the committed one, those named by events since the last checkpoint,
/// and those stored inline (in flight: they may change silently, as a pause does). The first
/// checkpoint of a run in this process is written whole.
struct CheckpointTracking {
    /// Settled phases as committed (their `phase_runs.record`), so checkpoints and the result can
    /// refer to them instead of repeating them.
    var committed: [String: PhaseResult]
    /// How many phase commits the execution had (`phase_runs.commit_order` of the latest).
    var commits: Int
    /// How many checkpoints it wrote.
    var checkpoints: Int
    /// The phases of the stored checkpoint, once this process wrote one whole.
    var names: Set<String>?
    /// Phases the stored checkpoint takes from `phase_runs` (completed or skipped, committed at or
    /// before it: no `checkpoint_phases` row).
    var referenced: Set<String> = []
    /// Phases the stored checkpoint holds inline, as it holds them.
    var inline: [String: PhaseResult] = [:]
    /// Phases named by events since the latest checkpoint: they may have changed.
    var named: Set<String> = []
    /// The `commit_log` row that holds each committed phase (of any status). An execution has one row
    /// per phase: no index keeps it so (an index cost every commit a page of the log), the store does,
    /// clearing the phase's old row when it commits the phase again.
    var rows: [String: Int64]

    init(committed: [String: PhaseResult], commits: Int, checkpoints: Int, rows: [String: Int64] = [:]) {
        self.committed = committed
        self.commits = commits
        self.checkpoints = checkpoints
        self.rows = rows
    }

    /// Notes the phases `events` name.
    mutating func note(_ events: [ExecutionEvent]) {
        for event in events {
            if let phase = event.phase, !referenced.contains(phase) { named.insert(phase) }
        }
    }

    /// The rows `commit` writes, computed against what is stored; ``apply(_:)`` records them once
    /// they are committed. Call ``note(_:)`` with the commit's events first.
    func plan(_ commit: PhaseCommit, executionID id: String, redactor: Redactor) throws -> CommitPlan {
        var plan = CommitPlan(commits: commits + 1)
        plan.phaseRows.append(try PhaseRow(commit.phase, executionID: id, redactor: redactor, order: plan.commits))
        plan.phaseRows[0].replacing = rows[commit.phase.name]
        plan.committed.updateValue(
            SQLiteHistoryStore.isSettled(commit.phase) ? commit.phase : nil, forKey: commit.phase.name)
        guard let checkpoint = commit.checkpoint else { return plan }
        plan.head = try CheckpointRow(
            checkpoint, executionID: id, redactor: redactor,
            stateID: checkpoint.state.id == commit.executionID ? id : nil)
        plan.head?.count = checkpoints + 1
        plan.consumed = named

        // The phases that may differ from the stored checkpoint, with their value in the snapshot.
        var current: [PhaseResult]
        if let names, let changed = changedPhases(commit, in: checkpoint, names: names) {
            current = changed
        } else {
            current = checkpoint.state.phases
            plan.names = current.map(\.name)
            plan.head?.phaseNames = try StorageCoding.encode(plan.names, redactor: Redactor(secrets: []))
        }
        let whole = plan.names != nil
        for phase in current {
            let name = phase.name
            let isReferenced = !whole && referenced.contains(name)
            if SQLiteHistoryStore.isSettled(phase) {
                // A phase that ended while this one was being committed is in the snapshot before its
                // own commit: record it now, with the checkpoint that refers to it, so that a crash
                // before its commit leaves no checkpoint without its row. (Its commit rewrites the row.)
                let row = plan.committed[name] ?? committed[name]
                if row != phase {
                    plan.commits += 1
                    var row = try PhaseRow(phase, executionID: id, redactor: redactor, order: plan.commits)
                    row.replacing = rows[name]
                    plan.phaseRows.append(row)
                    plan.committed.updateValue(phase, forKey: name)
                }
                if !isReferenced { plan.stored[name] = .referenced(droppingRow: !whole && inline[name] != nil) }
            } else if phase == PhaseResult(name: name) {
                if !whole && (isReferenced || inline[name] != nil) { plan.stored[name] = .absent }
            } else if whole || inline[name] != phase {
                plan.stored[name] = .inline(phase, try RecordWriter.json(of: phase, redactor: redactor))
            }
        }
        plan.head?.committedThrough = plan.commits
        return plan
    }

    /// The snapshot's values of the phases that may have changed, or `nil` when the checkpoint
    /// must be written whole (a phase it names is not in the stored list).
    private func changedPhases(_ commit: PhaseCommit, in checkpoint: ExecutionCheckpoint, names: Set<String>)
        -> [PhaseResult]?
    {
        // Built from the few named and inline phases; `referenced` grows with the run and is only probed.
        var others = Set<String>()
        for name in named where !referenced.contains(name) { others.insert(name) }
        for name in inline.keys where !referenced.contains(name) { others.insert(name) }
        others.remove(commit.phase.name)
        guard names.contains(commit.phase.name), others.isSubset(of: names) else { return nil }
        // The committed phase is the snapshot's own (the executor takes both at the same moment);
        // any other is looked up, which walks the list: once when there are several.
        var phases = [commit.phase]
        if others.count <= 2 {
            for name in others {
                guard let phase = checkpoint.state.phase(named: name) else { return nil }
                phases.append(phase)
            }
        } else {
            phases += checkpoint.state.phases.filter { others.contains($0.name) }
        }
        return phases
    }

    /// Records what `plan` wrote: `rows`, the ids of its ``CommitPlan/phaseRows``.
    mutating func apply(_ plan: CommitPlan, rows written: [Int64]) {
        for (row, id) in zip(plan.phaseRows, written) { rows[row.name] = id }
        for (name, phase) in plan.committed { committed[name] = phase }
        commits = plan.commits
        guard let head = plan.head else { return }
        checkpoints = head.count
        if let list = plan.names {
            names = Set(list)
            referenced = []
            inline = [:]
        }
        for (name, stored) in plan.stored {
            switch stored {
            case .referenced:
                referenced.insert(name)
                inline[name] = nil
            case .inline(let phase, _):
                inline[name] = phase
                referenced.remove(name)
            case .absent:
                inline[name] = nil
                referenced.remove(name)
            }
        }
        named.subtract(plan.consumed)
    }
}

/// Everything one phase commit writes, encoded (and redacted) before the transaction starts.
struct CommitPlan: Sendable {
    /// How a phase of the checkpoint is stored.
    enum StoredPhase: Sendable {
        /// Its `phase_runs.record`: no `checkpoint_phases` row (delete the one it had inline).
        case referenced(droppingRow: Bool)
        /// Inline: the phase and its JSON.
        case inline(PhaseResult, String)
        /// Not started: no row.
        case absent
    }

    var commits: Int
    var phaseRows: [PhaseRow] = []
    /// Settled phases as committed after this commit (`nil`: no longer settled).
    var committed: [String: PhaseResult?] = [:]
    /// The checkpoint without its phases, when the commit has one.
    var head: CheckpointRow?
    /// Every phase of the checkpoint, when it is written whole.
    var names: [String]?
    /// The phases of the checkpoint whose stored form changes.
    var stored: [String: StoredPhase] = [:]
    /// The phases named by events that this checkpoint looked at.
    var consumed: Set<String> = []

    /// Writes the plan in the current transaction, `events` and the checkpoint in the committed
    /// phase's row; returns the ids of the rows of ``phaseRows``.
    func write(executionID id: String, committedAt: String, events: EventRows, _ db: Database) throws -> [Int64] {
        var rows: [Int64] = []
        rows.reserveCapacity(phaseRows.count)
        for (index, row) in phaseRows.enumerated() {
            rows.append(
                try row.write(
                    committedAt: committedAt, events: index == 0 && events.first != nil ? events : nil,
                    head: index == 0 ? head : nil, db))
        }
        guard let head else { return rows }
        if let names = head.phaseNames { try CheckpointRow.writeNames(names, executionID: id, db) }
        if names != nil {
            try db.cachedStatement(sql: "DELETE FROM checkpoint_phases WHERE execution_id = ?").execute(arguments: [id])
        }
        for (name, stored) in stored {
            switch stored {
            case .referenced(let droppingRow):
                if droppingRow { try CheckpointPhaseRow.delete(executionID: id, phase: name, db) }
            case .inline(let phase, let record):
                try CheckpointPhaseRow.upsert(
                    executionID: id, phase: name, status: phase.status.rawValue, record: record, db)
            case .absent:
                try CheckpointPhaseRow.delete(executionID: id, phase: name, db)
            }
        }
        return rows
    }
}

/// A row of `checkpoint_phases`: a phase of the latest checkpoint that has started.
enum CheckpointPhaseRow {
    static func upsert(executionID: String, phase: String, status: String, record: String, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO checkpoint_phases (execution_id, phase, status, record) VALUES (?, ?, ?, ?)
                ON CONFLICT (execution_id, phase) DO UPDATE SET status = excluded.status, record = excluded.record
                """
        ).execute(arguments: [executionID, phase, status, record])
    }

    static func delete(executionID: String, phase: String, _ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM checkpoint_phases WHERE execution_id = ? AND phase = ?")
            .execute(arguments: [executionID, phase])
    }
}
