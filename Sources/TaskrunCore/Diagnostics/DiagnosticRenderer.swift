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
/// and lengths count Unicode scalars, like ``SourceLocation``. Colours (ANSI escapes) are off
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
        let severity = diagnostic.severity.rawValue
        var lines = [
            paint("\(diagnostic.path):\(diagnostic.location): ", .bold)
                + paint("\(severity):", diagnostic.severity == .error ? .boldRed : .boldMagenta)
                + paint(" \(diagnostic.message)", .bold)
        ]
        if let sourceLine {
            lines.append(sourceLine)
            lines.append(paint(Self.caretLine(for: diagnostic, under: sourceLine), .boldGreen))
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
        var output = ""
        for diagnostic in diagnostics {
            output += render(diagnostic, sourceLine: Self.line(of: diagnostic, sources: sources, cache: &files))
            output += "\n"
        }
        return output
    }

    /// The marker line under `sourceLine`: the source's tabs kept, every other character before
    /// the column as many spaces as the terminal cells it takes (two for `市` or `📈`), then `^`
    /// and `~` to the width of the diagnostic's length, stopping at the end of the line.
    public static func caretLine(for diagnostic: Diagnostic, under sourceLine: String) -> String {
        let scalars = Array(sourceLine.unicodeScalars)
        // A column past the end of the line (the end of the file, a missing token) puts the
        // caret just after the last character.
        let offset = min(max(diagnostic.location.column, 1) - 1, scalars.count)
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
        let span = remaining > 0 ? min(max(diagnostic.length, 1), remaining) : 1
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
