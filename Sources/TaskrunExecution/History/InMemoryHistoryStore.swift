import Synchronization

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
    private final class Entry {
        var execution: StoredExecution
        var phaseIndex: [String: Int] = [:]
        /// The latest checkpoint, as the executor handed it over: usually compact, built whole
        /// only when it is loaded (see ``PhaseJournal``).
        var checkpoint: KeptCheckpoint?
        /// The event log, packed as the writes bring it: the store keeps no event arrays, which
        /// were most of what it kept (Docs/performance.md, W1 and W8).
        private var log = CompactEventLog()
        /// Whether a write arrived with events older than ones already kept.
        private var interleaved = false
        private var lastSequence: UInt64 = 0

        init(execution: StoredExecution) {
            self.execution = execution
        }

        /// Adds or replaces a committed phase. The first commit makes room for every phase of the
        /// task at once: a long task's phase list and index then never grow (and copy themselves)
        /// while it runs (Docs/performance.md, W1), and an execution that has not committed
        /// anything yet keeps no room for them (W8).
        func commit(_ phase: PhaseResult) {
            if execution.phases.capacity == 0 {
                let count = execution.record.task.phases.count
                execution.phases.reserveCapacity(count)
                phaseIndex.reserveCapacity(count)
            }
            // One lookup for the usual case, a phase committed for the first time.
            if let index = phaseIndex.updateValue(execution.phases.count, forKey: phase.name) {
                phaseIndex[phase.name] = index
                execution.phases[index] = phase
                return
            }
            execution.phases.append(phase)
        }

        /// Writes of one execution may arrive interleaved (see ``HistoryStore``): the log is read in
        /// sequence order.
        func append(_ newEvents: [ExecutionEvent]) {
            guard let first = newEvents.first, let last = newEvents.last else { return }
            if first.sequence < lastSequence { interleaved = true }
            lastSequence = max(lastSequence, last.sequence)
            log.append(newEvents)
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

    enum KeptCheckpoint: Sendable {
        case whole(ExecutionCheckpoint)
        case deferred(DeferredCheckpoint)

        var checkpoint: ExecutionCheckpoint {
            switch self {
            case .whole(let checkpoint): checkpoint
            case .deferred(let deferred): deferred.checkpoint
            }
        }
    }

    private struct Storage {
        var entries: [ExecutionID: Entry] = [:]
        /// The entry written last: the writes of one execution mostly follow each other, and
        /// comparing an id is much cheaper than hashing it.
        var recent: (id: ExecutionID, entry: Entry)?
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
                entry.execution.record = record
                entry.execution.status = .running
                entry.execution.reason = nil
                entry.execution.result = nil
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

    public func commitPhase(_ commit: PhaseCommit) {
        // The checkpoint it replaces is released here, after the lock, which other writers need
        // not wait for (Docs/performance.md, W2).
        withExtendedLifetime(record(commit)) {}
    }

    /// Records `commit`; returns the checkpoint it replaced, for the caller to release after the lock.
    private func record(_ commit: PhaseCommit) -> KeptCheckpoint? {
        // Read before the lock; a whole checkpoint only when the executor did not make a compact one.
        let kept: KeptCheckpoint? =
            if let deferred = commit.deferredCheckpoint { .deferred(deferred) } else {
                commit.checkpoint.map(KeptCheckpoint.whole)
            }
        return storage.withLock { storage -> KeptCheckpoint? in
            guard let entry = storage.entry(commit.executionID) else { return nil }
            entry.commit(commit.phase)
            entry.append(commit.events)
            guard let kept else { return nil }
            defer { entry.checkpoint = kept }
            return entry.checkpoint
        }
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
        storage.withLock { storage in
            guard let entry = storage.entry(result.executionID) else { return }
            entry.execution.status = result.status
            entry.execution.reason = result.reason
            entry.execution.result = result
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
        storage.withLock { $0.entries[id]?.execution }
    }

    public func loadCheckpoint(_ id: ExecutionID) -> ExecutionCheckpoint? {
        storage.withLock { $0.entries[id]?.checkpoint }?.checkpoint
    }

    public func events(of id: ExecutionID) -> [ExecutionEvent] {
        storage.withLock { $0.entries[id]?.events ?? [] }
    }
}
