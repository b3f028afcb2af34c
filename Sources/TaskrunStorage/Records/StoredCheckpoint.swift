import Foundation
import TaskrunExecution

/// A list of phases stored compactly: a phase committed for good (completed or skipped, exactly as
/// in its `phase_runs.record`) is named in `committed` instead of repeated, and a phase that never
/// started is only named. Without this, every checkpoint would repeat every earlier phase, and a
/// commit would cost more the longer the run.
struct StoredPhases: Codable, Hashable {
    /// Every phase, in order.
    var names: [String]
    /// Phases whose result is their committed row.
    var committed: [String]
    /// Everything else that is not a bare pending phase, in order.
    var inline: [PhaseResult]

    init(_ phases: [PhaseResult], committed records: [String: PhaseResult]) {
        names = phases.map(\.name)
        committed = []
        inline = []
        for phase in phases {
            if SQLiteHistoryStore.isSettled(phase), records[phase.name] == phase {
                committed.append(phase.name)
            } else if phase != PhaseResult(name: phase.name) {
                inline.append(phase)
            }
        }
    }

    /// The phases, committed ones taken from `records`.
    func restored(from records: [String: PhaseResult], what: String) throws -> [PhaseResult] {
        let inlineByName = inline.byName
        let committedNames = Set(committed)
        return try names.map { name in
            if committedNames.contains(name) {
                guard let phase = records[name] else {
                    throw StoreError.corruptRecord(what: what, reason: "committed phase '\(name)' is missing")
                }
                return phase
            }
            return inlineByName[name] ?? PhaseResult(name: name)
        }
    }
}

/// A checkpoint as the `checkpoints.checkpoint` column holds it: the state without its phases,
/// which are in `phases` (see ``StoredPhases``).
struct StoredCheckpoint: Codable {
    var phase: String
    var createdAt: Date
    /// The state with an empty `phases` list.
    var state: ExecutionState
    var phases: StoredPhases

    init(_ checkpoint: ExecutionCheckpoint, committed: [String: PhaseResult]) {
        phase = checkpoint.phase
        createdAt = checkpoint.createdAt
        state = checkpoint.state
        state.phases = []
        phases = StoredPhases(checkpoint.state.phases, committed: committed)
    }

    func restored(from records: [String: PhaseResult]) throws -> ExecutionCheckpoint {
        var state = state
        state.phases = try phases.restored(from: records, what: "checkpoint of \(state.id)")
        return ExecutionCheckpoint(phase: phase, createdAt: createdAt, state: state)
    }
}

/// An execution's result as `executions.result` holds it: the result without its phases, which
/// are in `phases` (see ``StoredPhases``).
struct StoredResult: Codable {
    var result: ExecutionResult
    var phases: StoredPhases

    init(_ result: ExecutionResult, committed: [String: PhaseResult]) {
        self.result = result
        self.result.phases = []
        phases = StoredPhases(result.phases, committed: committed)
    }

    func restored(from records: [String: PhaseResult]) throws -> ExecutionResult {
        var result = result
        result.phases = try phases.restored(from: records, what: "result of \(result.executionID)")
        return result
    }
}
