/// Why an expression could not be parsed.
///
/// Every syntax error points at the offending token. Messages are written for the person who
/// typed the expression, for example `expected ')' to close '(' at offset 4`,
/// `unknown function 'lenght'; did you mean 'length'?` or `len() takes 1 argument, got 2`.
public struct ExpressionSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in words a task author understands.
    public var message: String
    /// Offset of the problem in the source, in Unicode scalars from 0. Equal to the number of
    /// scalars in the source when the problem is the end of the input.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }
}
