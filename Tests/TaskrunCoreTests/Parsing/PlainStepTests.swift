import Testing

@testable import TaskrunCore

/// The one-pass reader of the usual step (``TaskFileParser/plainStep(item:)``) must make exactly
/// the step the general reader makes, and take only steps the general reader has nothing to
/// report about.
@Suite struct PlainStepTests {
    static let steps = [
        "agent: quant-analyst - Analyze {{input.ticker}} for {{input.amount}} USD",
        "agent: é-analyst - Prüfe {{input.ticker}} für 100 €",
        "agent:  spaced   -   prompt with trailing blanks   ", "agent:\ttabbed - prompt", "agent: a b - c",
        "agent: - c", "agent: x -", "agent: x", "agent: x - {{#a}} open", "agent: x - y }} stray",
        "agent: x - {{input..a}}", "agent: x - y - z", "agent: x-y - z", "agent:", "Agent: x - y",
        "validation: input.amount > 0", "validation: len(phases.Analysis.responses) >= 5",
        "validation: Every major risk raised in the Analysis phase has been addressed", "validation: input.a = 1",
        "validate: x == 'é'", "validation: lower(input.name) == \"zoë\"", "validation:", "validation: Consensus",
        "validation: {{input.x}} == 1", "aggregate: consensus - Weigh the positions by confidence",
        "aggregate: responses", "aggregate: - note", "aggregate: a b - c", "aggregate: x -", "aggregate: x - {{a",
        "Validate input parameters (ticker, amount, timeHorizon, riskTolerance)",
        "Load the market snapshot for {{input.ticker}} with price", "Broken {{input.x", "Unicode ü description",
        "wait: 30s", "classify: out - note", "`agent: x - y`", "*agent*: x - y", "agent`: x - y`",
        "e.g.: something", "note: free text", "x", "über: alles",
    ]

    /// Each step as the only item of a phase's steps, with each kind of line ending.
    static func sources(_ step: String) -> [String] {
        ["\n", "\r\n", "\r"].flatMap { ending in
            [
                ["# T", "", "## Phase: A", "### Steps", "- " + step, "- next", ""].joined(separator: ending),
                // With parameters, good and bad.
                [
                    "# T", "", "## Phase: A", "### Steps", "- " + step, "  - required: true", "  - timeout: 9 minuts",
                    "  - output: x", "  - output: 'y'", "  - when: a ==", "- next", "",
                ].joined(separator: ending),
            ]
        }
    }

    static func items(_ parser: TaskFileParser) -> [Int] {
        parser.document.compact.indices.filter {
            if case .item = parser.document.compact[$0].kind { return true }
            return false
        }
    }

    @Test(arguments: steps)
    func plainStepMatchesTheGeneralReader(step: String) throws {
        for source in Self.sources(step) {
            let parser = TaskFileParser(source: source, path: "t.md")
            for item in Self.items(parser) {
                guard let plain = parser.plainStep(item: item) else { continue }
                var general = parser
                general.diagnostics = []
                let read = general.parseStepInFull(item: item)
                let full = try #require(read)
                var fast = parser
                fast.diagnostics = []
                let fastRead = fast.parseStep(item: item)
                #expect(fast.diagnostics == general.diagnostics, "\(step)")
                #expect(plain.1 == full.1, "\(step)")
                #expect(fastRead?.0 == full.0, "\(step)")
                #expect(fastRead?.1 == full.1, "\(step)")
            }
        }
    }

    @Test(arguments: [
        "agent: quant-analyst - Analyze {{input.ticker}}", "agent: é-analyst - Prüfe {{input.ticker}} für 100 €",
        "validation: input.amount > 0", "validation: Every major risk has been addressed",
        "aggregate: consensus - Weigh", "aggregate: responses", "Load the snapshot for {{input.ticker}}",
        "Unicode ü description",
    ])
    func theUsualStepsTakeThePlainPath(step: String) {
        // (The sources without parameters: every item there is a step.)
        for source in Self.sources(step) where !source.contains("required") {
            let parser = TaskFileParser(source: source, path: "t.md")
            #expect(Self.items(parser).allSatisfy { parser.plainStep(item: $0) != nil }, "\(step)")
        }
        // A step with parameters too (the first item, in document order).
        let parser = TaskFileParser(source: Self.sources(step)[1], path: "t.md")
        #expect(parser.plainStep(item: Self.items(parser)[0]) != nil, "\(step)")
    }

    @Test(arguments: ["agent: x", "agent: x - {{#a}} open", "validation: input.a = 1", "wait: 30s", "aggregate: - n"])
    func stepsWithSomethingToSayTakeTheGeneralPath(step: String) {
        let parser = TaskFileParser(source: Self.sources(step)[0], path: "t.md")
        #expect(parser.plainStep(item: Self.items(parser)[0]) == nil)
    }
}

/// Plain setting values in the paragraph under a phase heading are applied straight from the
/// text; they must mean what the same values mean in the phase's yaml block (the YAML path).
@Suite struct PlainSettingTests {
    static func phase(_ source: String) -> (Phase?, [String]) {
        let result = TaskParser().parse(source: source, path: "t.md")
        return (result.task?.phases.first, result.diagnostics.map(\.code))
    }

    @Test(arguments: [
        "parallel: true", "parallel: False", "parallel: TRUE", "parallel: yes", "parallel: 1", "checkpoint: false",
        "continueOnFailure: true", "continueOnFailure: maybe", "timeout: 3 minutes", "timeout: 30s", "timeout: 1h30m",
        "timeout: 3000", "timeout: 1.5", "timeout: 3 minuts", "timeout: null", "timeout: true", "timeout: -5s",
        "timeout: 5 分钟",
    ])
    func paragraphValuesMeanWhatYAMLValuesMean(setting: String) {
        let paragraph = Self.phase("# T\n\n## Phase: A\n\(setting)\n\n### Steps\n- x\n")
        let block = Self.phase("# T\n\n## Phase: A\n```yaml\n\(setting)\n```\n\n### Steps\n- x\n")
        #expect(paragraph.1 == block.1, "\(setting)")
        #expect(paragraph.0?.parallel == block.0?.parallel, "\(setting)")
        #expect(paragraph.0?.checkpoint == block.0?.checkpoint, "\(setting)")
        #expect(paragraph.0?.continueOnFailure == block.0?.continueOnFailure, "\(setting)")
        #expect(paragraph.0?.timeout == block.0?.timeout, "\(setting)")
    }

    @Test func aSettingGivenTwiceIsStillReportedOnTheFastPath() {
        let (phase, codes) = Self.phase("# T\n\n## Phase: A\nparallel: true\nparallel: false\n\n### Steps\n- x\n")
        #expect(codes == ["duplicate-setting"])
        #expect(phase?.parallel == false)
    }
}

/// Plain `{{name}}` tags skip the full tag check; near-plain ones still get it.
@Suite struct PlainTagTests {
    @Test(arguments: [
        ("{{a..b}}", 1), ("{{a.}}", 1), ("{{.a}}", 1), ("{{-a_b.c-1}}", 0), ("{{a}}}", 0), ("{{a}b}}", 1),
        ("{{é}}", 1), ("{{a}} {{b", 1), ("{{a {{b}}", 1), ("{{a}}{{/a}}", 1), ("{{#a}}{{a}}{{/a}}", 0),
        ("x {{input.ticker}} y {{phases.roundTable.status}}", 0),
    ])
    func problemCounts(text: String, count: Int) {
        var text = text
        #expect(text.withUTF8 { TemplateSyntax.check(utf8: $0) }.count == count, "\(text)")
    }
}

/// The one-pass reader of the usual settings paragraph must set what the general reader sets,
/// and take only paragraphs the general reader has nothing to report about.
@Suite struct PlainSettingsParagraphTests {
    static let paragraphs = [
        "dependsOn: Analysis\nparallel: true\ntimeout: 3 minutes\nIn round Debate, each member works in turn.",
        "timeout: 30s\nInitialize review 7 and prepare the shared context.",
        "dependsOn: A, B ,C\nParallel work: of every kind\nparallel: false\nMore prose here.\ncheckpoint: true",
        "dependsOn: Réunion, Über Phase\ncontinueOnFailure: true\nDescription with ü and {{braces}}",
        "dependsOn: A,\nparallel: true", "dependsOn: A,,B", "dependsOn: [A, B]", "dependsOn:", "parallel: yes",
        "parallel: true\nparallel: false", "timeout: 3 minuts", "timeout: 3000", "when: input.x > 1\nProse",
        "retry: 3", "reviewer: chair", "dependOn: A", "Then: do this", "e.g.: something", "dependsOn: A\\\nnext",
        "dependsOn: A   \nparallel: true", "  dependsOn: A\n  parallel: true", "`parallel`: true\nText",
        "dependsOn: A\r\nparallel: true", "dependsOn: A\rparallel: true", "Only prose.", "prose\n\nmore",
        "First line\n  indented continuation\nparallel: true",
    ]

    /// The phase after reading its settings paragraph, and the diagnostics.
    static func read(_ body: String, plain: Bool) -> (Phase?, [Diagnostic])? {
        var parser = TaskFileParser(source: "# T\n\n## Phase: P\n" + body + "\n\n### Steps\n- x\n", path: "t.md")
        guard
            let paragraph = parser.document.compact.indices.first(where: {
                if case .paragraph = parser.document.compact[$0].kind { return true }
                return false
            })
        else { return nil }
        var phase = Phase(name: "P")
        var settings = TaskFileParser.SettingsState()
        if plain {
            guard parser.readPlainSettingsParagraph(paragraph, into: &phase, settings: &settings) else { return nil }
        } else {
            parser.readSettingsParagraphInFull(paragraph, into: &phase, settings: &settings)
        }
        return (phase, parser.diagnostics)
    }

    @Test(arguments: paragraphs)
    func plainReaderMatchesTheGeneralReader(body: String) throws {
        guard let plain = Self.read(body, plain: true) else { return }
        let general = try #require(Self.read(body, plain: false))
        #expect(general.1.isEmpty, "\(body)")
        #expect(plain.1.isEmpty, "\(body)")
        #expect(plain.0 == general.0, "\(body)")
    }

    @Test(arguments: Array(paragraphs.prefix(4)))
    func theUsualParagraphsTakeThePlainPath(body: String) {
        #expect(Self.read(body, plain: true) != nil, "\(body)")
    }
}

/// A syntax check lexes names and strings without their text; its errors must still quote them
/// exactly as a full parse does.
@Suite struct ByteLexerAgreementTests {
    @Test(arguments: [
        "a 'é'", "a é", "lenght(x)", "a AND b", "é(1)", "a \"zoë\\n\"", "x.y 'z'", "a not b", "not 'x' 'y'",
        "phases[\"Round Table\"] phases", "len(a) b", "input.amount > 0 and", "'ü' + ", "a.\"b\"", "a.'x'",
        "matches(x, 'é+') y", "trim(\"a\\u{1F600}\") z", "a\u{00A0}b", "a\u{2028}b", "1 + é", "[1, 'ab' 'cd']",
        "input.amount > 0", "len(phases.Analysis.responses) >= 5", "lower(input.name) == \"zoë\"",
    ])
    func checkAgreesWithParse(source: String) {
        let checked = SyntaxCheckAgreementTests.outcome { () throws(ExpressionSyntaxError) in
            try ExpressionParser.checkSyntax(source)
        }
        let located = SyntaxCheckAgreementTests.outcome { () throws(ExpressionSyntaxError) in
            try ExpressionParser.checkSyntax(LocatedText(source, at: .start))
        }
        let parsed = SyntaxCheckAgreementTests.outcome { () throws(ExpressionSyntaxError) in
            _ = try Expression(parsing: source)
        }
        #expect(checked == parsed)
        #expect(located == parsed)
    }
}

/// The one-pass reader of a parameter bullet must give what the general reader gives, and take
/// only bullets the general reader has nothing to report about.
@Suite struct PlainParameterTests {
    @Test(arguments: [
        "required: true", "required: False", "required: yes", "required:", "timeout: 90s", "timeout: 1h30m",
        "timeout: 9 minuts", "timeout: 3000", "retry: 3", "retry: 0", "retry: 2.5", "retry: many",
        "when: input.amount > 1000", "when: a ==", "when: lower(input.name) == 'zoë'", "when:", "output: finalVerdict",
        "output: 'quoted'", "output: \"double\"", "output: 3", "output: 2.5", "output: null", "output: ~",
        "output: true", "output: .inf", "output: 1e999", "output: Réunion", "output: a: b", "rule: buy when x > 1",
        "note:   spaced value   ", "`code`: x", "*em*: x", "e.g.: x", "x", "output: [a, b]",
    ])
    func plainParameterMatchesTheGeneralReader(bullet: String) throws {
        for ending in ["\n", "\r\n", "\r"] {
            let source = ["# T", "", "## Phase: A", "### Steps", "- classify: out - note", "  - " + bullet, ""]
                .joined(separator: ending)
            let parser = TaskFileParser(source: source, path: "t.md")
            let items = PlainStepTests.items(parser)
            let bulletItem = try #require(items.last)
            for isClassify in [false, true] {
                guard let plain = parser.plainParameter(bulletItem, isClassify: isClassify) else { continue }
                var general = parser
                general.diagnostics = []
                let read = general.parameter(bulletItem)
                let (key, location, value) = try #require(read)
                let typed = general.parameterValue(key: key, keyLocation: location, value: value)
                #expect(general.diagnostics.isEmpty, "\(bullet)")
                #expect(plain.0 == key, "\(bullet)")
                #expect(plain.1 == location, "\(bullet)")
                #expect(plain.2 == typed, "\(bullet)")
                #expect(!(isClassify && key == "rule"), "\(bullet)")
            }
        }
    }

    @Test(arguments: ["required: true", "timeout: 90s", "retry: 3", "when: input.amount > 1000", "output: x"])
    func theUsualParametersTakeThePlainPath(bullet: String) throws {
        let source = "# T\n\n## Phase: A\n### Steps\n- agent: a - b\n  - \(bullet)\n"
        let parser = TaskFileParser(source: source, path: "t.md")
        let bulletItem = try #require(PlainStepTests.items(parser).last)
        #expect(parser.plainParameter(bulletItem, isClassify: false) != nil)
    }
}
