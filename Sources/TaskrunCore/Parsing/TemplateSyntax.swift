/// Checks the `{{ ... }}` templates in step text, without rendering them.
///
/// The executor renders step text as a mustache template, so everything that would fail there is
/// caught here with a position: a `{{` that is never closed, a `}}` that closes nothing, an empty
/// or malformed name, and sections (`{{#a}} ... {{/a}}`) that do not pair up.
struct TemplateSyntax {
    struct Problem: Sendable, Equatable {
        var message: String
        /// Offset of the problem in the checked text, in scalars.
        var offset: Int
        /// How many scalars to underline.
        var length: Int
        var hint: String?
    }

    /// Every template problem in `text`, in order; offsets count from the text's start.
    static func check(_ text: ArraySlice<Unicode.Scalar>) -> [Problem] {
        text.withContiguousStorageIfAvailable { check(buffer: $0) }
            ?? Array(text).withUnsafeBufferPointer { check(buffer: $0) }
    }

    static func check(_ text: [Unicode.Scalar]) -> [Problem] {
        check(text[...])
    }

    private static func check(buffer text: UnsafeBufferPointer<Unicode.Scalar>) -> [Problem] {
        var problems: [Problem] = []
        var sections: [(name: String, offset: Int, length: Int)] = []
        let count = text.count
        var index = 0

        func isOpen(_ at: Int) -> Bool { at + 1 < count && text[at] == "{" && text[at + 1] == "{" }
        func isClose(_ at: Int) -> Bool { at + 1 < count && text[at] == "}" && text[at + 1] == "}" }

        while index < count {
            // Most scalars are neither brace: skipped eight at a time.
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
            let triple = open + 2 < count && text[open + 2] == "{"
            let contentStart = open + (triple ? 3 : 2)
            // Find the closing braces; another '{{' first means this one was never closed.
            var close = contentStart
            var nestedOpen: Int?
            while close < count, !isClose(close) {
                if text[close] != "{" {
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
                if end < count, text[end] == "}" {
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
        return problems.sorted { $0.offset < $1.offset }
    }

    /// The offset of the first `{` or `}` at or after `from`, or `text.count`.
    private static func nextBrace(in text: UnsafeBufferPointer<Unicode.Scalar>, from: Int) -> Int {
        let count = text.count
        var index = from
        if let base = text.baseAddress {
            let raw = UnsafeRawPointer(base)
            let open = SIMD8<UInt32>(repeating: 0x7B)
            let close = SIMD8<UInt32>(repeating: 0x7D)
            while index + 8 <= count {
                let words = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<UInt32>.self)
                if any((words .== open) .| (words .== close)) { break }
                index += 8
            }
        }
        while index < count, text[index] != "{", text[index] != "}" { index += 1 }
        return index
    }

    private static func checkTag(
        _ text: UnsafeBufferPointer<Unicode.Scalar>, from: Int, to: Int, open: Int, end: Int, triple: Bool,
        sections: inout [(name: String, offset: Int, length: Int)], problems: inout [Problem]
    ) {
        var lower = from
        var upper = to
        while lower < upper, text[lower].isBlank { lower += 1 }
        while upper > lower, text[upper - 1].isBlank { upper -= 1 }
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
            sigil = text[lower]
            lower += 1
            while lower < upper, text[lower].isBlank { lower += 1 }
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
        let name = String(scalars: text[lower..<upper])
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

    private static func isSigil(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "#", "^", "/", "!", "&", ">", "=", "{": true
        default: false
        }
    }

    /// A dotted name: `.` alone, or segments of letters, digits, `_` and `-` joined by single dots.
    private static func pathProblem(_ text: UnsafeBufferPointer<Unicode.Scalar>, from: Int, to: Int) -> Problem? {
        if to - from == 1, text[from] == "." { return nil }
        var segmentStart = from
        var index = from
        while index <= to {
            if index == to || text[index] == "." {
                if index == segmentStart {
                    let name = String(scalars: text[from..<to])
                    return Problem(
                        message: "malformed template name '\(name)': empty path segment",
                        offset: index == to ? to - 1 : index,
                        length: 1, hint: "names are dotted paths, like 'input.ticker' or 'phases.analysis.status'")
                }
                segmentStart = index + 1
            } else {
                let scalar = text[index]
                guard scalar.isASCIILetter || scalar.isASCIIDigit || scalar == "_" || scalar == "-" else {
                    let name = String(scalars: text[from..<to])
                    let what = scalar.isBlank ? "a space" : "'\(scalar)'"
                    return Problem(
                        message: "malformed template name '\(name)': unexpected \(what)", offset: index, length: 1,
                        hint: "names are dotted paths, like 'input.ticker' or 'phases.analysis.status'")
                }
            }
            index += 1
        }
        return nil
    }
}
