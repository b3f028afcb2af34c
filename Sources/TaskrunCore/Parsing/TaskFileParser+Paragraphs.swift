import TaskrunMarkdown

extension TaskFileParser {
    /// One source line of a paragraph.
    struct ParagraphLine {
        /// The line's text from where the paragraph's content starts on it, trailing blanks removed.
        var text: LocatedText
        /// The first inline node that starts on this line and is a direct child of the paragraph;
        /// `nil` when the line continues a node from an earlier line (a multi-line code span).
        var firstInline: Int?
    }

    /// The paragraph's source lines, each located in the file.
    ///
    /// Text comes from the source, not from cmark's literals, so that what users wrote (and its
    /// columns) is kept exactly; the AST decides what is structure (see ``leadingText(from:)``).
    func paragraphLines(_ paragraph: Int) -> [ParagraphLine] {
        let node = document[paragraph]
        let firstLine = max(1, node.start.line)
        let lastLine = max(firstLine, node.end.line)
        var firstInlines: [Int: Int] = [:]
        for child in document.children(of: paragraph) {
            let line = document[child].start.line
            if line >= firstLine, line <= lastLine, firstInlines[line] == nil { firstInlines[line] = child }
        }
        var result: [ParagraphLine] = []
        result.reserveCapacity(lastLine - firstLine + 1)
        for line in firstLine...lastLine {
            let column =
                line == firstLine ? max(1, node.start.column) : (document.lines.contentStartColumn(line: line) ?? 1)
            var scalars = Array(document.lines.text(ofLine: line).unicodeScalars.dropFirst(column - 1))
            while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
            // A backslash at the end of a line that goes on is a hard line break, not text.
            if line < lastLine, scalars.last == "\\" {
                scalars.removeLast()
                while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
            }
            result.append(
                ParagraphLine(
                    text: LocatedText(
                        scalars: scalars, segments: [.init(offset: 0, location: SourceLocation(line: line, column: column))]
                    ),
                    firstInline: firstInlines[line]))
        }
        return result
    }

    /// The whole paragraph's source text, lines joined with `\n`, located.
    func paragraphText(_ paragraph: Int) -> LocatedText {
        let lines = paragraphLines(paragraph)
        guard lines.count > 1 else { return lines.first?.text ?? LocatedText(scalars: [], segments: []) }
        var scalars: [Unicode.Scalar] = []
        var segments: [LocatedText.Segment] = []
        for (index, line) in lines.enumerated() {
            if index > 0 { scalars.append("\n") }
            segments.append(.init(offset: scalars.count, location: line.text.location))
            scalars += line.text.scalars
        }
        return LocatedText(scalars: scalars, segments: segments)
    }

    /// The literal text of the run of text nodes starting at `inline`: what cmark read as plain
    /// text there. Structure (`key:`, `agent:`) must lie inside it, so that inline code, links or
    /// emphasis are never read as structure.
    func leadingText(from inline: Int?) -> String {
        var text = ""
        var current = inline
        while let index = current, document[index].kind == .text {
            text += document[index].literal ?? ""
            if text.utf8.count > 64 { break }  // enough for any key
            current = document[index].nextSibling
        }
        return text
    }

    /// The `key:` prefix of a paragraph line, when it is written in plain text.
    func keyPrefix(of line: ParagraphLine, lowercaseKey: Bool = false) -> KeyValuePrefix? {
        guard let prefix = KeyValuePrefix.parse(line.text.scalars, firstMustBeLowercase: lowercaseKey),
            leadingText(from: line.firstInline).hasPrefix(prefix.key + ":")
        else { return nil }
        return prefix
    }
}
