extension JSONValue {
    /// A short, single-line rendering for messages and explanations: integral numbers without a
    /// fractional part (`3`, not `3.0`), strings in double quotes with JSON-style escapes, object
    /// keys sorted. Long strings, arrays and objects are cut with `…` and a count of what was
    /// left out, so the result stays around 120 characters.
    public var compactDescription: String {
        compactDescription(limit: 120)
    }

    /// The compact rendering within about `limit` characters; `nil` renders everything.
    func compactDescription(limit: Int?) -> String {
        var writer = CompactValueWriter(remaining: limit ?? Int.max)
        writer.write(self)
        return writer.output
    }

    /// The type as expression messages name it. Unlike ``typeName`` it does not split numbers
    /// into integers and others, since the expression language has one number type.
    var expressionTypeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// `a number`, `an array`, `null`: for sentences like "it is a number".
    var expressionTypeWithArticle: String {
        switch self {
        case .null: "null"
        case .array, .object: "an \(expressionTypeName)"
        default: "a \(expressionTypeName)"
        }
    }

    /// The type and the value, as errors name them: `number 3`, `string "done"`, `null`.
    var typedDescription: String {
        switch self {
        case .null: "null"
        default: "\(expressionTypeName) \(compactDescription(limit: 40))"
        }
    }

    /// Integral values print as integers, others in Swift's shortest round-trip form.
    static func format(number value: Double) -> String {
        if value.rounded() == value, Swift.abs(value) < 1e15 {
            return String(Int64(value))  // safe: integral and well inside Int64's range
        }
        return "\(value)"
    }
}

/// Writes a value while a character budget lasts.
private struct CompactValueWriter {
    var output = ""
    var remaining: Int

    private mutating func append(_ text: String) {
        output += text
        remaining -= text.unicodeScalars.count
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let number): append(JSONValue.format(number: number))
        case .string(let string): write(string: string)
        case .array(let elements):
            guard remaining > 0 || elements.isEmpty else { return append("[…]") }
            append("[")
            for (position, element) in elements.enumerated() {
                if position > 0 {
                    if remaining <= 0 { return append(", … \(elements.count - position) more]") }
                    append(", ")
                }
                write(element)
            }
            append("]")
        case .object(let members):
            guard remaining > 0 || members.isEmpty else { return append("{…}") }
            append("{")
            for (position, key) in members.keys.sorted().enumerated() {
                if position > 0 {
                    if remaining <= 0 { return append(", … \(members.count - position) more}") }
                    append(", ")
                }
                write(string: key)
                append(": ")
                if let member = members[key] { write(member) }
            }
            append("}")
        }
    }

    private mutating func write(string: String) {
        var escaped = "\""
        var length = 1
        for character in string {
            if length >= remaining - 1 {
                escaped += "…"
                break
            }
            let piece = Self.escape(character)
            escaped += piece
            length += piece.unicodeScalars.count
        }
        escaped += "\""
        append(escaped)
    }

    private static func escape(_ character: Character) -> String {
        switch character {
        case "\"": return "\\\""
        case "\\": return "\\\\"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "\r\n": return "\\r\\n"
        default:
            if character.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                return character.unicodeScalars.map { scalar in
                    scalar.value < 0x20 || scalar.value == 0x7F
                        ? "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" : String(scalar)
                }.joined()
            }
            return String(character)
        }
    }
}
