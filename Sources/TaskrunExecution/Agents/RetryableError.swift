/// An error that knows whether trying the same thing again could succeed.
///
/// When an agent query fails with an error that conforms and answers `false` (a missing agent
/// definition, a misconfigured backend, an HTTP client error), the executor stops at once instead
/// of spending the retry policy's attempts and backoff waits on a failure that will repeat. Errors
/// that do not conform are retried per the policy, since the executor cannot tell.
public protocol RetryableError: Error {
    /// Whether another attempt could succeed.
    var isRetryable: Bool { get }
}
