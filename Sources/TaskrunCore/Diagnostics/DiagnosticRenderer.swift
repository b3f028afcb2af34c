/// Turns diagnostics into the text a compiler prints:
///
/// ```text
/// tasks/committee.md:14:12: error: phase 'Debate' depends on unknown phase 'Analyis'
/// dependsOn: Analyis
///            ^~~~~~~
/// hint: did you mean 'Analysis'?
/// ```
///
/// The source line is printed as it is in the file, and the caret line copies its tabs so the
/// caret lands under the right character however wide the terminal's tab stops are; other
/// characters are padded by the cells a terminal draws them in (two for `市` or `📈`). Columns
/// and lengths count Unicode scalars, like ``SourceLocation``. A line longer than
/// ``longLineScalars`` is shown as an excerpt around the column, with `...` where it was cut (the
/// heading still gives the real line and column): a 70,000-character `dependsOn:` line with
/// thousands of unknown names printed itself once per diagnostic. Colours (ANSI escapes) are off
/// unless asked for; callers turn them on only for a terminal, and never when `NO_COLOR` is set.
public struct DiagnosticRenderer: Sendable {
    /// Whether the output carries ANSI colour escapes.
    public var usesColor: Bool

    public init(colors: Bool = false) {
        usesColor = colors
    }

    /// One diagnostic: its heading line, the source line and caret when `sourceLine` (the text of
    /// the diagnostic's line, without its line break) is known, then notes and the hint.
    /// Lines are separated by `\n`; there is no trailing line break.
    public func render(_ diagnostic: Diagnostic, sourceLine: String?) -> String {
        render(diagnostic, scalars: sourceLine.map { Array($0.unicodeScalars)[...] })
    }

    /// ``render(_:sourceLine:)`` with the line's scalars, which a caller rendering several
    /// diagnostics of one line makes once.
    func render(_ diagnostic: Diagnostic, scalars: ArraySlice<Unicode.Scalar>?) -> String {
        let severity = diagnostic.severity.rawValue
        var lines = [
            paint("\(diagnostic.path):\(diagnostic.location): ", .bold)
                + paint("\(severity):", diagnostic.severity == .error ? .boldRed : .boldMagenta)
                + paint(" \(diagnostic.message)", .bold)
        ]
        if let scalars {
            let shown = Self.excerpt(of: scalars, around: diagnostic)
            var text = String.UnicodeScalarView()
            text.append(contentsOf: shown.scalars)
            lines.append(String(text))
            lines.append(
                paint(
                    Self.caretLine(offset: shown.offset, length: diagnostic.length, under: shown.scalars), .boldGreen))
        }
        for note in diagnostic.notes {
            lines.append(paint("note:", .boldCyan) + " \(note)")
        }
        if let hint = diagnostic.hint {
            lines.append(paint("hint:", .boldGreen) + " \(hint)")
        }
        return lines.joined(separator: "\n")
    }

    /// All of `diagnostics`, in the order given, each followed by a line break. `sources` maps a
    /// diagnostic's path to the text of that file, for the source lines; paths missing from it
    /// are rendered without source lines.
    public func render(_ diagnostics: [Diagnostic], sources: [String: String]) -> String {
        var files: [String: SourceLines] = [:]
        // The scalars of the line last rendered: diagnostics come sorted, so several of one line
        // follow each other, and splitting a long line into scalars per diagnostic was quadratic.
        var last: (path: String, line: Int, scalars: ArraySlice<Unicode.Scalar>?)?
        var output = ""
        for diagnostic in diagnostics {
            let scalars: ArraySlice<Unicode.Scalar>?
            if let last, last.path == diagnostic.path, last.line == diagnostic.location.line {
                scalars = last.scalars
            } else {
                scalars = Self.line(of: diagnostic, sources: sources, cache: &files).map {
                    Array($0.unicodeScalars)[...]
                }
                last = (diagnostic.path, diagnostic.location.line, scalars)
            }
            output += render(diagnostic, scalars: scalars)
            output += "\n"
        }
        return output
    }

    /// Lines longer than this many scalars are shown as an excerpt (see ``excerpt(of:around:)``).
    public static let longLineScalars = 160

    /// What of a source line to show for `diagnostic`: the whole line when it has at most
    /// ``longLineScalars`` scalars, else 100 scalars around the column, up to 60 of them before
    /// it (more after it when the underlined span is longer, up to ``longLineScalars`` in all),
    /// with `...` for each part left out. `offset` is the column's position in what is shown.
    static func excerpt(of line: ArraySlice<Unicode.Scalar>, around diagnostic: Diagnostic) -> (
        scalars: ArraySlice<Unicode.Scalar>, offset: Int
    ) {
        let offset = min(max(diagnostic.location.column, 1) - 1, line.count)
        guard line.count > longLineScalars else { return (line, offset) }
        let base = line.startIndex
        let start = max(0, offset - 60)
        let end = min(line.count, max(start + 100, min(offset + max(diagnostic.length, 1), start + longLineScalars)))
        let marker: [Unicode.Scalar] = [".", ".", "."]
        var shown: [Unicode.Scalar] = []
        shown.reserveCapacity(end - start + 2 * marker.count)
        if start > 0 { shown += marker }
        shown += line[(base + start)..<(base + end)]
        if end < line.count { shown += marker }
        return (shown[...], offset - start + (start > 0 ? marker.count : 0))
    }

    /// The marker line under `sourceLine`: the source's tabs kept, every other character before
    /// the column as many spaces as the terminal cells it takes (two for `市` or `📈`), then `^`
    /// and `~` to the width of the diagnostic's length, stopping at the end of the line.
    public static func caretLine(for diagnostic: Diagnostic, under sourceLine: String) -> String {
        let scalars = Array(sourceLine.unicodeScalars)[...]
        // A column past the end of the line (the end of the file, a missing token) puts the
        // caret just after the last character.
        let offset = min(max(diagnostic.location.column, 1) - 1, scalars.count)
        return caretLine(offset: offset, length: diagnostic.length, under: scalars)
    }

    /// The marker line for the scalar at `offset` (at most the line's length) and `length` more.
    static func caretLine(offset: Int, length: Int, under line: ArraySlice<Unicode.Scalar>) -> String {
        let scalars = Array(line)
        // Tabs are copied; the runs between them are measured as text, so that a character made
        // of several scalars (`👍🏽`) counts once.
        var caret = ""
        var runStart = 0
        for position in 0..<offset where scalars[position] == "\t" {
            caret += String(repeating: " ", count: displayWidth(of: scalars[runStart..<position])) + "\t"
            runStart = position + 1
        }
        caret += String(repeating: " ", count: displayWidth(of: scalars[runStart..<offset]))
        let remaining = scalars.count - offset
        let span = remaining > 0 ? min(max(length, 1), remaining) : 1
        let width = max(1, displayWidth(of: scalars[offset..<min(offset + span, scalars.count)]))
        caret += "^" + String(repeating: "~", count: width - 1)
        return caret
    }

    /// The text of a diagnostic's line, splitting each file once.
    static func line(
        of diagnostic: Diagnostic, sources: [String: String], cache: inout [String: SourceLines]
    ) -> String? {
        if let lines = cache[diagnostic.path] {
            return lines[diagnostic.location.line].map(String.init)
        }
        guard let text = sources[diagnostic.path] else { return nil }
        let lines = SourceLines(text)
        cache[diagnostic.path] = lines
        return lines[diagnostic.location.line].map(String.init)
    }
}
