/// A length of time written in a task file: `5 minutes`, `30s`, `1h30m`, `1.5h`, `500ms`,
/// or a plain number of milliseconds.
///
/// Stored as whole milliseconds; this is the resolution task files can express.
public struct TaskDuration: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    public static func seconds(_ seconds: Int64) -> TaskDuration {
        TaskDuration(milliseconds: seconds * 1000)
    }

    public static func minutes(_ minutes: Int64) -> TaskDuration {
        TaskDuration(milliseconds: minutes * 60_000)
    }

    /// The same length as a `Swift.Duration`, for clocks and sleeps.
    public var duration: Duration { .milliseconds(milliseconds) }

    public static func < (lhs: TaskDuration, rhs: TaskDuration) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }

    /// A compact human form: `1h30m`, `45s`, `250ms`.
    public var description: String {
        if milliseconds == 0 { return "0ms" }
        var rest = milliseconds
        var parts: [String] = []
        for (unit, size) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1000)] where rest >= size {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        if rest > 0 { parts.append("\(rest)ms") }
        return parts.joined()
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        milliseconds = try container.decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(milliseconds)
    }
}

/// Why a duration string could not be read.
public struct DurationSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "invalid duration '\(text)': \(reason)" }
}

extension TaskDuration {
    /// The units a duration may use, with their length in milliseconds.
    static let units: [String: Double] = {
        var table: [String: Double] = [:]
        let groups: [([String], Double)] = [
            (["ms", "msec", "msecs", "millisecond", "milliseconds"], 1),
            (["s", "sec", "secs", "second", "seconds"], 1000),
            (["m", "min", "mins", "minute", "minutes"], 60_000),
            (["h", "hr", "hrs", "hour", "hours"], 3_600_000),
            (["d", "day", "days"], 86_400_000),
        ]
        for (names, size) in groups {
            for name in names { table[name] = size }
        }
        return table
    }()

    /// The long unit names, the ones worth suggesting for a misspelt unit.
    static let unitNames = ["milliseconds", "seconds", "minutes", "hours", "days", "ms", "sec", "min", "hr"]

    /// Reads a duration as task files write it.
    ///
    /// Accepted: one or more `<number><unit>` parts, optionally separated by spaces
    /// (`5 minutes`, `1h30m`, `1h 30m`, `1.5h`, `500ms`), or a plain non-negative number,
    /// which means milliseconds. Anything else throws; there is never a silent default.
    public static func parse(_ text: String) throws(DurationSyntaxError) -> TaskDuration {
        if let duration = parseASCII(text) { return duration }
        return try parseScalars(text)
    }

    /// The usual case, a valid duration in ASCII (`30s`, `3 minutes`, `1h30m`), read from the
    /// UTF-8 bytes without building a `String` per part: the parser reads a duration for every
    /// `timeout:` and `retry` setting. `nil` for anything else (non-ASCII, line breaks, a
    /// fraction, an error), which ``parseScalars(_:)`` reads and reports.
    static func parseASCII(_ text: String) -> TaskDuration? {
        var text = text
        return text.withUTF8 { bytes -> TaskDuration? in
            var lower = 0
            var upper = bytes.count
            while lower < upper, bytes[lower] == 32 || bytes[lower] == 9 { lower += 1 }
            while upper > lower, bytes[upper - 1] == 32 || bytes[upper - 1] == 9 { upper -= 1 }
            guard lower < upper else { return nil }
            var index = lower
            var total: Int64 = 0
            var parts = 0
            func skipSpaces() {
                while index < upper, bytes[index] == 32 || bytes[index] == 9 { index += 1 }
            }
            while index < upper {
                skipSpaces()
                var number: Int64 = 0
                let numberStart = index
                while index < upper, bytes[index] >= 48, bytes[index] <= 57 {
                    // Up to 12 digits: exact in a Double too, so the result matches the general path.
                    guard index - numberStart < 12 else { return nil }
                    number = number * 10 + Int64(bytes[index] - 48)
                    index += 1
                }
                guard index > numberStart else { return nil }
                skipSpaces()
                let unitStart = index
                while index < upper, bytes[index] | 0x20 >= 97, bytes[index] | 0x20 <= 122 { index += 1 }
                // Fractions, non-ASCII and anything unusual take the general path.
                guard index == upper || bytes[index] < 0x80, index == upper || bytes[index] != 46 else { return nil }
                parts += 1
                guard index > unitStart else {
                    // A bare number alone means milliseconds.
                    guard parts == 1, index == upper else { return nil }
                    return TaskDuration(milliseconds: number)
                }
                guard let size = unitSize(UnsafeBufferPointer(rebasing: bytes[unitStart..<index])) else { return nil }
                // Below 2^53 every sum is exact in the general path's Double too.
                let (part, overflow) = number.multipliedReportingOverflow(by: size)
                guard !overflow, part < (1 << 53) - total else { return nil }
                total += part
                skipSpaces()
                if index < upper, bytes[index] == 44 { index += 1 }
            }
            return TaskDuration(milliseconds: total)
        }
    }

    /// The length of an ASCII unit name in milliseconds, any case; `nil` for an unknown unit.
    private static func unitSize(_ unit: UnsafeBufferPointer<UInt8>) -> Int64? {
        // Compared byte by byte (lowercased) with the names of ``units``: no string, no hashing.
        for (name, size) in asciiUnits where name.count == unit.count {
            var matches = true
            for index in 0..<unit.count where unit[index] | 0x20 != name[index] {
                matches = false
                break
            }
            if matches { return size }
        }
        return nil
    }

    /// ``units`` as lowercase bytes, for ``unitSize(_:)``.
    private static let asciiUnits: [([UInt8], Int64)] = units.map { (Array($0.key.utf8), Int64($0.value)) }

    /// The general reader: any text, every error.
    static func parseScalars(_ text: String) throws(DurationSyntaxError) -> TaskDuration {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            throw DurationSyntaxError(text: text, reason: "expected a number and a unit, like '30s' or '5 minutes'")
        }
        let scalars = Array(trimmed.unicodeScalars)
        var index = 0
        var total = 0.0
        var parts = 0

        func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 48 && scalar.value <= 57 }
        // Any script's letters, so that `5 分钟` is an unknown unit, not a number missing one.
        func isLetter(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isAlphabetic }
        func skipSpaces() {
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
        }

        while index < scalars.count {
            skipSpaces()
            let numberStart = index
            while index < scalars.count, isDigit(scalars[index]) || scalars[index] == "." { index += 1 }
            let numberText = String(String.UnicodeScalarView(scalars[numberStart..<index]))
            guard !numberText.isEmpty else {
                if index < scalars.count, scalars[index] == "-" {
                    throw DurationSyntaxError(text: text, reason: "a duration cannot be negative")
                }
                throw DurationSyntaxError(
                    text: text, reason: "expected a number where '\(String(scalars[index]))' is")
            }
            guard let number = Double(numberText) else {
                throw DurationSyntaxError(text: text, reason: "'\(numberText)' is not a number")
            }
            skipSpaces()
            let unitStart = index
            while index < scalars.count, isLetter(scalars[index]) { index += 1 }
            let unit = String(String.UnicodeScalarView(scalars[unitStart..<index])).lowercased()
            parts += 1
            if unit.isEmpty {
                // A bare number is only allowed alone: it means milliseconds.
                skipSpaces()
                guard parts == 1, index == scalars.count else {
                    throw DurationSyntaxError(
                        text: text, reason: "'\(numberText)' needs a unit (ms, s, m, h, d)")
                }
                total += number
                break
            }
            guard let size = units[unit] else {
                // The parser turns a misspelt unit into a hint with the whole duration respelt.
                throw DurationSyntaxError(
                    text: text, reason: "unknown unit '\(unit)'; use ms, s, m, h or d (or their long names)")
            }
            total += number * size
            skipSpaces()
            if index < scalars.count, scalars[index] == "," { index += 1 }
        }
        guard total.isFinite, total <= Double(Int64.max / 2) else {
            throw DurationSyntaxError(text: text, reason: "too long")
        }
        return TaskDuration(milliseconds: Int64(total.rounded()))
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (no Foundation needed).
    public func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) }) ?? first  // safe: a non-space exists
        return String(self[first...last])
    }
}
