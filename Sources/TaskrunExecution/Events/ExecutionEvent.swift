import Foundation

/// Something that happened in an execution.
///
/// Every event carries its execution's id, a sequence number that starts at 1 and grows by exactly
/// one per event of that execution (no gaps, no repeats), and a timestamp from the executor's clock.
/// The other fields are set when they apply to the kind (see each ``Kind``).
public struct ExecutionEvent: Sendable, Hashable {
    /// The type of an event, written `area:what` on the wire.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        /// The execution started: `task`.
        case executionStart = "execution:start"
        /// A phase attempt started: `phase`, `attempt`.
        case phaseStart = "phase:start"
        /// A phase completed: `phase`, `attempt`, `duration`.
        case phaseComplete = "phase:complete"
        /// A phase ended without completing: `phase`, `status` (`failed`, `timeout`, `aborted`), `message`.
        case phaseFailed = "phase:failed"
        /// A phase's `when:` condition was false: `phase`, `message` (the condition).
        case phaseSkipped = "phase:skipped"
        /// A failed phase is tried again: `phase`, `attempt` (the next one), `delay`, `message`.
        case phaseRetry = "phase:retry"
        /// A step started: `phase`, `step`, `stepType`, `agent`.
        case stepStart = "step:start"
        /// A step ended well: `status` (`completed`, `unverified` or `skipped`), `duration`.
        case stepComplete = "step:complete"
        /// A step attempt failed: `status` (`failed`, `timeout`, `aborted`), `message`, `attempt`,
        /// and `delay` when it will be retried.
        case stepFailed = "step:failed"
        /// An agent is asked: `agent`, `attempt`.
        case agentQuery = "agent:query"
        /// An agent answered: `agent`, `attempt`, `duration` (latency).
        case agentResponse = "agent:response"
        /// An agent query attempt failed: `agent`, `attempt`, `message`, and `delay` when it will be retried.
        case agentFailed = "agent:failed"
        /// A phase's results and checkpoint were committed to the history store: `phase`.
        case checkpointCreated = "checkpoint:created"
        /// The execution paused: `message` (the reason).
        case executionPaused = "execution:paused"
        case executionResumed = "execution:resumed"
        /// The execution completed: `duration`.
        case executionComplete = "execution:complete"
        /// The execution failed: `message`, `duration`.
        case executionError = "execution:error"
        /// The execution ran out of time: `message`, `duration`.
        case executionTimeout = "execution:timeout"
        /// The execution was aborted: `message` (the reason), `duration`.
        case executionAborted = "execution:aborted"

        public var description: String { rawValue }

        /// Whether this kind ends an execution (exactly one such event ends each execution).
        public var isTerminal: Bool {
            switch self {
            case .executionComplete, .executionError, .executionTimeout, .executionAborted: true
            default: false
            }
        }
    }

    public var kind: Kind
    public var executionID: ExecutionID
    /// 1 for the first event of the execution, then one more for each event.
    public var sequence: UInt64
    public var timestamp: Date
    /// The task's id (on `execution:start`).
    public var task: String?
    public var phase: String?
    /// The step's index in its phase's effective step list.
    public var step: Int?
    public var stepType: String?
    public var agent: String?
    public var attempt: Int?
    /// The status the subject ended in.
    public var status: String?
    /// An error, a reason or a condition.
    public var message: String?
    /// The wait before the next attempt.
    public var delay: Duration?
    /// How long the subject took.
    public var duration: Duration?

    public init(
        kind: Kind, executionID: ExecutionID, sequence: UInt64, timestamp: Date, task: String? = nil,
        phase: String? = nil, step: Int? = nil, stepType: String? = nil, agent: String? = nil, attempt: Int? = nil,
        status: String? = nil, message: String? = nil, delay: Duration? = nil, duration: Duration? = nil
    ) {
        self.kind = kind
        self.executionID = executionID
        self.sequence = sequence
        self.timestamp = timestamp
        self.task = task
        self.phase = phase
        self.step = step
        self.stepType = stepType
        self.agent = agent
        self.attempt = attempt
        self.status = status
        self.message = message
        self.delay = delay
        self.duration = duration
    }
}

extension ExecutionEvent: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, executionId, sequence, timestamp, task, phase, step, stepType, agent, attempt, status, message
        case delayMs, durationMs
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .type)
        executionID = try container.decode(ExecutionID.self, forKey: .executionId)
        sequence = try container.decode(UInt64.self, forKey: .sequence)
        timestamp = try container.decode(Date.self, forKey: .timestamp)
        task = try container.decodeIfPresent(String.self, forKey: .task)
        phase = try container.decodeIfPresent(String.self, forKey: .phase)
        step = try container.decodeIfPresent(Int.self, forKey: .step)
        stepType = try container.decodeIfPresent(String.self, forKey: .stepType)
        agent = try container.decodeIfPresent(String.self, forKey: .agent)
        attempt = try container.decodeIfPresent(Int.self, forKey: .attempt)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        delay = try container.decodeIfPresent(Double.self, forKey: .delayMs).map(Duration.milliseconds(exactly:))
        duration = try container.decodeIfPresent(Double.self, forKey: .durationMs).map(Duration.milliseconds(exactly:))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .type)
        try container.encode(executionID, forKey: .executionId)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encodeIfPresent(task, forKey: .task)
        try container.encodeIfPresent(phase, forKey: .phase)
        try container.encodeIfPresent(step, forKey: .step)
        try container.encodeIfPresent(stepType, forKey: .stepType)
        try container.encodeIfPresent(agent, forKey: .agent)
        try container.encodeIfPresent(attempt, forKey: .attempt)
        try container.encodeIfPresent(status, forKey: .status)
        try container.encodeIfPresent(message, forKey: .message)
        try container.encodeIfPresent(delay?.milliseconds, forKey: .delayMs)
        try container.encodeIfPresent(duration?.milliseconds, forKey: .durationMs)
    }
}
