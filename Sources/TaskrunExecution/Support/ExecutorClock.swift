import Foundation

/// The executor's injected clock, opened once: times are offsets from the moment the executor was
/// made, and dates are that offset added to the configured epoch. Everything the executor measures,
/// waits for or stamps goes through here, so a manual clock in tests controls all of it.
struct ExecutorClock: Sendable {
    /// Any clock other than the continuous one (a test's manual clock), opened once.
    private final class OtherClock: Sendable {
        let offset: @Sendable () -> Duration
        let sleeper: @Sendable (Duration) async throws -> Void

        init(offset: @escaping @Sendable () -> Duration, sleeper: @escaping @Sendable (Duration) async throws -> Void) {
            self.offset = offset
            self.sleeper = sleeper
        }
    }

    // The usual clock is read directly from `start`, behind a flag: a reading through the generic
    // witnesses cost twice as much, one through a stored closure a retain and a release of its
    // context, one that switched over an enum holding both a copy of that enum through its value
    // witness, and one that unwrapped `other` first a retain and a release of nil. A phase reads
    // the clock about ten times (Docs/performance.md, W1).
    private let isContinuous: Bool
    private let start: ContinuousClock.Instant
    private let other: OtherClock?
    let epoch: Date

    init(_ clock: any Clock<Duration>, epoch: Date) {
        (start, other) = Self.open(clock)
        isContinuous = other == nil
        self.epoch = epoch
    }

    private static func open<C: Clock>(_ clock: C) -> (ContinuousClock.Instant, OtherClock?)
    where C.Duration == Duration {
        let origin = clock.now
        if clock is ContinuousClock, let start = origin as? ContinuousClock.Instant { return (start, nil) }
        let other = OtherClock(
            offset: { origin.duration(to: clock.now) },
            sleeper: { deadline in try await clock.sleep(until: origin.advanced(by: deadline), tolerance: nil) })
        return (.now, other)  // `start` unused
    }

    /// Time since the executor was made.
    var now: Duration {
        guard !isContinuous, let other else { return ContinuousClock.now - start }
        return other.offset()
    }

    /// The wall-clock date of an offset.
    func date(at offset: Duration) -> Date {
        epoch.addingTimeInterval(offset.seconds)
    }

    var currentDate: Date { date(at: now) }

    /// Waits until the offset `deadline`; throws `CancellationError` when the task is cancelled.
    ///
    /// Not inlined: `ContinuousClock` and its `Instant` are types of unknown size to the compiler,
    /// and an async function that could sleep here allocated room for three of them from its task
    /// on every call, sleeping or not (the phase's attempts and every agent query, W1).
    @inline(never)
    func sleep(until deadline: Duration) async throws {
        guard !isContinuous, let other else {
            return try await ContinuousClock().sleep(until: start.advanced(by: deadline), tolerance: nil)
        }
        try await other.sleeper(deadline)
    }

    func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration)
    }
}
