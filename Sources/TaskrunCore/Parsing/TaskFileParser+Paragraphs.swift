import TaskrunMarkdown

extension TaskFileParser {
    /// A paragraph's source text with its line structure.
    struct ParagraphSource {
        /// The paragraph's source lines joined with `\n`, each line from where the paragraph's
        /// content starts on it, trailing blanks removed; located in the file.
        var text: LocatedText
        /// The lines, in order.
        var lines: [Line]

        struct Line {
            /// The line's bounds in `text`.
            var range: Range<Int>
            /// The first inline node that starts on this line and is a direct child of the paragraph;
            /// `nil` when the line continues a node from an earlier line (a multi-line code span).
            var firstInline: Int?
        }

        /// The text of line `index`.
        func text(ofLine index: Int) -> LocatedText { text.slice(lines[index].range) }
    }

    /// The paragraph's source, located.
    ///
    /// Text comes from the source, not from cmark's literals, so that what users wrote (and its
    /// columns) is kept exactly; the AST decides what is structure (see ``keyPrefix(_:firstInline:isStepType:)``).
    func paragraphSource(_ paragraph: Int) -> ParagraphSource {
        let node = document.nodes[paragraph]
        let firstLine = max(1, node.start.line)
        let lastLine = max(firstLine, node.end.line)
        var scalars: [Unicode.Scalar] = []
        var capacity = 0
        for line in firstLine...lastLine { capacity += document.lines.byteCount(ofLine: line) + 1 }
        scalars.reserveCapacity(capacity)
        var laterLines: [LocatedText.Segment] = []
        var lines: [ParagraphSource.Line] = []
        lines.reserveCapacity(lastLine - firstLine + 1)
        let firstColumn = max(1, node.start.column)
        for line in firstLine...lastLine {
            let column = line == firstLine ? firstColumn : (document.lines.contentStartColumn(line: line) ?? 1)
            if line > firstLine {
                scalars.append("\n")
                laterLines.append(.init(offset: scalars.count, location: SourceLocation(line: line, column: column)))
            }
            let lineStart = scalars.count
            document.lines.appendScalars(ofLine: line, fromColumn: column, to: &scalars)
            while scalars.count > lineStart, let last = scalars.last, last == " " || last == "\t" {
                scalars.removeLast()
            }
            // A backslash at the end of a line that goes on is a hard line break, not text.
            if line < lastLine, scalars.count > lineStart, scalars.last == "\\" {
                scalars.removeLast()
                while scalars.count > lineStart, let last = scalars.last, last == " " || last == "\t" {
                    scalars.removeLast()
                }
            }
            lines.append(ParagraphSource.Line(range: lineStart..<scalars.count, firstInline: nil))
        }
        // The first direct child starting on each line: where structure (a `key:`) may begin.
        var child = node.firstChild
        while let index = child {
            let offset = document.nodes[index].start.line - firstLine
            if offset >= 0, offset < lines.count, lines[offset].firstInline == nil { lines[offset].firstInline = index }
            child = document.nodes[index].nextSibling
        }
        let text = LocatedText(
            scalars: scalars, start: SourceLocation(line: firstLine, column: firstColumn), laterLines: laterLines)
        return ParagraphSource(text: text, lines: lines)
    }

    /// Whether the run of text nodes starting at `inline` begins with `key` and a colon: structure (`key:`,
    /// `agent:`) must lie in plain text, so that inline code, links or emphasis are never read as
    /// structure.
    func textNodesStart(at inline: Int?, withKey key: String) -> Bool {
        var expected = key.utf8.makeIterator()
        var nextByte = expected.next()
        var current = inline
        while let index = current, document.nodes[index].kind == .text {
            for byte in (document.nodes[index].literal ?? "").utf8 {
                if let wanted = nextByte {
                    guard byte == wanted else { return false }
                    nextByte = expected.next()
                } else {
                    return byte == UInt8(ascii: ":")
                }
            }
            current = document.nodes[index].nextSibling
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
