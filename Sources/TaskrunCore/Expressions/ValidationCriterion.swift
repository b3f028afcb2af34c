/// What a `validation:` step checks: an expression to evaluate, or prose for a person (or a
/// reviewer agent) to judge.
///
/// A criterion is an expression when it parses as one and is not English in disguise. It is
/// prose when:
/// - it does not parse (`Ensure all major risks have been addressed`);
/// - it is a single bare name (`Review`);
/// - it is made only of bare names joined by `and`, `or`, `not`, `in`, `not in`
///   (`Results in range`, `quality and accuracy`, `not biased`): no real expression reads
///   top-level variables that way, since they are objects, not booleans.
///
/// So `len(phases.Analysis.responses) >= 3` and
/// `phases["Question Classification"].outputs.questionType == "price-movement"` are expressions.
public enum ValidationCriterion: Sendable, Hashable {
    case expression(Expression)
    case prose(String)

    /// Classifies `text`.
    public init(_ text: String) {
        if let expression = try? Expression(parsing: text), !expression.root.readsAsProse {
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
    /// `phases[`, `steps.`, `execution.`), or a built-in function name followed by `(`.
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
        ["==", "!=", "<=", ">=", "&&", "||", "input.", "input[", "phases.", "phases[", "steps.", "execution."]
        + BuiltinFunction.allCases.map { "\($0.rawValue)(" }

    static func looksLikeExpression(_ text: String) -> Bool {
        markers.contains { text.contains($0) }
    }
}

extension ExpressionNode {
    /// Bare names, possibly joined by `and`/`or`/`not`/`in`: parses, but is English.
    var readsAsProse: Bool {
        switch kind {
        case .name:
            return true
        case .and(let operands), .or(let operands):
            return operands.allSatisfy(\.readsAsProse)
        case .not(let operand):
            return operand.readsAsProse
        case .comparison(let comparison, let left, let right):
            return (comparison == .in || comparison == .notIn) && left.readsAsProse && right.readsAsProse
        default:
            return false
        }
    }
}
