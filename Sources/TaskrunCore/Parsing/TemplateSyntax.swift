/// Checks the `{{ ... }}` templates in step text, without rendering them.
///
/// The executor renders step text as a mustache template, so everything that would fail there is
/// caught here with a position: a `{{` that is never closed, a `}}` that closes nothing, an empty
/// or malformed name, and sections (`{{#a}} ... {{/a}}`) that do not pair up.
package struct TemplateSyntax {
    package struct Problem: Sendable, Equatable {
        var message: String
        /// Offset of the problem in the checked text, in bytes.
        var offset: Int
        /// How much to underline, in the same unit as ``offset``.
        var length: Int
        var hint: String?
    }

    /// Every template problem in the UTF-8 `text`, in order; offsets and lengths count bytes.
    package static func check(utf8 text: UnsafeBufferPointer<UInt8>) -> [Problem] {
        var problems: [Problem] = []
        var sections: [(name: String, offset: Int, length: Int)] = []
        let count = text.count
        var index = 0

        let openBrace: UInt8 = 0x7B
        let closeBrace: UInt8 = 0x7D
        func isOpen(_ at: Int) -> Bool { at + 1 < count && text[at] == openBrace && text[at + 1] == openBrace }
        func isClose(_ at: Int) -> Bool { at + 1 < count && text[at] == closeBrace && text[at + 1] == closeBrace }

        while index < count {
            // Most bytes are neither brace: skipped sixteen at a time.
            index = nextBrace(in: text, from: index)
            guard index < count else { break }
            if isClose(index) {
                problems.append(
                    Problem(
                        message: "'}}' without a matching '{{'", offset: index, length: 2,
                        hint: "write '{{name}}'; for literal braces, separate them ('} }')"))
                index += 2
                continue
            }
            guard isOpen(index) else {
                index += 1
                continue
            }
            let open = index
            if let end = plainTagEnd(in: text, open: open) {
                // `{{input.ticker}}`, the usual tag: nothing to check.
                index = end
                continue
            }
            let triple = open + 2 < count && text[open + 2] == 0x7B
            let contentStart = open + (triple ? 3 : 2)
            // Find the closing braces; another '{{' first means this one was never closed.
            var close = contentStart
            var nestedOpen: Int?
            while close < count, !isClose(close) {
                if text[close] != 0x7B {
                    close += 1
                    continue
                }
                if isOpen(close) {
                    nestedOpen = close
                    break
                }
                close += 1
            }
            if let nestedOpen {
                problems.append(
                    Problem(
                        message: "'{{' is not closed before the next '{{'", offset: open, length: triple ? 3 : 2,
                        hint: "add '}}' to close the template"))
                index = nestedOpen
                continue
            }
            guard close < count else {
                problems.append(
                    Problem(
                        message: "unclosed template: '{{' without '}}'", offset: open, length: triple ? 3 : 2,
                        hint: "add '}}' to close the template"))
                break
            }
            var end = close + 2
            if triple {
                if end < count, text[end] == 0x7D {
                    end += 1
                } else {
                    problems.append(
                        Problem(
                            message: "'{{{' must be closed by '}}}'", offset: close, length: 2,
                            hint: "write '{{{name}}}' or '{{name}}'"))
                }
            }
            checkTag(
                text, from: contentStart, to: close, open: open, end: end, triple: triple, sections: &sections,
                problems: &problems)
            index = end
        }
        for section in sections.reversed() {
            problems.append(
                Problem(
                    message: "section '{{#\(section.name)}}' is never closed", offset: section.offset,
                    length: section.length, hint: "add '{{/\(section.name)}}' where the section ends"))
        }
        return problems.count > 1 ? problems.sorted { $0.offset < $1.offset } : problems
    }

    /// Where a plain tag opened at `open` ends: `{{` right followed by a dotted name (segments of
    /// letters, digits, `_` and `-`, joined by single dots) and `}}`. `nil` for any other tag,
    /// which ``checkTag`` then reads.
    static func plainTagEnd(in text: UnsafeBufferPointer<UInt8>, open: Int) -> Int? {
        var index = open + 2
        var segmentLength = 0
        while index < text.count {
            let byte = text[index]
            if isNameByte(byte) {
                segmentLength += 1
            } else if byte == 0x2E {
                guard segmentLength > 0 else { return nil }
                segmentLength = 0
            } else if byte == 0x7D {
                guard segmentLength > 0, index + 1 < text.count, text[index + 1] == 0x7D else { return nil }
                return index + 2
            } else {
                return nil
            }
            index += 1
        }
        return nil
    }

    /// Whether `byte` may be in a name's segment: an ASCII letter or digit, `_` or `-`. One bit test
    /// in a 128-bit table instead of five range checks: names are most of a tag's bytes.
    @inline(__always)
    static func isNameByte(_ byte: UInt8) -> Bool {
        // Bytes 0-63: '-' (45) and '0'...'9' (48-57). Bytes 64-127: 'A'...'Z' (65-90), '_' (95)
        // and 'a'...'z' (97-122), each at its value minus 64.
        let below64: UInt64 = 1 << 45 | 0x3FF << 48
        let from64: UInt64 = 0x3FF_FFFF << 1 | 1 << 31 | 0x3FF_FFFF << 33
        let table = byte < 64 ? below64 : from64
        return byte < 128 && (table >> UInt64(byte & 63)) & 1 != 0
    }

    /// The offset of the first `{` or `}` at or after `from`, or `text.count`.
    private static func nextBrace(in text: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        let count = text.count
        var index = from
        if let base = text.baseAddress {
            let raw = UnsafeRawPointer(base)
            let open = SIMD16<UInt8>(repeating: 0x7B)
            let close = SIMD16<UInt8>(repeating: 0x7D)
            let lanes = SIMD16<UInt8>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
            while index + 16 <= count {
                let bytes = raw.loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self)
                let braces = (bytes .== open) .| (bytes .== close)
                if any(braces) {
                    // The first brace's lane: the smallest lane number among the braces'.
                    return index + Int(SIMD16<UInt8>(repeating: 16).replacing(with: lanes, where: braces).min())
                }
                index += 16
            }
        }
        while index < count, text[index] != 0x7B, text[index] != 0x7D { index += 1 }
        return index
    }

    private static func checkTag(
        _ text: UnsafeBufferPointer<UInt8>, from: Int, to: Int, open: Int, end: Int, triple: Bool,
        sections: inout [(name: String, offset: Int, length: Int)], problems: inout [Problem]
    ) {
        var lower = from
        var upper = to
        while lower < upper, text[lower].isBlankByte { lower += 1 }
        while upper > lower, text[upper - 1].isBlankByte { upper -= 1 }
        let tagLength = end - open
        guard lower < upper else {
            problems.append(
                Problem(
                    message: "empty template name", offset: open, length: tagLength,
                    hint: "name a value, like '{{input.ticker}}'"))
            return
        }
        var sigil: Unicode.Scalar?
        if !triple, Self.isSigil(text[lower]) {
            sigil = Unicode.Scalar(text[lower])
            lower += 1
            while lower < upper, text[lower].isBlankByte { lower += 1 }
        }
        switch sigil {
        case "!":
            return  // a comment: anything goes
        case "=":
            problems.append(
                Problem(
                    message: "changing template delimiters is not supported", offset: open, length: tagLength,
                    hint: nil))
            return
        default:
            break
        }
        guard lower < upper else {
            problems.append(
                Problem(
                    message: "empty template name", offset: open, length: tagLength,
                    hint: "name a value, like '{{input.ticker}}'"))
            return
        }
        if let problem = pathProblem(text, from: lower, to: upper) {
            problems.append(problem)
            return
        }
        guard sigil == "#" || sigil == "^" || sigil == "/" else { return }
        let name = string(text, lower..<upper)
        switch sigil {
        case "#", "^":
            sections.append((name, open, tagLength))
        case "/":
            if let last = sections.last, last.name == name {
                sections.removeLast()
            } else if let last = sections.last {
                problems.append(
                    Problem(
                        message: "'{{/\(name)}}' closes section '\(last.name)', which is still open",
                        offset: open, length: tagLength,
                        hint: "close '{{#\(last.name)}}' with '{{/\(last.name)}}' first"))
            } else {
                problems.append(
                    Problem(
                        message: "'{{/\(name)}}' closes a section that was never opened", offset: open,
                        length: tagLength, hint: "open it with '{{#\(name)}}'"))
            }
        default:
            break
        }
    }

    private static func isSigil(_ byte: UInt8) -> Bool {
        switch Unicode.Scalar(byte) {
        case "#", "^", "/", "!", "&", ">", "=", "{": true
        default: false
        }
    }

    private static func string(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: text[range]), as: UTF8.self)
    }

    /// A dotted name: `.` alone, or segments of letters, digits, `_` and `-` joined by single dots.
    private static func pathProblem(_ text: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Problem? {
        if to - from == 1, text[from] == 0x2E { return nil }
        var segmentStart = from
        var index = from
        while index <= to {
            if index == to || text[index] == 0x2E {
                if index == segmentStart {
                    let name = string(text, from..<to)
                    return Problem(
                        message: "malformed template name '\(name)': empty path segment",
                        offset: index == to ? to - 1 : index,
                        length: 1, hint: "names are dotted paths, like 'input.ticker' or 'phases.analysis.status'")
                }
                segmentStart = index + 1
            } else {
                let byte = text[index]
                let isLetter = (byte | 0x20) >= 97 && (byte | 0x20) <= 122
                guard isLetter || (byte >= 48 && byte <= 57) || byte == 95 || byte == 45 else {
                    let name = string(text, from..<to)
                    // The whole scalar starting here (a name's bytes end on a scalar boundary).
                    var scalarEnd = index + 1
                    while scalarEnd < to, text[scalarEnd] & 0xC0 == 0x80 { scalarEnd += 1 }
                    let what = byte.isBlankByte ? "a space" : "'\(string(text, index..<scalarEnd))'"
                    return Problem(
                        message: "malformed template name '\(name)': unexpected \(what)", offset: index,
                        length: scalarEnd - index,
                        hint: "names are dotted paths, like 'input.ticker' or 'phases.analysis.status'")
                }
            }
            index += 1
        }
        return nil
    }
}
