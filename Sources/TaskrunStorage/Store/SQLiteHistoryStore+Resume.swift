import Foundation
import GRDB
import TaskrunCore
import TaskrunExecution

/// Finding executions to resume, and turning one into a checkpoint the executor can continue.
extension SQLiteHistoryStore {
    /// Executions `taskrun resume` can continue (interrupted, paused, failed, timed out), newest
    /// first, optionally of one task only.
    public func resumableExecutions(task: String? = nil, limit: Int = 100) async throws -> [HistoryEntry] {
        var conditions = ["status IN ('pending', 'running', 'paused', 'failed', 'timeout')"]
        var arguments: StatementArguments = []
        if let task {
            conditions.append("(task_id = ? OR task_name = ?)")
            arguments += [task, task]
        }
        let sql = """
            SELECT \(HistoryEntry.columns) FROM executions WHERE \(conditions.joined(separator: " AND "))
            ORDER BY id DESC
            """
        let bound = arguments
        let entries = try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: bound).map(HistoryEntry.init(row:))
        }
        return Array(entries.filter(\.standing.isResumable).prefix(max(0, limit)))
    }

    /// Interrupted or paused executions of `task` with the same input (after defaults), newest
    /// first: what `taskrun run` mentions ("an interrupted execution exists: taskrun resume ID")
    /// instead of resuming silently. Empty when the input does not meet the requirements.
    public func interruptedExecutions(of task: TaskDefinition, input: [String: JSONValue]) async throws
        -> [HistoryEntry]
    {
        guard let resolved = try? InputResolver.resolve(input, requirements: task.requirements).input else { return [] }
        let hash = InputFingerprint.of(resolved, secretInputs: task.requirements.filter(\.isSecret).map(\.name))
        let sql = """
            SELECT \(HistoryEntry.columns) FROM executions
            WHERE task_id = ? AND input_hash = ? AND status IN ('pending', 'running', 'paused')
            ORDER BY id DESC
            """
        let entries = try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [task.id, hash]).map(HistoryEntry.init(row:))
        }
        return entries.filter { $0.standing == .interrupted || $0.standing == .paused }
    }

    /// Everything needed to continue execution `id` with `task` (the task file as it is now).
    ///
    /// The latest checkpoint is the starting point; phases committed after it as completed or
    /// skipped (those with `checkpoint: false`) are restored too, so no committed phase runs twice.
    /// Event numbering continues after the last stored event.
    ///
    /// - Parameters:
    ///   - secrets: the values of the execution's secret inputs, which the store never kept.
    ///   - force: continue even though the task file changed, or the execution's process seems alive.
    /// - Throws: ``ResumeError`` when the execution cannot be resumed, ``StoreError`` when it is unknown.
    public func prepareResume(
        _ id: ExecutionID, task: TaskDefinition, secrets: [String: JSONValue] = [:], force: Bool = false,
        options: ExecutionOptions = ExecutionOptions()
    ) async throws -> ResumePreparation {
        guard let details = try await loadDetails(id) else { throw StoreError.unknownExecution(id.description) }
        let record = details.execution.record
        let standing = details.standing
        guard standing.isResumable || (standing == .active && force) else {
            throw ResumeError.notResumable(id: id.description, standing: standing, owner: details.owner)
        }
        guard record.taskID == task.id else {
            throw ResumeError.differentTask(id: id.description, stored: record.taskID, given: task.id)
        }
        var changes: TaskChanges?
        if !TaskFingerprint.matches(task, stored: details.taskHash) {
            let found = TaskChanges(from: record.task, to: task)
            guard force else { throw ResumeError.taskChanged(id: id.description, changes: found) }
            changes = found
        }
        let needed = record.secretInputs.filter { record.input[$0] != nil }
        let missing = needed.filter { secrets[$0] == nil }.sorted()
        guard missing.isEmpty else { throw ResumeError.missingSecrets(id: id.description, names: missing) }

        let stored = try await loadCheckpoint(id)
        var state =
            stored?.state
            ?? ExecutionState(
                id: id, taskID: record.taskID, taskName: record.taskName, input: record.input, phases: [],
                startedAt: record.startedAt, resumeCount: record.resumeCount)
        let restored = Self.restoredPhases(checkpoint: state.phases, committed: details.execution.phases)
        state.phases = task.phases.map { restored[$0.name] ?? PhaseResult(name: $0.name) }
        for name in needed { state.input[name] = secrets[name] }
        state.resumeCount = max(state.resumeCount, record.resumeCount)
        var options = options
        let lastSequence = try await lastEventSequence(of: id)
        options.lastEventSequence = max(options.lastEventSequence ?? 0, lastSequence)
        let checkpoint = ExecutionCheckpoint(
            phase: stored?.phase ?? "", createdAt: stored?.createdAt ?? record.startedAt, state: state)
        let kept = state.phases.filter { $0.status == .completed || $0.status == .skipped }.map(\.name)
        return ResumePreparation(
            checkpoint: checkpoint, options: options, standing: standing, changes: changes, restoredPhases: kept)
    }

    /// The checkpoint's phases, with any phase committed as completed or skipped after it.
    static func restoredPhases(checkpoint: [PhaseResult], committed: [PhaseResult]) -> [String: PhaseResult] {
        var phases: [String: PhaseResult] = [:]
        for phase in checkpoint { phases[phase.name] = phase }
        for phase in committed where phase.status == .completed || phase.status == .skipped {
            let current = phases[phase.name]?.status
            if current != .completed && current != .skipped { phases[phase.name] = phase }
        }
        return phases
    }
}

/// A stored execution made ready to continue: pass ``checkpoint`` and ``options`` to
/// `TaskExecutor.start(resumingFrom:task:options:)` (or use `TaskExecutor.resume(_:from:task:secrets:force:options:)`).
public struct ResumePreparation: Sendable {
    public var checkpoint: ExecutionCheckpoint
    /// The caller's options with `lastEventSequence` set to the last stored event.
    public var options: ExecutionOptions
    /// How the execution stood before resuming.
    public var standing: ExecutionStanding
    /// What changed in the task file, when it changed and `force` let the resume go on.
    public var changes: TaskChanges?
    /// Phases that keep their results and do not run again.
    public var restoredPhases: [String]
}

/// Why an execution cannot be resumed.
public enum ResumeError: Error, Sendable, Hashable, CustomStringConvertible {
    case notResumable(id: String, standing: ExecutionStanding, owner: StoreOwner?)
    case differentTask(id: String, stored: String, given: String)
    case taskChanged(id: String, changes: TaskChanges)
    case missingSecrets(id: String, names: [String])

    public var description: String {
        switch self {
        case .notResumable(let id, let standing, let owner):
            switch standing {
            case .active:
                "execution \(id) is still running in process \(owner.map { "\($0.processID) on \($0.host)" } ?? "?"); "
                    + "if that process is not taskrun, resume with --force"
            case .completed:
                "execution \(id) completed; there is nothing to resume"
            case .aborted:
                "execution \(id) was aborted and cannot be resumed"
            case .interrupted, .paused, .failed, .timeout:
                "execution \(id) cannot be resumed"
            }
        case .differentTask(let id, let stored, let given):
            "execution \(id) ran task '\(stored)', not '\(given)'"
        case .taskChanged(let id, let changes):
            "the task file changed since execution \(id) started; resume with --force to run the new version anyway.\n"
                + "changes:\n"
                + (changes.isEmpty
                    ? "  " + changes.description : changes.lines.map { "  " + $0 }.joined(separator: "\n"))
        case .missingSecrets(let id, let names):
            "execution \(id) used secret input\(names.count == 1 ? "" : "s") "
                + names.map { "'\($0)'" }.joined(separator: ", ")
                + ", which the history store never keeps; pass "
                + names.map { "--input \($0)=…" }.joined(separator: " ") + " again"
        }
    }
}

extension TaskExecutor {
    /// Continues the stored execution `id` from `store` with `task` (the task file as it is now):
    /// completed phases keep their results and outputs, the rest run (again) from the start.
    ///
    /// The executor should record into the same store, so the continued execution is written
    /// where it was read from. See ``SQLiteHistoryStore/prepareResume(_:task:secrets:force:options:)``.
    public func resume(
        _ id: ExecutionID, from store: SQLiteHistoryStore, task: TaskDefinition, secrets: [String: JSONValue] = [:],
        force: Bool = false, options: ExecutionOptions = ExecutionOptions()
    ) async throws -> ExecutionHandle {
        let preparation = try await store.prepareResume(
            id, task: task, secrets: secrets, force: force, options: options)
        return try start(resumingFrom: preparation.checkpoint, task: task, options: preparation.options)
    }
}
