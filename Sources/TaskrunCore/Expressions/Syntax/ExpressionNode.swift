/// A node of the syntax tree, with the source range it was parsed from.
///
/// Chains of the same precedence (`a.b[0].c`, `a + b - c`, `a and b and c`) are flat nodes, not
/// left-deep trees, so the tree's height is bounded by the parser's nesting limit and the
/// evaluator's recursion stays shallow however long an expression is.
struct ExpressionNode: Sendable {
    indirect enum Kind: Sendable {
        case literal(JSONValue)
        /// `[a, b, c]`.
        case array([ExpressionNode])
        /// A top-level variable (`input`, `phases`).
        case name(String)
        /// Member accesses and subscripts applied to `base`, left to right.
        case access(base: ExpressionNode, accessors: [ExpressionAccessor])
        case call(BuiltinFunction, arguments: [ExpressionNode], pattern: CompiledPattern?)
        /// Unary minus.
        case negate(ExpressionNode)
        case not(ExpressionNode)
        case and([ExpressionNode])
        case or([ExpressionNode])
        /// `first op operand op operand ...`, left-associative, one precedence level.
        case arithmetic(first: ExpressionNode, rest: [ArithmeticStep])
        case comparison(ComparisonOperator, ExpressionNode, ExpressionNode)
    }

    var kind: Kind
    /// Scalar offset of the node's first token.
    var offset: Int
    /// Bounds in the source's UTF-8 bytes.
    var range: Range<Int>

    /// Whether `explain` reports this node's value: member paths, subscripts and calls.
    var isObservable: Bool {
        switch kind {
        case .access, .call: true
        default: false
        }
    }
}

/// `.name` or `[index]`, remembering where it ends so that messages can name the path so far.
struct ExpressionAccessor: Sendable {
    enum Kind: Sendable {
        case member(String)
        case index(ExpressionNode)
    }

    var kind: Kind
    /// End of the accessor in the source: the path up to here is `source[base.start..<end]`.
    var end: Int
}

struct ArithmeticStep: Sendable {
    var `operator`: ArithmeticOperator
    var operand: ExpressionNode
    /// End of the operand: the sub-expression so far is `source[first.start..<end]` (UTF-8 offsets).
    var end: Int
}

enum ArithmeticOperator: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case remainder = "%"
}

enum ComparisonOperator: String, Sendable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case `in` = "in"
    case notIn = "not in"
}
