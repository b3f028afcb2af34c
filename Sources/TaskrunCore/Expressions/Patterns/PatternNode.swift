/// A parsed regular expression of `matches()`'s dialect (see `Docs/task-format.md`, "Regular
/// expressions"), before it is compiled into a ``PatternProgram``.
///
/// Case-insensitivity and the other flags are resolved while parsing: each node carries what it
/// needs, so the compiler and the matcher never track flags.
indirect enum PatternNode: Sendable {
    /// Matches the empty string: an empty pattern, group or alternative.
    case empty
    /// One scalar; `caseless` nodes hold the scalar's case fold.
    case scalar(Unicode.Scalar, caseless: Bool)
    case set(PatternSet)
    /// `.`: any scalar, or any but a line break (`\n`) without the `s` flag.
    case any(matchesLineBreaks: Bool)
    case assertion(PatternAssertion)
    case sequence([PatternNode])
    case alternation([PatternNode])
    /// `node{min,max}`; `max` is `nil` for no upper bound (`*`, `+`, `{2,}`).
    case repetition(PatternNode, min: Int, max: Int?)

    /// Whether every match must start at the beginning of the input (`^...` without the `m`
    /// flag, `\A...`), so the matcher need not try any later start.
    var isAnchoredAtStart: Bool {
        switch self {
        case .assertion(.inputStart): true
        case .sequence(let nodes): nodes.first?.isAnchoredAtStart ?? false
        case .alternation(let branches): branches.allSatisfy(\.isAnchoredAtStart)
        default: false
        }
    }
}

/// A zero-width test at a place between two scalars.
enum PatternAssertion: Sendable, Equatable {
    /// `\A`, and `^` without the `m` flag.
    case inputStart
    /// `\z`, and `$` without the `m` flag.
    case inputEnd
    /// `\Z`: the end, or just before a line break that ends the input.
    case inputEndOrFinalLineBreak
    /// `^` with the `m` flag: the start, or just after a line break.
    case lineStart
    /// `$` with the `m` flag: the end, or just before a line break.
    case lineEnd
    /// `\b`.
    case wordBoundary
    /// `\B`.
    case notWordBoundary

    /// Whether the assertion holds between `previous` and `next` (`nil`: the input's start or end).
    /// `isFinalLineBreak` tells whether `next` is a line break that ends the input.
    func holds(previous: Unicode.Scalar?, next: Unicode.Scalar?, isFinalLineBreak: Bool) -> Bool {
        switch self {
        case .inputStart: previous == nil
        case .inputEnd: next == nil
        case .inputEndOrFinalLineBreak: next == nil || isFinalLineBreak
        case .lineStart: previous == nil || previous == "\n"
        case .lineEnd: next == nil || next == "\n"
        case .wordBoundary: PatternShorthand.word.contains(previous) != PatternShorthand.word.contains(next)
        case .notWordBoundary: PatternShorthand.word.contains(previous) == PatternShorthand.word.contains(next)
        }
    }
}

/// `\d`, `\w` and `\s`, by Unicode properties (with an ASCII fast path).
enum PatternShorthand: Sendable, Equatable {
    /// `\d`: a decimal digit of any script.
    case digit
    /// `\w`: a letter, a mark, a decimal digit or a connector such as `_`.
    case word
    /// `\s`: white space, line breaks included.
    case space

    /// Whether `scalar` belongs to the class; `nil` (past either end of the input) never does.
    func contains(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        let value = scalar.value
        if value < 0x80 {
            switch self {
            case .digit: return value &- 0x30 < 10
            case .word: return value &- 0x30 < 10 || (value | 0x20) &- 0x61 < 26 || value == 0x5F
            case .space: return value == 0x20 || value &- 0x09 < 5
            }
        }
        let properties = scalar.properties
        switch self {
        case .digit: return properties.generalCategory == .decimalNumber
        case .word:
            switch properties.generalCategory {
            case .decimalNumber, .nonspacingMark, .spacingMark, .enclosingMark, .connectorPunctuation: return true
            default: return properties.isAlphabetic
            }
        case .space: return properties.isWhitespace
        }
    }
}

/// A character class: `[a-z_]`, `[^,\s]`, or a shorthand such as `\d` on its own.
struct PatternSet: Sendable {
    enum Item: Sendable {
        case range(ClosedRange<UInt32>)
        case shorthand(PatternShorthand, negated: Bool)
    }

    let items: [Item]
    let negated: Bool
    let caseless: Bool
    /// Membership of the 128 ASCII scalars, worked out once: bit `n` of `asciiLow` is scalar `n`,
    /// bit `n` of `asciiHigh` is scalar `64 + n`.
    private let asciiLow: UInt64
    private let asciiHigh: UInt64

    init(items: [Item], negated: Bool, caseless: Bool) {
        self.items = items
        self.negated = negated
        self.caseless = caseless
        var low: UInt64 = 0
        var high: UInt64 = 0
        for value in UInt32(0)..<0x80 {
            // Every ASCII scalar is valid.
            guard let scalar = Unicode.Scalar(value),
                Self.matches(scalar, items: items, negated: negated, caseless: caseless)
            else { continue }
            if value < 64 { low |= 1 << UInt64(value) } else { high |= 1 << UInt64(value - 64) }
        }
        asciiLow = low
        asciiHigh = high
    }

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 64 { return asciiLow & (1 << UInt64(value)) != 0 }
        if value < 128 { return asciiHigh & (1 << UInt64(value - 64)) != 0 }
        return Self.matches(scalar, items: items, negated: negated, caseless: caseless)
    }

    private static func matches(_ scalar: Unicode.Scalar, items: [Item], negated: Bool, caseless: Bool) -> Bool {
        var found = contains(scalar, items: items)
        if !found, caseless {
            found = PatternCase.variants(of: scalar).contains { contains($0, items: items) }
        }
        return found != negated
    }

    private static func contains(_ scalar: Unicode.Scalar, items: [Item]) -> Bool {
        items.contains { item in
            switch item {
            case .range(let range): range.contains(scalar.value)
            case .shorthand(let shorthand, let negated): shorthand.contains(scalar) != negated
            }
        }
    }
}

/// Simple (one scalar to one scalar) case mapping, as case-insensitive matching uses it.
enum PatternCase {
    /// The scalar's lowercase form, when that is one scalar; otherwise the scalar itself.
    static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let value = scalar.value
        if value < 0x80 { return value &- 0x41 < 26 ? Unicode.Scalar(UInt8(value | 0x20)) : scalar }
        return single(scalar.properties.lowercaseMapping) ?? scalar
    }

    /// The scalar's other cases (lowercase, uppercase, titlecase) that are one scalar each.
    static func variants(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        let value = scalar.value
        if value < 0x80 {
            guard (value | 0x20) &- 0x61 < 26 else { return [] }
            return [Unicode.Scalar(UInt8(value ^ 0x20))]
        }
        let properties = scalar.properties
        return [properties.lowercaseMapping, properties.uppercaseMapping, properties.titlecaseMapping]
            .compactMap(single).filter { $0 != scalar }
    }

    private static func single(_ text: String) -> Unicode.Scalar? {
        var scalars = text.unicodeScalars.makeIterator()
        guard let first = scalars.next(), scalars.next() == nil else { return nil }
        return first
    }
}
