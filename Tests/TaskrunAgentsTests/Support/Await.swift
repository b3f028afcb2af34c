import Synchronization
import Testing

/// Awaits `event` while `task` runs; when `task` ends first, the event will never come: the test
/// records an issue and goes on instead of hanging.
///
/// - Returns: whether the event came.
@discardableResult
func awaitEvent<T: Sendable>(
    _ description: String, while task: Task<T, any Error>, _ event: @escaping @Sendable () async -> Void,
    sourceLocation: SourceLocation = #_sourceLocation
) async -> Bool {
    let came = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        let once = Once()
        Task {
            await event()
            if once.claim() { continuation.resume(returning: true) }
        }
        Task {
            _ = await task.result
            if once.claim() { continuation.resume(returning: false) }
        }
    }
    if !came {
        Issue.record("the query ended before \(description)", sourceLocation: sourceLocation)
    }
    return came
}

/// Lets exactly one caller through.
final class Once: Sendable {
    private let claimed = Mutex(false)

    func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}
