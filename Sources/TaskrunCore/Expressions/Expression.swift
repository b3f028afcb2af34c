/// An expression of taskrun's safe expression language, used by `validation:` steps and
/// `when:` conditions.
///
/// STUB: the expression work fills this in (lexer, parser, evaluator; no eval of any kind).
public struct Expression: Sendable, Hashable {
    public let source: String
}
