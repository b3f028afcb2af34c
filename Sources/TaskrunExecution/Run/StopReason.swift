/// Why an execution stops before all its phases are done.
enum StopReason: Sendable, Equatable {
    /// `abort(_:reason:)`, the caller's task was cancelled, or the executor shut down.
    case aborted(String)
    /// The execution's time limit passed.
    case executionTimedOut(String)
    /// A phase failed (or timed out) without `continueOnFailure`.
    case phaseEnded(ExecutionStatus, String)
    /// The history store could not record the execution.
    case storeFailed(String)

    var executionStatus: ExecutionStatus {
        switch self {
        case .aborted: .aborted
        case .executionTimedOut: .timeout
        case .phaseEnded(let status, _): status
        case .storeFailed: .failed
        }
    }

    /// What becomes of phases and steps still in flight.
    var interruptedPhaseStatus: PhaseStatus {
        switch self {
        case .executionTimedOut: .timeout
        case .aborted, .phaseEnded, .storeFailed: .aborted
        }
    }

    var interruptedStepStatus: StepStatus {
        interruptedPhaseStatus == .timeout ? .timeout : .aborted
    }

    var message: String {
        switch self {
        case .aborted(let reason): reason
        case .executionTimedOut(let message), .phaseEnded(_, let message), .storeFailed(let message): message
        }
    }

    /// What an interrupted phase records as its error.
    var interruptionMessage: String {
        switch self {
        case .aborted(let reason): "aborted: \(reason)"
        case .executionTimedOut(let message): message
        case .phaseEnded(_, let message): "cancelled: \(message)"
        case .storeFailed(let message): "cancelled: \(message)"
        }
    }
}
