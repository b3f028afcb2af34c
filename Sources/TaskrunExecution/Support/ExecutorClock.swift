import Foundation

/// The executor's injected clock, opened once: times are offsets from the moment the executor was
/// made, and dates are that offset added to the configured epoch. Everything the executor measures,
/// waits for or stamps goes through here, so a manual clock in tests controls all of it.
struct ExecutorClock: Sendable {
    private let offset: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void
    let epoch: Date

    init(_ clock: any Clock<Duration>, epoch: Date) {
        (offset, sleeper) = Self.open(clock)
        self.epoch = epoch
    }

    private static func open<C: Clock>(_ clock: C) -> (
        @Sendable () -> Duration, @Sendable (Duration) async throws -> Void
    ) where C.Duration == Duration {
        let origin = clock.now
        // The usual clock, read directly: through the generic witnesses, a reading cost twice as
        // much, and a phase reads the clock about ten times (Docs/performance.md, W1).
        if let continuous = clock as? ContinuousClock, let start = origin as? ContinuousClock.Instant {
            return (
                { ContinuousClock.now - start },
                { deadline in try await continuous.sleep(until: start.advanced(by: deadline), tolerance: nil) }
            )
        }
        return (
            { origin.duration(to: clock.now) },
            { deadline in try await clock.sleep(until: origin.advanced(by: deadline), tolerance: nil) }
        )
    }

    /// Time since the executor was made.
    var now: Duration { offset() }

    /// The wall-clock date of an offset.
    func date(at offset: Duration) -> Date {
        epoch.addingTimeInterval(offset.seconds)
    }

    var currentDate: Date { date(at: now) }

    /// Waits until the offset `deadline`; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Duration) async throws {
        try await sleeper(deadline)
    }

    func sleep(for duration: Duration) async throws {
        try await sleeper(now + duration)
    }
}
