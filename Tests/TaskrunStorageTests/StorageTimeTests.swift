import Foundation
import Testing

@testable import TaskrunStorage

/// The store's own ISO 8601 formatter must write exactly Foundation's text: the columns sort and
/// compare as text, and stores written before it hold Foundation's.
@Suite struct StorageTimeTests {
    /// A fixed sequence (xorshift), so a failure reproduces.
    private struct Numbers {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    private func expectFoundationText(_ interval: TimeInterval) {
        let date = Date(timeIntervalSinceReferenceDate: interval)
        #expect(StorageTime.text(date) == StorageTime.foundationText(date), "\(interval)")
    }

    @Test func timesAreWrittenExactlyAsFoundationWritesThem() {
        var numbers = Numbers()
        for _ in 0..<50_000 {
            // Anywhere from 1960 to 10100, beyond the fast path's range at both ends.
            expectFoundationText(numbers.unit() * 256_000_000_000 - 1_300_000_000)
            // Around now, at every fraction.
            expectFoundationText(780_000_000 + numbers.unit() * 100_000_000)
            // On and a hair either side of whole milliseconds, where truncation decides.
            let millisecond = Double(numbers.next() % 900_000_000_000) / 1000 - 978_307.2
            expectFoundationText(millisecond)
            expectFoundationText(millisecond.nextUp)
            expectFoundationText(millisecond.nextDown)
            expectFoundationText(millisecond + 0.000_000_5)
            expectFoundationText(millisecond - 0.000_000_5)
        }
        // Day, month, leap-year and range boundaries.
        for boundary: TimeInterval in [
            -978_307_200, -978_307_200 + 0.0005, 0, -0.0001, 951_782_400, 951_868_800, 4_107_456_000,
            252_423_993_599.999, 252_423_993_600, 1_000_000_000.9999, 67_737_600, 130_896_000,
        ] {
            expectFoundationText(boundary)
            expectFoundationText(boundary.nextUp)
            expectFoundationText(boundary.nextDown)
        }
    }

    @Test func textReadsBackAsTheSameMillisecond() throws {
        let date = Date(timeIntervalSinceReferenceDate: 817_088_835.3215)
        let text = StorageTime.text(date)
        #expect(text == "2026-11-23T01:07:15.321Z")
        let parsed = try #require(StorageTime.date(text))
        #expect(abs(parsed.timeIntervalSince(date)) < 0.001)
    }
}
