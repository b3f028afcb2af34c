import Foundation
import Synchronization

/// The phases of one run as a log: their values at the start (those not pending), then, at every
/// checkpoint, the value of each phase written since the previous checkpoint. A ``DeferredCheckpoint`` is a
/// length of this log, from which it rebuilds its phases.
///
/// A snapshot of the whole phase list per checkpoint cost its copy-on-write at the next write and
/// its release later: a sixth of the cost of a phase of a chain (Docs/performance.md, W1). A log
/// entry costs one copy of a phase that changed, and a phase changes only while it runs: a chain
/// logs one phase per checkpoint, a fan-out the few phases that moved since the previous one.
final class PhaseJournal: Sendable {
    private struct Contents {
        var log: [PhaseRecord] = []
    }

    private let contents: Mutex<Contents>
    /// The plan's phases, for their names (shared with the plan, not copied).
    private let plans: [PhasePlan]
    /// The phases that did not start as `PhaseResult(name:)` (done ones, restored by a resume):
    /// a fresh run keeps no copy of its pending phases.
    private let start: [PhaseRecord]
    /// The run's state without its phases: what does not change while it runs (id, task, input,
    /// resume count). A checkpoint brings what does.
    let template: ExecutionState

    /// The journal of a run of `plans` that started with the phases `start` (the others as
    /// `PhaseResult(name:)`), in `state`.
    init(plans: [PhasePlan], start: [PhaseRecord], state: ExecutionState) {
        // Room for one entry per phase, a chain's whole log: grown by doubling, a 1,000-phase
        // log was copied ten times, each time into fresh memory (Docs/performance.md, W1).
        var contents = Contents()
        contents.log.reserveCapacity(plans.count)
        self.contents = Mutex(contents)
        self.plans = plans
        self.start = start
        var template = state
        template.phaseList = PhaseList([])
        self.template = template
    }

    /// Logs the phases of `phases` written since the last time, and returns the length of the log.
    func append(changesOf phases: inout PhaseList) -> Int {
        contents.withLock { contents in
            phases.takeChanges(into: &contents.log)
            return contents.log.count
        }
    }

    /// Frees the log's spare room when it is a good part of it: for a run that has ended (its
    /// store keeps the journal; a short run's log of 3 phases had room for 4).
    func seal() {
        contents.withLock { contents in
            let spare = contents.log.capacity - contents.log.count
            if spare > contents.log.count / 4 { contents.log = Array(contents.log[...]) }
        }
    }

    /// The log's length now.
    var length: Int {
        contents.withLock { $0.log.count }
    }

    /// The phases as they were when the log had `length` entries.
    func phases(through length: Int) -> [PhaseResult] {
        var phases = plans.map { PhaseResult(name: $0.name) }
        for record in start where phases.indices.contains(record.index) { phases[record.index] = record.value }
        contents.withLock { contents in
            for record in contents.log.prefix(length) where phases.indices.contains(record.index) {
                phases[record.index] = record.value
            }
        }
        return phases
    }
}

/// A phase's value at a checkpoint, in a ``PhaseJournal``.
struct PhaseRecord: Sendable {
    var index: Int
    var value: PhaseResult
}

/// A checkpoint's own part: the phase it was taken after, when, and the scalars of the state that
/// change while a run runs.
struct CheckpointScalars: Sendable {
    let phase: String
    let createdAt: Date
    let status: ExecutionStatus
    let reason: String?
    let warnings: [String]
    let startedAt: Date?
    let finishedAt: Date?
    let lastSequence: UInt64

    /// Reads what it keeps of `state` field by field: a run's state passed whole was copied whole
    /// (a retain and a release of each of its references, per checkpoint).
    init(phase: String, createdAt: Date, state: inout ExecutionState) {
        self.phase = phase
        self.createdAt = createdAt
        status = state.status
        reason = state.reason
        warnings = state.warnings
        startedAt = state.startedAt
        finishedAt = state.finishedAt
        lastSequence = state.lastSequence
    }

    /// The checkpoint of the state `template` (a run's state without its phases) with these
    /// scalars and `phases`.
    func checkpoint(template: ExecutionState, phases: PhaseList) -> ExecutionCheckpoint {
        var state = template
        state.status = status
        state.reason = reason
        state.warnings = warnings
        state.startedAt = startedAt
        state.finishedAt = finishedAt
        state.lastSequence = lastSequence
        state.phaseList = phases
        return ExecutionCheckpoint(phase: phase, createdAt: createdAt, state: state)
    }
}

/// A checkpoint kept as the state's scalars that change while a run runs and a length of the
/// run's ``PhaseJournal``; ``checkpoint`` rebuilds the ``ExecutionCheckpoint`` it stands for, equal
/// to the snapshot the executor would have taken at the same moment. A class: a commit and the
/// store pass it on by reference.
final class DeferredCheckpoint: Sendable {
    let head: CheckpointScalars
    let journal: PhaseJournal
    let journalLength: Int

    /// The checkpoint of `state` (a run's own) after `phase`, logging its changed phases in `journal`.
    init(phase: String, createdAt: Date, state: inout ExecutionState, journal: PhaseJournal) {
        head = CheckpointScalars(phase: phase, createdAt: createdAt, state: &state)
        self.journal = journal
        journalLength = journal.append(changesOf: &state.phaseList)
    }

    var phase: String { head.phase }
    var createdAt: Date { head.createdAt }

    var checkpoint: ExecutionCheckpoint {
        head.checkpoint(template: journal.template, phases: PhaseList(journal.phases(through: journalLength)))
    }
}

/// The last checkpoint of an execution that has ended, kept without its run's ``PhaseJournal``
/// when its phases are the ones the store keeps for the execution's result anyway: the journal,
/// another copy of every phase, is then freed with the run (Docs/performance.md, W1).
final class FinishedCheckpoint: Sendable {
    let head: CheckpointScalars
    /// The run's state without its phases (the journal's).
    let template: ExecutionState

    init(_ deferred: DeferredCheckpoint) {
        head = deferred.head
        template = deferred.journal.template
    }

    /// The checkpoint, with `phases`: the ones the execution ended with.
    func checkpoint(phases: [PhaseResult]) -> ExecutionCheckpoint {
        head.checkpoint(template: template, phases: PhaseList(phases))
    }
}
