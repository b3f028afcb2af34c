import TaskrunCore

/// Why an execution could not start, or why a control call was refused.
///
/// Once an execution has started, it always ends with an ``ExecutionResult``; failures during the
/// run are in its status and reason, not thrown.
public enum ExecutionError: Error, Sendable, CustomStringConvertible {
    /// No task file for the name, or it could not be read (with a hint such as a did-you-mean).
    case taskNotFound(TaskLookupError)
    /// The task file has errors (or could not be read into a task).
    case invalidTask(path: String, diagnostics: [Diagnostic])
    /// The task cannot run as written: unknown step types, conditions that do not parse, bad templates.
    case preflightFailed([PreflightProblem])
    /// The input does not meet the task's requirements; every problem is listed.
    case requirementsNotMet([String])
    /// No active execution has this id.
    case unknownExecution(ExecutionID)
    /// A pause, resume or abort the state machine does not allow now.
    case illegalTransition(StateTransitionError)
    /// A checkpoint does not belong to the task it is restored with.
    case checkpointMismatch(String)
    /// The executor was shut down.
    case shutDown

    public var description: String {
        switch self {
        case .taskNotFound(let error):
            error.description
        case .invalidTask(let path, let diagnostics):
            "task '\(path)' has errors:\n"
                + diagnostics.filter { $0.severity == .error }.map {
                    "  \($0.path):\($0.location): \($0.message)"
                }.joined(separator: "\n")
        case .preflightFailed(let problems):
            "the task cannot run:\n" + problems.map { "  \($0)" }.joined(separator: "\n")
        case .requirementsNotMet(let problems):
            "requirements not met: " + problems.joined(separator: "; ")
        case .unknownExecution(let id):
            "no active execution \(id)"
        case .illegalTransition(let error):
            error.description
        case .checkpointMismatch(let message):
            "cannot restore the checkpoint: \(message)"
        case .shutDown:
            "the executor has shut down"
        }
    }
}
