import TaskrunMarkdown
import Testing

@testable import TaskrunCore

/// The parser's fast paths (ASCII bytes instead of scalars and Characters) must answer exactly
/// what the general code answers, for the inputs they take and for those they hand back.
@Suite struct FastPathTests {
    /// The result of a duration parse, comparable: the milliseconds or the error.
    func outcome(_ body: () throws(DurationSyntaxError) -> TaskDuration) -> Result<Int64, DurationSyntaxError> {
        do {
            return .success(try body().milliseconds)
        } catch {
            return .failure(error)
        }
    }

    @Test(arguments: [
        "30s", "3 minutes", "1h30m", "1h 30m", "1h, 30m", "1H30M", "2 Minutes", "  45 sec  ", "\t5m\t", "500ms",
        "2000", "0", "0s", "7d", "10 days", "1.5h", ".5s", "1.s", "30", "30 ", "30-", "-5s", "5 分钟", "5mé", "5 µs",
        "", "   ", "s", "5x", "5 fortnights", "1h30", "30s\n", "\n30s", "30s\r\n", "3\n0s", "1h,", "1h,,30m",
        "999999999999s", "9999999999999s", "99999999999999999999", "100000000000d", "5 minutes 30 seconds",
        "0x10s", "1e3s", "+5s", "5 ms", "5milliseconds", "5 MILLISECONDS", "5 msecs",
    ])
    func durationFastPathMatchesGeneralReader(text: String) {
        let general = outcome { () throws(DurationSyntaxError) in try TaskDuration.parseScalars(text) }
        #expect(outcome { () throws(DurationSyntaxError) in try TaskDuration.parse(text) } == general)
        // The fast path answers only for what it fully understands.
        if let fast = TaskDuration.parseASCII(text) {
            #expect(general == .success(fast.milliseconds))
        }
    }

    @Test func taskIDsDropMarkdownExtensionInAnyCase() {
        #expect(TaskFileParser.taskID(fromPath: "tasks/review.md") == "review")
        #expect(TaskFileParser.taskID(fromPath: "tasks\\Review.MD") == "Review")
        #expect(TaskFileParser.taskID(fromPath: "a/b/Mixed.Md") == "Mixed")
        #expect(TaskFileParser.taskID(fromPath: ".md") == ".md")
        #expect(TaskFileParser.taskID(fromPath: "x.md") == "x")
        #expect(TaskFileParser.taskID(fromPath: "dir/.md") == ".md")
        #expect(TaskFileParser.taskID(fromPath: "notes.txt") == "notes.txt")
        #expect(TaskFileParser.taskID(fromPath: "étude.md") == "étude")
        #expect(TaskFileParser.taskID(fromPath: "dir/é.md") == "é")
        #expect(TaskFileParser.taskID(fromPath: "review.md/") == "")
        // A combining mark on the 'd' makes the last Character 'd́', not 'd'.
        #expect(TaskFileParser.taskID(fromPath: "a.md\u{301}") == "a.md\u{301}")
    }

    @Test func sourceLinesFindCarriageReturnsAtEveryOffset() {
        // Lines longer than a word, with the carriage return at each position of the 8-byte scan
        // (but the last, where it would make a CRLF).
        for position in 0..<19 {
            var line = Array(repeating: UInt8(ascii: "a"), count: 20)
            line[position] = 13
            let source = String(decoding: line, as: UTF8.self) + "\nnext é line that is long enough\n"
            let lines = MarkdownSourceLines(source)
            #expect(lines.text(ofLine: 1) == String(repeating: "a", count: position))
            #expect(lines.text(ofLine: 2) == String(repeating: "a", count: 19 - position))
            #expect(lines.text(ofLine: 3) == "next é line that is long enough")
            #expect(lines.scalarColumn(line: 3, byteColumn: 9) == 8)
            #expect(lines.scalarColumn(line: 2, byteColumn: 3) == 3)
        }
        let crlf = MarkdownSourceLines(String(repeating: "b", count: 19) + "\r\n\u{e9}\r")
        #expect(crlf.count == 3)
        #expect(crlf.text(ofLine: 1) == String(repeating: "b", count: 19))
        #expect(crlf.text(ofLine: 2) == "\u{e9}")
        #expect(crlf.text(ofLine: 3) == "")
    }

    @Test func sourceLinesJoinLinesAsWritten() {
        let lines = MarkdownSourceLines("one\r\ntwo\n  \t\nthree\rfour\nfive")
        #expect(lines.text(ofLines: 1..<3) == "one\ntwo")
        #expect(lines.text(ofLines: 2..<4) == "two\n  \t")
        #expect(lines.text(ofLines: 4..<7) == "three\nfour\nfive")
        #expect(lines.text(ofLines: 5..<7) == "four\nfive")
        #expect(lines.text(ofLines: 3..<3) == "")
        #expect(lines.isBlank(line: 3))
        #expect(!lines.isBlank(line: 2))
        #expect(lines.isBlank(line: 99))
    }

    @Test func sectionTextKeepsLinesWithCRLFAndTrimsBlankLines() throws {
        let source =
            "# T\r\n\r\n## Phase: A\r\n### Steps\r\n- do it\r\n\r\n## Notes\r\n\r\n  \r\nfirst line\r\n\tsecond\r\n\r\n"
        let result = TaskParser().parse(source: source, path: "t.md")
        let section = try #require(result.task?.sections.first)
        #expect(section.content == "first line\n\tsecond")
    }

    @Test func expressionWhitespaceAndNamesBeyondASCII() throws {
        // Vertical tab and form feed are whitespace; 'é' and 'ß' start and continue names.
        let expression = try Expression(parsing: "input.\u{e9}t\u{e9}\u{0B}==\u{0C}input.stra\u{df}e")
        #expect(expression.referencedRoots == ["input"])
        #expect(throws: ExpressionSyntaxError.self) { try Expression(parsing: "a \u{1C} b") }
        let keywordLike = try Expression(parsing: "nothing or inputs")
        #expect(keywordLike.referencedRoots == ["nothing", "inputs"])
    }

    @Test func agentListsInAnotherOrderOrWithRepeatsNeedNoWarning() {
        let source = """
            # T

            ## Phase: A
            ### Agents
            - beta
            - alpha
            - beta

            ### Steps
            - agent: alpha - one
            - agent: beta - two
            - agent: alpha - three

            """
        let result = TaskParser().parse(source: source, path: "t.md")
        #expect(result.diagnostics.isEmpty)
    }
}

/// A syntax check runs the expression parser without building a tree, and must agree with a
/// full parse: the same success, the same error message at the same offset.
@Suite struct SyntaxCheckAgreementTests {
    static func outcome(_ check: () throws(ExpressionSyntaxError) -> Void) -> String {
        do {
            try check()
            return "ok"
        } catch {
            return "\(error.offset): \(error.message)"
        }
    }

    @Test(arguments: [
        "input.amount > 0", "len(input.ticker) > 0", "len(phases.Analysis.responses) >= 5",
        "phases[\"Round Table\"].status == 'completed'", "not (input.ticker in ['BTC', 'ETH'])",
        "a not in b", "-x * 2 % 3 < 1 && !false || y", "round(avg([1, 0.5]), 2) + sum([1, 25]) / max(1, 2)",
        "outputs.in", "input", "x.true", "(((1)))", "[]", "min(1)", "1.x", "1e3", "'a\\nb'", "é",
        "matches(x, 'a+')", "matches(x, ('a' + 'b'))", "len(matches(x, 'a'))",
        "", "   ", "a ==", "a == b == c", "a not b", "f(x)", "len(a, b)", "len()", "a.(b)", "a.1", "(a",
        "a)", "[1, 2", "a = b", "a & b", "a | b", "12abc", "'unterminated", "a #", "x(1)", "a b", "1.5e",
        "a.b(1)", "(a + b)(1)", "[1][0](2)", "matches(x, -1)", "matches(x, 1)", "matches(x, '(')",
        "matches(x, true)", "matches(x, (null))", "len(matches(x, '['))", "-(1)", "- - 2 + [1, -3]",
        String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200),
        "123456789012345678", "Not x", "a and", "round(1, 2, 3)", "a < b < c", "not x in y",
    ])
    func agreesWithTheParser(source: String) {
        let checked = Self.outcome { () throws(ExpressionSyntaxError) in try ExpressionParser.checkSyntax(source) }
        let parsed = Self.outcome { () throws(ExpressionSyntaxError) in _ = try Expression(parsing: source) }
        #expect(checked == parsed)
    }
}

/// Paragraph text sliced out of the phase's scalars (one ASCII line, or lines joined by plain
/// line feeds) is located exactly as the copied text of the general path.
@Suite struct SharedParagraphTests {
    /// `(code, line, column, length)` of every diagnostic, and the phases' descriptions and dependencies.
    func outcome(_ source: String) -> ([String], [String]) {
        let result = TaskParser().parse(source: source, path: "t.md")
        let diagnostics = result.diagnostics.map {
            "\($0.code) \($0.location.line):\($0.location.column) \($0.length) \($0.message)"
        }
        let phases = (result.task?.phases ?? []).map {
            "\($0.name)|\($0.description)|\($0.dependencies.map { "\($0.name)@\($0.location)" })|\($0.steps.map(\.text))"
        }
        return (diagnostics, phases)
    }

    @Test func settingsAndStepsAreLocatedAsWhenCopied() {
        let shared = """
            ## Phase: A
            Some text.

            ### Steps
            - do it

            ## Phase: B
            dependsOn: A, , C
            parallel: maybe
            timeout: 3 lightyears
            when: input.x ==
            Described here.
            More words `code` here.

            ### Steps
            - agent: bad id - go {{ x y }}
            - validation: len(input.x) >=
            - do {{input.a}} then {{/b}}

            """
        // A trailing space before each line break (and a CRLF) sends the same text down the copying path.
        let copied = shared.replacingOccurrences(of: "C\n", with: "C  \n")
            .replacingOccurrences(of: "maybe\n", with: "maybe \r\n")
            .replacingOccurrences(of: "go {{ x y }}\n", with: "go {{ x y }}  \n")
        #expect(copied != shared)
        let (sharedDiagnostics, sharedPhases) = outcome(shared)
        let (copiedDiagnostics, copiedPhases) = outcome(copied)
        #expect(sharedDiagnostics == copiedDiagnostics)
        #expect(sharedPhases == copiedPhases)
        #expect(sharedDiagnostics.count >= 6)
    }

    /// A lone `\r` ends a line too, and the joined text has a `\n` there, as with `\r\n` (which
    /// always takes the copying path): regression test, the slice once kept the `\r`.
    @Test func aLoneCarriageReturnJoinsLinesWithALineFeed() {
        let lines = [
            "## Phase: A", "dependsOn: B", "Described here.", "More words.", "", "### Steps", "- do it", "and more", "",
        ]
        let (_, loneCR) = outcome(lines.joined(separator: "\r"))
        let (_, crlf) = outcome(lines.joined(separator: "\r\n"))
        #expect(loneCR == crlf)
        // (The outcome prints the steps' texts escaped.)
        #expect(loneCR.first?.contains(#"do it\nand more"#) == true)
    }
}
