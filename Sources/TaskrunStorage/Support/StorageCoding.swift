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

    static func text(_ date: Date) -> String {
        date.formatted(style)
    }

    static func text(_ date: Date?) -> String? {
        date.map(text)
    }

    static func date(_ text: String) -> Date? {
        try? style.parse(text)
    }
}
