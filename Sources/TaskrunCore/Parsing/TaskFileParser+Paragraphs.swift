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
            var firstInline: Int?
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
    func paragraphSource(_ paragraph: Int) -> ParagraphSource {
        let start = document.compact[paragraph].start
        let firstLine = max(1, start.line)
        let lastLine = max(firstLine, document.compact[paragraph].end.line)
        let firstColumn = max(1, start.column)
        let sourceLines = document.lines
        let text: LocatedText
        var lines: ParagraphSource.Lines
        let bytes = sourceLines.byteRange(ofLine: firstLine)
        if firstLine == lastLine, sourceLines.isASCII(line: firstLine), bytes.lowerBound >= phaseScalarsOffset,
            bytes.upperBound <= phaseScalarsOffset + phaseScalars.count
        {
            // One ASCII line of the phase: a slice of the phase's scalars, where its bytes are (the
            // same text the general path below copies out: from the start column, trailing blanks
            // dropped).
            let lower = min(bytes.lowerBound + firstColumn - 1, bytes.upperBound) - phaseScalarsOffset
            var upper = bytes.upperBound - phaseScalarsOffset
            while upper > lower, phaseScalars[upper - 1] == " " || phaseScalars[upper - 1] == "\t" { upper -= 1 }
            let location = SourceLocation(line: firstLine, column: firstColumn)
            text = LocatedText(sharing: phaseScalars, range: lower..<upper, start: location)
            lines = ParagraphSource.Lines(head: ParagraphSource.Line(range: 0..<(upper - lower), firstInline: nil))
        } else if let shared = sharedParagraphSource(
            firstLine: firstLine, lastLine: lastLine, firstColumn: firstColumn)
        {
            (text, lines) = shared
        } else {
            (text, lines) = copiedParagraphSource(firstLine: firstLine, lastLine: lastLine, firstColumn: firstColumn)
        }
        // The first direct child starting on each line: where structure (a `key:`) may begin.
        var child = document.compact[paragraph].firstChild
        while let index = child {
            let offset = document.compact[index].start.line - firstLine
            if offset >= 0, offset < lines.count, lines[offset].firstInline == nil { lines[offset].firstInline = index }
            child = document.compact[index].nextSibling
        }
        return ParagraphSource(text: text, lines: lines)
    }

    /// A paragraph of several lines whose joined text is exactly its bytes in the phase (ASCII
    /// lines ending in a plain `\n`, each later line starting at its first column, no trailing
    /// blank or backslash before a line break, as settings paragraphs are written): a slice of
    /// the phase's scalars, or `nil` when it is not one.
    private func sharedParagraphSource(
        firstLine: Int, lastLine: Int, firstColumn: Int
    ) -> (LocatedText, ParagraphSource.Lines)? {
        let sourceLines = document.lines
        let first = sourceLines.byteRange(ofLine: firstLine)
        let lower = first.lowerBound + firstColumn - 1
        guard firstLine < lastLine, lower <= first.upperBound, first.lowerBound >= phaseScalarsOffset,
            sourceLines.byteRange(ofLine: lastLine).upperBound <= phaseScalarsOffset + phaseScalars.count
        else { return nil }
        var laterLines: [LocatedText.Segment] = []
        var tail: [ParagraphSource.Line] = []
        laterLines.reserveCapacity(lastLine - firstLine)
        tail.reserveCapacity(lastLine - firstLine)
        var head = ParagraphSource.Line(range: 0..<0, firstInline: nil)
        var upper = 0
        for line in firstLine...lastLine {
            let bytes = sourceLines.byteRange(ofLine: line)
            guard sourceLines.isASCII(line: line) else { return nil }
            var end = bytes.upperBound - phaseScalarsOffset
            let start = bytes.lowerBound - phaseScalarsOffset
            if line < lastLine {
                // The line break must be the one `\n` the joined text has, right after the text (a
                // lone `\r` also ends a line, but the joined text has `\n` there).
                guard sourceLines.byteRange(ofLine: line + 1).lowerBound == bytes.upperBound + 1, end > start,
                    phaseScalars[end] == "\n",
                    phaseScalars[end - 1] != " ", phaseScalars[end - 1] != "\t", phaseScalars[end - 1] != "\\"
                else { return nil }
            } else {
                while end > start, phaseScalars[end - 1] == " " || phaseScalars[end - 1] == "\t" { end -= 1 }
            }
            let textLower = lower - phaseScalarsOffset
            if line == firstLine {
                head.range = 0..<(end - textLower)
            } else {
                guard sourceLines.contentStartColumn(line: line) == 1 else { return nil }
                laterLines.append(.init(offset: start, location: SourceLocation(line: line, column: 1)))
                tail.append(ParagraphSource.Line(range: (start - textLower)..<(end - textLower), firstInline: nil))
            }
            upper = end
        }
        let text = LocatedText(
            sharing: phaseScalars, range: (lower - phaseScalarsOffset)..<upper,
            start: SourceLocation(line: firstLine, column: firstColumn), laterLines: laterLines)
        return (text, ParagraphSource.Lines(head: head, tail: tail))
    }

    /// A paragraph's text copied out of its lines (joined with `\n`) and its lines.
    private func copiedParagraphSource(
        firstLine: Int, lastLine: Int, firstColumn: Int
    ) -> (LocatedText, ParagraphSource.Lines) {
        var capacity = 0
        for line in firstLine...lastLine { capacity += document.lines.byteCount(ofLine: line) + 1 }
        var laterLines: [LocatedText.Segment] = []
        var lines: [ParagraphSource.Line] = []
        lines.reserveCapacity(lastLine - firstLine + 1)
        let sourceLines = document.lines
        // Written in place into an array of the right capacity (a line has at most as many
        // scalars as bytes), not appended scalar by scalar.
        let scalars = [Unicode.Scalar](unsafeUninitializedCapacity: capacity) { buffer, count in
            func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }
            for line in firstLine...lastLine {
                let column = line == firstLine ? firstColumn : (sourceLines.contentStartColumn(line: line) ?? 1)
                if line > firstLine {
                    buffer[count] = "\n"
                    count += 1
                    laterLines.append(.init(offset: count, location: SourceLocation(line: line, column: column)))
                }
                let lineStart = count
                count += sourceLines.writeScalars(ofLine: line, fromColumn: column, into: buffer, at: count)
                while count > lineStart, isBlank(buffer[count - 1]) { count -= 1 }
                // A backslash at the end of a line that goes on is a hard line break, not text.
                if line < lastLine, count > lineStart, buffer[count - 1] == "\\" {
                    count -= 1
                    while count > lineStart, isBlank(buffer[count - 1]) { count -= 1 }
                }
                lines.append(ParagraphSource.Line(range: lineStart..<count, firstInline: nil))
            }
        }
        let text = LocatedText(
            scalars: scalars, start: SourceLocation(line: firstLine, column: firstColumn), laterLines: laterLines)
        return (text, ParagraphSource.Lines(head: lines[0], tail: Array(lines.dropFirst())))
    }

    /// Whether the run of text nodes starting at `inline` begins with `key` and a colon: structure (`key:`,
    /// `agent:`) must lie in plain text, so that inline code, links or emphasis are never read as
    /// structure.
    func textNodesStart(at inline: Int?, withKey key: String) -> Bool {
        // Compared on contiguous UTF-8 (keys and literals are native strings): `matched` bytes of
        // the key seen so far, across text nodes.
        var key = key
        return key.withUTF8 { wanted in
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
    }

    /// The `key:` prefix of a paragraph line, when it is written in plain text.
    func keyPrefix(_ line: LocatedText, firstInline: Int?, isStepType: Bool = false) -> KeyValuePrefix? {
        guard let prefix = KeyValuePrefix.parse(line, isStepType: isStepType),
            textNodesStart(at: firstInline, withKey: prefix.key)
        else { return nil }
        return prefix
    }
}
