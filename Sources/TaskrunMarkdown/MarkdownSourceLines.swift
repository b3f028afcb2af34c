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

    /// Whether `count` bytes at `pointer` are all ASCII: 32 at a time (a whole source is checked
    /// so, before its lines are found), then eight at a time.
    private static func isASCII(_ pointer: UnsafePointer<UInt8>, count: Int) -> Bool {
        var index = 0
        var seen: UInt64 = 0
        let raw = UnsafeRawPointer(pointer)
        var wide = SIMD16<UInt8>()
        while index + 32 <= count {
            wide |= raw.loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self)
            wide |= raw.loadUnaligned(fromByteOffset: index + 16, as: SIMD16<UInt8>.self)
            index += 32
        }
        guard wide.max() < 0x80 else { return false }
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

    /// One pass over the bytes: where every line starts and ends, and whether it is ASCII.
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
