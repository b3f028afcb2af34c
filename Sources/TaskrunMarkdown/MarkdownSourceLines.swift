/// The lines of a markdown source, for slicing it by position.
///
/// Lines end at `\n`, `\r\n` or a lone `\r`, as in CommonMark. Line numbers are 1-based.
public struct MarkdownSourceLines: Sendable {
    /// The whole source.
    public let source: String
    /// The UTF-8 offset where each line starts.
    let starts: [Int]
    /// The UTF-8 offset where each line's text ends (before its line terminator).
    let ends: [Int]
    /// Whether each line is all ASCII, where byte and scalar columns agree.
    let ascii: [Bool]

    public init(_ source: String) {
        self.source = source
        var starts = [0]
        var ends: [Int] = []
        var ascii: [Bool] = []
        var lineIsASCII = true
        var offset = 0
        var previousWasCR = false
        for byte in source.utf8 {
            if byte == 10 {
                if previousWasCR {
                    // The \n of a \r\n: the line already ended at the \r.
                    starts[starts.count - 1] = offset + 1
                } else {
                    ends.append(offset)
                    ascii.append(lineIsASCII)
                    starts.append(offset + 1)
                }
                lineIsASCII = true
                previousWasCR = false
            } else if byte == 13 {
                ends.append(offset)
                ascii.append(lineIsASCII)
                starts.append(offset + 1)
                lineIsASCII = true
                previousWasCR = true
            } else {
                if byte >= 0x80 { lineIsASCII = false }
                previousWasCR = false
            }
            offset += 1
        }
        ends.append(offset)
        ascii.append(lineIsASCII)
        self.starts = starts
        self.ends = ends
        self.ascii = ascii
    }

    /// The number of lines (a source ending in a newline has an empty last line).
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
        if ascii[line - 1] { return byteColumn }
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
        let utf8 = source.utf8
        var offset = starts[line - 1]
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
