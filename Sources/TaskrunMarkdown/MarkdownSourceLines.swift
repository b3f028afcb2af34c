#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The lines of a markdown source, for slicing it by position.
///
/// Lines end at `\n`, `\r\n` or a lone `\r`, as in CommonMark. Line numbers are 1-based.
public struct MarkdownSourceLines: Sendable {
    /// The whole source.
    public let source: String
    /// The UTF-8 offset where each line starts.
    @usableFromInline
    let starts: [Int]
    /// The UTF-8 offset where each line's text ends (before its line terminator).
    @usableFromInline
    let ends: [Int]
    /// Whether each line is all ASCII, where byte and scalar columns agree; empty when
    /// ``allASCII`` (the usual source: no array to build or read).
    @usableFromInline
    let ascii: [Bool]
    /// Whether the whole source is ASCII without a carriage return: every line is ASCII.
    @usableFromInline
    let allASCII: Bool

    public init(_ source: String) {
        self.source = source
        // (A struct, not a tuple, and no `??`: the Swift 6.3 optimizer crashes on that shape.)
        let table: LineTable
        if let contiguous = source.utf8.withContiguousStorageIfAvailable({ Self.scan($0) }) {
            table = contiguous
        } else {
            table = Array(source.utf8).withUnsafeBufferPointer { Self.scan($0) }
        }
        self.starts = table.starts
        self.ends = table.ends
        self.ascii = table.ascii
        self.allASCII = table.allASCII
    }

    /// Whether line `index + 1` (a 0-based index in range) is all ASCII.
    @inlinable
    func isASCII(index: Int) -> Bool {
        allASCII || ascii[index]
    }

    /// One pass over the bytes: where every line starts and ends, and whether it is ASCII.
    /// Whether `count` bytes at `pointer` are all ASCII, eight at a time.
    private static func isASCII(_ pointer: UnsafePointer<UInt8>, count: Int) -> Bool {
        var index = 0
        var seen: UInt64 = 0
        let raw = UnsafeRawPointer(pointer)
        while index + 8 <= count {
            seen |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        var tail: UInt8 = 0
        while index < count {
            tail |= pointer[index]
            index += 1
        }
        return seen & 0x8080_8080_8080_8080 == 0 && tail < 0x80
    }

    /// Whether `count` bytes at `pointer` are all ASCII, and whether they hold a carriage return.
    private static func scanLine(_ pointer: UnsafePointer<UInt8>, count: Int) -> (ascii: Bool, carriageReturn: Bool) {
        var index = 0
        var seen: UInt64 = 0
        var carriage: UInt64 = 0
        let raw = UnsafeRawPointer(pointer)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            seen |= word
            // A zero byte in `word ^ 0x0D0D…` is a carriage return (the classic has-zero-byte test;
            // exact when no byte has its high bit set, and any high bit already makes the line
            // non-ASCII, where the precise memchr decides).
            let folded = word ^ (ones &* 13)
            carriage |= (folded &- ones) & ~folded & highs
            index += 8
        }
        var tail: UInt8 = 0
        var tailCarriage = false
        while index < count {
            tail |= pointer[index]
            tailCarriage = tailCarriage || pointer[index] == 13
            index += 1
        }
        let ascii = seen & highs == 0 && tail < 0x80
        return (ascii, carriage != 0 || tailCarriage || !ascii)
    }

    private struct LineTable {
        var starts: [Int]
        var ends: [Int]
        var ascii: [Bool]
        var allASCII = false
    }

    /// The line table of a source that is all ASCII without a carriage return (one pass over the
    /// whole source says so): only line feeds end lines, found by memchr, and no per-line flags.
    private static func scanPlainASCII(_ base: UnsafePointer<UInt8>, count: Int) -> LineTable {
        let estimate = count / 40 + 2
        var starts: [Int] = []
        var ends: [Int] = []
        starts.reserveCapacity(estimate)
        ends.reserveCapacity(estimate)
        var offset = 0
        while true {
            starts.append(offset)
            guard let found = memchr(base + offset, 10, count - offset) else {
                ends.append(count)
                break
            }
            let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            ends.append(end)
            offset = end + 1
            if offset == count {
                starts.append(offset)
                ends.append(offset)
                break
            }
        }
        return LineTable(starts: starts, ends: ends, ascii: [], allASCII: true)
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> LineTable {
        // About one line per 40 bytes in task files.
        let estimate = bytes.count / 40 + 2
        var starts: [Int] = []
        var ends: [Int] = []
        var ascii: [Bool] = []
        starts.reserveCapacity(estimate)
        ends.reserveCapacity(estimate)
        ascii.reserveCapacity(estimate)
        let count = bytes.count
        guard let base = bytes.baseAddress, count > 0 else {
            return LineTable(starts: [0], ends: [0], ascii: [], allASCII: true)
        }
        // memchr (vectorized) for a carriage return, a word-at-a-time loop for non-ASCII bytes.
        if memchr(base, 13, count) == nil, Self.isASCII(base, count: count) {
            return scanPlainASCII(base, count: count)
        }
        var offset = 0
        while true {
            starts.append(offset)
            // memchr finds the line feed (vectorized); a carriage return can only end the line
            // earlier, and one pass over the line (8 bytes at a time) looks for one and for
            // non-ASCII bytes together.
            var end = count
            if let found = memchr(base + offset, 10, count - offset) {
                end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            var (isASCII, hasCarriageReturn) = Self.scanLine(base + offset, count: end - offset)
            if hasCarriageReturn, let carriageReturn = memchr(base + offset, 13, end - offset) {
                end = base.distance(to: carriageReturn.assumingMemoryBound(to: UInt8.self))
                isASCII = Self.isASCII(base + offset, count: end - offset)
            }
            ends.append(end)
            ascii.append(isASCII)
            guard end < count else { break }
            offset = end + 1
            if bytes[end] == 13, offset < count, bytes[offset] == 10 { offset += 1 }
            if offset == count {
                starts.append(offset)
                ends.append(offset)
                ascii.append(true)
                break
            }
        }
        return LineTable(starts: starts, ends: ends, ascii: ascii)
    }

    /// The Unicode scalars of `line` from scalar column `column` to the end of the line: what the
    /// parser slices text from. Empty for a line out of range.
    public func scalars(ofLine line: Int, fromColumn column: Int) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        appendScalars(ofLine: line, fromColumn: column, to: &scalars)
        return scalars
    }

    /// Appends the Unicode scalars of `line` from scalar column `column` to `scalars`: the same as
    /// ``scalars(ofLine:fromColumn:)`` without an array of its own.
    public func appendScalars(ofLine line: Int, fromColumn column: Int, to scalars: inout [Unicode.Scalar]) {
        guard line >= 1, line <= starts.count else { return }
        let start = starts[line - 1]
        let end = ends[line - 1]
        let skip = max(0, column - 1)
        if isASCII(index: line - 1) {
            guard start + skip < end else { return }
            let done: Bool? = source.utf8.withContiguousStorageIfAvailable { bytes in
                scalars.reserveCapacity(scalars.count + end - start - skip)
                for offset in (start + skip)..<end { scalars.append(Unicode.Scalar(bytes[offset])) }
                return true
            }
            if done != nil { return }
        }
        scalars += text(ofLine: line).unicodeScalars.dropFirst(skip)
    }

    /// Writes the Unicode scalars of `line` from scalar column `column` to the end of the line
    /// into `buffer` at `index`, and returns how many it wrote: the same scalars as
    /// ``appendScalars(ofLine:fromColumn:to:)``, for a caller that builds its array in place.
    /// `buffer` must have room for ``byteCount(ofLine:)`` scalars from `index`.
    package func writeScalars(
        ofLine line: Int, fromColumn column: Int, into buffer: UnsafeMutableBufferPointer<Unicode.Scalar>, at index: Int
    ) -> Int {
        guard line >= 1, line <= starts.count else { return 0 }
        let start = starts[line - 1]
        let end = ends[line - 1]
        let skip = max(0, column - 1)
        if isASCII(index: line - 1) {
            guard start + skip < end else { return 0 }
            let written: Int? = source.utf8.withContiguousStorageIfAvailable { bytes in
                let from = start + skip
                let count = end - from
                guard let source = bytes.baseAddress, let target = buffer.baseAddress else { return 0 }
                // Widened sixteen bytes at a time (an ASCII scalar is its byte's value as a UInt32);
                // byte by byte, this copy was the parser's largest single cost on step text.
                let input = UnsafeRawPointer(source + from)
                let output = UnsafeMutableRawPointer(target + index)
                var offset = 0
                while offset + 16 <= count {
                    let bytes = input.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
                    output.storeBytes(
                        of: SIMD16<UInt32>(truncatingIfNeeded: bytes), toByteOffset: offset * 4, as: SIMD16<UInt32>.self
                    )
                    offset += 16
                }
                while offset < count {
                    target[index + offset] = Unicode.Scalar(source[from + offset])
                    offset += 1
                }
                return count
            }
            if let written { return written }
        }
        var count = 0
        for scalar in text(ofLine: line).unicodeScalars.dropFirst(skip) {
            buffer[index + count] = scalar
            count += 1
        }
        return count
    }

    /// Whether `line` (in range) is all ASCII, where byte offsets and scalar offsets agree.
    @inlinable
    package func isASCII(line: Int) -> Bool {
        line >= 1 && line <= starts.count && isASCII(index: line - 1)
    }

    /// The UTF-8 offsets of `line`'s text in the source, without its terminator (empty out of range).
    @inlinable
    package func byteRange(ofLine line: Int) -> Range<Int> {
        guard line >= 1, line <= starts.count else { return 0..<0 }
        return starts[line - 1]..<ends[line - 1]
    }

    /// The source's bytes `range` (clamped to the source) as Unicode scalars of the same values:
    /// on an ASCII line (see ``isASCII(line:)``), the line's scalars at its byte offsets (less
    /// `range.lowerBound`), so that text on such lines can be sliced out of one array instead of
    /// each piece being converted on its own.
    package func widenedBytes(_ range: Range<Int>) -> [Unicode.Scalar] {
        let total = source.utf8.count
        let lower = min(max(0, range.lowerBound), total)
        let count = min(max(lower, range.upperBound), total) - lower
        let widened: [Unicode.Scalar]? = source.utf8.withContiguousStorageIfAvailable { bytes in
            [Unicode.Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
                guard let base = bytes.baseAddress, let target = buffer.baseAddress else { return }
                let input = base + lower
                let output = UnsafeMutableRawPointer(target)
                var offset = 0
                while offset + 16 <= count {
                    let chunk = UnsafeRawPointer(input).loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
                    let wide = SIMD16<UInt32>(truncatingIfNeeded: chunk)
                    output.storeBytes(of: wide, toByteOffset: offset * 4, as: SIMD16<UInt32>.self)
                    offset += 16
                }
                while offset < count {
                    target[offset] = Unicode.Scalar(input[offset])
                    offset += 1
                }
                initialized = count
            }
        }
        return widened ?? source.utf8.dropFirst(lower).prefix(count).map { Unicode.Scalar($0) }
    }

    /// The length of `line` in bytes, without its terminator: an upper bound of its scalar count.
    @inlinable
    public func byteCount(ofLine line: Int) -> Int {
        guard line >= 1, line <= starts.count else { return 0 }
        return ends[line - 1] - starts[line - 1]
    }

    /// Whether `line` holds nothing but spaces and tabs (or nothing); `true` for a line out of range.
    package func isBlank(line: Int) -> Bool {
        guard line >= 1, line <= starts.count else { return true }
        let range = starts[line - 1]..<ends[line - 1]
        let blank: Bool? = source.utf8.withContiguousStorageIfAvailable { bytes in
            bytes[range].allSatisfy { $0 == 32 || $0 == 9 }
        }
        return blank ?? text(ofLine: line).utf8.allSatisfy { $0 == 32 || $0 == 9 }
    }

    /// Lines `lines` (in range) joined with `\n`, each without its terminator. When every
    /// terminator in between is a plain `\n` this is one slice of the source, copied once.
    package func text(ofLines lines: Range<Int>) -> String {
        guard lines.lowerBound >= 1, lines.upperBound <= starts.count + 1, !lines.isEmpty else { return "" }
        let from = starts[lines.lowerBound - 1]
        let to = ends[lines.upperBound - 2]
        let contiguous: String?? = source.utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress, from < to else { return from < to ? nil : "" }
            guard memchr(base + from, 13, to - from) == nil else { return nil }
            return String(decoding: UnsafeBufferPointer(start: base + from, count: to - from), as: UTF8.self)
        }
        if let contiguous, let text = contiguous { return text }
        var text = ""
        for line in lines {
            if line > lines.lowerBound { text += "\n" }
            text += self.text(ofLine: line)
        }
        return text
    }

    /// The number of lines (a source ending in a newline has an empty last line).
    @inlinable
    public var count: Int { starts.count }

    /// The text of line `line` without its terminator; empty for a line out of range.
    public func text(ofLine line: Int) -> Substring {
        guard line >= 1, line <= starts.count else { return source[source.endIndex...] }
        let utf8 = source.utf8
        let from = utf8.index(utf8.startIndex, offsetBy: starts[line - 1])
        let to = utf8.index(utf8.startIndex, offsetBy: ends[line - 1])
        return source[from..<to]
    }

    /// The Unicode-scalar column of the character at 1-based byte column `byteColumn` of `line`
    /// (a byte inside a multi-byte character maps to that character).
    public func scalarColumn(line: Int, byteColumn: Int) -> Int {
        guard line >= 1, line <= starts.count, byteColumn > 0 else { return byteColumn }
        if isASCII(index: line - 1) { return byteColumn }
        let start = starts[line - 1]
        let limit = min(start + byteColumn, ends[line - 1])
        return countScalarStarts(from: start, to: limit) + max(0, start + byteColumn - limit)
    }

    /// The number of characters (UTF-8 lead bytes) in `source`'s bytes `from..<to`.
    func countScalarStarts(from: Int, to: Int) -> Int {
        guard from < to else { return 0 }
        let utf8 = source.utf8
        var count = 0
        var index = utf8.index(utf8.startIndex, offsetBy: from)
        for _ in from..<to {
            if utf8[index] & 0xC0 != 0x80 { count += 1 }
            index = utf8.index(after: index)
        }
        return count
    }

    /// The column of the first character of `line` that is not a space, tab or `>`: where a
    /// paragraph's continuation line starts once its container prefix (indentation, block quote
    /// markers) is skipped. The prefix is ASCII, so this is both a byte and a scalar column.
    public func contentStartColumn(line: Int) -> Int? {
        contentStartByteColumn(line: line)
    }

    func contentStartByteColumn(line: Int) -> Int? {
        guard line >= 1, line <= starts.count else { return nil }
        let start = starts[line - 1]
        let end = ends[line - 1]
        let contiguous: Int?? = source.utf8.withContiguousStorageIfAvailable { bytes in
            for offset in start..<end {
                let byte = bytes[offset]
                guard byte == 32 || byte == 9 || byte == 62 else { return offset - start + 1 }
            }
            return nil
        }
        if let contiguous { return contiguous }
        let utf8 = source.utf8
        var offset = start
        var index = utf8.index(utf8.startIndex, offsetBy: offset)
        while offset < ends[line - 1] {
            let byte = utf8[index]
            guard byte == 32 || byte == 9 || byte == 62 else { return offset - starts[line - 1] + 1 }
            offset += 1
            index = utf8.index(after: index)
        }
        return nil
    }

    /// The byte at 1-based byte column `byteColumn` of `line`, if there is one.
    func byte(line: Int, byteColumn: Int) -> UInt8? {
        guard line >= 1, line <= starts.count, byteColumn >= 1 else { return nil }
        let offset = starts[line - 1] + byteColumn - 1
        guard offset < ends[line - 1] else { return nil }
        let utf8 = source.utf8
        return utf8[utf8.index(utf8.startIndex, offsetBy: offset)]
    }
}
