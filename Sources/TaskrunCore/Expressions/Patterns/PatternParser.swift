/// Reads `matches()`'s regular expressions into a ``PatternNode``.
///
/// The dialect is the common core of PCRE, ICU and Swift's `Regex` that a linear-time matcher can
/// honour (see `Docs/task-format.md`, "Regular expressions"). Whatever needs backtracking
/// (backreferences, lookaround, atomic groups, possessive quantifiers) is refused with a message
/// that names it, never quietly read as something else.
struct PatternParser {
    /// The deepest nesting of groups accepted, so the parser's recursion stays shallow.
    static let maxDepth = 100
    /// The largest count a repetition such as `{2,5}` may name.
    static let maxRepeat = 1000

    private struct Flags {
        /// `i`: letters match either case.
        var caseless = false
        /// `s`: `.` also matches a line break.
        var dotMatchesLineBreaks = false
        /// `m`: `^` and `$` also match at line breaks.
        var multiline = false
    }

    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var flags = Flags()
    private var depth = 0

    private init(_ pattern: String) {
        scalars = Array(pattern.unicodeScalars)
    }

    /// Parses `pattern`.
    static func parse(_ pattern: String) throws(PatternError) -> PatternNode {
        var parser = PatternParser(pattern)
        let node = try parser.parseAlternation()
        if parser.position < parser.scalars.count {
            // Only a ')' stops an alternation early.
            throw PatternError(message: "unexpected ')'; write '\\)' for a literal parenthesis")
        }
        return node
    }

    private var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private func peek(at offset: Int) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    // MARK: - Structure

    private mutating func parseAlternation() throws(PatternError) -> PatternNode {
        var branches = [try parseSequence()]
        while peek == "|" {
            position += 1
            branches.append(try parseSequence())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseSequence() throws(PatternError) -> PatternNode {
        var nodes: [PatternNode] = []
        while let next = peek, next != "|", next != ")" {
            // A flag group such as `(?i)` changes the flags and matches nothing.
            guard let atom = try parseAtom() else { continue }
            nodes.append(try parseQuantifiers(of: atom))
        }
        switch nodes.count {
        case 0: return .empty
        case 1: return nodes[0]
        default: return .sequence(nodes)
        }
    }

    private mutating func parseAtom() throws(PatternError) -> PatternNode? {
        guard let scalar = peek else { return nil }
        switch scalar {
        case "(":
            return try parseGroup()
        case "[":
            position += 1
            return .set(try parseClass())
        case ".":
            position += 1
            return .any(matchesLineBreaks: flags.dotMatchesLineBreaks)
        case "^":
            position += 1
            return .assertion(flags.multiline ? .lineStart : .inputStart)
        case "$":
            position += 1
            return .assertion(flags.multiline ? .lineEnd : .inputEnd)
        case "\\":
            return try parseEscape()
        case "*", "+", "?":
            throw PatternError(message: "nothing to repeat before '\(scalar)'")
        case "{" where repetitionBounds(consuming: false) != nil:
            throw PatternError(message: "nothing to repeat before '{'")
        default:
            position += 1
            return literal(scalar)
        }
    }

    private func literal(_ scalar: Unicode.Scalar) -> PatternNode {
        flags.caseless ? .scalar(PatternCase.fold(scalar), caseless: true) : .scalar(scalar, caseless: false)
    }

    private mutating func parseGroup() throws(PatternError) -> PatternNode? {
        position += 1  // "("
        guard depth < Self.maxDepth else {
            throw PatternError(message: "groups nest more than \(Self.maxDepth) deep")
        }
        let outer = flags
        if peek == "?" {
            position += 1
            if try !parseGroupKind() {
                return nil  // `(?i)`: the flags hold until the enclosing group ends
            }
        }
        depth += 1
        let inner = try parseAlternation()
        depth -= 1
        guard peek == ")" else { throw PatternError(message: "expected ')'") }
        position += 1
        flags = outer
        return inner
    }

    /// Reads what follows `(?`. Returns `false` for a flag group with no body (`(?i)`), which it
    /// consumes whole; `true` when a group body follows.
    private mutating func parseGroupKind() throws(PatternError) -> Bool {
        guard let kind = peek else { throw PatternError(message: "expected ')'") }
        switch kind {
        case ":":
            position += 1
            return true
        case "<" where peek(at: 1) == "=" || peek(at: 1) == "!":
            throw PatternError(message: "lookbehind ('(?<\(peek(at: 1) ?? "=")') is not supported")
        case "<", "'", "P":
            try parseGroupName()
            return true
        case "=", "!":
            throw PatternError(message: "lookahead ('(?\(kind)') is not supported")
        case ">":
            throw PatternError(message: "atomic groups ('(?>') are not supported")
        case "#":
            while let next = peek, next != ")" { position += 1 }
            guard peek == ")" else { throw PatternError(message: "expected ')' to end the comment '(?#'") }
            position += 1
            return false
        default:
            return try parseFlags()
        }
    }

    /// `<name>`, `P<name>` or `'name'`: a named group, which matches as a plain one.
    private mutating func parseGroupName() throws(PatternError) {
        if peek == "P" { position += 1 }
        guard let open = peek, open == "<" || open == "'" else {
            throw PatternError(message: "unknown group kind '(?P'; write '(?<name>...)' for a named group")
        }
        let close: Unicode.Scalar = open == "<" ? ">" : "'"
        position += 1
        let start = position
        while let next = peek, PatternShorthand.word.contains(next) { position += 1 }
        guard position > start, !PatternShorthand.digit.contains(scalars[start]), peek == close else {
            let closing = close == ">" ? "'>'" : "\"'\""
            throw PatternError(
                message: "a group name is a letter or '_' then letters, digits and '_', closed by \(closing)")
        }
        position += 1
    }

    /// `i`, `m`, `s`, optionally turned off after `-`, then `)` (flag group) or `:` (group body).
    private mutating func parseFlags() throws(PatternError) -> Bool {
        var on = true
        while let next = peek {
            position += 1
            switch next {
            case "i": flags.caseless = on
            case "m": flags.multiline = on
            case "s": flags.dotMatchesLineBreaks = on
            case "-" where on: on = false
            case ")": return false
            case ":": return true
            default:
                throw PatternError(
                    message: "the group '(?\(next)' is not supported; flags are 'i', 'm' and 's', as in '(?i)'")
            }
        }
        throw PatternError(message: "expected ')'")
    }

    // MARK: - Repetition

    private mutating func parseQuantifiers(of atom: PatternNode) throws(PatternError) -> PatternNode {
        guard let bounds = try repetition() else { return atom }
        if case .assertion = atom {
            throw PatternError(message: "an anchor or '\\b' matches no text and cannot be repeated")
        }
        switch peek {
        case "?":
            position += 1  // lazy: the same matches for a yes-or-no answer
        case "+":
            throw PatternError(message: "possessive quantifiers ('+' after a quantifier) are not supported")
        default: break
        }
        if let next = peek,
            next == "*" || next == "+" || next == "?" || (next == "{" && repetitionBounds(consuming: false) != nil)
        {
            throw PatternError(
                message: "'\(next)' cannot follow a quantifier; put the repeated part in a group, as in '(?:a+)*'")
        }
        return .repetition(atom, min: bounds.min, max: bounds.max)
    }

    private mutating func repetition() throws(PatternError) -> (min: Int, max: Int?)? {
        switch peek {
        case "*":
            position += 1
            return (0, nil)
        case "+":
            position += 1
            return (1, nil)
        case "?":
            position += 1
            return (0, 1)
        case "{":
            guard let bounds = repetitionBounds(consuming: true) else { return nil }
            guard bounds.min <= Self.maxRepeat, (bounds.max ?? 0) <= Self.maxRepeat else {
                throw PatternError(message: "a repeat count is at most \(Self.maxRepeat)")
            }
            if let max = bounds.max, max < bounds.min {
                throw PatternError(message: "the repeat range {\(bounds.min),\(max)} is backwards")
            }
            return bounds
        default:
            return nil
        }
    }

    /// `{n}`, `{n,}`, `{n,m}` or `{,m}` at the current position, or `nil` when the brace starts
    /// none of them (it is then a literal `{`).
    private mutating func repetitionBounds(consuming: Bool) -> (min: Int, max: Int?)? {
        var index = position + 1
        func number() -> Int? {
            var value: Int?
            while index < scalars.count, let digit = asciiDigit(scalars[index]) {
                // Counts past the limit are refused by the caller; stop growing well before overflow.
                value = min((value ?? 0) * 10 + digit, 1_000_000)
                index += 1
            }
            return value
        }
        let lower = number()
        var upper = lower
        var unbounded = false
        if index < scalars.count, scalars[index] == "," {
            index += 1
            upper = number()
            unbounded = upper == nil
        }
        guard index < scalars.count, scalars[index] == "}", lower != nil || upper != nil else { return nil }
        if consuming { position = index + 1 }
        return (lower ?? 0, unbounded ? nil : upper)
    }

    private func asciiDigit(_ scalar: Unicode.Scalar) -> Int? {
        scalar.value &- 0x30 < 10 ? Int(scalar.value - 0x30) : nil
    }

    // MARK: - Escapes and classes

    /// One escaped item: a scalar, a shorthand class or (outside a class) an assertion.
    private enum Escape {
        case scalar(Unicode.Scalar)
        case shorthand(PatternShorthand, negated: Bool)
        case assertion(PatternAssertion)
    }

    private mutating func parseEscape() throws(PatternError) -> PatternNode {
        switch try escape(inClass: false) {
        case .scalar(let scalar): return literal(scalar)
        case .shorthand(let shorthand, let negated):
            return .set(PatternSet(items: [.shorthand(shorthand, negated: negated)], negated: false, caseless: false))
        case .assertion(let assertion): return .assertion(assertion)
        }
    }

    private mutating func escape(inClass: Bool) throws(PatternError) -> Escape {
        position += 1  // "\"
        guard let scalar = peek else { throw PatternError(message: "the pattern ends with a lone '\\'") }
        position += 1
        switch scalar {
        case "d": return .shorthand(.digit, negated: false)
        case "D": return .shorthand(.digit, negated: true)
        case "w": return .shorthand(.word, negated: false)
        case "W": return .shorthand(.word, negated: true)
        case "s": return .shorthand(.space, negated: false)
        case "S": return .shorthand(.space, negated: true)
        case "n": return .scalar("\n")
        case "t": return .scalar("\t")
        case "r": return .scalar("\r")
        case "f": return .scalar("\u{0C}")
        case "v": return .scalar("\u{0B}")
        case "e": return .scalar("\u{1B}")
        case "a": return .scalar("\u{07}")
        case "0": return .scalar("\0")
        case "x", "u": return .scalar(try hexScalar(after: scalar))
        case "b", "B", "A", "z", "Z":
            if inClass {
                throw PatternError(message: "'\\\(scalar)' is not allowed in a character class")
            }
            switch scalar {
            case "b": return .assertion(.wordBoundary)
            case "B": return .assertion(.notWordBoundary)
            case "A": return .assertion(.inputStart)
            case "z": return .assertion(.inputEnd)
            default: return .assertion(.inputEndOrFinalLineBreak)  // "Z"
            }
        case "1"..."9", "k", "g":
            throw PatternError(message: "backreferences ('\\\(scalar)') are not supported")
        case "p", "P":
            throw PatternError(message: "Unicode property classes ('\\\(scalar){...}') are not supported")
        default:
            if scalar.value < 0x80, PatternShorthand.word.contains(scalar) {
                throw PatternError(message: "unknown escape '\\\(scalar)'")
            }
            return .scalar(scalar)  // `\.`, `\(`, `\\`, `\-`, ...: the character itself
        }
    }

    /// `\xHH`, `\x{H...}`, `\uHHHH` or `\u{H...}`, after the `x` or `u`.
    private mutating func hexScalar(after letter: Unicode.Scalar) throws(PatternError) -> Unicode.Scalar {
        let braced = peek == "{"
        if braced { position += 1 }
        let start = position
        let fixed = letter == "x" ? 2 : 4
        while let next = peek, next.properties.isASCIIHexDigit, braced || position - start < fixed {
            position += 1
        }
        let digits = String(String.UnicodeScalarView(scalars[start..<position]))
        let complete = braced ? !digits.isEmpty && digits.count <= 8 && peek == "}" : digits.count == fixed
        guard complete, let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) else {
            throw PatternError(
                message: "'\\\(letter)' needs \(fixed) hex digits or a scalar value in braces, as in '\\\(letter){41}'")
        }
        if braced { position += 1 }
        return scalar
    }

    /// The rest of a class after its `[`.
    private mutating func parseClass() throws(PatternError) -> PatternSet {
        var negated = false
        if peek == "^" {
            negated = true
            position += 1
        }
        var items: [PatternSet.Item] = []
        var first = true
        while true {
            guard let next = peek else { throw PatternError(message: "expected ']' to close the character class") }
            if next == "]", !first {
                position += 1
                break
            }
            first = false
            let low = try classAtom()
            guard peek == "-", let after = peek(at: 1), after != "]" else {
                switch low {
                case .scalar(let scalar): items.append(.range(scalar.value...scalar.value))
                case .shorthand(let shorthand, let negated): items.append(.shorthand(shorthand, negated: negated))
                }
                continue
            }
            position += 1  // "-"
            let high = try classAtom()
            guard case .scalar(let lower) = low, case .scalar(let upper) = high else {
                throw PatternError(message: "a range in a character class goes from one character to another")
            }
            guard lower <= upper else {
                throw PatternError(message: "the range '\(lower)-\(upper)' is backwards")
            }
            items.append(.range(lower.value...upper.value))
        }
        return PatternSet(items: items, negated: negated, caseless: flags.caseless)
    }

    /// One member of a class: a scalar or a shorthand.
    private enum ClassAtom {
        case scalar(Unicode.Scalar)
        case shorthand(PatternShorthand, negated: Bool)
    }

    private mutating func classAtom() throws(PatternError) -> ClassAtom {
        guard let scalar = peek else { throw PatternError(message: "expected ']' to close the character class") }
        switch scalar {
        case "\\":
            switch try escape(inClass: true) {
            case .scalar(let scalar): return .scalar(scalar)
            case .shorthand(let shorthand, let negated): return .shorthand(shorthand, negated: negated)
            case .assertion:
                // `escape(inClass: true)` refuses assertions; this is its message, should that change.
                throw PatternError(message: "an assertion is not allowed in a character class")
            }
        case "[":
            if peek(at: 1) == ":" {
                throw PatternError(message: "POSIX classes such as '[:alpha:]' are not supported")
            }
            throw PatternError(message: "'[' inside a character class: write '\\[' for a literal bracket")
        default:
            position += 1
            return .scalar(scalar)
        }
    }
}
