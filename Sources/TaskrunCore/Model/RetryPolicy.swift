/// How often, and how patiently, a failed agent query or phase is tried again.
///
/// The wait before retry *n* (n = 1 for the first retry) is `backoffMs × 2^(n-1)`, capped at
/// `maxBackoffMs` when set, then shortened by a random fraction of up to `jitter` of itself
/// (`jitter: 1` is "full jitter": a uniform wait between zero and the computed delay).
public struct RetryPolicy: Sendable, Hashable, Codable {
    /// Total attempts, the first one included. `1` means no retries.
    public var maxAttempts: Int
    /// The wait before the first retry, in milliseconds; it doubles each attempt.
    public var backoffMs: Int64
    /// The longest wait between two attempts, in milliseconds; `nil` for no cap.
    public var maxBackoffMs: Int64?
    /// The fraction (0...1) of each wait that is randomized. `0` waits exactly.
    public var jitter: Double

    public init(maxAttempts: Int = 1, backoffMs: Int64 = 1000, maxBackoffMs: Int64? = nil, jitter: Double = 0) {
        self.maxAttempts = maxAttempts
        self.backoffMs = backoffMs
        self.maxBackoffMs = maxBackoffMs
        self.jitter = jitter
    }

    /// One attempt, no retries.
    public static let none = RetryPolicy(maxAttempts: 1, backoffMs: 0)

    /// The wait before retry number `retry` (1-based), before jitter is applied.
    public func baseDelay(beforeRetry retry: Int) -> TaskDuration {
        guard retry >= 1, backoffMs > 0 else { return TaskDuration(milliseconds: 0) }
        let exponent = min(retry - 1, 40)
        let (scaled, overflow) = backoffMs.multipliedReportingOverflow(by: Int64(1) << exponent)
        var delay = overflow ? Int64.max : scaled
        if let cap = maxBackoffMs { delay = min(delay, cap) }
        return TaskDuration(milliseconds: delay)
    }

    /// The wait before retry number `retry`, with jitter drawn from `unitRandom` (in 0..<1).
    public func delay(beforeRetry retry: Int, unitRandom: Double) -> TaskDuration {
        let base = baseDelay(beforeRetry: retry).milliseconds
        guard jitter > 0 else { return TaskDuration(milliseconds: base) }
        let reduction = Double(base) * min(max(jitter, 0), 1) * min(max(unitRandom, 0), 1)
        return TaskDuration(milliseconds: base - Int64(reduction.rounded(.down)))
    }
}
