/// Where an execution stands.
///
/// The life of an execution is `pending → running → (paused ↔ running) → completed | failed |
/// aborted | timeout`. A paused execution may also be aborted. Every other change is rejected
/// with a ``StateTransitionError``.
public enum ExecutionStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case pending, running, paused, completed, failed, aborted, timeout

    /// Whether the execution has ended (nothing changes it any more).
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .aborted, .timeout: true
        case .pending, .running, .paused: false
        }
    }

    /// Whether the state machine allows going from this status to `next`.
    public func canTransition(to next: ExecutionStatus) -> Bool {
        switch (self, next) {
        case (.pending, .running), (.pending, .aborted): true
        case (.running, .paused), (.running, .completed), (.running, .failed), (.running, .aborted),
            (.running, .timeout):
            true
        case (.paused, .running), (.paused, .aborted): true
        default: false
        }
    }

    public var description: String { rawValue }
}

/// Where one phase of an execution stands.
///
/// `pending → running → (paused ↔ running) → completed | failed | aborted | timeout`, and
/// `pending → skipped` when the phase's `when:` condition is false. A paused phase may be aborted.
/// A phase that is retried stays `running` from one attempt to the next.
public enum PhaseStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case pending, running, paused, completed, failed, skipped, aborted, timeout

    /// Whether the phase has ended in this execution.
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .skipped, .aborted, .timeout: true
        case .pending, .running, .paused: false
        }
    }

    /// Whether the state machine allows going from this status to `next`.
    public func canTransition(to next: PhaseStatus) -> Bool {
        switch (self, next) {
        case (.pending, .running), (.pending, .skipped): true
        case (.running, .paused), (.running, .completed), (.running, .failed), (.running, .aborted),
            (.running, .timeout):
            true
        case (.paused, .running), (.paused, .aborted): true
        default: false
        }
    }

    public var description: String { rawValue }
}

/// Where one step of a phase stands.
///
/// `pending → running → completed | unverified | failed | timeout | aborted`, or
/// `pending → skipped` when the step's `when:` parameter is false. A step that is retried stays
/// `running` between attempts.
public enum StepStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case pending, running, completed, unverified, skipped, failed, timeout, aborted

    /// Whether the step has ended.
    public var isTerminal: Bool {
        switch self {
        case .pending, .running: false
        default: true
        }
    }

    /// Whether the step ended without doing its job (`failed` or `timeout`).
    public var isFailure: Bool { self == .failed || self == .timeout }

    /// Whether the state machine allows going from this status to `next`.
    public func canTransition(to next: StepStatus) -> Bool {
        switch (self, next) {
        case (.pending, .running), (.pending, .skipped), (.pending, .failed): true
        case (.running, .completed), (.running, .unverified), (.running, .failed), (.running, .timeout),
            (.running, .aborted):
            true
        default: false
        }
    }

    public var description: String { rawValue }
}

/// A change of status that the state machine does not allow.
public struct StateTransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What changed: `execution`, `phase 'Analysis'`, `step 2 of phase 'Analysis'`.
    public var subject: String
    public var from: String
    public var to: String

    public init(subject: String, from: String, to: String) {
        self.subject = subject
        self.from = from
        self.to = to
    }

    public var description: String { "illegal transition of \(subject) from \(from) to \(to)" }
}
