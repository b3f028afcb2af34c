import Synchronization
import TaskrunCore

/// A history store that keeps everything in memory: the default, for tests and for `--no-store`.
///
/// It keeps the latest checkpoint of each execution (not every one) and, once more than
/// `retainedExecutions` executions have finished, forgets the oldest finished ones. Every write
/// is O(1) amortized (plus the events it carries).
///
/// Writes are short critical sections under a lock, not an actor's queue: a commit never suspends
/// the phase that makes it, so thousands of executions committing at once do not each keep a
/// waiting task (and its stack) while the others go first, and a phase does not hop to another
/// executor and back (Docs/performance.md, W1 and W8). Each execution's event log is packed
/// into a ``CompactEventLog`` as it arrives (about 20 bytes an event instead of 200); reads unpack
/// it, so what the store returns is unchanged.
public final class InMemoryHistoryStore: HistoryStore, CompactCheckpointStore {
    /// One execution's records. A class, mutated in place, so a write never copies what is stored.
    ///
    /// Its properties are reached only inside the store's lock (``storage``), one holder at a
    /// time, and no access to one of them spans a call that could reach the same entry again:
    /// the dynamic exclusivity checks of a class's properties (two runtime calls per access,
    /// a dozen per commit) would never find anything.
    private final class Entry {
        @exclusivity(unchecked) var execution: StoredExecution
        /// Where each committed phase is in `execution.phases`, by name: for phases committed out
        /// of the task's order that are not in ``names``, tasks whose phase names repeat, and
        /// continued executions (`nil` while ``names`` finds them).
        @exclusivity(unchecked) private var phaseIndex: [String: Int]?
        /// The task's phase names, shared by the executions of the same task, when they are all
        /// different: a committed phase is then found by its place in the task (``slots``),
        /// usually the one after the previous commit's, without hashing its name.
        @exclusivity(unchecked) private var names: PhaseNames?
        /// For each of the task's phases, 1 + its index in `execution.phases`, or 0 when it has not
        /// been committed.
        @exclusivity(unchecked) private var slots: [Int32] = []
        /// The task position after the last committed phase's: the next phase of a chain.
        @exclusivity(unchecked) private var cursor = 0
        /// The latest checkpoint, as the executor handed it over: usually compact, built whole
        /// only when it is loaded (see ``PhaseJournal``).
        @exclusivity(unchecked) var checkpoint: KeptCheckpoint?
        /// The event log, packed as the writes bring it: the store keeps no event arrays, which
        /// were most of what it kept (Docs/performance.md, W1 and W8).
        @exclusivity(unchecked) private var log = CompactEventLog()
        /// Once the execution has ended, when every phase of its result is one the store keeps
        /// anyway: where the result's phases are. The stored result then keeps none of its own.
        @exclusivity(unchecked) private(set) var resultPhases: SharedPhases?
        /// Whether a write arrived with events older than ones already kept.
        @exclusivity(unchecked) private var interleaved = false
        @exclusivity(unchecked) private var lastSequence: UInt64 = 0

        init(execution: StoredExecution) {
            self.execution = execution
        }

        /// Adds or replaces a committed phase. The first commit makes room for every phase of the
        /// task at once: a long task's phase list and index then never grow (and copy themselves)
        /// while it runs (Docs/performance.md, W1), and an execution that has not committed
        /// anything yet keeps no room for them (W8). `shared` is the store's last ``PhaseNames``,
        /// taken when it is the task's and replaced when it is not.
        func commit(_ phase: PhaseResult, shared: inout PhaseNames?) {
            if phaseIndex == nil, names == nil { chooseLookup(shared: &shared) }
            if let names {
                var position = cursor
                if position >= names.names.count || names.names[position] != phase.name {
                    guard let found = names.positions[phase.name] else {
                        // Not one of the task's phases (only a caller other than the executor
                        // commits such a phase): found by name from now on.
                        indexByName()
                        commitByName(phase)
                        return
                    }
                    position = found
                }
                cursor = position + 1
                let slot = Int(slots[position])
                if slot > 0 {
                    execution.phases[slot - 1] = phase
                } else {
                    slots[position] = Int32(execution.phases.count + 1)
                    execution.phases.append(phase)
                }
                return
            }
            commitByName(phase)
        }

        private func commitByName(_ phase: PhaseResult) {
            // One lookup for the usual case, a phase committed for the first time.
            if let index = phaseIndex?.updateValue(execution.phases.count, forKey: phase.name) {
                phaseIndex?[phase.name] = index
                execution.phases[index] = phase
                return
            }
            execution.phases.append(phase)
        }

        /// At the first commit: by place in the task when its phase names are all different
        /// (always, for a task the executor runs: it refuses repeated names), by name otherwise.
        private func chooseLookup(shared: inout PhaseNames?) {
            let phases = execution.record.task.phases
            if execution.phases.capacity == 0 { execution.phases.reserveCapacity(phases.count) }
            guard execution.phases.isEmpty, phases.count < Int(Int32.max) else { return indexByName() }
            let taskNames: PhaseNames
            if let shared, shared.names(of: phases) {
                taskNames = shared
            } else {
                taskNames = PhaseNames(phases)
                shared = taskNames
            }
            guard taskNames.areDistinct else { return indexByName() }
            names = taskNames
            slots = Array(repeating: 0, count: phases.count)
            cursor = 0
        }

        /// Finds committed phases by name from now on.
        private func indexByName() {
            var index: [String: Int] = [:]
            index.reserveCapacity(max(execution.phases.count, execution.record.task.phases.count))
            for (offset, phase) in execution.phases.enumerated() { index[phase.name] = offset }
            phaseIndex = index
            names = nil
            slots = []
        }

        /// The execution is continued, perhaps with another definition: its committed phases are
        /// found by name from now on (places in the old definition may not be places in the new).
        func continued(as record: ExecutionRecord) {
            execution.record = record
            execution.result = nil
            resultPhases = nil
            if phaseIndex == nil, names != nil { indexByName() }
        }

        /// Everything kept about the execution, as written.
        var stored: (execution: StoredExecution, resultPhases: SharedPhases?) {
            (execution, resultPhases)
        }

        /// The execution ended with `result`: kept, and when its phases are the store's own
        /// committed ones (and the untouched phases never committed), kept without them, as is the
        /// last checkpoint when its phases are those too. A run's result and journal are each
        /// another copy of every phase; they are then freed with the run instead of kept here
        /// (Docs/performance.md, W1). Returns the checkpoint it replaced, for the caller to release
        /// after the lock.
        func finish(with result: ExecutionResult) -> KeptCheckpoint? {
            resultPhases = share(result)
            var kept = result
            if resultPhases != nil { kept.phases = [] }
            execution.result = kept
            // The run tells whether its last checkpoint's phases are its result's (no comparison).
            guard let shared = resultPhases, case .deferred(let deferred) = checkpoint, result.hasPhases(of: deferred)
            else { return nil }
            defer { checkpoint = .finished(FinishedCheckpoint(deferred), shared) }
            return checkpoint
        }

        /// The store's phases as `result`'s, when they are the same (see ``SharedPhases``).
        private func share(_ result: ExecutionResult) -> SharedPhases? {
            guard let names, phaseIndex == nil, result.phaseCount == names.names.count, slots.count == names.names.count
            else { return nil }
            let shared = SharedPhases(committed: execution.phases, slots: slots, names: names.names)
            // The executor's run tells when its phases are the ones it committed here: no comparison
            // (each one copied both sides, a few retains and releases per phase). Any other result
            // is compared, value by value.
            if result.phasesAreAsCommitted { return shared }
            return shared.withMatcher { result.allPhasesSatisfy($0) } ? shared : nil
        }

        /// Writes of one execution may arrive interleaved (see ``HistoryStore``): the log is read in
        /// sequence order.
        func append(_ newEvents: [ExecutionEvent]) {
            guard !newEvents.isEmpty else { return }
            let first = newEvents[0].sequence
            let last = newEvents[newEvents.count - 1].sequence
            if first < lastSequence { interleaved = true }
            lastSequence = max(lastSequence, last)
            log.append(newEvents)
        }

        /// ``append(_:)`` of the events of a run's pending records, packed from the records.
        func append(_ pending: PendingEvents, executionID: ExecutionID) {
            guard let (first, last) = pending.sequences else { return }
            if first < lastSequence { interleaved = true }
            lastSequence = max(lastSequence, last)
            log.append(pending, executionID: executionID)
        }

        var events: [ExecutionEvent] {
            interleaved ? log.events.sorted { $0.sequence < $1.sequence } : log.events
        }

        /// Once the execution has finished, nothing appends to its log on the hot path any more,
        /// nor to the journal of its checkpoint.
        func seal() {
            log.seal()
            if case .deferred(let deferred) = checkpoint { deferred.journal.seal() }
        }
    }

    /// A task's phase names and where each one is, made once for all the executions of one
    /// definition (whose `phases` array they share) instead of a dictionary per execution.
    private final class PhaseNames: Sendable {
        /// Kept so that its storage, whose address tells a definition's phases apart from others
        /// cheaply, stays allocated (and its address not reused) while this is.
        private let phases: [Phase]
        let names: [String]
        /// The first place of each name.
        let positions: [String: Int]
        /// Whether no two phases have the same name.
        let areDistinct: Bool

        init(_ phases: [Phase]) {
            self.phases = phases
            names = phases.map(\.name)
            var positions: [String: Int] = [:]
            positions.reserveCapacity(names.count)
            var distinct = true
            for (offset, name) in names.enumerated() where positions.updateValue(offset, forKey: name) != nil {
                distinct = false
            }
            self.positions = distinct ? positions : [:]
            areDistinct = distinct
        }

        /// Whether `phases` is the array these names were made from (the same storage: arrays
        /// are values, and this one keeps that storage from being changed or freed).
        func names(of phases: [Phase]) -> Bool {
            phases.count == self.phases.count
                && phases.withUnsafeBufferPointer { new in
                    self.phases.withUnsafeBufferPointer { new.baseAddress == $0.baseAddress }
                }
        }
    }

    enum KeptCheckpoint: Sendable {
        case whole(ExecutionCheckpoint)
        case deferred(DeferredCheckpoint)
        /// The last checkpoint of an ended execution whose phases are the store's own copies.
        case finished(FinishedCheckpoint, SharedPhases)

        var checkpoint: ExecutionCheckpoint {
            switch self {
            case .whole(let checkpoint): checkpoint
            case .deferred(let deferred): deferred.checkpoint
            case .finished(let finished, let phases): finished.checkpoint(phases: phases.array)
            }
        }
    }

    /// An ended execution's phases in the task's order, kept as the store's own committed ones (in
    /// commit order) and where each one is, instead of another copy of every phase: what a run's
    /// result and last checkpoint hold, when they are the same phases (checked when the execution
    /// ends). Every array here is shared with the entry, copy-on-write: later writes to the entry
    /// (an execution continued) do not change it.
    struct SharedPhases: Sendable {
        /// The committed phases, in commit order.
        let committed: [PhaseResult]
        /// For each phase of the task, 1 + its index in ``committed``, or 0 when it never committed
        /// and is `PhaseResult(name:)`.
        let slots: [Int32]
        /// The task's phase names.
        let names: [String]

        var count: Int { slots.count }

        /// Calls `body` with a matcher that tells whether the phase at a position in the task's
        /// order is the one pointed to (an equal value), both read in place. Only results that do
        /// not say how they relate to the commits are compared (the optimizer still copies each
        /// value for `==`: about five retains and releases per phase).
        func withMatcher<R>(_ body: ((Int, UnsafePointer<PhaseResult>) -> Bool) -> R) -> R {
            committed.withUnsafeBufferPointer { committed in
                slots.withUnsafeBufferPointer { slots in
                    body { position, phase in
                        guard slots.indices.contains(position) else { return false }
                        let slot = Int(slots[position]) - 1
                        guard slot >= 0 else {
                            return phase.pointee.isUntouched && phase.pointee.name == names[position]
                        }
                        return committed.indices.contains(slot) && committed[slot] == phase.pointee
                    }
                }
            }
        }

        /// The phases in the task's order: the committed array itself when the phases were
        /// committed in that order, as a chain's are.
        var array: [PhaseResult] {
            if committed.count == slots.count, slots.indices.allSatisfy({ Int(slots[$0]) == $0 + 1 }) {
                return committed
            }
            return slots.indices.map { position in
                let slot = Int(slots[position])
                return slot > 0 ? committed[slot - 1] : PhaseResult(name: names[position])
            }
        }
    }

    private struct Storage {
        var entries: [ExecutionID: Entry] = [:]
        /// The entry written last: the writes of one execution mostly follow each other, and
        /// comparing an id is much cheaper than hashing it.
        var recent: (id: ExecutionID, entry: Entry)?
        /// The phase names of the task committed to last: executions of one definition share them.
        var names: PhaseNames?
        /// Finished executions, oldest first, for retention; `retiredCount` of them are already gone.
        var finishedOrder: [ExecutionID] = []
        var retiredCount = 0

        /// The entry of `id`, through ``recent`` when it is the one written last.
        mutating func entry(_ id: ExecutionID) -> Entry? {
            if let recent, recent.id == id { return recent.entry }
            guard let entry = entries[id] else { return nil }
            recent = (id, entry)
            return entry
        }
    }

    private let storage = Mutex(Storage())
    private let retainedExecutions: Int

    public init(retainedExecutions: Int = 10_000) {
        self.retainedExecutions = max(1, retainedExecutions)
    }

    public func executionStarted(_ record: ExecutionRecord) {
        storage.withLock { storage in
            if let entry = storage.entries[record.id] {
                // A continued execution: keep what was committed before.
                entry.continued(as: record)
                entry.execution.status = .running
                entry.execution.reason = nil
                entry.append(record.events)
            } else {
                let entry = Entry(
                    execution: StoredExecution(record: record, status: .running, reason: nil, phases: [], result: nil))
                entry.append(record.events)
                storage.entries[record.id] = entry
            }
        }
    }

    func commitNow(_ commit: PhaseCommit) -> CommitLeftover? {
        // The checkpoint it replaces is released after the execution's lock, which the execution's
        // other phases need not wait for (Docs/performance.md, W2).
        guard case .deferred(let replaced) = record(commit) else { return nil }
        return replaced
    }

    /// Packs the pending records themselves, without making their events.
    func commitNow(_ commit: PhaseCommit, pending: PendingEvents) -> CommitLeftover? {
        guard case .deferred(let replaced) = record(commit, pending: pending) else { return nil }
        return replaced
    }

    public func commitPhase(_ commit: PhaseCommit) {
        // The checkpoint it replaces is released here, after the lock, which other writers need
        // not wait for (Docs/performance.md, W2).
        withExtendedLifetime(record(commit)) {}
    }

    /// Records `commit`; returns the checkpoint it replaced, for the caller to release after the lock.
    private func record(_ commit: PhaseCommit, pending: PendingEvents? = nil) -> KeptCheckpoint? {
        // Read before the lock; a whole checkpoint only when the executor did not make a compact one.
        // Swapped with the entry's: what is left here afterwards is the replaced one (or this one,
        // for an unknown execution), released by the caller.
        var kept: KeptCheckpoint? =
            if let deferred = commit.deferredCheckpoint { .deferred(deferred) } else {
                commit.checkpoint.map(KeptCheckpoint.whole)
            }
        storage.withLock { storage in
            guard let entry = storage.entry(commit.executionID) else { return }
            entry.commit(commit.phase, shared: &storage.names)
            entry.append(commit.events)
            if let pending { entry.append(pending, executionID: commit.executionID) }
            if kept != nil { swap(&kept, &entry.checkpoint) }
        }
        return kept
    }

    public func executionUpdated(_ update: ExecutionUpdate) {
        storage.withLock { storage in
            guard let entry = storage.entry(update.executionID) else { return }
            if !entry.execution.status.isTerminal {
                entry.execution.status = update.status
                entry.execution.reason = update.reason
            }
            entry.append(update.events)
        }
    }

    public func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) {
        // What the execution's end replaced, released after the lock.
        var replaced: KeptCheckpoint?
        defer { withExtendedLifetime(replaced) {} }
        storage.withLock { storage in
            guard let entry = storage.entry(result.executionID) else { return }
            entry.execution.status = result.status
            entry.execution.reason = result.reason
            replaced = entry.finish(with: result)
            entry.append(events)
            entry.seal()
            storage.finishedOrder.append(result.executionID)
            while storage.finishedOrder.count - storage.retiredCount > retainedExecutions {
                let oldest = storage.finishedOrder[storage.retiredCount]
                storage.retiredCount += 1
                // A continued execution that is running again is not retired.
                if storage.entries[oldest]?.execution.status.isTerminal == true {
                    storage.entries[oldest] = nil
                    if storage.recent?.id == oldest { storage.recent = nil }
                }
            }
            if storage.retiredCount > 4096 {
                storage.finishedOrder.removeFirst(storage.retiredCount)
                storage.retiredCount = 0
            }
        }
    }

    public func history(limit: Int) -> [ExecutionSummary] {
        let summaries = storage.withLock { storage in storage.entries.values.map(\.execution.summary) }
        return summaries.sorted { $0.id > $1.id }.prefix(max(0, limit)).map { $0 }
    }

    public func loadExecution(_ id: ExecutionID) -> StoredExecution? {
        guard let (kept, resultPhases) = storage.withLock({ $0.entries[id]?.stored }) else { return nil }
        var execution = kept
        if let resultPhases { execution.result?.phases = resultPhases.array }
        return execution
    }

    public func loadCheckpoint(_ id: ExecutionID) -> ExecutionCheckpoint? {
        storage.withLock { $0.entries[id]?.checkpoint }?.checkpoint
    }

    /// Whether an execution's stored result, and its last checkpoint, keep their phases as the
    /// store's own committed ones (no copy of their own): for tests. `nil` for an unknown execution.
    func sharesPhases(of id: ExecutionID) -> (result: Bool, checkpoint: Bool)? {
        storage.withLock { storage in
            guard let entry = storage.entries[id] else { return nil }
            if case .finished = entry.checkpoint { return (entry.resultPhases != nil, true) }
            return (entry.resultPhases != nil, false)
        }
    }

    public func events(of id: ExecutionID) -> [ExecutionEvent] {
        storage.withLock { $0.entries[id]?.events ?? [] }
    }
}
