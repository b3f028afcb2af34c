import Foundation
import TaskrunExecution

/// A list of phases stored compactly: a phase committed for good (completed or skipped, exactly as
/// in its `phase_runs.record`) is named in `committed` instead of repeated, and a phase that never
/// started is only named. `executions.result` stores its phases this way (written once, when the
/// execution ends), as did checkpoints before `v2-checkpoint-phases`.
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

/// The `checkpoints.checkpoint` column: the checkpoint without its phases.
///
/// The phases are stored apart, so that a commit writes only what changed since the previous
/// checkpoint: their names once per run in `checkpoints.phase_names`, and every phase that has
/// started as a row of `checkpoint_phases` (whose `record` is `NULL` when the phase is exactly its
/// `phase_runs.record`). See ``CheckpointPhaseRow`` and `Docs/storage.md`.
struct CheckpointHead: Codable {
    var phase: String
    var createdAt: Date
    /// The state with an empty `phases` list.
    var state: ExecutionState

    init(_ checkpoint: ExecutionCheckpoint) {
        phase = checkpoint.phase
        createdAt = checkpoint.createdAt
        state = checkpoint.state
        state.phases = []
    }

    /// The checkpoint, its phases named by `names` and taken from `phases` (a name without a
    /// phase there has not started).
    func restored(names: [String], phases: [String: PhaseResult]) -> ExecutionCheckpoint {
        var state = state
        state.phases = names.map { phases[$0] ?? PhaseResult(name: $0) }
        return ExecutionCheckpoint(phase: phase, createdAt: createdAt, state: state)
    }
}

/// A checkpoint as the first schema (`v1-history`) stored it, whole in `checkpoints.checkpoint`:
/// read only by the migration to the current format.
struct LegacyStoredCheckpoint: Codable {
    var phase: String
    var createdAt: Date
    var state: ExecutionState
    var phases: StoredPhases
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
