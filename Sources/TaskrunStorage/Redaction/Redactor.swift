import TaskrunCore

/// Replaces secret values with ``placeholder`` wherever they occur: as whole values and inside
/// any string (a prompt that quotes an API key, an error message, an agent's answer).
///
/// The secrets are the values of inputs whose requirement says `secret: true` (every string in
/// them, and the text of their numbers) and any extra values the caller adds, such as agent
/// backend credentials. Matching is exact and case-sensitive; longer secrets are replaced first so
/// a secret that contains another is removed whole.
public struct Redactor: Sendable, Hashable {
    /// What a secret becomes.
    public static let placeholder = "[redacted]"

    /// The texts to remove, longest first.
    public let secrets: [String]

    /// A redactor for these texts; empty ones are ignored.
    public init(secrets: some Sequence<String>) {
        let unique = Set(secrets.filter { !$0.isEmpty })
        self.secrets = unique.sorted { ($0.count, $0) > ($1.count, $1) }
    }

    /// A redactor for the secret inputs of an execution, plus `additional` texts.
    ///
    /// - Parameters:
    ///   - input: the execution's input.
    ///   - secretInputs: the names of the inputs marked `secret: true`.
    ///   - additional: other texts that must never be stored (credentials).
    public init(input: [String: JSONValue], secretInputs: some Sequence<String>, additional: [String] = []) {
        var texts = additional
        for name in secretInputs {
            if let value = input[name] { texts.append(contentsOf: Self.texts(of: value)) }
        }
        self.init(secrets: texts)
    }

    /// Whether there is nothing to redact (the common case, which costs nothing).
    public var isEmpty: Bool { secrets.isEmpty }

    /// `text` with every secret replaced.
    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: Self.placeholder)
        }
        return result
    }

    /// `value` with every string in it redacted. Object keys are names (of fields, outputs, inputs),
    /// not data, and stay as they are so stored records still decode.
    public func redact(_ value: JSONValue) -> JSONValue {
        guard !secrets.isEmpty else { return value }
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let items): return .array(items.map(redact))
        case .object(let members):
            return .object(members.mapValues(redact))
        case .null, .bool, .number: return value
        }
    }

    /// The texts a secret value stands for: every string in it, and its numbers as written.
    static func texts(of value: JSONValue) -> [String] {
        switch value {
        case .string(let text): [text]
        case .number: [value.compactText]
        case .array(let items): items.flatMap(texts(of:))
        case .object(let members): members.values.flatMap(texts(of:))
        case .null, .bool: []
        }
    }
}

extension JSONValue {
    /// A number as people write it (`10000`, not `10000.0`); other values as compact JSON-ish text.
    var compactText: String {
        switch self {
        case .number(let number):
            if number.rounded() == number, abs(number) < 9e15 { return String(Int64(number)) }
            return String(number)
        case .string(let text): return text
        case .bool(let value): return String(value)
        case .null: return "null"
        case .array, .object: return String(describing: self)
        }
    }
}
