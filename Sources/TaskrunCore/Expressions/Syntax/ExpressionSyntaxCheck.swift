/// Answers "does this parse?" for the parser's checks of `validation:` criteria and `when:`
/// expressions without building the tree, the references or any string: most task files only
/// need to know that their expressions are fine.
///
/// It follows ``ExpressionParser``'s grammar on ASCII bytes and answers `true` only when the
/// parser would accept the text. Anything it does not fully follow (a non-ASCII byte, an escape
/// in a string, a long number, `matches` with its regex, deep nesting) and every error get `nil`:
/// the caller then runs the real parser, which finds and words the error. So it can never change
/// a diagnostic, only skip building a tree for text that has none.
struct ExpressionSyntaxCheck {
    private enum Token: Equatable {
        case number, string, name, end
        case keyword(ExpressionKeyword)
        case symbol(ExpressionSymbol)
    }

    /// Not a syntax error: "unsure, ask the parser".
    private struct Unsure: Error {}

    /// Far below ``ExpressionParser/maximumNesting``: deeper text goes to the parser.
    private static let nestingLimit = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var current = Token.end
    /// The current name token's bytes, for calls.
    private var nameRange = 0..<0
    private var buffered: (token: Token, range: Range<Int>)?
    private var nesting = 0

    /// `true` when `source` certainly parses as an expression; `nil` when the parser must decide.
    static func parses(_ source: String) -> Bool? {
        var source = source
        return source.withUTF8 { bytes in
            var check = ExpressionSyntaxCheck(bytes: bytes)
            do {
                try check.advance()
                guard check.current != .end else { return nil }
                try check.expression()
                return check.current == .end ? true : nil
            } catch {
                return nil
            }
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: - Lexing

    private func byte(at index: Int) -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    private static func isNameStart(_ byte: UInt8) -> Bool {
        byte == 95 || (byte | 0x20 >= 97 && byte | 0x20 <= 122)
    }

    private static func isNameContinuation(_ byte: UInt8) -> Bool { isNameStart(byte) || isDigit(byte) }

    /// Moves to the next token; `position` is always just past the last token lexed.
    private mutating func advance() throws(Unsure) {
        if let next = buffered {
            current = next.token
            nameRange = next.range
            buffered = nil
            return
        }
        (current, nameRange) = try lex()
    }

    private mutating func peekNext() throws(Unsure) -> Token {
        if let buffered { return buffered.token }
        let next = try lex()
        buffered = (next.0, next.1)
        return next.0
    }

    private mutating func lex() throws(Unsure) -> (Token, Range<Int>) {
        while let byte = byte(at: position), byte == 32 || (byte >= 9 && byte <= 13) { position += 1 }
        guard let first = byte(at: position) else { return (.end, 0..<0) }
        guard first < 0x80 else { throw Unsure() }
        let start = position
        if Self.isDigit(first) {
            while let byte = byte(at: position), Self.isDigit(byte) { position += 1 }
            if byte(at: position) == 46, let next = byte(at: position + 1), Self.isDigit(next) {
                position += 1
                while let byte = byte(at: position), Self.isDigit(byte) { position += 1 }
            }
            // Exponents (and digits enough to overflow a Double) are left to the parser.
            guard position - start <= 15 else { throw Unsure() }
            if let after = byte(at: position), after >= 0x80 || Self.isNameContinuation(after) { throw Unsure() }
            return (.number, start..<position)
        }
        if first == 34 || first == 39 {
            position += 1
            while let byte = byte(at: position) {
                position += 1
                if byte == first { return (.string, start..<position) }
                if byte == 92 || byte >= 0x80 { throw Unsure() }
            }
            throw Unsure()
        }
        if Self.isNameStart(first) {
            while let byte = byte(at: position), Self.isNameContinuation(byte) { position += 1 }
            if let byte = byte(at: position), byte >= 0x80 { throw Unsure() }
            return (Self.keyword(start..<position, in: bytes).map(Token.keyword) ?? .name, start..<position)
        }
        let next = byte(at: position + 1)
        let symbol: ExpressionSymbol
        switch first {
        case 40: symbol = .leftParenthesis
        case 41: symbol = .rightParenthesis
        case 91: symbol = .leftBracket
        case 93: symbol = .rightBracket
        case 44: symbol = .comma
        case 46: symbol = .dot
        case 43: symbol = .plus
        case 45: symbol = .minus
        case 42: symbol = .star
        case 47: symbol = .slash
        case 37: symbol = .percent
        case 60: symbol = next == 61 ? .lessOrEqual : .less
        case 62: symbol = next == 61 ? .greaterOrEqual : .greater
        case 33: symbol = next == 61 ? .notEqual : .bang
        case 61 where next == 61: symbol = .equal
        case 38 where next == 38: symbol = .doubleAmpersand
        case 124 where next == 124: symbol = .doublePipe
        default: throw Unsure()
        }
        switch symbol {
        case .lessOrEqual, .greaterOrEqual, .notEqual, .equal, .doubleAmpersand, .doublePipe: position += 2
        default: position += 1
        }
        return (.symbol(symbol), start..<position)
    }

    private static func keyword(_ range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> ExpressionKeyword? {
        // and, or, not, in, true, false, null: most names are none of them by length or first byte.
        guard range.count >= 2, range.count <= 5 else { return nil }
        switch bytes[range.lowerBound] {
        case 97, 111, 110, 105, 116, 102: break
        default: return nil
        }
        return ExpressionKeyword(rawValue: String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
    }

    // MARK: - Grammar (as ExpressionParser, without the tree)

    private mutating func enterNesting() throws(Unsure) {
        nesting += 1
        if nesting > Self.nestingLimit { throw Unsure() }
    }

    private mutating func expect(_ symbol: ExpressionSymbol) throws(Unsure) {
        guard current == .symbol(symbol) else { throw Unsure() }
        try advance()
    }

    private mutating func expression() throws(Unsure) {
        try enterNesting()
        defer { nesting -= 1 }
        try and()
        while current == .keyword(.or) || current == .symbol(.doublePipe) {
            try advance()
            try and()
        }
    }

    private mutating func and() throws(Unsure) {
        try not()
        while current == .keyword(.and) || current == .symbol(.doubleAmpersand) {
            try advance()
            try not()
        }
    }

    private mutating func not() throws(Unsure) {
        guard current == .keyword(.not) || current == .symbol(.bang) else { return try comparison() }
        try advance()
        try enterNesting()
        defer { nesting -= 1 }
        try not()
    }

    private mutating func comparison() throws(Unsure) {
        try additive()
        guard try takeComparisonOperator() else { return }
        try additive()
        // Chained comparisons are an error.
        if try takeComparisonOperator() { throw Unsure() }
    }

    private mutating func takeComparisonOperator() throws(Unsure) -> Bool {
        switch current {
        case .symbol(.equal), .symbol(.notEqual), .symbol(.less), .symbol(.lessOrEqual), .symbol(.greater),
            .symbol(.greaterOrEqual), .keyword(.in):
            break
        case .keyword(.not):
            guard try peekNext() == .keyword(.in) else { throw Unsure() }
            try advance()
        default:
            return false
        }
        try advance()
        return true
    }

    private mutating func additive() throws(Unsure) {
        try multiplicative()
        while current == .symbol(.plus) || current == .symbol(.minus) {
            try advance()
            try multiplicative()
        }
    }

    private mutating func multiplicative() throws(Unsure) {
        try unary()
        while current == .symbol(.star) || current == .symbol(.slash) || current == .symbol(.percent) {
            try advance()
            try unary()
        }
    }

    private mutating func unary() throws(Unsure) {
        guard current == .symbol(.minus) else { return try postfix() }
        try advance()
        try enterNesting()
        defer { nesting -= 1 }
        try unary()
    }

    private mutating func postfix() throws(Unsure) {
        try primary()
        while true {
            switch current {
            case .symbol(.dot):
                try advance()
                switch current {
                case .name, .keyword: try advance()
                default: throw Unsure()
                }
            case .symbol(.leftBracket):
                try advance()
                try expression()
                try expect(.rightBracket)
            case .symbol(.leftParenthesis):
                throw Unsure()
            default:
                return
            }
        }
    }

    private mutating func primary() throws(Unsure) {
        switch current {
        case .number, .string, .keyword(.true), .keyword(.false), .keyword(.null):
            try advance()
        case .name:
            let name = nameRange
            try advance()
            if current == .symbol(.leftParenthesis) { try call(name) }
        case .symbol(.leftParenthesis):
            try advance()
            try expression()
            try expect(.rightParenthesis)
        case .symbol(.leftBracket):
            try advance()
            _ = try list(closing: .rightBracket)
        default:
            throw Unsure()
        }
    }

    /// The number of elements up to `closing`; the opening token is already consumed.
    private mutating func list(closing: ExpressionSymbol) throws(Unsure) -> Int {
        if current == .symbol(closing) {
            try advance()
            return 0
        }
        var count = 0
        while true {
            try expression()
            count += 1
            guard current == .symbol(.comma) else { break }
            try advance()
        }
        try expect(closing)
        return count
    }

    private mutating func call(_ name: Range<Int>) throws(Unsure) {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[name]), as: UTF8.self)
        // `matches` compiles a literal pattern while parsing: the parser decides.
        guard let function = BuiltinFunction(rawValue: text), function != .matches else { throw Unsure() }
        try advance()
        guard function.arity.contains(try list(closing: .rightParenthesis)) else { throw Unsure() }
    }
}
