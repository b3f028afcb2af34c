import Foundation
import TaskrunTestSupport
import Testing

@testable import TaskrunExecution

/// `ExecutorClock` reads the usual `ContinuousClock` directly and any other clock through the
/// closures it opened it with: both paths must measure from the executor's start, stamp dates from
/// the epoch, and wait until their deadline.
@Suite
struct ExecutorClockTests {
    private static let epoch = Date(timeIntervalSinceReferenceDate: 1_000)

    @Test func aManualClockIsReadAndWaitedOnThroughItsOwnTime() async throws {
        let manual = ManualClock()
        manual.advance(by: .seconds(5))
        let clock = ExecutorClock(manual, epoch: Self.epoch)
        #expect(clock.now == .zero)
        manual.advance(by: .milliseconds(250))
        #expect(clock.now == .milliseconds(250))
        #expect(clock.currentDate == Self.epoch.addingTimeInterval(0.25))

        async let slept: Void = clock.sleep(for: .seconds(2))
        // The sleeper waits on the manual clock's own deadline: 5.25 s + 2 s from its origin.
        await manual.waitForSleepers(1)
        manual.advance(by: .seconds(2))
        try await slept
        #expect(clock.now == .milliseconds(2_250))
    }

    @Test func theContinuousClockMeasuresFromTheExecutorsStart() async throws {
        let before = ContinuousClock.now
        let clock = ExecutorClock(ContinuousClock(), epoch: Self.epoch)
        let first = clock.now
        let second = clock.now
        let elapsed = before.duration(to: ContinuousClock.now)
        #expect(first >= .zero)
        #expect(second >= first)
        #expect(second <= elapsed)
        #expect(clock.date(at: .seconds(3)) == Self.epoch.addingTimeInterval(3))
        // A deadline already past returns at once.
        try await clock.sleep(until: clock.now)
    }

    @Test func aCancelledSleepOnTheContinuousClockThrows() async {
        let clock = ExecutorClock(ContinuousClock(), epoch: Self.epoch)
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(3_600))
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }
}
