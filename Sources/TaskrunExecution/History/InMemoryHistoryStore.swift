/// A history store that keeps everything in memory: the default, for tests and for `--no-store`.
///
/// It keeps the latest checkpoint of each execution (not every one) and, once more than
/// `retainedExecutions` executions have finished, forgets the oldest finished ones. Every write
/// is O(1) amortized (plus the events it carries).
public actor InMemoryHistoryStore: HistoryStore {
    /// One execution's records. A class, mutated in place, so a write never copies what is stored.
    private final class Entry {
        var execution: StoredExecution
        var phaseIndex: [String: Int] = [:]
        var checkpoint: ExecutionCheckpoint?
        /// The event log as the writes brought it: each write's array is kept as it is (sharing its
        /// buffer, no copy), and the log is put together only when it is read. Copying every event
        /// into one array was a tenth of the executor's time per phase (Docs/performance.md, W1).
        private var batches: [[ExecutionEvent]] = []
        private var lastSequence: UInt64 = 0
        /// Whether a write arrived with events older than ones already kept.
        private var interleaved = false

        init(execution: StoredExecution) {
            self.execution = execution
        }

        /// Writes of one execution may arrive interleaved (see ``HistoryStore``): the log is read in
        /// sequence order.
        func append(_ newEvents: [ExecutionEvent]) {
            guard let first = newEvents.first, let last = newEvents.last else { return }
            if first.sequence < lastSequence { interleaved = true }
            lastSequence = max(lastSequence, last.sequence)
            batches.append(newEvents)
        }

        var events: [ExecutionEvent] {
            let events = Array(batches.joined())
            return interleaved ? events.sorted { $0.sequence < $1.sequence } : events
        }
    }

    private var entries: [ExecutionID: Entry] = [:]
    /// Finished executions, oldest first, for retention; `retiredCount` of them are already gone.
    private var finishedOrder: [ExecutionID] = []
    private var retiredCount = 0
    private let retainedExecutions: Int

    public init(retainedExecutions: Int = 10_000) {
        self.retainedExecutions = max(1, retainedExecutions)
    }

    public func executionStarted(_ record: ExecutionRecord) {
        if let entry = entries[record.id] {
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
            entries[record.id] = entry
        }
    }

    public func commitPhase(_ commit: PhaseCommit) {
        guard let entry = entries[commit.executionID] else { return }
        if let index = entry.phaseIndex[commit.phase.name] {
            entry.execution.phases[index] = commit.phase
        } else {
            entry.phaseIndex[commit.phase.name] = entry.execution.phases.count
            entry.execution.phases.append(commit.phase)
        }
        if let checkpoint = commit.checkpoint { entry.checkpoint = checkpoint }
        entry.append(commit.events)
    }

    public func executionUpdated(_ update: ExecutionUpdate) {
        guard let entry = entries[update.executionID] else { return }
        if !entry.execution.status.isTerminal {
            entry.execution.status = update.status
            entry.execution.reason = update.reason
        }
        entry.append(update.events)
    }

    public func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) {
        guard let entry = entries[result.executionID] else { return }
        entry.execution.status = result.status
        entry.execution.reason = result.reason
        entry.execution.result = result
        entry.append(events)
        finishedOrder.append(result.executionID)
        while finishedOrder.count - retiredCount > retainedExecutions {
            let oldest = finishedOrder[retiredCount]
            retiredCount += 1
            // A continued execution that is running again is not retired.
            if entries[oldest]?.execution.status.isTerminal == true { entries[oldest] = nil }
        }
        if retiredCount > 4096 {
            finishedOrder.removeFirst(retiredCount)
            retiredCount = 0
        }
    }

    public func history(limit: Int) -> [ExecutionSummary] {
        entries.values.map(\.execution.summary).sorted { $0.id > $1.id }.prefix(max(0, limit)).map { $0 }
    }

    public func loadExecution(_ id: ExecutionID) -> StoredExecution? {
        entries[id]?.execution
    }

    public func loadCheckpoint(_ id: ExecutionID) -> ExecutionCheckpoint? {
        entries[id]?.checkpoint
    }

    public func events(of id: ExecutionID) -> [ExecutionEvent] {
        entries[id]?.events ?? []
    }
}
