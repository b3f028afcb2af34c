import TaskrunMarkdown

extension TaskFileParser {
    /// A paragraph's source text with its line structure.
    struct ParagraphSource {
        /// The paragraph's source lines joined with `\n`, each line from where the paragraph's
        /// content starts on it, trailing blanks removed; located in the file.
        var text: LocatedText
        /// The lines, in order.
        var lines: Lines

        struct Line {
            /// The line's bounds in `text`.
            var range: Range<Int>
            /// The first inline node that starts on this line and is a direct child of the paragraph;
            /// `nil` when the line continues a node from an earlier line (a multi-line code span).
            var firstInline: Int? = nil
        }

        /// The lines of a paragraph: the first held inline, so that the usual one-line paragraph
        /// (a step, a list item) allocates nothing for them.
        struct Lines: RandomAccessCollection, MutableCollection {
            var head: Line
            var tail: [Line] = []

            var startIndex: Int { 0 }
            var endIndex: Int { tail.count + 1 }

            subscript(position: Int) -> Line {
                get { position == 0 ? head : tail[position - 1] }
                set {
                    if position == 0 { head = newValue } else { tail[position - 1] = newValue }
                }
            }
        }

        /// The text of line `index`.
        func text(ofLine index: Int) -> LocatedText { text.slice(lines[index].range) }
    }

    /// The paragraph's source, located.
    ///
    /// Text comes from the source, not from cmark's literals, so that what users wrote (and its
    /// columns) is kept exactly; the AST decides what is structure (see ``keyPrefix(_:firstInline:isStepType:)``).
    /// A paragraph whose joined text is a run of the source's bytes (one line; or lines ending in
    /// a plain `\n`, each later one starting at its first column, as settings paragraphs are
    /// written) is a range of the document's source string, nothing copied; any other is copied
    /// once into a string of its own.
    func paragraphSource(_ paragraph: Int) -> ParagraphSource {
        let start = document.compact[paragraph].start
        let firstLine = max(1, start.line)
        let lastLine = max(firstLine, document.compact[paragraph].end.line)
        let firstColumn = max(1, start.column)
        let source = document.lines.source
        let (text, lines) = withSourceBytes { utf8 -> (LocatedText, ParagraphSource.Lines) in
            let lower = byteOffset(ofColumn: firstColumn, line: firstLine, in: utf8)
            let location = SourceLocation(line: firstLine, column: firstColumn)
            if firstLine == lastLine {
                // From the start column, trailing blanks dropped.
                var upper = max(lower, document.lines.byteRange(ofLine: firstLine).upperBound)
                while upper > lower, utf8[upper - 1] == 32 || utf8[upper - 1] == 9 { upper -= 1 }
                let text = LocatedText(utf8: source, range: lower..<upper, start: location)
                return (text, ParagraphSource.Lines(head: ParagraphSource.Line(range: 0..<(upper - lower))))
            }
            if let shared = sharedParagraphSource(
                firstLine: firstLine, lastLine: lastLine, lower: lower, location: location, in: utf8)
            {
                return shared
            }
            return copiedParagraphSource(
                firstLine: firstLine, lastLine: lastLine, lower: lower, location: location, in: utf8)
        }
        var found = lines
        // The first direct child starting on each line: where structure (a `key:`) may begin.
        var child = document.compact[paragraph].firstChild
        while let index = child {
            let offset = document.compact[index].start.line - firstLine
            if offset >= 0, offset < found.count, found[offset].firstInline == nil { found[offset].firstInline = index }
            child = document.compact[index].nextSibling
        }
        return ParagraphSource(text: text, lines: found)
    }

    /// Calls `body` with the UTF-8 bytes of the whole source.
    func withSourceBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let source = document.lines.source
        if let result = source.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(source.utf8).withUnsafeBufferPointer(body)
    }

    /// The byte offset in the source of scalar column `column` of `line` (clamped to the line's end).
    func byteOffset(ofColumn column: Int, line: Int, in utf8: UnsafeBufferPointer<UInt8>) -> Int {
        let sourceLines = document.lines
        let bytes = sourceLines.byteRange(ofLine: line)
        let skip = max(0, column - 1)
        if sourceLines.isASCII(line: line) { return min(bytes.lowerBound + skip, bytes.upperBound) }
        var seen = 0
        for offset in bytes where utf8[offset] & 0xC0 != 0x80 {
            if seen == skip { return offset }
            seen += 1
        }
        return bytes.upperBound
    }

    /// A paragraph of several lines whose joined text is exactly its bytes in the source (lines
    /// ending in a plain `\n`, each later line starting at its first column, no trailing blank or
    /// backslash before a line break, as settings paragraphs are written): a range of the
    /// source string, or `nil` when it is not one.
    private func sharedParagraphSource(
        firstLine: Int, lastLine: Int, lower: Int, location: SourceLocation, in utf8: UnsafeBufferPointer<UInt8>
    ) -> (LocatedText, ParagraphSource.Lines)? {
        let sourceLines = document.lines
        var laterLines: [LocatedText.Segment] = []
        var tail: [ParagraphSource.Line] = []
        var head = ParagraphSource.Line(range: 0..<0)
        var upper = lower
        for line in firstLine...lastLine {
            let bytes = sourceLines.byteRange(ofLine: line)
            var end = bytes.upperBound
            let start = bytes.lowerBound
            if line < lastLine {
                // The line break must be the one `\n` the joined text has, right after the text (a
                // lone `\r` also ends a line, but the joined text has `\n` there).
                guard sourceLines.byteRange(ofLine: line + 1).lowerBound == end + 1, end > max(start, lower),
                    utf8[end] == 10, utf8[end - 1] != 32, utf8[end - 1] != 9, utf8[end - 1] != 92
                else { return nil }
            } else {
                while end > start, utf8[end - 1] == 32 || utf8[end - 1] == 9 { end -= 1 }
            }
            if line == firstLine {
                head.range = 0..<(end - lower)
            } else {
                guard sourceLines.contentStartColumn(line: line) == 1 else { return nil }
                if laterLines.isEmpty {
                    laterLines.reserveCapacity(lastLine - firstLine)
                    tail.reserveCapacity(lastLine - firstLine)
                }
                laterLines.append(.init(offset: start, location: SourceLocation(line: line, column: 1)))
                tail.append(ParagraphSource.Line(range: (start - lower)..<(end - lower)))
            }
            upper = end
        }
        let text = LocatedText(
            utf8: document.lines.source, range: lower..<max(lower, upper), start: location, laterLines: laterLines)
        return (text, ParagraphSource.Lines(head: head, tail: tail))
    }

    /// A paragraph's text copied out of its lines (joined with `\n`) into a string of its own, and its lines.
    private func copiedParagraphSource(
        firstLine: Int, lastLine: Int, lower: Int, location: SourceLocation, in utf8: UnsafeBufferPointer<UInt8>
    ) -> (LocatedText, ParagraphSource.Lines) {
        let sourceLines = document.lines
        var capacity = 0
        for line in firstLine...lastLine { capacity += sourceLines.byteCount(ofLine: line) + 1 }
        var laterLines: [LocatedText.Segment] = []
        var lines: [ParagraphSource.Line] = []
        lines.reserveCapacity(lastLine - firstLine + 1)
        laterLines.reserveCapacity(lastLine - firstLine)
        func isBlank(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 }
        // Written in place into a string of the right capacity, each line's bytes copied at once.
        let text = String(unsafeUninitializedCapacity: max(1, capacity)) { buffer in
            var count = 0
            for line in firstLine...lastLine {
                let bytes = sourceLines.byteRange(ofLine: line)
                var from = lower
                if line > firstLine {
                    let column = sourceLines.contentStartColumn(line: line) ?? 1
                    from = byteOffset(ofColumn: column, line: line, in: utf8)
                    buffer[count] = 10
                    count += 1
                    laterLines.append(.init(offset: count, location: SourceLocation(line: line, column: column)))
                }
                let lineStart = count
                if from < bytes.upperBound {
                    for offset in from..<bytes.upperBound {
                        buffer[count] = utf8[offset]
                        count += 1
                    }
                }
                while count > lineStart, isBlank(buffer[count - 1]) { count -= 1 }
                // A backslash at the end of a line that goes on is a hard line break, not text.
                if line < lastLine, count > lineStart, buffer[count - 1] == 92 {
                    count -= 1
                    while count > lineStart, isBlank(buffer[count - 1]) { count -= 1 }
                }
                lines.append(ParagraphSource.Line(range: lineStart..<count))
            }
            return count
        }
        let located = LocatedText(utf8: text, range: 0..<text.utf8.count, start: location, laterLines: laterLines)
        return (located, ParagraphSource.Lines(head: lines[0], tail: Array(lines.dropFirst())))
    }

    /// Whether the run of text nodes starting at `inline` begins with `key` and a colon: structure (`key:`,
    /// `agent:`) must lie in plain text, so that inline code, links or emphasis are never read as
    /// structure.
    func textNodesStart(at inline: Int?, withKey key: String) -> Bool {
        // Compared on contiguous UTF-8 (keys and literals are native strings).
        var key = key
        return key.withUTF8 { textNodesStart(at: inline, withKeyBytes: $0) }
    }

    /// ``textNodesStart(at:withKey:)`` of a key's UTF-8 bytes.
    func textNodesStart(at inline: Int?, withKeyBytes wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        // `matched` bytes of the key seen so far, across text nodes.
        var matched = 0
        var current = inline
        while let index = current, case .text = document.compact[index].kind {
            let verdict: Bool? = document.withLiteralUTF8(of: index) { bytes in
                for byte in bytes {
                    guard matched < wanted.count else { return byte == UInt8(ascii: ":") }
                    guard byte == wanted[matched] else { return false }
                    matched += 1
                }
                return nil
            }
            if let verdict { return verdict }
            current = document.compact[index].nextSibling
        }
        return false
    }

    /// The `key:` prefix of a paragraph line, when it is written in plain text.
    func keyPrefix(_ line: LocatedText, firstInline: Int?, isStepType: Bool = false) -> KeyValuePrefix? {
        guard let prefix = KeyValuePrefix.parse(line, isStepType: isStepType),
            textNodesStart(at: firstInline, withKey: prefix.key)
        else { return nil }
        return prefix
    }
}
