import Foundation

/// The executor's injected clock, opened once: times are offsets from the moment the executor was
/// made, and dates are that offset added to the configured epoch. Everything the executor measures,
/// waits for or stamps goes through here, so a manual clock in tests controls all of it.
struct ExecutorClock: Sendable {
    private enum Source: Sendable {
        /// The usual clock, read directly: a reading through the generic witnesses cost twice as
        /// much, and one through a stored closure a retain and a release of its context, and a
        /// phase reads the clock about ten times (Docs/performance.md, W1).
        case continuous(start: ContinuousClock.Instant)
        /// Any other clock (a test's manual clock), opened once.
        case other(offset: @Sendable () -> Duration, sleeper: @Sendable (Duration) async throws -> Void)
    }

    private let source: Source
    let epoch: Date

    init(_ clock: any Clock<Duration>, epoch: Date) {
        source = Self.open(clock)
        self.epoch = epoch
    }

    private static func open<C: Clock>(_ clock: C) -> Source where C.Duration == Duration {
        let origin = clock.now
        if clock is ContinuousClock, let start = origin as? ContinuousClock.Instant { return .continuous(start: start) }
        return .other(
            offset: { origin.duration(to: clock.now) },
            sleeper: { deadline in try await clock.sleep(until: origin.advanced(by: deadline), tolerance: nil) })
    }

    /// Time since the executor was made.
    var now: Duration {
        switch source {
        case .continuous(let start): ContinuousClock.now - start
        case .other(let offset, _): offset()
        }
    }

    /// The wall-clock date of an offset.
    func date(at offset: Duration) -> Date {
        epoch.addingTimeInterval(offset.seconds)
    }

    var currentDate: Date { date(at: now) }

    /// Waits until the offset `deadline`; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Duration) async throws {
        switch source {
        case .continuous(let start):
            try await ContinuousClock().sleep(until: start.advanced(by: deadline), tolerance: nil)
        case .other(_, let sleeper): try await sleeper(deadline)
        }
    }

    func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration)
    }
}
