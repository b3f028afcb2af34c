extension Duration {
    /// The length in milliseconds with a fractional part, as the store's `*_ms` columns hold it.
    var storedMilliseconds: Double {
        let parts = components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }

    /// A duration of `milliseconds` as read from a `*_ms` column.
    static func storedMilliseconds(_ milliseconds: Double) -> Duration {
        guard milliseconds.isFinite, abs(milliseconds) < 9e12 else { return .zero }
        return .nanoseconds(Int64((milliseconds * 1_000_000).rounded()))
    }
}
