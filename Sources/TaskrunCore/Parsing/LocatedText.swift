/// Text taken from a task file, with where each of its characters is in the file.
///
/// Built from the source lines of a paragraph (lines joined by `\n`), so that a problem found at
/// some offset in the text (a bad template, an expression error) is reported at the exact
/// line and column it was written at.
///
/// The text is UTF-8 bytes: usually a range of the document's own source string (shared, never
/// copied), otherwise a string of its own. Offsets (``count``, ``slice(_:)``, ``location(at:)``,
/// the subscript) count **bytes** from the text's start; ``location(at:)`` turns them into the
/// scalar columns diagnostics show, and ``location(atScalar:)`` takes the scalar offsets the
/// expression parser reports. Every place the parser splits text is an ASCII byte, so slices
/// always start and end on a scalar boundary.
struct LocatedText: Sendable {
    /// The whole text this one was sliced from; shared by every slice, never copied.
    private let base: String
    /// Where the byte `origin` of `base` is in the file.
    private let start: SourceLocation
    /// The byte offset in `base` that `start` locates: 0, or for text sliced straight out of the
    /// whole document's source, where its line starts to be read.
    private let origin: Int
    /// Where each later source line starts in `base` (a byte offset) and in the file (empty for
    /// one-line text).
    private let laterLines: [Segment]
    /// This text's byte bounds in `base`.
    private(set) var lower: Int
    private(set) var upper: Int

    struct Segment: Sendable {
        var offset: Int
        var location: SourceLocation
    }

    /// Text that is the bytes `range` of `base`, whose byte `range.lowerBound` is at `start`
    /// (and each later line where `laterLines` says, its offsets bytes of `base`): a view into a
    /// string shared with other texts, nothing copied.
    init(utf8 base: String, range: Range<Int>, start: SourceLocation, laterLines: [Segment] = []) {
        self.base = base
        self.start = start
        self.origin = range.lowerBound
        self.laterLines = laterLines
        self.lower = range.lowerBound
        self.upper = range.upperBound
    }

    /// A single-line text starting at `location`.
    init(_ text: some StringProtocol, at location: SourceLocation) {
        let string = String(text)
        self.init(utf8: string, range: 0..<string.utf8.count, start: location)
    }

    /// Calls `body` with the bytes of the whole `base`.
    @inline(__always)
    private func withBase<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = base.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(base.utf8).withUnsafeBufferPointer(body)
    }

    /// Calls `body` with this text's UTF-8 bytes.
    func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let lower = lower
        let upper = upper
        return withBase { body(UnsafeBufferPointer(rebasing: $0[lower..<upper])) }
    }

    /// The number of bytes.
    var count: Int { upper - lower }
    var isEmpty: Bool { upper == lower }
    /// The number of Unicode scalars: how many columns the text spans on one line.
    var scalarCount: Int {
        withUTF8 { bytes in
            var count = 0
            for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
            return count
        }
    }
    /// The text as a string: the shared string itself when the text is all of it.
    var text: String {
        if lower == 0, upper == base.utf8.count { return base }
        return withUTF8 { String(decoding: $0, as: UTF8.self) }
    }
    var first: Unicode.Scalar? { isEmpty ? nil : self[0] }
    var last: Unicode.Scalar? {
        guard !isEmpty else { return nil }
        return withBase { bytes in
            var index = upper - 1
            while index > lower, bytes[index] & 0xC0 == 0x80 { index -= 1 }
            return Self.scalar(in: bytes, at: index, limit: upper)
        }
    }

    /// The byte at `offset` (from this text's start).
    func byte(at offset: Int) -> UInt8 {
        withBase { $0[lower + offset] }
    }

    /// The scalar that starts at byte `offset` (from this text's start); U+FFFD inside a scalar.
    subscript(offset: Int) -> Unicode.Scalar {
        withBase { Self.scalar(in: $0, at: lower + offset, limit: upper) }
    }

    /// The scalar whose UTF-8 starts at `index` of `bytes` (valid UTF-8: `base` is a `String`).
    private static func scalar(in bytes: UnsafeBufferPointer<UInt8>, at index: Int, limit: Int) -> Unicode.Scalar {
        let lead = bytes[index]
        if lead < 0x80 { return Unicode.Scalar(lead) }
        guard lead >= 0xC0 else { return "\u{FFFD}" }
        let width = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        guard index + width <= limit else { return "\u{FFFD}" }
        var value = UInt32(lead) & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
        for next in 1..<width { value = value << 6 | UInt32(bytes[index + next] & 0x3F) }
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }

    /// The file position of the byte at `offset` (or just past the end for `offset == count`).
    func location(at offset: Int) -> SourceLocation {
        let absolute = lower + max(0, offset)
        let line = line(containing: absolute)
        return location(ofAbsolute: absolute, countingFrom: line.start, at: line.location)
    }

    /// The source line `absolute` (a byte offset in `base`) is on: where it starts to be read in
    /// `base`, where that is in the file, and its index in `laterLines` (`nil` for the first line).
    private func line(containing absolute: Int) -> (start: Int, location: SourceLocation, index: Int?) {
        guard let firstLater = laterLines.first, absolute >= firstLater.offset else { return (origin, start, nil) }
        // The last line starting at or before `absolute` (binary search: a paragraph may have many lines).
        var low = 0
        var high = laterLines.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if laterLines[middle].offset <= absolute { low = middle } else { high = middle - 1 }
        }
        return (laterLines[low].offset, laterLines[low].location, low)
    }

    /// The position of `absolute`, on the line of the byte `from` whose position is `location`:
    /// columns count scalars, the lead bytes in between.
    private func location(ofAbsolute absolute: Int, countingFrom from: Int, at location: SourceLocation)
        -> SourceLocation
    {
        let columns = withBase { bytes in
            let end = min(absolute, bytes.count)
            var count = 0
            var index = from
            while index < end {
                if bytes[index] & 0xC0 != 0x80 { count += 1 }
                index += 1
            }
            return count + max(0, absolute - max(end, from))
        }
        return SourceLocation(line: location.line, column: location.column + columns)
    }

    /// Where this text starts in `text`, which it was sliced from: a byte offset from its start.
    func offset(in text: LocatedText) -> Int { lower - text.lower }

    /// A ``Locator`` of this text's offsets.
    func locator() -> Locator { Locator(self) }

    /// Locates offsets of one text that mostly come in increasing order, each counted on from the
    /// one before on the same line: ``location(at:)`` counts from the line's start, which makes a
    /// loop over the many items of one long line quadratic.
    struct Locator {
        private let text: LocatedText
        /// The last byte located (in `text.base`), its line's index and its position.
        private var absolute: Int
        private var lineIndex: Int?
        private var position: SourceLocation

        fileprivate init(_ text: LocatedText) {
            self.text = text
            let line = text.line(containing: text.lower)
            absolute = line.start
            lineIndex = line.index
            position = line.location
        }

        /// ``LocatedText/location(at:)`` of `offset`.
        mutating func location(at offset: Int) -> SourceLocation {
            let target = text.lower + max(0, offset)
            let line = text.line(containing: target)
            if line.index != lineIndex || target < absolute {
                absolute = line.start
                lineIndex = line.index
                position = line.location
            }
            position = text.location(ofAbsolute: target, countingFrom: absolute, at: position)
            absolute = target
            return position
        }
    }

    /// The byte offset of the scalar `scalarOffset` scalars from the text's start (``count`` at or
    /// past the end): what an expression error's scalar offset is in this text.
    func byteOffset(ofScalar scalarOffset: Int) -> Int {
        guard scalarOffset > 0 else { return 0 }
        return withUTF8 { bytes in
            var seen = 0
            for index in bytes.indices where bytes[index] & 0xC0 != 0x80 {
                if seen == scalarOffset { return index }
                seen += 1
            }
            return bytes.count
        }
    }

    /// The file position of the scalar at `scalarOffset` (counted in scalars from the text's start).
    func location(atScalar scalarOffset: Int) -> SourceLocation {
        location(at: byteOffset(ofScalar: scalarOffset))
    }

    /// Where the text starts.
    var location: SourceLocation { location(at: 0) }

    /// How many columns a caret under the bytes `range` should span: up to the end of its first line.
    func caretLength(_ range: Range<Int>) -> Int {
        let from = max(0, min(range.lowerBound, count))
        let to = max(from, min(range.upperBound, count))
        return withUTF8 { bytes in
            var columns = 0
            var index = from
            while index < to, bytes[index] != 10 {
                if bytes[index] & 0xC0 != 0x80 { columns += 1 }
                index += 1
            }
            return max(1, columns)
        }
    }

    /// The part of the text in the bytes `range` (offsets from this text's start), keeping positions.
    func slice(_ range: Range<Int>) -> LocatedText {
        var copy = self
        copy.lower = lower + max(0, min(range.lowerBound, count))
        copy.upper = max(copy.lower, lower + max(0, min(range.upperBound, count)))
        return copy
    }

    /// The text without leading and trailing whitespace (spaces, tabs, newlines), keeping positions.
    func trimmed() -> LocatedText {
        var copy = self
        withBase { bytes in
            while copy.lower < copy.upper, bytes[copy.lower].isBlankByte { copy.lower += 1 }
            while copy.upper > copy.lower, bytes[copy.upper - 1].isBlankByte { copy.upper -= 1 }
        }
        return copy
    }

    /// The byte offset of the first occurrence of `needle` at or after byte `from`, if any.
    func firstIndex(of needle: [UInt8], from: Int = 0) -> Int? {
        guard let head = needle.first, needle.count <= count else { return nil }
        return withBase { bytes in
            var index = lower + max(0, from)
            let last = upper - needle.count
            while index <= last {
                if bytes[index] == head {
                    var matches = true
                    for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                        matches = false
                        break
                    }
                    if matches { return index - lower }
                }
                index += 1
            }
            return nil
        }
    }

    /// The byte offset of the first space, tab, newline or carriage return, if any.
    func firstBlankIndex() -> Int? {
        withUTF8 { bytes in bytes.firstIndex(where: \.isBlankByte) }
    }

    /// Whether the text has a space, tab or newline.
    var containsBlank: Bool { firstBlankIndex() != nil }
}

extension UInt8 {
    /// A space, tab, newline or carriage return.
    var isBlankByte: Bool { self == 32 || self == 9 || self == 10 || self == 13 }
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
