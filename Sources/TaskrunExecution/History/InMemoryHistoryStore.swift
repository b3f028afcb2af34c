/// A history store that keeps everything in memory: the default, for tests and for `--no-store`.
///
/// It keeps the latest checkpoint of each execution (not every one) and, once more than
/// `retainedExecutions` executions have finished, forgets the oldest finished ones.
public actor InMemoryHistoryStore: HistoryStore {
    private struct Entry {
        var execution: StoredExecution
        var checkpoint: ExecutionCheckpoint?
        var events: [ExecutionEvent]
    }

    private var entries: [ExecutionID: Entry] = [:]
    /// Finished executions, oldest first, for retention.
    private var finishedOrder: [ExecutionID] = []
    private let retainedExecutions: Int

    public init(retainedExecutions: Int = 10_000) {
        self.retainedExecutions = max(1, retainedExecutions)
    }

    public func executionStarted(_ record: ExecutionRecord) {
        if var entry = entries[record.id] {
            // A continued execution: keep what was committed before.
            entry.execution.record = record
            entry.execution.status = .running
            entry.execution.reason = nil
            entry.execution.result = nil
            finishedOrder.removeAll { $0 == record.id }
            append(record.events, to: &entry)
            entries[record.id] = entry
        } else {
            var entry = Entry(
                execution: StoredExecution(record: record, status: .running, reason: nil, phases: [], result: nil),
                checkpoint: nil, events: [])
            append(record.events, to: &entry)
            entries[record.id] = entry
        }
    }

    public func commitPhase(_ commit: PhaseCommit) {
        guard var entry = entries[commit.executionID] else { return }
        entry.execution.phases.removeAll { $0.name == commit.phase.name }
        entry.execution.phases.append(commit.phase)
        if let checkpoint = commit.checkpoint { entry.checkpoint = checkpoint }
        append(commit.events, to: &entry)
        entries[commit.executionID] = entry
    }

    public func executionUpdated(_ update: ExecutionUpdate) {
        guard var entry = entries[update.executionID] else { return }
        if !(entry.execution.status.isTerminal) {
            entry.execution.status = update.status
            entry.execution.reason = update.reason
        }
        append(update.events, to: &entry)
        entries[update.executionID] = entry
    }

    public func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) {
        guard var entry = entries[result.executionID] else { return }
        entry.execution.status = result.status
        entry.execution.reason = result.reason
        entry.execution.result = result
        append(events, to: &entry)
        entries[result.executionID] = entry
        finishedOrder.append(result.executionID)
        while finishedOrder.count > retainedExecutions {
            entries[finishedOrder.removeFirst()] = nil
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

    /// Appends in sequence order; writes of one execution may arrive interleaved (see ``HistoryStore``).
    private func append(_ events: [ExecutionEvent], to entry: inout Entry) {
        guard let first = events.first else { return }
        if let last = entry.events.last, last.sequence > first.sequence {
            entry.events.append(contentsOf: events)
            entry.events.sort { $0.sequence < $1.sequence }
        } else {
            entry.events.append(contentsOf: events)
        }
    }
}
