/// The names an expression can read: `input`, `phases`, `steps`, `execution`, ...
///
/// Each variable is a top-level name of the expression language; everything below it is
/// reached with member access (`phases.Analysis.status`) and subscripts
/// (`phases["Round Table"].responses[0]`).
public struct ExpressionContext: Sendable {
    public var variables: [String: JSONValue]

    public init(variables: [String: JSONValue] = [:]) {
        self.variables = variables
    }
}
