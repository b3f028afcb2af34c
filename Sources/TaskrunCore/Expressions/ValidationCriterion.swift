/// What a `validation:` step checks: an expression to evaluate, or prose for a person (or a
/// reviewer agent) to judge.
///
/// A criterion is prose when it does not parse as an expression
/// (`Ensure all major risks have been addressed`) or when it is a single bare name (`Consensus`).
/// Everything else is an expression: `len(phases.Analysis.responses) >= 3`,
/// `phases["Question Classification"].outputs.questionType == "price-movement"`, and also
/// `not approved`, which reads a variable named `approved` (a validator can flag such names with
/// ``Expression/referencedRoots``).
public enum ValidationCriterion: Sendable, Hashable {
    case expression(Expression)
    case prose(String)

    /// Classifies `text`.
    public init(_ text: String) {
        if let expression = try? Expression(parsing: text), !expression.isBareName {
            self = .expression(expression)
        } else {
            self = .prose(text)
        }
    }

    /// The criterion as written.
    public var text: String {
        switch self {
        case .expression(let expression): expression.source
        case .prose(let text): text
        }
    }

    public var isExpression: Bool {
        if case .expression = self { return true }
        return false
    }

    /// For prose that looks like an attempted expression, the reason it is not one, so that a
    /// validator can warn instead of silently treating a typo as prose.
    ///
    /// Text looks like an expression when it contains an operator no sentence uses (`==`, `!=`,
    /// `<=`, `>=`, `&&`, `||`), a path into a well-known variable (`input.`, `phases.`,
    /// `phases[`, `steps.`, `execution.`, `task.`), or a built-in function name followed by `(`.
    /// `nil` for expressions and for ordinary prose.
    public var likelySyntaxError: ExpressionSyntaxError? {
        guard case .prose(let text) = self, Self.looksLikeExpression(text) else { return nil }
        do {
            _ = try Expression(parsing: text)
            return nil
        } catch {
            return error
        }
    }

    private static let markers =
        ["==", "!=", "<=", ">=", "&&", "||", "input.", "input[", "phases.", "phases[", "steps.", "execution.", "task."]
        + BuiltinFunction.allCases.map { "\($0.rawValue)(" }

    /// The markers (all ASCII) as bytes, indexed by their first byte.
    private static let markersByFirstByte: [[[UInt8]]] = markers.reduce(into: Array(repeating: [], count: 256)) {
        table, marker in
        let bytes = Array(marker.utf8)
        if let first = bytes.first { table[Int(first)].append(bytes) }
    }

    /// One pass over the UTF-8 bytes. `String.contains` compares Characters, once per marker, and
    /// was a third of the time of parsing a task file with a prose criterion (Docs/performance.md, W5).
    static func looksLikeExpression(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { looksLikeExpression(utf8: $0) }
    }

    /// ``looksLikeExpression(_:)`` of UTF-8 bytes.
    package static func looksLikeExpression(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let table = markersByFirstByte
        for start in bytes.indices {
            for marker in table[Int(bytes[start])] where start + marker.count <= bytes.count {
                if bytes[start..<start + marker.count].elementsEqual(marker) { return true }
            }
        }
        return false
    }
}
