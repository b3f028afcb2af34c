/// An expression of taskrun's safe expression language, used by `validation:` steps and
/// `when:` conditions.
///
/// STUB: the expression work replaces this file's internals; the public surface below is the
/// contract the parser and executor use.
public struct Expression: Sendable, Hashable {
    /// The text the expression was parsed from.
    public let source: String

    /// Parses `source`. Throws with the offset of the first problem.
    public init(parsing source: String) throws(ExpressionSyntaxError) {
        self.source = source
    }

    /// Evaluates the expression against `context`.
    public func evaluate(in context: ExpressionContext) throws(ExpressionEvaluationError) -> JSONValue {
        .null
    }
}

/// Why an expression could not be parsed.
public struct ExpressionSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// Offset of the problem in the source, in Unicode scalars from 0.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }
}

/// Why an expression could not be evaluated (a missing member, a type mismatch).
public struct ExpressionEvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The names an expression can read: `input`, `phases`, `steps`, `execution`, ...
public struct ExpressionContext: Sendable {
    public var variables: [String: JSONValue]

    public init(variables: [String: JSONValue] = [:]) {
        self.variables = variables
    }
}
