import Foundation

extension TaskExecutor {
    /// Settings shared by every execution of an executor.
    public struct Configuration: Sendable {
        /// Where ``TaskExecutor/execute(_:input:options:)-(String,_,_)`` finds `<name>.md`.
        public var tasksDirectory: String
        /// How many phases may run at once when neither the caller nor the task says.
        public var maxConcurrentPhases: Int
        /// The longest an execution may take when neither the caller nor the task says; `nil` for no limit.
        public var maxExecutionTime: Duration?
        /// Every wait, time limit, duration and timestamp of the executor goes through this clock.
        /// Inject a manual clock in tests.
        public var clock: any Clock<Duration>
        /// The wall-clock date that corresponds to the moment the executor was made; event and
        /// result dates are this plus the clock's elapsed time.
        public var epoch: Date
        /// How many events a subscriber that does not keep up may fall behind before its oldest
        /// unread events are dropped.
        public var eventBufferSize: Int
        /// A uniform random number in `0..<1`, for retry jitter.
        public var random: @Sendable () -> Double

        public init(
            tasksDirectory: String = "tasks", maxConcurrentPhases: Int = 4, maxExecutionTime: Duration? = nil,
            clock: any Clock<Duration> = ContinuousClock(), epoch: Date = Date(), eventBufferSize: Int = 1024,
            random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
        ) {
            self.tasksDirectory = tasksDirectory
            self.maxConcurrentPhases = maxConcurrentPhases
            self.maxExecutionTime = maxExecutionTime
            self.clock = clock
            self.epoch = epoch
            self.eventBufferSize = eventBufferSize
            self.random = random
        }
    }
}

/// Per-execution overrides. Each value wins over the task's own setting, which wins over the
/// executor's configuration.
public struct ExecutionOptions: Sendable, Hashable {
    public var maxConcurrentPhases: Int?
    public var maxExecutionTime: Duration?
    /// When continuing from a checkpoint: the sequence number of the last event the store holds,
    /// so the new events continue after it. Defaults to the checkpoint's.
    public var lastEventSequence: UInt64?

    public init(maxConcurrentPhases: Int? = nil, maxExecutionTime: Duration? = nil, lastEventSequence: UInt64? = nil) {
        self.maxConcurrentPhases = maxConcurrentPhases
        self.maxExecutionTime = maxExecutionTime
        self.lastEventSequence = lastEventSequence
    }
}

/// An execution in flight, as ``TaskExecutor/activeExecutions()`` lists it.
public struct ActiveExecution: Sendable, Hashable {
    public var id: ExecutionID
    public var taskID: String
    public var taskName: String
    public var status: ExecutionStatus
    public var startedAt: Date?
    /// Phases running (or paused) now.
    public var runningPhases: [String]
}

/// A started execution: its id, its live state, its result, and control over it.
public struct ExecutionHandle: Sendable {
    let run: ExecutionRun

    public var id: ExecutionID { run.id }

    /// Waits for the execution to end. Cancelling the waiting task does not stop the execution
    /// (use ``abort(reason:)``).
    public var result: ExecutionResult {
        get async { await run.result() }
    }

    /// The state now.
    public func state() -> ExecutionState { run.snapshot() }

    public func pause(reason: String? = nil) async throws(ExecutionError) { try await run.pause(reason: reason) }

    public func resume() async throws(ExecutionError) { try await run.resume() }

    public func abort(reason: String) { run.requestStop(.aborted(reason)) }

    /// See ``TaskExecutor/waitUntilSettled(_:)``.
    public func waitUntilSettled() async throws { try await run.waitUntilSettled() }
}
