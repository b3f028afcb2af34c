/// Text taken from a task file, with where each of its characters is in the file.
///
/// Built from the source lines of a paragraph (lines joined by `\n`), so that a problem found at
/// some offset in the text (a bad template, an expression error) is reported at the exact
/// line and column it was written at.
struct LocatedText: Sendable {
    /// The scalars of the whole text this one was sliced from; shared by every slice, never copied.
    private let base: [Unicode.Scalar]
    /// Where `base[origin]` is in the file.
    private let start: SourceLocation
    /// The index in `base` that `start` locates: 0, or for text sliced straight out of the whole
    /// document's scalars, where its line starts to be read.
    private let origin: Int
    /// Where each later source line starts in `base` and in the file (empty for one-line text).
    private let laterLines: [Segment]
    /// This text's bounds in `base`.
    private(set) var lower: Int
    private(set) var upper: Int

    struct Segment: Sendable {
        var offset: Int
        var location: SourceLocation
    }

    /// Text whose first scalar is at `start`; `laterLines` says where each later line starts.
    init(scalars: [Unicode.Scalar], start: SourceLocation, laterLines: [Segment] = []) {
        self.base = scalars
        self.start = start
        self.origin = 0
        self.laterLines = laterLines
        self.lower = 0
        self.upper = scalars.count
    }

    /// Text that is `range` of `base`, whose scalar `range.lowerBound` is at `start` (and each
    /// later line where `laterLines` says, its offsets in `base`): a view into scalars shared with
    /// other texts, nothing copied.
    init(sharing base: [Unicode.Scalar], range: Range<Int>, start: SourceLocation, laterLines: [Segment] = []) {
        self.base = base
        self.start = start
        self.origin = range.lowerBound
        self.laterLines = laterLines
        self.lower = range.lowerBound
        self.upper = range.upperBound
    }

    /// A single-line text starting at `location`.
    init(_ text: some StringProtocol, at location: SourceLocation) {
        self.init(scalars: Array(text.unicodeScalars), start: location)
    }

    var count: Int { upper - lower }
    var isEmpty: Bool { upper == lower }
    var scalars: ArraySlice<Unicode.Scalar> { base[lower..<upper] }
    var text: String { String(scalars: base[lower..<upper]) }
    var first: Unicode.Scalar? { isEmpty ? nil : base[lower] }
    var last: Unicode.Scalar? { isEmpty ? nil : base[upper - 1] }

    /// The scalar at `offset` (from this text's start).
    subscript(offset: Int) -> Unicode.Scalar { base[lower + offset] }

    /// The file position of the scalar at `offset` (or just past the end for `offset == count`).
    func location(at offset: Int) -> SourceLocation {
        let absolute = lower + max(0, offset)
        guard let firstLater = laterLines.first, absolute >= firstLater.offset else {
            return SourceLocation(line: start.line, column: start.column + absolute - origin)
        }
        // The last line starting at or before `absolute` (binary search: a paragraph may have many lines).
        var low = 0
        var high = laterLines.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if laterLines[middle].offset <= absolute { low = middle } else { high = middle - 1 }
        }
        let segment = laterLines[low]
        return SourceLocation(line: segment.location.line, column: segment.location.column + absolute - segment.offset)
    }

    /// Where the text starts.
    var location: SourceLocation { location(at: 0) }

    /// How many columns a caret under `range` should span: up to the end of its first line.
    func caretLength(_ range: Range<Int>) -> Int {
        var end = range.lowerBound
        while end < range.upperBound, end < count, self[end] != "\n" { end += 1 }
        return max(1, end - range.lowerBound)
    }

    /// The part of the text in `range` (offsets from this text's start), keeping positions.
    func slice(_ range: Range<Int>) -> LocatedText {
        var copy = self
        copy.lower = lower + max(0, min(range.lowerBound, count))
        copy.upper = max(copy.lower, lower + max(0, min(range.upperBound, count)))
        return copy
    }

    /// The text without leading and trailing whitespace (spaces, tabs, newlines), keeping positions.
    func trimmed() -> LocatedText {
        var copy = self
        while copy.lower < copy.upper, base[copy.lower].isBlank { copy.lower += 1 }
        while copy.upper > copy.lower, base[copy.upper - 1].isBlank { copy.upper -= 1 }
        return copy
    }

    /// The offset of the first occurrence of `needle` at or after `from`, if any.
    func firstIndex(of needle: [Unicode.Scalar], from: Int = 0) -> Int? {
        guard let head = needle.first, needle.count <= count else { return nil }
        var index = lower + max(0, from)
        let last = upper - needle.count
        while index <= last {
            if base[index] == head {
                var matches = true
                for offset in 1..<needle.count where base[index + offset] != needle[offset] {
                    matches = false
                    break
                }
                if matches { return index - lower }
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

extension String {
    /// A string from Unicode scalars, encoded straight to UTF-8: much faster than appending
    /// them to a `UnicodeScalarView` one by one, which the parser would otherwise do for every
    /// piece of text it slices.
    init(scalars: some Collection<Unicode.Scalar>) {
        // Most text is ASCII: one pass writing a byte per scalar, and the general two passes
        // (count the bytes, then encode) only when a wider scalar turns up.
        let ascii: String? = scalars.withContiguousStorageIfAvailable { buffer in
            // Two branch-free loops the compiler vectorizes: are all scalars ASCII, then narrow them.
            var all: UInt32 = 0
            for scalar in buffer { all |= scalar.value }
            guard all < 0x80 else { return nil }
            return String(unsafeUninitializedCapacity: buffer.count) { bytes in
                for index in 0..<buffer.count { bytes[index] = UInt8(truncatingIfNeeded: buffer[index].value) }
                return buffer.count
            }
        }.flatMap { $0 }
        if let ascii {
            self = ascii
            return
        }
        var byteCount = 0
        for scalar in scalars {
            let value = scalar.value
            byteCount += value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x1_0000 ? 3 : 4
        }
        self.init(unsafeUninitializedCapacity: byteCount) { buffer in
            var index = 0
            for scalar in scalars {
                let value = scalar.value
                if value < 0x80 {
                    buffer[index] = UInt8(truncatingIfNeeded: value)
                    index += 1
                } else if value < 0x800 {
                    buffer[index] = UInt8(truncatingIfNeeded: 0xC0 | (value >> 6))
                    buffer[index + 1] = UInt8(truncatingIfNeeded: 0x80 | (value & 0x3F))
                    index += 2
                } else if value < 0x1_0000 {
                    buffer[index] = UInt8(truncatingIfNeeded: 0xE0 | (value >> 12))
                    buffer[index + 1] = UInt8(truncatingIfNeeded: 0x80 | ((value >> 6) & 0x3F))
                    buffer[index + 2] = UInt8(truncatingIfNeeded: 0x80 | (value & 0x3F))
                    index += 3
                } else {
                    buffer[index] = UInt8(truncatingIfNeeded: 0xF0 | (value >> 18))
                    buffer[index + 1] = UInt8(truncatingIfNeeded: 0x80 | ((value >> 12) & 0x3F))
                    buffer[index + 2] = UInt8(truncatingIfNeeded: 0x80 | ((value >> 6) & 0x3F))
                    buffer[index + 3] = UInt8(truncatingIfNeeded: 0x80 | (value & 0x3F))
                    index += 4
                }
            }
            return index
        }
    }
}

extension String {
    /// The number of Unicode scalars (what a caret under the text spans): its UTF-8 lead bytes,
    /// counted on contiguous bytes instead of decoding the scalars one by one.
    var scalarCount: Int {
        var text = self
        return text.withUTF8 { bytes in
            var count = 0
            for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
            return count
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks. Works on UTF-8 bytes
    /// (blanks are ASCII), so it is cheap on the parser's hot paths, and returns the string
    /// itself when there is nothing to trim.
    func trimmingBlanks() -> String {
        let bounds = utf8.withContiguousStorageIfAvailable { bytes -> (Int, Int) in
            func isBlank(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }
            var lower = 0
            var upper = bytes.count
            while lower < upper, isBlank(bytes[lower]) { lower += 1 }
            while upper > lower, isBlank(bytes[upper - 1]) { upper -= 1 }
            return (lower, upper)
        }
        guard let (lower, upper) = bounds else { return String(self).trimmingWhitespace() }
        if lower == 0, upper == utf8.count, let whole = self as? String { return whole }
        let from = utf8.index(utf8.startIndex, offsetBy: lower)
        let to = utf8.index(utf8.startIndex, offsetBy: upper)
        return String(self[from..<to])
    }
}
