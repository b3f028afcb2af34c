/// One lexical token of an expression, with where it sits in the source.
struct ExpressionToken: Sendable {
    enum Kind: Sendable, Equatable {
        case number(Double)
        case string(String)
        case name(String)
        case keyword(ExpressionKeyword)
        case symbol(ExpressionSymbol)
        case end
    }

    var kind: Kind
    /// Offset of the first scalar, in Unicode scalars from the start of the source.
    var offset: Int
    /// Bounds in the source's UTF-8 bytes.
    var start: Int
    var end: Int

    /// The token as an error message names it: `name 'foo'`, `'('`, `the end of the expression`.
    var userDescription: String {
        switch kind {
        case .number(let value): "number \(JSONValue.number(value).compactDescription)"
        case .string(let value): "string \(JSONValue.string(value).compactDescription(limit: 40))"
        case .name(let name): "name '\(name)'"
        case .keyword(let keyword): "'\(keyword.rawValue)'"
        case .symbol(let symbol): "'\(symbol.rawValue)'"
        case .end: "the end of the expression"
        }
    }
}

/// Reserved words. After a `.` they are ordinary member names (`outputs.in` is fine).
enum ExpressionKeyword: String, Sendable {
    case and, or, not, `in`, `true`, `false`, null
}

enum ExpressionSymbol: String, Sendable {
    case leftParenthesis = "("
    case rightParenthesis = ")"
    case leftBracket = "["
    case rightBracket = "]"
    case comma = ","
    case dot = "."
    case plus = "+"
    case minus = "-"
    case star = "*"
    case slash = "/"
    case percent = "%"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case bang = "!"
    case doubleAmpersand = "&&"
    case doublePipe = "||"
}
