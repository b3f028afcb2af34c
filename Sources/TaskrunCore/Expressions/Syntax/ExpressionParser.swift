/// A recursive-descent (precedence-climbing) parser for the expression language.
///
/// One function per precedence level, lowest first: `or`, `and`, `not`, comparison, additive,
/// multiplicative, unary minus, postfix, primary. Every recursive entry point counts nesting,
/// so deeply nested input is rejected with a clear error before it can exhaust the stack.
///
/// The same functions also check syntax without building anything (``checkSyntax(_:)``): the task
/// parser only needs to know whether its `when:` expressions and criteria parse, and a tree, its
/// references and their `Set` were most of that cost. One grammar serves both, so a check and a
/// parse always agree, errors included.
package struct ExpressionParser {
    /// How deeply parentheses, brackets, calls and prefix operators may nest.
    static let maximumNesting = 128

    /// The source's UTF-8 bytes, valid while the parser is used.
    private let bytes: UnsafeBufferPointer<UInt8>
    private var lexer: ExpressionLexer
    private var current: ExpressionToken
    private var buffered: ExpressionToken?
    private var previous: ExpressionToken?
    private var nesting = 0
    /// Every top-level name read, with the static part of the path below it.
    private(set) var references: [ExpressionReference] = []
    /// Off for a syntax check: composite nodes, names and literals are then ``placeholder``s with
    /// their real offsets and ranges (errors quote the source through them), no references are
    /// recorded, and no operand or accessor lists are collected. `matches` arguments are always
    /// built, since its literal pattern is checked at parse time.
    private var buildsTree: Bool

    /// A parser of the UTF-8 `bytes`, which must stay valid while it is used.
    init(utf8 bytes: UnsafeBufferPointer<UInt8>, buildsTree: Bool = true) throws(ExpressionSyntaxError) {
        self.bytes = bytes
        self.buildsTree = buildsTree
        lexer = ExpressionLexer(utf8: bytes, makesValues: buildsTree)
        current = try lexer.next()
    }

    /// Calls `body` with the UTF-8 bytes of `source`.
    static func withUTF8<Result>(_ source: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = source.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = source
        return copy.withUTF8(body)
    }

    /// Parses `source` into its tree and the references it reads.
    static func parse(
        _ source: String
    ) throws(ExpressionSyntaxError) -> (root: ExpressionNode, references: [ExpressionReference]) {
        let result = withUTF8(source) { bytes in
            Result { () throws(ExpressionSyntaxError) in
                var parser = try ExpressionParser(utf8: bytes)
                let root = try parser.parse()
                return (root, parser.references)
            }
        }
        return try result.get()
    }

    /// Throws exactly what parsing `source` into an ``Expression`` throws, without building it.
    static func checkSyntax(_ source: String) throws(ExpressionSyntaxError) {
        try withUTF8(source) { checkSyntax(utf8: $0) }.get()
    }

    /// ``checkSyntax(_:)`` of UTF-8 text, without making a string of it.
    package static func checkSyntax(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Result<Void, ExpressionSyntaxError> {
        Result { () throws(ExpressionSyntaxError) in
            var parser = try ExpressionParser(utf8: bytes, buildsTree: false)
            _ = try parser.parse()
        }
    }

    /// ``checkSyntax(_:)`` of text taken from a task file (the error's offset counts scalars of it).
    static func checkSyntax(_ text: LocatedText) throws(ExpressionSyntaxError) {
        try text.withUTF8 { checkSyntax(utf8: $0) }.get()
    }

    /// What a syntax check returns for a node: shared, so that it allocates nothing. Neither a
    /// literal nor a name, so no literal-only or name-only rule can apply to it by mistake.
    private static let placeholder = ExpressionNode.Kind.array([])

    private func node(
        _ kind: @autoclosure () -> ExpressionNode.Kind, offset: Int, range: Range<Int>
    ) -> ExpressionNode {
        ExpressionNode(kind: buildsTree ? kind() : Self.placeholder, offset: offset, range: range)
    }

    mutating func parse() throws(ExpressionSyntaxError) -> ExpressionNode {
        if case .end = current.kind {
            throw ExpressionSyntaxError(message: "the expression is empty", offset: 0)
        }
        let node = try parseExpression()
        switch current.kind {
        case .end:
            return node
        case .symbol(.rightParenthesis):
            throw error("unmatched ')'")
        case .symbol(.rightBracket):
            throw error("unmatched ']'")
        case .name where ExpressionKeyword(rawValue: text(current.start..<current.end).lowercased()) != nil:
            let name = text(current.start..<current.end)
            throw error(
                "expected an operator or the end of the expression, found name '\(name)'; "
                    + "write '\(name.lowercased())' in lowercase")
        default:
            throw error("expected an operator or the end of the expression, found \(describe(current))")
        }
    }

    // MARK: - Tokens

    private var lastEnd: Int { previous?.end ?? current.start }

    /// The token as an error message names it (see ``ExpressionToken/userDescription``). A
    /// syntax check lexes strings and names without their values: such a token is lexed again,
    /// with it.
    private func describe(_ token: ExpressionToken) -> String {
        switch token.kind {
        case .string, .name: if lexer.makesValues { return token.userDescription }
        default: return token.userDescription
        }
        var again = ExpressionLexer(utf8: bytes, makesValues: true)
        again.seek(to: token.start, offset: token.offset)
        return (try? again.next())?.userDescription ?? token.userDescription
    }

    private mutating func advance() throws(ExpressionSyntaxError) {
        previous = current
        if let next = buffered {
            current = next
            buffered = nil
        } else {
            current = try lexer.next()
        }
    }

    private mutating func peekNext() throws(ExpressionSyntaxError) -> ExpressionToken {
        if let buffered { return buffered }
        let next = try lexer.next()
        buffered = next
        return next
    }

    private func error(_ message: String, at token: ExpressionToken? = nil) -> ExpressionSyntaxError {
        ExpressionSyntaxError(message: message, offset: (token ?? current).offset)
    }

    // Matched by pattern, not with `==` on the token kind: every precedence level asks these
    // questions of every operand, and the synthesized `==` copies (and retains) a name's string.
    private func isSymbol(_ symbol: ExpressionSymbol) -> Bool {
        if case .symbol(let found) = current.kind { return found == symbol }
        return false
    }

    private func isKeyword(_ keyword: ExpressionKeyword) -> Bool {
        if case .keyword(let found) = current.kind { return found == keyword }
        return false
    }

    private mutating func enterNesting() throws(ExpressionSyntaxError) {
        nesting += 1
        if nesting > Self.maximumNesting {
            throw error("expression is nested too deeply")
        }
    }

    /// Consumes `closing` or explains which opening token is still waiting for it.
    private mutating func expectClosing(
        _ closing: ExpressionSymbol, opening: ExpressionToken, inList: Bool = false
    ) throws(ExpressionSyntaxError) {
        guard isSymbol(closing) else {
            let expected = inList ? "',' or '\(closing.rawValue)'" : "'\(closing.rawValue)'"
            var message = "expected \(expected) to close '\(opening.userDescriptionSymbol)' at offset \(opening.offset)"
            if current.kind != .end { message += ", found \(describe(current))" }
            throw error(message)
        }
        try advance()
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    // MARK: - Precedence levels

    private mutating func parseExpression() throws(ExpressionSyntaxError) -> ExpressionNode {
        try enterNesting()
        defer { nesting -= 1 }
        return try parseOr()
    }

    private mutating func parseOr() throws(ExpressionSyntaxError) -> ExpressionNode {
        let first = try parseAnd()
        guard isKeyword(.or) || isSymbol(.doublePipe) else { return first }
        var operands: [ExpressionNode] = []
        if buildsTree { operands.append(first) }
        while isKeyword(.or) || isSymbol(.doublePipe) {
            try advance()
            let operand = try parseAnd()
            if buildsTree { operands.append(operand) }
        }
        return node(.or(operands), offset: first.offset, range: first.range.lowerBound..<lastEnd)
    }

    private mutating func parseAnd() throws(ExpressionSyntaxError) -> ExpressionNode {
        let first = try parseNot()
        guard isKeyword(.and) || isSymbol(.doubleAmpersand) else { return first }
        var operands: [ExpressionNode] = []
        if buildsTree { operands.append(first) }
        while isKeyword(.and) || isSymbol(.doubleAmpersand) {
            try advance()
            let operand = try parseNot()
            if buildsTree { operands.append(operand) }
        }
        return node(.and(operands), offset: first.offset, range: first.range.lowerBound..<lastEnd)
    }

    private mutating func parseNot() throws(ExpressionSyntaxError) -> ExpressionNode {
        guard isKeyword(.not) || isSymbol(.bang) else { return try parseComparison() }
        let operatorToken = current
        try advance()
        try enterNesting()
        defer { nesting -= 1 }
        let operand = try parseNot()
        return node(.not(operand), offset: operatorToken.offset, range: operatorToken.start..<lastEnd)
    }

    private mutating func parseComparison() throws(ExpressionSyntaxError) -> ExpressionNode {
        let left = try parseAdditive()
        guard let comparison = try takeComparisonOperator() else { return left }
        let right = try parseAdditive()
        let compared = node(
            .comparison(comparison, left, right), offset: left.offset, range: left.range.lowerBound..<lastEnd)
        let chained = current
        if try takeComparisonOperator() != nil {
            throw error(
                "comparison operators cannot be chained; combine them with 'and', like 'a < b and b < c'",
                at: chained)
        }
        return compared
    }

    /// Consumes a comparison operator (`not in` is two tokens) if one is next.
    private mutating func takeComparisonOperator() throws(ExpressionSyntaxError) -> ComparisonOperator? {
        let comparison: ComparisonOperator
        switch current.kind {
        case .symbol(.equal): comparison = .equal
        case .symbol(.notEqual): comparison = .notEqual
        case .symbol(.less): comparison = .less
        case .symbol(.lessOrEqual): comparison = .lessOrEqual
        case .symbol(.greater): comparison = .greater
        case .symbol(.greaterOrEqual): comparison = .greaterOrEqual
        case .keyword(.in): comparison = .in
        case .keyword(.not):
            let next = try peekNext()
            guard next.kind == .keyword(.in) else {
                throw error("expected 'in' after 'not', found \(describe(next))", at: next)
            }
            try advance()
            comparison = .notIn
        default:
            return nil
        }
        try advance()
        return comparison
    }

    private mutating func parseAdditive() throws(ExpressionSyntaxError) -> ExpressionNode {
        let first = try parseMultiplicative()
        var rest: [ArithmeticStep] = []
        var hasRest = false
        while true {
            let arithmetic: ArithmeticOperator
            switch current.kind {
            case .symbol(.plus): arithmetic = .add
            case .symbol(.minus): arithmetic = .subtract
            default:
                return hasRest ? arithmeticNode(first, rest) : first
            }
            try advance()
            let operand = try parseMultiplicative()
            hasRest = true
            if buildsTree { rest.append(ArithmeticStep(operator: arithmetic, operand: operand, end: lastEnd)) }
        }
    }

    private mutating func parseMultiplicative() throws(ExpressionSyntaxError) -> ExpressionNode {
        let first = try parseUnary()
        var rest: [ArithmeticStep] = []
        var hasRest = false
        while true {
            let arithmetic: ArithmeticOperator
            switch current.kind {
            case .symbol(.star): arithmetic = .multiply
            case .symbol(.slash): arithmetic = .divide
            case .symbol(.percent): arithmetic = .remainder
            default:
                return hasRest ? arithmeticNode(first, rest) : first
            }
            try advance()
            let operand = try parseUnary()
            hasRest = true
            if buildsTree { rest.append(ArithmeticStep(operator: arithmetic, operand: operand, end: lastEnd)) }
        }
    }

    private func arithmeticNode(_ first: ExpressionNode, _ rest: [ArithmeticStep]) -> ExpressionNode {
        node(.arithmetic(first: first, rest: rest), offset: first.offset, range: first.range.lowerBound..<lastEnd)
    }

    private mutating func parseUnary() throws(ExpressionSyntaxError) -> ExpressionNode {
        guard isSymbol(.minus) else { return try parsePostfix() }
        let operatorToken = current
        try advance()
        try enterNesting()
        defer { nesting -= 1 }
        let operand = try parseUnary()
        let range = operatorToken.start..<lastEnd
        // Negative literals are constants, not run-time negations.
        if case .literal(.number(let value)) = operand.kind {
            return node(.literal(.number(-value)), offset: operatorToken.offset, range: range)
        }
        return node(.negate(operand), offset: operatorToken.offset, range: range)
    }

    private mutating func parsePostfix() throws(ExpressionSyntaxError) -> ExpressionNode {
        let base = try parsePrimary()
        var accessors: [ExpressionAccessor] = []
        var hasAccessors = false
        loop: while true {
            switch current.kind {
            case .symbol(.dot):
                try advance()
                let member: String
                switch current.kind {
                case .name(let name): member = buildsTree ? name : ""
                case .keyword(let keyword): member = buildsTree ? keyword.rawValue : ""
                case .number:
                    throw error(
                        "expected a member name after '.', found \(describe(current)); "
                            + "use [0] to index an array")
                default:
                    throw error("expected a member name after '.', found \(describe(current))")
                }
                try advance()
                hasAccessors = true
                if buildsTree { accessors.append(ExpressionAccessor(kind: .member(member), end: lastEnd)) }
            case .symbol(.leftBracket):
                let opening = current
                try advance()
                let index = try parseExpression()
                try expectClosing(.rightBracket, opening: opening)
                hasAccessors = true
                if buildsTree { accessors.append(ExpressionAccessor(kind: .index(index), end: lastEnd)) }
            case .symbol(.leftParenthesis):
                // Calls are recognised right after a name, in parsePrimary; nothing else is callable.
                throw error(
                    "only built-in functions can be called; '\(text(base.range.lowerBound..<lastEnd))' is not one")
            default:
                break loop
            }
        }
        if buildsTree, case .name(let root) = base.kind {
            references.append(ExpressionReference(root: root, accessors: accessors, offset: base.offset))
        }
        guard hasAccessors else { return base }
        return node(
            .access(base: base, accessors: accessors), offset: base.offset, range: base.range.lowerBound..<lastEnd)
    }

    private mutating func parsePrimary() throws(ExpressionSyntaxError) -> ExpressionNode {
        let token = current
        let literal: JSONValue
        switch token.kind {
        case .number(let value): literal = .number(value)
        case .string(let value): literal = .string(value)
        case .keyword(.true): literal = .bool(true)
        case .keyword(.false): literal = .bool(false)
        case .keyword(.null): literal = .null
        case .name(let name):
            try advance()
            if isSymbol(.leftParenthesis) {
                // (A syntax check lexes names without their text: it is read from the source.)
                return try parseCall(text(token.start..<token.end), nameToken: token)
            }
            return node(.name(name), offset: token.offset, range: token.start..<token.end)
        case .symbol(.leftParenthesis):
            try advance()
            let inner = try parseExpression()
            try expectClosing(.rightParenthesis, opening: token)
            // Widen the range to the parentheses so enclosing nodes quote the source correctly.
            return ExpressionNode(kind: inner.kind, offset: token.offset, range: token.start..<lastEnd)
        case .symbol(.leftBracket):
            try advance()
            let elements = try parseList(closing: .rightBracket, opening: token).elements
            return node(.array(elements), offset: token.offset, range: token.start..<lastEnd)
        default:
            if let previous {
                throw error("expected an expression after \(describe(previous)), found \(describe(token))")
            }
            throw error("expected an expression, found \(describe(token))")
        }
        try advance()
        return node(.literal(literal), offset: token.offset, range: token.start..<token.end)
    }

    /// Comma-separated expressions up to `closing`; the opening token is already consumed.
    /// `elements` stays empty in a syntax check, which only needs how many there are.
    private mutating func parseList(
        closing: ExpressionSymbol, opening: ExpressionToken
    ) throws(ExpressionSyntaxError) -> (elements: [ExpressionNode], count: Int) {
        var elements: [ExpressionNode] = []
        var count = 0
        if isSymbol(closing) {
            try advance()
            return (elements, count)
        }
        while true {
            let element = try parseExpression()
            count += 1
            if buildsTree { elements.append(element) }
            guard isSymbol(.comma) else { break }
            try advance()
        }
        try expectClosing(closing, opening: opening, inList: true)
        return (elements, count)
    }

    private mutating func parseCall(
        _ name: String, nameToken: ExpressionToken
    ) throws(ExpressionSyntaxError) -> ExpressionNode {
        guard let function = BuiltinFunction(rawValue: name) else {
            throw error(Self.unknownFunctionMessage(name), at: nameToken)
        }
        let opening = current
        // A literal pattern is checked here, so a syntax check builds matches() arguments too.
        let checking = !buildsTree
        if checking && function == .matches {
            buildsTree = true
            lexer.makesValues = true
        }
        // The first argument is lexed as `advance()` consumes the parenthesis.
        try advance()
        let list = try parseList(closing: .rightParenthesis, opening: opening)
        if checking {
            buildsTree = false
            lexer.makesValues = false
        }
        let arguments = list.elements
        guard function.arity.contains(list.count) else {
            throw error("\(name)() \(function.arityDescription), got \(list.count)", at: nameToken)
        }
        var pattern: CompiledPattern?
        if function == .matches, case .literal(let literal) = arguments[1].kind {
            // A literal pattern is checked and compiled once, here, instead of at every evaluation.
            guard case .string(let text) = literal else {
                throw error(
                    "matches() needs a string pattern, got \(literal.typedDescription)", at: arguments[1].offset)
            }
            do {
                pattern = try CompiledPattern(text)
            } catch {
                throw self.error(
                    "invalid regular expression \(literal.compactDescription(limit: 40)): \(error.message)",
                    at: arguments[1].offset)
            }
        }
        return node(
            .call(function, arguments: arguments, pattern: pattern), offset: nameToken.offset,
            range: nameToken.start..<lastEnd)
    }

    private func error(_ message: String, at offset: Int) -> ExpressionSyntaxError {
        ExpressionSyntaxError(message: message, offset: offset)
    }

    /// Names people reach for that the language spells differently.
    private static let functionAliases: [String: BuiltinFunction] = [
        "length": .len, "size": .len, "count": .len, "lowercase": .lower, "uppercase": .upper,
        "strip": .trim, "includes": .contains, "match": .matches, "regex": .matches, "exists": .has,
        "average": .avg, "mean": .avg, "int": .number, "float": .number, "str": .string,
        "toString": .string, "coalesce": .default, "ifNull": .default,
    ]

    static func unknownFunctionMessage(_ name: String) -> String {
        let names = BuiltinFunction.allCases.map(\.rawValue)
        // Aliases first (`length`), then typos (`lowr`), then longer spellings (`lenght`, `max_value`).
        let suggestion =
            functionAliases[name]?.rawValue
            ?? Suggestion.closest(to: name, in: names)
            ?? names.first { $0.count >= 3 && name.lowercased().hasPrefix($0.lowercased()) }
        if let suggestion {
            return "unknown function '\(name)'; did you mean '\(suggestion)'?"
        }
        return "unknown function '\(name)'; the functions are \(names.joined(separator: ", "))"
    }
}

extension ExpressionToken {
    /// The bare symbol, for "to close '('".
    fileprivate var userDescriptionSymbol: String {
        if case .symbol(let symbol) = kind { return symbol.rawValue }
        return userDescription
    }
}
