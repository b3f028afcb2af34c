/// Text taken from a task file, with where each of its characters is in the file.
///
/// Built from the source lines of a paragraph (lines joined by `\n`), so that a problem found at
/// some offset in the text (a bad template, an expression error) is reported at the exact
/// line and column it was written at.
struct LocatedText: Sendable {
    /// The text as Unicode scalars; offsets everywhere count these.
    var scalars: [Unicode.Scalar]
    /// Where each source segment (one per line) starts in `scalars` and in the file, by offset.
    var segments: [Segment]

    struct Segment: Sendable {
        var offset: Int
        var location: SourceLocation
    }

    init(scalars: [Unicode.Scalar], segments: [Segment]) {
        self.scalars = scalars
        self.segments = segments
    }

    /// A single-line text starting at `location`.
    init(_ text: some StringProtocol, at location: SourceLocation) {
        self.scalars = Array(text.unicodeScalars)
        self.segments = [Segment(offset: 0, location: location)]
    }

    var count: Int { scalars.count }
    var isEmpty: Bool { scalars.isEmpty }
    var text: String { String(String.UnicodeScalarView(scalars)) }

    /// The file position of the scalar at `offset` (or just past the end for `offset == count`).
    func location(at offset: Int) -> SourceLocation {
        guard var segment = segments.first else { return .start }
        // Segments are few (one per line) and usually one; a linear scan is the fast path.
        for candidate in segments.dropFirst() {
            if candidate.offset > offset { break }
            segment = candidate
        }
        return SourceLocation(
            line: segment.location.line, column: segment.location.column + max(0, offset - segment.offset))
    }

    /// Where the text starts.
    var location: SourceLocation { location(at: 0) }

    /// How many columns a caret under `range` should span: up to the end of its first line.
    func caretLength(_ range: Range<Int>) -> Int {
        var end = range.lowerBound
        while end < range.upperBound, end < scalars.count, scalars[end] != "\n" { end += 1 }
        return max(1, end - range.lowerBound)
    }

    /// The part of the text in `range`, keeping positions.
    func slice(_ range: Range<Int>) -> LocatedText {
        let lower = max(0, min(range.lowerBound, scalars.count))
        let upper = max(lower, min(range.upperBound, scalars.count))
        var newSegments = [Segment(offset: 0, location: location(at: lower))]
        for segment in segments where segment.offset > lower && segment.offset < upper {
            newSegments.append(Segment(offset: segment.offset - lower, location: segment.location))
        }
        return LocatedText(scalars: Array(scalars[lower..<upper]), segments: newSegments)
    }

    /// The text without leading and trailing whitespace (spaces, tabs, newlines), keeping positions.
    func trimmed() -> LocatedText {
        var lower = 0
        var upper = scalars.count
        while lower < upper, scalars[lower].isBlank { lower += 1 }
        while upper > lower, scalars[upper - 1].isBlank { upper -= 1 }
        if lower == 0, upper == scalars.count { return self }
        return slice(lower..<upper)
    }

    /// The offset of the first occurrence of `needle` at or after `from`, if any.
    func firstIndex(of needle: [Unicode.Scalar], from: Int = 0) -> Int? {
        guard !needle.isEmpty, needle.count <= scalars.count else { return nil }
        var index = max(0, from)
        let last = scalars.count - needle.count
        while index <= last {
            if scalars[index] == needle[0] {
                var matches = true
                for offset in 1..<needle.count where scalars[index + offset] != needle[offset] {
                    matches = false
                    break
                }
                if matches { return index }
            }
            index += 1
        }
        return nil
    }

    /// Whether the text has a space, tab or newline.
    var containsBlank: Bool { scalars.contains { $0.isBlank } }
}

extension Unicode.Scalar {
    /// A space, tab, newline or carriage return.
    var isBlank: Bool { self == " " || self == "\t" || self == "\n" || self == "\r" }

    var isASCIIDigit: Bool { value >= 48 && value <= 57 }
    var isASCIILowercase: Bool { value >= 97 && value <= 122 }
    var isASCIIUppercase: Bool { value >= 65 && value <= 90 }
    var isASCIILetter: Bool { isASCIILowercase || isASCIIUppercase }
}
