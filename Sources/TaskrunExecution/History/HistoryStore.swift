/// Where executions are recorded: their start, every committed phase with its checkpoint, status
/// changes, the end, and the complete event log.
///
/// The executor calls the write methods in this order for one execution: ``executionStarted(_:)``
/// once; then ``commitPhase(_:)`` for every phase that ends in a way its dependents can build on
/// (completed, skipped, or failed with `continueOnFailure`), and also for a phase that fails the
/// execution; ``executionUpdated(_:)`` on pause and resume; ``executionFinished(_:)`` once. The
/// executor **awaits** each commit before starting the phases that depend on the committed one, so
/// a durable store can write a phase's results and its checkpoint in one transaction and know that
/// nothing built on them has run yet. Commits of one execution never overlap.
///
/// Every write carries the events emitted since the previous write of that execution: together
/// they are every event of the execution, each exactly once, in sequence order within a write.
/// A pause or resume may be written from another task while a commit is in flight, so writes of
/// one execution can arrive with their events interleaved; order the log by sequence number.
///
/// When ``executionStarted(_:)`` or ``commitPhase(_:)`` throws, the execution ends with status
/// `failed` and the error as its reason (a store that cannot record a phase cannot promise to
/// resume it); when ``executionUpdated(_:)`` or ``executionFinished(_:events:)`` throws, the error
/// is logged. Implementations must be safe to call from many tasks at once.
public protocol HistoryStore: Sendable {
    /// An execution started (or was continued from a checkpoint: `record.resumeCount > 0`).
    func executionStarted(_ record: ExecutionRecord) async throws
    /// A phase ended: its results, the checkpoint taken after it (when the phase checkpoints), and
    /// the events since the last write. Write them together, atomically.
    func commitPhase(_ commit: PhaseCommit) async throws
    /// The execution was paused or resumed.
    func executionUpdated(_ update: ExecutionUpdate) async throws
    /// The execution ended; `events` are the last ones, the terminal event included.
    func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) async throws

    /// The most recent executions, newest first.
    func history(limit: Int) async throws -> [ExecutionSummary]
    /// Everything recorded about one execution, or `nil` when it is unknown.
    func loadExecution(_ id: ExecutionID) async throws -> StoredExecution?
    /// The latest checkpoint of an execution, or `nil` when it has none.
    func loadCheckpoint(_ id: ExecutionID) async throws -> ExecutionCheckpoint?
    /// The event log of an execution, in sequence order.
    func events(of id: ExecutionID) async throws -> [ExecutionEvent]
}

/// A store that keeps checkpoints in the compact form of ``PhaseCommit/deferredCheckpoint`` and
/// builds the ``ExecutionCheckpoint`` only when ``HistoryStore/loadCheckpoint(_:)`` asks, and that
/// records a commit at once, without suspending or failing. The executor then takes no snapshot of
/// the whole state per phase (see ``PhaseJournal``), and calls ``commitNow(_:)`` instead of
/// ``HistoryStore/commitPhase(_:)``, inside the execution's own critical section.
protocol CompactCheckpointStore: HistoryStore {
    /// Records `commit`. Called with the execution's lock held: it must not call back into the
    /// executor. What it returns is what the commit replaced (the previous checkpoint), for the
    /// caller to release once the lock is released: freeing it need not hold up the execution's
    /// other phases.
    func commitNow(_ commit: PhaseCommit) -> CommitLeftover?

    /// ``commitNow(_:)`` of a commit whose events are still in the run's buffer, `pending` (the
    /// commit's own `events` are empty). The default makes the events and commits them; a store
    /// that packs events can read the records instead (see ``PendingEvents``).
    func commitNow(_ commit: PhaseCommit, pending: PendingEvents) -> CommitLeftover?
}

extension CompactCheckpointStore {
    func commitNow(_ commit: PhaseCommit, pending: PendingEvents) -> CommitLeftover? {
        var commit = commit
        commit.events = pending.events(of: commit.executionID)
        return commitNow(commit)
    }
}

/// What a ``CompactCheckpointStore``'s commit replaced, released by the caller after the
/// execution's lock. An object, not `any Sendable`: a value too large for an existential's inline
/// buffer would be boxed, an allocation per commit.
typealias CommitLeftover = any Sendable & AnyObject
