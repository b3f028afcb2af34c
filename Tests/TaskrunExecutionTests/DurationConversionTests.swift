import Testing

@testable import TaskrunExecution

/// `Duration.seconds` and `.milliseconds` convert the 128-bit attosecond count from its two halves
/// (not through `components`): they must agree with the exact value, on both sides of zero and
/// past the 2^64 attoseconds (about 18.4 s) where the high half starts to count.
@Suite
struct DurationConversionTests {
    @Test(arguments: [
        (Duration.zero, 0.0, 0.0),
        (.milliseconds(20), 0.02, 20),
        (.seconds(1) + .milliseconds(500), 1.5, 1_500),
        (.zero - .seconds(1) - .milliseconds(500), -1.5, -1_500),
        (.seconds(100), 100, 100_000),
        (.zero - .seconds(100), -100, -100_000),
        (.seconds(86_400 * 365), 31_536_000, 31_536_000_000),
        (.nanoseconds(1), 1e-9, 1e-6),
    ])
    func secondsAreTheExactValueRounded(_ duration: Duration, seconds: Double, milliseconds: Double) {
        #expect(duration.seconds == seconds)
        #expect(duration.milliseconds == milliseconds)
    }

    /// Durations that are not a whole number of milliseconds stay within a rounding of the value
    /// `components` gives.
    @Test(arguments: [1, 7, 999_999_999, 18_446_744_073, 18_446_744_074, 123_456_789_012_345])
    func oddDurationsAgreeWithTheirComponents(_ nanoseconds: Int64) {
        for duration in [Duration.nanoseconds(nanoseconds), .zero - .nanoseconds(nanoseconds)] {
            let parts = duration.components
            let reference = Double(parts.seconds) + Double(parts.attoseconds) / 1e18
            #expect(abs(duration.seconds - reference) <= reference.magnitude.ulp)
        }
    }
}
