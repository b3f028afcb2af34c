import TaskrunExecution

/// Where a stored execution stands for `taskrun resume`: its status, refined by whether the
/// process that ran it is still there.
public enum ExecutionStanding: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Running or paused in a process that is (or may be) still alive: not resumable from elsewhere.
    case active
    /// Its status says running, but its process is gone (a crash, `kill -9`, a power loss).
    case interrupted
    /// Paused, and its process has exited (the first Ctrl-C of `taskrun run`).
    case paused
    case failed
    case timeout
    case completed
    case aborted

    /// The standing of an execution in `status` run by `owner`.
    public init(status: ExecutionStatus, owner: StoreOwner?) {
        switch status {
        case .completed: self = .completed
        case .aborted: self = .aborted
        case .failed: self = .failed
        case .timeout: self = .timeout
        case .pending, .running, .paused:
            if let owner, owner.mayBeAlive {
                self = .active
            } else {
                self = status == .paused ? .paused : .interrupted
            }
        }
    }

    /// Whether `taskrun resume` continues it: interrupted, paused, failed or timed out.
    public var isResumable: Bool {
        switch self {
        case .interrupted, .paused, .failed, .timeout: true
        case .active, .completed, .aborted: false
        }
    }

    /// Whether `taskrun abort` may mark it aborted: paused or interrupted.
    public var isAbortable: Bool { self == .paused || self == .interrupted }

    public var description: String { rawValue }
}
