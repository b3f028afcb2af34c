import Foundation

/// Number formatting for offline answers: fixed, locale-independent, so the same input gives the same text.
enum OfflineFormat {
    /// `+6.8%`, `-12.0%`.
    static func signedPercent(_ value: Double, digits: Int = 1) -> String {
        (value >= 0 ? "+" : "-") + fixed(abs(value), digits: digits) + "%"
    }

    /// `6.8%`.
    static func percent(_ value: Double, digits: Int = 1) -> String {
        fixed(value, digits: digits) + "%"
    }

    /// `$67,250`, `$3,420.50` below 10,000 when it has cents, `$0.4521` below 1.
    static func money(_ value: Double) -> String {
        let sign = value < 0 ? "-" : ""
        let magnitude = abs(value)
        if magnitude >= 1000 { return sign + "$" + grouped(magnitude.rounded()) }
        if magnitude >= 1 { return sign + "$" + fixed(magnitude, digits: 2) }
        return sign + "$" + fixed(magnitude, digits: 4)
    }

    /// `28.5B`, `1.2M`, `950K` for large amounts such as volume.
    static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        for (limit, suffix) in [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")] where magnitude >= limit {
            return "$" + fixed(value / limit, digits: 1) + suffix
        }
        return "$" + fixed(value, digits: 0)
    }

    static func fixed(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// A whole number with thousands separators.
    static func grouped(_ value: Double) -> String {
        let digits = String(format: "%.0f", value)
        var result = ""
        for (offset, character) in digits.reversed().enumerated() {
            if offset > 0, offset % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }

    /// `1st`, `2nd`, `62nd`, `73rd`, `11th`.
    static func ordinal(_ value: Double) -> String {
        let number = Int(value.rounded())
        let suffix: String
        switch (number % 10, number % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(number)\(suffix)"
    }

    /// The value rounded to `digits` decimals, for the `data` of a response.
    static func round(_ value: Double, _ digits: Int = 2) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }
}

extension Double {
    func clamped(_ range: ClosedRange<Double>) -> Double {
        Swift.min(Swift.max(self, range.lowerBound), range.upperBound)
    }
}
