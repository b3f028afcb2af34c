import Testing

@testable import TaskrunCore

@Suite struct DiagnosticRendererTests {
    let renderer = DiagnosticRenderer()

    func diagnostic(line: Int = 2, column: Int, length: Int = 1, notes: [String] = [], hint: String? = nil)
        -> Diagnostic
    {
        .error(
            "unknown-dependency", "phase 'Debate' depends on unknown phase 'Analyis'", path: "tasks/c.md",
            at: SourceLocation(line: line, column: column), length: length, notes: notes, hint: hint)
    }

    @Test func compilerStyleBlock() {
        let text = renderer.render(
            diagnostic(column: 12, length: 7, notes: ["known phases: Analysis"], hint: "did you mean 'Analysis'?"),
            sourceLine: "dependsOn: Analyis")
        #expect(
            text == """
                tasks/c.md:2:12: error: phase 'Debate' depends on unknown phase 'Analyis'
                dependsOn: Analyis
                           ^~~~~~~
                note: known phases: Analysis
                hint: did you mean 'Analysis'?
                """)
    }

    @Test func warningsWithoutSourceLine() {
        let warning = Diagnostic.warning("agent-not-listed", "agent 'x' is not listed", path: "a.md", at: .start)
        #expect(renderer.render(warning, sourceLine: nil) == "a.md:1:1: warning: agent 'x' is not listed")
    }

    @Test func caretCopiesTabsSoItAligns() {
        let line = "\t- agent:\tquant - go"
        // Column 10 is the second tab's successor: `quant`.
        let caret = DiagnosticRenderer.caretLine(for: diagnostic(column: 11, length: 5), under: line)
        #expect(caret == "\t        \t^~~~~")
    }

    @Test func columnsCountUnicodeScalarsAndCaretsPadByDisplayWidth() {
        // "é" (one scalar, one cell), "日本" (two scalars, four cells), "👍🏽" (two scalars, one
        // character, two cells), "é" written as e and a combining accent (two scalars, one cell).
        let line = "é 日本 👍🏽 e\u{301} dependsOn: X"
        let column = Array(line.unicodeScalars).firstIndex(of: "X").map { $0 + 1 } ?? 0
        #expect(column == 23)
        let caret = DiagnosticRenderer.caretLine(for: diagnostic(column: column), under: line)
        #expect(caret == String(repeating: " ", count: 1 + 1 + 4 + 1 + 2 + 1 + 1 + 1 + 11) + "^")
        // The underline covers the cells of the characters it spans, and stops at the end of the line.
        let long = DiagnosticRenderer.caretLine(for: diagnostic(column: 2, length: 99), under: "日本語")
        #expect(long == "  ^~~~")
        let emoji = DiagnosticRenderer.caretLine(for: diagnostic(column: 3, length: 1), under: "📈\t📉 x")
        #expect(emoji == "  \t^~")
    }

    @Test func caretPastTheEndOfTheLine() {
        #expect(DiagnosticRenderer.caretLine(for: diagnostic(column: 5, length: 3), under: "ab") == "  ^")
        #expect(DiagnosticRenderer.caretLine(for: diagnostic(column: 3), under: "ab") == "  ^")
        #expect(DiagnosticRenderer.caretLine(for: diagnostic(column: .max, length: .max), under: "\ta") == "\t ^")
        #expect(DiagnosticRenderer.caretLine(for: diagnostic(column: 0, length: 0), under: "ab") == "^")
    }

    /// A line longer than `longLineScalars` is shown around the column, with `...` where it was cut.
    @Test func longLinesAreShownAroundTheColumn() {
        let line = String(repeating: "a", count: 140) + "Analyis" + String(repeating: "b", count: 153)
        #expect(line.unicodeScalars.count == 300)
        let middle = renderer.render(diagnostic(column: 141, length: 7), sourceLine: line)
        #expect(
            middle == """
                tasks/c.md:2:141: error: phase 'Debate' depends on unknown phase 'Analyis'
                ...\(String(repeating: "a", count: 60))Analyis\(String(repeating: "b", count: 33))...
                \(String(repeating: " ", count: 63))^~~~~~~
                """)
        // Near the start: nothing cut before; near the end: nothing cut after.
        let start = renderer.render(diagnostic(column: 3, length: 2), sourceLine: line).split(separator: "\n")
        #expect(start[1] == String(repeating: "a", count: 100) + "...")
        #expect(start[2] == "  ^~")
        let end = renderer.render(diagnostic(column: 300), sourceLine: line).split(separator: "\n")
        #expect(end[1] == "..." + String(repeating: "b", count: 61))
        #expect(end[2] == String(repeating: " ", count: 63) + "^")
        // A long underline is shown whole, up to the limit.
        let wide = renderer.render(diagnostic(column: 141, length: 90), sourceLine: line).split(separator: "\n")
        #expect(
            wide[1] == "..." + String(repeating: "a", count: 60) + "Analyis" + String(repeating: "b", count: 83) + "..."
        )
        #expect(wide[2] == String(repeating: " ", count: 63) + "^" + String(repeating: "~", count: 89))
        // At the limit, the line is shown as it is.
        let limit = String(repeating: "c", count: DiagnosticRenderer.longLineScalars)
        #expect(renderer.render(diagnostic(column: 150), sourceLine: limit).split(separator: "\n")[1] == limit[...])
    }

    /// Thousands of diagnostics on one long line (a `dependsOn:` of 2,000 unknown names) each print
    /// an excerpt, as each would alone: the output grows with the diagnostics, not with their
    /// number times the line's length (it was 38 MB for this line, and minutes for 10,000 names).
    @Test func manyDiagnosticsOnOneLongLine() {
        let names = (0..<2000).map { "P\($0)" }
        let line = "dependsOn: " + names.joined(separator: ", ")
        var column = 12
        var diagnostics: [Diagnostic] = []
        for name in names {
            diagnostics.append(
                .error(
                    "unknown-dependency", "depends on unknown phase '\(name)'", path: "t.md",
                    at: SourceLocation(line: 1, column: column), length: name.count))
            column += name.count + 2
        }
        let text = renderer.render(diagnostics, sources: ["t.md": line + "\n"])
        let alone = diagnostics.map { renderer.render($0, sourceLine: line) + "\n" }.joined()
        #expect(text == alone)
        #expect(text.split(separator: "\n").allSatisfy { $0.unicodeScalars.count <= 166 })
        #expect(text.utf8.count < 2000 * 300)
        // JSON keeps the whole line in every object (its documented shape), escaped once.
        let json = DiagnosticRenderer.json(Array(diagnostics.prefix(50)), sources: ["t.md": line])
        let objects = diagnostics.prefix(50).map { DiagnosticRenderer.jsonObject($0, sourceLine: line, indent: "  ") }
        #expect(json == "[\n" + objects.joined(separator: ",\n") + "\n]\n")
    }

    @Test func renderingManyLooksUpLinesPerFile() {
        let sources = ["tasks/c.md": "# Title\r\ndependsOn: Analyis\r\n"]
        let other = Diagnostic.warning("x", "elsewhere", path: "other.md", at: SourceLocation(line: 3, column: 1))
        let outOfRange = diagnostic(line: 9, column: 1)
        let text = renderer.render([diagnostic(column: 12, length: 7), other, outOfRange], sources: sources)
        #expect(
            text == """
                tasks/c.md:2:12: error: phase 'Debate' depends on unknown phase 'Analyis'
                dependsOn: Analyis
                           ^~~~~~~
                other.md:3:1: warning: elsewhere
                tasks/c.md:9:1: error: phase 'Debate' depends on unknown phase 'Analyis'

                """)
    }

    @Test func colorsWrapTheParts() {
        let colored = DiagnosticRenderer(colors: true).render(diagnostic(column: 1, hint: "h"), sourceLine: "x")
        let escape = "\u{1B}["
        #expect(colored.hasPrefix("\(escape)1mtasks/c.md:2:1: \(escape)0m\(escape)1;31merror:\(escape)0m"))
        #expect(colored.contains("\nx\n\(escape)1;32m^\(escape)0m\n"))
        #expect(colored.hasSuffix("\(escape)1;32mhint:\(escape)0m h"))
        #expect(!renderer.render(diagnostic(column: 1), sourceLine: "x").contains(escape))
    }

    @Test func summaryLine() {
        let error = diagnostic(column: 1)
        let warning = Diagnostic.warning("w", "w", path: "a.md", at: .start)
        #expect(DiagnosticRenderer.summary(of: [error, error, warning]) == "2 errors, 1 warning")
        #expect(DiagnosticRenderer.summary(of: [error]) == "1 error")
        #expect(DiagnosticRenderer.summary(of: [warning, warning]) == "2 warnings")
        #expect(DiagnosticRenderer.summary(of: []) == "no errors or warnings")
    }

    @Test func sourceLines() {
        let lines = DiagnosticRenderer.SourceLines("a\r\nb\n\nd\n")
        #expect(lines.count == 4)
        #expect(lines[1] == "a" && lines[2] == "b" && lines[3] == "" && lines[4] == "d")
        #expect(lines[0] == nil && lines[5] == nil)
        #expect(DiagnosticRenderer.SourceLines("no newline").count == 1)
        #expect(DiagnosticRenderer.SourceLines("").count == 0)
    }
}
