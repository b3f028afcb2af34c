import TaskrunCore

extension Duration {
    /// The length in milliseconds, with a fractional part. (Package-wide: every module that shows
    /// or stores a duration converts it the same way.)
    package var milliseconds: Double {
        attosecondCount / 1e15
    }

    /// The length in seconds, with a fractional part.
    package var seconds: Double {
        attosecondCount / 1e18
    }

    /// The attoseconds, converted from their two 64-bit halves: `components` divides the 128-bit
    /// count and `Double(attoseconds)` converts it generically, each hundreds of instructions, and
    /// the executor converts a duration for every date it stamps (Docs/performance.md, W1).
    /// (Of the magnitude: a negative count's low half alone would not round like its value.)
    private var attosecondCount: Double {
        let count = attoseconds
        let magnitude = count.magnitude
        let value =
            Double(UInt64(truncatingIfNeeded: magnitude >> 64)) * 0x1p64 + Double(UInt64(truncatingIfNeeded: magnitude))
        return count < 0 ? -value : value
    }

    /// A duration of `milliseconds`, which may have a fractional part.
    package static func milliseconds(exactly milliseconds: Double) -> Duration {
        guard milliseconds.isFinite, abs(milliseconds) < 9e12 else { return .zero }
        return .nanoseconds(Int64((milliseconds * 1_000_000).rounded()))
    }
}
