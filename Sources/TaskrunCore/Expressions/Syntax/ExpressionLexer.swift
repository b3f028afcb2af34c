/// Splits an expression into tokens on demand, so that the first problem by position is the
/// one reported, whether the lexer or the parser finds it.
///
/// Works on Unicode scalars: offsets in errors count scalars, and every input, valid UTF-8 or
/// not (a `String` has already repaired it), is consumed in one linear pass.
struct ExpressionLexer {
    private let scalars: String.UnicodeScalarView
    private var index: String.Index
    private var offset = 0

    init(source: String) {
        scalars = source.unicodeScalars
        index = scalars.startIndex
    }

    /// The number of scalars consumed so far.
    var currentOffset: Int { offset }

    mutating func next() throws(ExpressionSyntaxError) -> ExpressionToken {
        skipWhitespace()
        let start = index
        let startOffset = offset
        guard let scalar = peek() else {
            return ExpressionToken(kind: .end, offset: offset, start: index, end: index)
        }
        let kind: ExpressionToken.Kind
        if Self.isDigit(scalar) {
            kind = try lexNumber(startOffset: startOffset)
        } else if scalar == "\"" || scalar == "'" {
            kind = try lexString(quote: scalar, startOffset: startOffset)
        } else if Self.isNameStart(scalar) {
            let word = lexWord()
            if Self.mayBeKeyword(word), let keyword = ExpressionKeyword(rawValue: word) {
                kind = .keyword(keyword)
            } else {
                kind = .name(word)
            }
        } else {
            kind = .symbol(try lexSymbol(scalar, startOffset: startOffset))
        }
        return ExpressionToken(kind: kind, offset: startOffset, start: start, end: index)
    }

    // MARK: - Scalars

    private func peek() -> Unicode.Scalar? {
        index < scalars.endIndex ? scalars[index] : nil
    }

    private func peek(_ distance: Int) -> Unicode.Scalar? {
        var position = index
        for _ in 0..<distance {
            guard position < scalars.endIndex else { return nil }
            position = scalars.index(after: position)
        }
        return position < scalars.endIndex ? scalars[position] : nil
    }

    private mutating func advance() {
        index = scalars.index(after: index)
        offset += 1
    }

    private mutating func skipWhitespace() {
        while let scalar = peek(), Self.isWhitespace(scalar) {
            advance()
        }
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar >= "0" && scalar <= "9"
    }

    /// Unicode's White_Space, answered without the property tables for ASCII (the usual case).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value == 32 || (scalar.value >= 9 && scalar.value <= 13) }
        return scalar.properties.isWhitespace
    }

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        // ASCII letters are the only alphabetic ASCII scalars: no property lookup for them.
        if scalar.value < 0x80 { return scalar == "_" || (scalar.value | 0x20 >= 97 && scalar.value | 0x20 <= 122) }
        return scalar.properties.isAlphabetic
    }

    static func isNameContinuation(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || isDigit(scalar)
    }

    // MARK: - Tokens

    private mutating func lexWord() -> String {
        // One slice of the source, not a string grown scalar by scalar.
        let start = index
        while let scalar = peek(), Self.isNameContinuation(scalar) {
            advance()
        }
        return String(scalars[start..<index])
    }

    /// Whether `word` can be a reserved word at all, to skip the string switch for most names.
    private static func mayBeKeyword(_ word: String) -> Bool {
        let bytes = word.utf8
        guard bytes.count >= 2, bytes.count <= 5, let first = bytes.first else { return false }
        // and, or, not, in, true, false, null
        return first == 97 || first == 111 || first == 110 || first == 105 || first == 116 || first == 102
    }

    private mutating func lexNumber(startOffset: Int) throws(ExpressionSyntaxError) -> ExpressionToken.Kind {
        // The number is read in place: its text is the slice of the source it spans.
        let start = index
        func takeDigits(_ lexer: inout ExpressionLexer) {
            while let scalar = lexer.peek(), ExpressionLexer.isDigit(scalar) {
                lexer.advance()
            }
        }
        takeDigits(&self)
        if peek() == ".", let next = peek(1), Self.isDigit(next) {
            advance()
            takeDigits(&self)
        }
        if let marker = peek(), marker == "e" || marker == "E" {
            let hasSign = peek(1) == "+" || peek(1) == "-"
            if let digit = peek(hasSign ? 2 : 1), Self.isDigit(digit) {
                advance()
                if hasSign { advance() }
                takeDigits(&self)
            }
        }
        if let scalar = peek(), Self.isNameContinuation(scalar) {
            // `12abc` or `3rd`: one bad token is clearer than a number followed by a name.
            while let scalar = peek(), Self.isNameContinuation(scalar) || scalar == "." {
                advance()
            }
            throw ExpressionSyntaxError(
                message: "invalid number '\(String(scalars[start..<index]))'", offset: startOffset)
        }
        let text = Substring(scalars[start..<index])
        guard let value = Double(text), value.isFinite else {
            let written = String(text)
            let shown = written.count > 24 ? written.prefix(24) + "…" : written
            throw ExpressionSyntaxError(message: "number \(shown) is too large", offset: startOffset)
        }
        return .number(value)
    }

    private mutating func lexString(
        quote: Unicode.Scalar, startOffset: Int
    ) throws(ExpressionSyntaxError) -> ExpressionToken.Kind {
        advance()
        var value = String.UnicodeScalarView()
        let unterminated = ExpressionSyntaxError(
            message: "unterminated string starting at offset \(startOffset)", offset: startOffset)
        while true {
            guard let scalar = peek() else { throw unterminated }
            advance()
            if scalar == quote { return .string(String(value)) }
            guard scalar == "\\" else {
                value.append(scalar)
                continue
            }
            let escapeOffset = offset - 1
            guard let escaped = peek() else { throw unterminated }
            advance()
            switch escaped {
            case "n": value.append("\n")
            case "t": value.append("\t")
            case "r": value.append("\r")
            case "\\", "\"", "'": value.append(escaped)
            case "u": value.append(try lexUnicodeEscape(escapeOffset: escapeOffset))
            default:
                // Kept as written, so regular expressions read naturally: "\d+" is \d+.
                value.append("\\")
                value.append(escaped)
            }
        }
    }

    /// `\u{1F600}`: one to eight hex digits in braces, naming a valid scalar.
    private mutating func lexUnicodeEscape(escapeOffset: Int) throws(ExpressionSyntaxError) -> Unicode.Scalar {
        let invalid = ExpressionSyntaxError(
            message: "invalid Unicode escape; write it as \\u{1F600} (1 to 8 hex digits in braces)",
            offset: escapeOffset)
        guard peek() == "{" else { throw invalid }
        advance()
        var code: UInt32 = 0
        var digits = 0
        while let scalar = peek(), let digit = Self.hexValue(scalar) {
            guard digits < 8 else { throw invalid }
            code = code &* 16 &+ digit
            digits += 1
            advance()
        }
        guard digits > 0, peek() == "}" else { throw invalid }
        advance()
        guard let result = Unicode.Scalar(code) else {
            throw ExpressionSyntaxError(
                message: "invalid Unicode escape: U+\(String(code, radix: 16, uppercase: true)) is not a character",
                offset: escapeOffset)
        }
        return result
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 48
        case "a"..."f": scalar.value - 87
        case "A"..."F": scalar.value - 55
        default: nil
        }
    }

    private mutating func lexSymbol(
        _ scalar: Unicode.Scalar, startOffset: Int
    ) throws(ExpressionSyntaxError) -> ExpressionSymbol {
        let next = peek(1)
        let symbol: ExpressionSymbol
        switch scalar {
        case "(": symbol = .leftParenthesis
        case ")": symbol = .rightParenthesis
        case "[": symbol = .leftBracket
        case "]": symbol = .rightBracket
        case ",": symbol = .comma
        case ".": symbol = .dot
        case "+": symbol = .plus
        case "-": symbol = .minus
        case "*": symbol = .star
        case "/": symbol = .slash
        case "%": symbol = .percent
        case "<": symbol = next == "=" ? .lessOrEqual : .less
        case ">": symbol = next == "=" ? .greaterOrEqual : .greater
        case "!": symbol = next == "=" ? .notEqual : .bang
        case "=":
            guard next == "=" else {
                throw ExpressionSyntaxError(message: "unexpected '='; use '==' to compare", offset: startOffset)
            }
            symbol = .equal
        case "&":
            guard next == "&" else {
                throw ExpressionSyntaxError(message: "unexpected '&'; use 'and' (or '&&')", offset: startOffset)
            }
            symbol = .doubleAmpersand
        case "|":
            guard next == "|" else {
                throw ExpressionSyntaxError(message: "unexpected '|'; use 'or' (or '||')", offset: startOffset)
            }
            symbol = .doublePipe
        default:
            throw ExpressionSyntaxError(
                message: "unexpected character \(Self.describe(scalar))", offset: startOffset)
        }
        // Every symbol is one or two ASCII characters; the raw value's string is not read here.
        advance()
        switch symbol {
        case .lessOrEqual, .greaterOrEqual, .notEqual, .equal, .doubleAmpersand, .doublePipe: advance()
        default: break
        }
        return symbol
    }

    /// `'#'` for visible characters, `U+0000` for control and invisible ones.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator, .nonspacingMark, .enclosingMark, .spacingMark:
            return code
        default:
            return "'\(scalar)'"
        }
    }
}
