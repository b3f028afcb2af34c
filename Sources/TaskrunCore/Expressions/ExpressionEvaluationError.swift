/// Why an expression could not be evaluated: a missing member, a type mismatch, a division by
/// zero, a bad argument to a built-in function.
///
/// Messages name the sub-expression and the value involved, for example
/// `'phases.Analysis.outputs.verdict' does not exist; available: score, summary` or
/// `cannot compare number 3 and string "3" with '<'; both sides must be numbers or both strings`.
public struct ExpressionEvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in words a task author understands.
    public var message: String

    /// True when the error only says that something does not exist (an unknown name, a missing
    /// key, an index out of range, a member of `null`). `default(a, b)` falls back on these.
    var isMissingValue: Bool

    public init(message: String) {
        self.message = message
        self.isMissingValue = false
    }

    init(missing message: String) {
        self.message = message
        self.isMissingValue = true
    }

    public var description: String { message }

    /// Errors are equal when their messages are: the message is what users and tests see.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(message)
    }
}
