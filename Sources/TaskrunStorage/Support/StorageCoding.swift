import Foundation
import TaskrunCore

/// How records become JSON text in the store and back.
///
/// Dates inside JSON
/// use Foundation's default representation, seconds since 2001-01-01 UTC as a double, because it
/// is exact: a checkpoint restored from the store equals the one saved, to the bit. (The time
/// columns next to the JSON hold readable ISO 8601 text.)
enum StorageCoding {
    /// For records: slashes not escaped, keys in whatever order the encoder produces (sorting costs
    /// a quarter of the encoding time, and the commit path is hot).
    static func recordEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    /// For fingerprints: sorted keys, so equal values give equal text.
    static func canonicalEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `value` as JSON text, every string in it passed through `redactor`.
    static func encode(_ value: some Encodable, with encoder: JSONEncoder, redactor: Redactor) throws -> String {
        if let bytes = try? RecordJSONEncoder(redactor: redactor).encode(value) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return try foundationEncode(value, with: encoder, redactor: redactor)
    }

    /// `value` as JSON text, every string in it passed through `redactor`; Foundation's encoder
    /// (made only when needed) for what the fast encoder cannot write.
    static func encode(_ value: some Encodable, redactor: Redactor) throws -> String {
        if let bytes = try? RecordJSONEncoder(redactor: redactor).encode(value) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return try foundationEncode(value, with: recordEncoder(), redactor: redactor)
    }

    /// The slow, general path: Foundation's encoder, then redaction on the decoded tree.
    static func foundationEncode(_ value: some Encodable, with encoder: JSONEncoder, redactor: Redactor) throws
        -> String
    {
        var data = try encoder.encode(value)
        if !redactor.isEmpty {
            // Redaction works on the JSON tree, not the text: a secret must never match inside an escape
            // sequence or a key, and the result must still decode into the same type.
            let tree = try JSONDecoder().decode(JSONValue.self, from: data)
            data = try encoder.encode(redactor.redact(tree))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes `text`, naming `what` in the error when it cannot.
    static func decode<Value: Decodable>(_ type: Value.Type, from text: String, what: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.corruptRecord(what: what, reason: String(describing: error))
        }
    }
}

/// The text form of times in the store's columns: ISO 8601, UTC, milliseconds.
enum StorageTime {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// Seconds from the reference date (2001) back to 1970-01-01 and on to 10000-01-01: the range the
    /// arithmetic below formats; anything outside goes to Foundation.
    private static let fastRange: Range<Double> = -978_307_200..<252_423_993_600

    /// The same text as `date.formatted(style)` (tested against it over millions of values), without
    /// its calendar: a phase commit formats two times, and Foundation's formatter was about 2% of a
    /// long chain's run. Like Foundation, it works from the seconds since 2001 and truncates to the
    /// millisecond.
    static func text(_ date: Date) -> String {
        let interval = date.timeIntervalSinceReferenceDate
        guard fastRange.contains(interval) else { return date.formatted(style) }
        let whole = interval.rounded(.down)
        let milliseconds = Int(((interval - whole) * 1000).rounded(.down))
        // A hair below a whole second, the fraction can round to 1 (Foundation then writes ".1000").
        guard milliseconds < 1000 else { return date.formatted(style) }
        let seconds = Int(whole) + 978_307_200
        let days = seconds / 86_400
        let secondOfDay = seconds - days * 86_400
        // Days since 1970 to a proleptic Gregorian date, counting years from March so that the leap
        // day ends the year (days is never negative here).
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int, at offset: Int, digits: Int) {
                var rest = value
                for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                    buffer[index] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                    rest /= 10
                }
            }
            put(year, at: 0, digits: 4)
            buffer[4] = UInt8(ascii: "-")
            put(month, at: 5, digits: 2)
            buffer[7] = UInt8(ascii: "-")
            put(day, at: 8, digits: 2)
            buffer[10] = UInt8(ascii: "T")
            put(secondOfDay / 3600, at: 11, digits: 2)
            buffer[13] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, at: 14, digits: 2)
            buffer[16] = UInt8(ascii: ":")
            put(secondOfDay % 60, at: 17, digits: 2)
            buffer[19] = UInt8(ascii: ".")
            put(milliseconds, at: 20, digits: 3)
            buffer[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// Foundation's text for `date`: what ``text(_:)-(Date)`` must equal.
    static func foundationText(_ date: Date) -> String {
        date.formatted(style)
    }

    static func text(_ date: Date?) -> String? {
        date.map(text)
    }

    static func date(_ text: String) -> Date? {
        try? style.parse(text)
    }
}
