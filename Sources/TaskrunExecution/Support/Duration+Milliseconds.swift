import TaskrunCore

extension Duration {
    /// The length in milliseconds, with a fractional part. (Package-wide: every module that shows
    /// or stores a duration converts it the same way.)
    package var milliseconds: Double {
        let parts = components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }

    /// The length in seconds, with a fractional part.
    package var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// A duration of `milliseconds`, which may have a fractional part.
    package static func milliseconds(exactly milliseconds: Double) -> Duration {
        guard milliseconds.isFinite, abs(milliseconds) < 9e12 else { return .zero }
        return .nanoseconds(Int64((milliseconds * 1_000_000).rounded()))
    }
}
