import TaskrunCore

/// Runs `body`, cancelling it once `limit` has passed on `sleep`'s clock.
///
/// On timeout the body is cancelled and awaited (so a child process has been stopped when this
/// returns), then ``AgentError/timedOut(agent:after:detail:)`` is thrown with the body's own error as
/// detail. When the calling task is cancelled, the body's own outcome is returned or rethrown.
func withAgentTimeout<T: Sendable>(
    _ limit: TaskDuration?, agent: String, sleep: @escaping @Sendable (Duration) async throws -> Void,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let limit else { return try await body() }
    return try await withThrowingTaskGroup(of: TimeoutOutcome<T>.self) { group in
        group.addTask {
            do { return .value(try await body()) } catch { return .failure(error) }
        }
        group.addTask {
            do {
                try await sleep(limit.duration)
                return .timeout
            } catch {
                return .timerCancelled
            }
        }
        let first = try await group.next()
        group.cancelAll()
        switch first {
        case .value(let value)?:
            return value
        case .failure(let error)?:
            throw error
        case .timeout?:
            var detail: String?
            for try await outcome in group {
                if case .failure(let error) = outcome, !(error is CancellationError) { detail = "\(error)" }
            }
            throw AgentError.timedOut(agent: agent, after: limit, detail: detail)
        case .timerCancelled?, nil:
            for try await outcome in group {
                switch outcome {
                case .value(let value): return value
                case .failure(let error): throw error
                case .timeout, .timerCancelled: continue
                }
            }
            throw CancellationError()
        }
    }
}

/// What finished first in ``withAgentTimeout(_:agent:sleep:_:)``.
private enum TimeoutOutcome<T: Sendable>: Sendable {
    case value(T)
    case failure(any Error)
    case timeout
    case timerCancelled
}
