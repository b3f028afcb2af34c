/// Splits an expression into tokens on demand, so that the first problem by position is the
/// one reported, whether the lexer or the parser finds it.
///
/// Works on the UTF-8 bytes of the source (valid UTF-8: they come from a `String`), ASCII byte by
/// byte, anything wider decoded to its scalar. Offsets in errors count Unicode scalars; token
/// bounds are byte offsets. Every input is consumed in one linear pass.
struct ExpressionLexer {
    private let bytes: UnsafeBufferPointer<UInt8>
    /// The byte offset of the next scalar.
    private var index = 0
    /// The number of scalars before `index`.
    private var offset = 0
    /// Whether string literals get their values: a syntax check only needs to know where each
    /// ends (and its escapes checked), so it builds none.
    var makesValues: Bool

    /// A lexer over `bytes`, which must stay valid while it is used.
    init(utf8 bytes: UnsafeBufferPointer<UInt8>, makesValues: Bool = true) {
        self.bytes = bytes
        self.makesValues = makesValues
    }

    /// The number of scalars consumed so far.
    var currentOffset: Int { offset }

    /// Continues lexing at the token that starts at byte `start`, scalar `offset` (to lex a
    /// token again, for instance with its value).
    mutating func seek(to start: Int, offset: Int) {
        index = start
        self.offset = offset
    }

    mutating func next() throws(ExpressionSyntaxError) -> ExpressionToken {
        skipWhitespace()
        let start = index
        let startOffset = offset
        guard index < bytes.count else {
            return ExpressionToken(kind: .end, offset: offset, start: index, end: index)
        }
        let byte = bytes[index]
        let kind: ExpressionToken.Kind
        if byte >= 48 && byte <= 57 {
            kind = try lexNumber(startOffset: startOffset)
        } else if byte == 34 || byte == 39 {
            kind = try lexString(quote: byte, startOffset: startOffset)
        } else if Self.isNameStart(scalar(at: index)) {
            while atNameContinuation() {
                advance()
            }
            if let keyword = keyword(start..<index) {
                kind = .keyword(keyword)
            } else {
                // A syntax check reads a name's text from the source only where it needs it.
                kind = .name(makesValues ? text(start..<index) : "")
            }
        } else {
            kind = .symbol(try lexSymbol(scalar(at: index), startOffset: startOffset))
        }
        return ExpressionToken(kind: kind, offset: startOffset, start: start, end: index)
    }

    // MARK: - Scalars

    /// The scalar whose UTF-8 starts at byte `at` (which must be in range and start a scalar).
    private func scalar(at position: Int) -> Unicode.Scalar {
        let lead = bytes[position]
        if lead < 0x80 { return Unicode.Scalar(lead) }
        let width = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = UInt32(lead) & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
        var next = position + 1
        while next < position + width, next < bytes.count {
            value = value << 6 | UInt32(bytes[next] & 0x3F)
            next += 1
        }
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }

    /// The byte at `index + distance` when it is ASCII (the scalars ahead the lexer compares are
    /// all ASCII, and each ASCII byte is a whole scalar), or `nil`.
    private func peekASCII(_ distance: Int = 0) -> UInt8? {
        let position = index + distance
        guard position < bytes.count, bytes[position] < 0x80 else { return nil }
        return bytes[position]
    }

    private mutating func advance() {
        let lead = bytes[index]
        index += lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        offset += 1
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                guard byte == 32 || (byte >= 9 && byte <= 13) else { return }
            } else if !scalar(at: index).properties.isWhitespace {
                return
            }
            advance()
        }
    }

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        // ASCII letters are the only alphabetic ASCII scalars: no property lookup for them.
        if scalar.value < 0x80 { return scalar == "_" || (scalar.value | 0x20 >= 97 && scalar.value | 0x20 <= 122) }
        return scalar.properties.isAlphabetic
    }

    /// Whether the scalar at the current position continues a name (`false` at the end).
    private func atNameContinuation() -> Bool {
        guard index < bytes.count else { return false }
        let byte = bytes[index]
        if byte < 0x80 {
            return byte == 95 || (byte >= 48 && byte <= 57) || ((byte | 0x20) >= 97 && (byte | 0x20) <= 122)
        }
        return scalar(at: index).properties.isAlphabetic
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    // MARK: - Tokens

    /// The reserved word the bytes `range` spell, if any, compared in place.
    private func keyword(_ range: Range<Int>) -> ExpressionKeyword? {
        guard range.count >= 2, range.count <= 5 else { return nil }
        func spells(_ word: StaticString) -> Bool {
            guard range.count == word.utf8CodeUnitCount else { return false }
            let wanted = word.utf8Start
            for offset in 0..<range.count where bytes[range.lowerBound + offset] != wanted[offset] { return false }
            return true
        }
        switch bytes[range.lowerBound] {
        case UInt8(ascii: "a"): return spells("and") ? .and : nil
        case UInt8(ascii: "o"): return spells("or") ? .or : nil
        case UInt8(ascii: "n"): return spells("not") ? .not : spells("null") ? .null : nil
        case UInt8(ascii: "i"): return spells("in") ? .in : nil
        case UInt8(ascii: "t"): return spells("true") ? .true : nil
        case UInt8(ascii: "f"): return spells("false") ? .false : nil
        default: return nil
        }
    }

    private mutating func lexNumber(startOffset: Int) throws(ExpressionSyntaxError) -> ExpressionToken.Kind {
        // The number is read in place: its text is the slice of the source it spans.
        let start = index
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 48 && $0 <= 57 } ?? false }
        func takeDigits(_ lexer: inout ExpressionLexer) {
            while isDigit(lexer.peekASCII()) {
                lexer.advance()
            }
        }
        takeDigits(&self)
        if peekASCII() == UInt8(ascii: "."), isDigit(peekASCII(1)) {
            advance()
            takeDigits(&self)
        }
        if let marker = peekASCII(), marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            let hasSign = peekASCII(1) == UInt8(ascii: "+") || peekASCII(1) == UInt8(ascii: "-")
            if isDigit(peekASCII(hasSign ? 2 : 1)) {
                advance()
                if hasSign { advance() }
                takeDigits(&self)
            }
        }
        if atNameContinuation() {
            // `12abc` or `3rd`: one bad token is clearer than a number followed by a name.
            while atNameContinuation() || peekASCII() == UInt8(ascii: ".") {
                advance()
            }
            throw ExpressionSyntaxError(message: "invalid number '\(text(start..<index))'", offset: startOffset)
        }
        let written = text(start..<index)
        guard let value = Double(written), value.isFinite else {
            let shown = written.count > 24 ? written.prefix(24) + "…" : Substring(written)
            throw ExpressionSyntaxError(message: "number \(shown) is too large", offset: startOffset)
        }
        return .number(value)
    }

    private mutating func lexString(
        quote: UInt8, startOffset: Int
    ) throws(ExpressionSyntaxError) -> ExpressionToken.Kind {
        advance()
        let unterminated = ExpressionSyntaxError(
            message: "unterminated string starting at offset \(startOffset)", offset: startOffset)
        let contentStart = index
        // The usual string has no escapes: its value is one slice of the source.
        while index < bytes.count, bytes[index] != quote, bytes[index] != 92 {
            if bytes[index] & 0xC0 != 0x80 { offset += 1 }
            index += 1
        }
        guard index < bytes.count else { throw unterminated }
        if bytes[index] == quote {
            let value = makesValues ? text(contentStart..<index) : ""
            advance()
            return .string(value)
        }
        var value: [UInt8] = []
        if makesValues { value.append(contentsOf: bytes[contentStart..<index]) }
        func append(_ scalar: Unicode.Scalar) {
            guard makesValues else { return }
            value.append(contentsOf: UTF8.encode(scalar).map { Array($0) } ?? [])
        }
        while true {
            guard index < bytes.count else { throw unterminated }
            let byte = bytes[index]
            let width = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
            if byte == quote {
                advance()
                return .string(makesValues ? String(decoding: value, as: UTF8.self) : "")
            }
            guard byte == 92 else {
                if makesValues { value.append(contentsOf: bytes[index..<min(bytes.count, index + width)]) }
                advance()
                continue
            }
            let escapeOffset = offset
            advance()
            guard index < bytes.count else { throw unterminated }
            let escaped = scalar(at: index)
            advance()
            switch escaped {
            case "n": append("\n")
            case "t": append("\t")
            case "r": append("\r")
            case "\\", "\"", "'": append(escaped)
            case "u": append(try lexUnicodeEscape(escapeOffset: escapeOffset))
            default:
                // Kept as written, so regular expressions read naturally: "\d+" is \d+.
                append("\\")
                append(escaped)
            }
        }
    }

    /// `\u{1F600}`: one to eight hex digits in braces, naming a valid scalar.
    private mutating func lexUnicodeEscape(escapeOffset: Int) throws(ExpressionSyntaxError) -> Unicode.Scalar {
        let invalid = ExpressionSyntaxError(
            message: "invalid Unicode escape; write it as \\u{1F600} (1 to 8 hex digits in braces)",
            offset: escapeOffset)
        guard peekASCII() == UInt8(ascii: "{") else { throw invalid }
        advance()
        var code: UInt32 = 0
        var digits = 0
        while let byte = peekASCII(), let digit = Self.hexValue(Unicode.Scalar(byte)) {
            guard digits < 8 else { throw invalid }
            code = code &* 16 &+ digit
            digits += 1
            advance()
        }
        guard digits > 0, peekASCII() == UInt8(ascii: "}") else { throw invalid }
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
        let next = peekASCII(1).map { Unicode.Scalar($0) }
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
