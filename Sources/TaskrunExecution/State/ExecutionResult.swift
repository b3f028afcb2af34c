import Foundation
import Synchronization
import TaskrunCore

/// How an execution ended: its status, every phase's results, and the final phase's result.
public struct ExecutionResult: Sendable, Hashable {
    public var executionID: ExecutionID
    public var taskID: String
    public var taskName: String
    /// `completed`, `failed`, `aborted` or `timeout`.
    public var status: ExecutionStatus
    /// Why it failed, timed out or was aborted.
    public var reason: String?
    /// The input after defaults were applied.
    public var input: [String: JSONValue]
    public var startedAt: Date
    public var finishedAt: Date
    /// Time from start to end as measured by the executor's clock.
    public var duration: Duration
    /// Every phase in file order, including the ones that never started (`pending`).
    public var phases: [PhaseResult] {
        get { phaseStorage.phases }
        set { phaseStorage = .array(newValue) }
        _modify {
            var phases = phaseStorage.phases
            // Drops the storage's reference, so that a change to the array does not copy it.
            phaseStorage = .array([])
            defer { phaseStorage = .array(phases) }
            yield &phases
        }
    }
    /// ``phases`` as an array, or as the execution's own phase list, which it shares with the run
    /// that ended: the result of a 1,000-phase execution then costs no copy of its phases, and the
    /// run leaves them to the result instead of destroying them (Docs/performance.md, W1). The array
    /// is made the first time something reads ``phases``.
    private var phaseStorage: PhaseStorage
    /// The last phase in file order that completed.
    public var finalPhase: String?
    /// That phase's result (for the investment committee, the verdict).
    public var finalResult: JSONValue?
    public var warnings: [String]

    public init(
        executionID: ExecutionID, taskID: String, taskName: String, status: ExecutionStatus, reason: String?,
        input: [String: JSONValue], startedAt: Date, finishedAt: Date, duration: Duration, phases: [PhaseResult],
        finalPhase: String?, finalResult: JSONValue?, warnings: [String]
    ) {
        self.executionID = executionID
        self.taskID = taskID
        self.taskName = taskName
        self.status = status
        self.reason = reason
        self.input = input
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.duration = duration
        self.phaseStorage = .array(phases)
        self.finalPhase = finalPhase
        self.finalResult = finalResult
        self.warnings = warnings
    }

    /// A result whose phases are `phaseList` (a detached copy: ``PhaseList/detached``).
    /// `checkpointed`: the run's journal and its length, when the phases are the journal's at that
    /// length (nothing written since the last checkpoint). `asCommitted`: whether each phase is
    /// the value the run last committed of it, or `PhaseResult(name:)` never committed.
    init(
        executionID: ExecutionID, taskID: String, taskName: String, status: ExecutionStatus, reason: String?,
        input: [String: JSONValue], startedAt: Date, finishedAt: Date, duration: Duration, phaseList: PhaseList,
        checkpointed: JournalPosition?, asCommitted: Bool, finalPhase: String?, finalResult: JSONValue?,
        warnings: [String]
    ) {
        self.init(
            executionID: executionID, taskID: taskID, taskName: taskName, status: status, reason: reason, input: input,
            startedAt: startedAt, finishedAt: finishedAt, duration: duration, phases: [], finalPhase: finalPhase,
            finalResult: finalResult, warnings: warnings)
        phaseStorage = .list(LazyPhases(phaseList, checkpointed: checkpointed, asCommitted: asCommitted))
    }

    /// A place in a run's ``PhaseJournal``. The journal is held weakly: a result kept by its caller
    /// must not keep the journal, another copy of every phase, alive.
    struct JournalPosition: Sendable {
        weak let journal: PhaseJournal?
        let length: Int
    }

    /// Whether the run that made this result said each phase is the value it last committed of
    /// it, or `PhaseResult(name:)` never committed.
    var phasesAreAsCommitted: Bool {
        guard case .list(let lazy) = phaseStorage else { return false }
        return lazy.asCommitted
    }

    /// Whether ``phases`` are, value for value, those of `checkpoint`: known without comparing
    /// them when the run that made this result said its phases were the journal's at the length
    /// `checkpoint` was taken at.
    func hasPhases(of checkpoint: DeferredCheckpoint) -> Bool {
        guard case .list(let lazy) = phaseStorage, let position = lazy.checkpointed, let journal = position.journal
        else { return false }
        return journal === checkpoint.journal && position.length == checkpoint.journalLength
    }

    /// How many phases ``phases`` has, without making the array of a shared list.
    var phaseCount: Int {
        switch phaseStorage {
        case .array(let phases): phases.count
        case .list(let lazy): lazy.list.count
        }
    }

    /// Whether `predicate` holds for every phase of ``phases``, with its position, read in place
    /// (a pointer valid during the call) where the phases are kept: a result that shares its run's
    /// list makes no array for it.
    func allPhasesSatisfy(_ predicate: (Int, UnsafePointer<PhaseResult>) -> Bool) -> Bool {
        switch phaseStorage {
        case .array(let phases):
            phases.withUnsafeBufferPointer { phases in
                guard let base = phases.baseAddress else { return true }
                return phases.indices.allSatisfy { predicate($0, base + $0) }
            }
        case .list(let lazy): lazy.list.allSatisfy(predicate)
        }
    }

    /// The phase named `name`.
    public subscript(phase name: String) -> PhaseResult? {
        switch phaseStorage {
        case .array(let phases): phases.first { $0.name == name }
        case .list(let lazy): lazy.list.first { $0.name == name }
        }
    }
}

/// Where ``ExecutionResult/phases`` is kept.
private enum PhaseStorage: Sendable, Hashable {
    case array([PhaseResult])
    case list(LazyPhases)

    var phases: [PhaseResult] {
        switch self {
        case .array(let phases): phases
        case .list(let lazy): lazy.array
        }
    }

    // Equal and hashed as the array of phases, whichever form each side has (a list hashes its
    // count, then its phases, as an array does).

    static func == (lhs: PhaseStorage, rhs: PhaseStorage) -> Bool {
        switch (lhs, rhs) {
        case (.array(let left), .array(let right)): left == right
        case (.list(let left), .list(let right)): left === right || left.list == right.list
        case (.array(let array), .list(let lazy)), (.list(let lazy), .array(let array)):
            array.count == lazy.list.count && array.elementsEqual(lazy.list)
        }
    }

    func hash(into hasher: inout Hasher) {
        switch self {
        case .array(let phases):
            hasher.combine(phases.count)
            for phase in phases { hasher.combine(phase) }
        case .list(let lazy):
            hasher.combine(lazy.list.count)
            for phase in lazy.list { hasher.combine(phase) }
        }
    }
}

/// An execution's phase list, and the array made from it on first read (kept, so that reading
/// ``ExecutionResult/phases`` again, or a copy of the result reading it, does not make another).
private final class LazyPhases: Sendable {
    let list: PhaseList
    /// Where the run's journal held these phases, when it did (see ``ExecutionResult/hasPhases(of:)``).
    let checkpointed: ExecutionResult.JournalPosition?
    /// See ``ExecutionResult/phasesAreAsCommitted``.
    let asCommitted: Bool
    private let made = Mutex<[PhaseResult]?>(nil)

    init(_ list: PhaseList, checkpointed: ExecutionResult.JournalPosition?, asCommitted: Bool) {
        self.list = list
        self.checkpointed = checkpointed
        self.asCommitted = asCommitted
    }

    var array: [PhaseResult] {
        made.withLock { made in
            if let made { return made }
            let array = list.array
            made = array
            return array
        }
    }
}

extension ExecutionResult: Codable {
    private enum CodingKeys: String, CodingKey {
        case executionId, taskId, taskName, status, reason, input, startedAt, finishedAt, durationMs, phases
        case finalPhase, finalResult, warnings
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        executionID = try container.decode(ExecutionID.self, forKey: .executionId)
        taskID = try container.decode(String.self, forKey: .taskId)
        taskName = try container.decode(String.self, forKey: .taskName)
        status = try container.decode(ExecutionStatus.self, forKey: .status)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        input = try container.decode([String: JSONValue].self, forKey: .input)
        startedAt = try container.decode(Date.self, forKey: .startedAt)
        finishedAt = try container.decode(Date.self, forKey: .finishedAt)
        duration = .milliseconds(exactly: try container.decode(Double.self, forKey: .durationMs))
        phaseStorage = .array(try container.decode([PhaseResult].self, forKey: .phases))
        finalPhase = try container.decodeIfPresent(String.self, forKey: .finalPhase)
        finalResult = try container.decodeIfPresent(JSONValue.self, forKey: .finalResult)
        warnings = try container.decodeIfPresent([String].self, forKey: .warnings) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(executionID, forKey: .executionId)
        try container.encode(taskID, forKey: .taskId)
        try container.encode(taskName, forKey: .taskName)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(input, forKey: .input)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(duration.milliseconds, forKey: .durationMs)
        try container.encode(phases, forKey: .phases)
        try container.encodeIfPresent(finalPhase, forKey: .finalPhase)
        try container.encodeIfPresent(finalResult, forKey: .finalResult)
        try container.encode(warnings, forKey: .warnings)
    }
}
