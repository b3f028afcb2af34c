/// YAML front matter: a `---` line at the very top of a file, YAML, then a closing `---` (or `...`) line.
///
/// Found on the raw text, before markdown parsing, because CommonMark would read the `---` lines
/// as thematic breaks or setext underlines.
struct FrontMatter: Sendable {
    /// The YAML between the delimiter lines.
    var yaml: String
    /// The file line the YAML starts on (the line after the opening `---`).
    var firstLine: Int
    /// The source with the front matter lines blanked (line breaks kept), so that markdown line
    /// numbers still match the file.
    var blankedSource: String

    /// What `detect` found at the top of a file.
    enum Detection {
        case none
        case found(FrontMatter)
        /// An opening `---` line without a closing one.
        case unclosed
    }

    static func detect(in source: String) -> Detection {
        let bytes = source.utf8
        var index = bytes.startIndex
        // A UTF-8 byte order mark may precede the opening line.
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        if bytes.starts(with: bom) { index = bytes.index(index, offsetBy: 3) }
        // The opening line is `---` and blanks: a file starting otherwise (most) has none.
        guard bytes[index...].starts(with: "---".utf8) else { return .none }
        guard let (openEnd, openIsDelimiter) = readLine(bytes, from: index, delimiters: ["---"]), openIsDelimiter
        else { return .none }

        var lineStart = openEnd
        while lineStart < bytes.endIndex {
            guard let (next, isDelimiter) = readLine(bytes, from: lineStart, delimiters: ["---", "..."]) else { break }
            if isDelimiter {
                let yaml = String(source[openEnd..<lineStart])
                // Keep only the line terminators of the front matter lines.
                var blanked = String()
                blanked.reserveCapacity(source.utf8.count)
                for scalar in source[source.startIndex..<next].unicodeScalars where scalar == "\n" || scalar == "\r" {
                    blanked.unicodeScalars.append(scalar)
                }
                blanked += source[next...]
                return .found(FrontMatter(yaml: yaml, firstLine: 2, blankedSource: blanked))
            }
            lineStart = next
        }
        return .unclosed
    }

    /// Reads the line starting at `start`: the index after its terminator, and whether the line is
    /// one of `delimiters` followed only by spaces or tabs. `nil` at the end of the text.
    private static func readLine(
        _ bytes: String.UTF8View, from start: String.Index, delimiters: [String]
    ) -> (String.Index, Bool)? {
        guard start < bytes.endIndex else { return nil }
        var index = start
        var head: [UInt8] = []
        var tailIsBlank = true
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 10 || byte == 13 { break }
            if head.count < 3 {
                head.append(byte)
            } else if byte != 32 && byte != 9 {
                tailIsBlank = false
            }
            index = bytes.index(after: index)
        }
        var end = index
        if end < bytes.endIndex {
            let terminator = bytes[end]
            end = bytes.index(after: end)
            if terminator == 13, end < bytes.endIndex, bytes[end] == 10 { end = bytes.index(after: end) }
        }
        let matches = tailIsBlank && delimiters.contains { Array($0.utf8) == head }
        return (end, matches)
    }
}
