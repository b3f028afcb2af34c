import Testing

@testable import TaskrunCore

@Suite struct StepTests {
    func steps(_ bullets: String) -> ParseResult {
        parseTask(phaseSource("### Steps\n" + bullets))
    }

    @Test func everyStepKind() throws {
        let result = steps(
            """
            - agent: quant-analyst - Perform analysis on {{input.ticker}}
            - validation: len(phases.analysis.responses) >= 2
            - validate: Ensure all risks are covered
            - aggregate: responses - Compile all presentations
            - aggregate: consensus
            - wait: 1h30m
            - classify: questionType - Classify the question
              - rule: action when contains(input.question, "buy")
            - http-call: GET the quote
            - Load market data for the ticker
            - Note: capitalized words are prose
            - https://example.com is prose too
            - e.g.: dotted words are prose

            """)
        #expect(result.diagnostics.isEmpty)
        let steps = try #require(result.firstPhase?.steps)
        #expect(
            steps.map(\.kind) == [
                .agent(id: "quant-analyst"), .validation, .validation, .aggregate(kind: "responses"),
                .aggregate(kind: "consensus"), .wait(TaskDuration(milliseconds: 5_400_000)), .custom(type: "classify"),
                .custom(type: "http-call"), .description, .description, .description, .description,
            ])
        #expect(
            steps.map(\.text) == [
                "Perform analysis on {{input.ticker}}", "len(phases.analysis.responses) >= 2",
                "Ensure all risks are covered",
                "Compile all presentations", "", "1h30m", "questionType - Classify the question", "GET the quote",
                "Load market data for the ticker", "Note: capitalized words are prose",
                "https://example.com is prose too", "e.g.: dotted words are prose",
            ])
        #expect(steps.map(\.location.line) == [5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17])
        #expect(steps.allSatisfy { $0.location.column == 3 })
    }

    @Test func stepLocationsAreExact() throws {
        let source =
            "# T\n\n## Phase: A\n\n### Steps\n\n1. agent: a - x\n2.  validation: ok\n\n   * nested list is a parameter list\n> - in a quote\n"
        let result = parseTask(source)
        let steps = try #require(result.firstPhase?.steps)
        // The starred list is indented less than item 2's content, so it is a list of its own.
        #expect(steps.map(\.location) == [loc(7, 4), loc(8, 5), loc(10, 6)])
    }

    @Test func multiLineStepTextKeepsLines() throws {
        let result = steps("- agent: a - First line\n  second {{input.x}} line\n")
        let step = try #require(result.firstPhase?.steps.first)
        #expect(step.text == "First line\nsecond {{input.x}} line")
    }

    @Test func inlineCodeIsNeverAStepType() throws {
        let result = steps("- `agent: x - y` stays prose\n- **agent:** bold is prose\n")
        #expect(result.firstPhase?.steps.map(\.kind) == [.description, .description])
        #expect(result.firstPhase?.steps.first?.text == "`agent: x - y` stays prose")
    }

    @Test func parametersAreTyped() throws {
        let result = steps(
            """
            - agent: market-analyst - Explain the move
              - when: phases["Question Classification"].outputs.questionType == "price-movement"
              - required: true
              - timeout: 2m
              - retry: 3
              - temperature: 0.5
              - maxTokens: 100
              - label: "quoted: text"
              - single: 'it''s'
              - mixed: "a" and "b"
              - empty:
              - nothing: null
              - flag: False
              - tag: a
              - tag: b
              - tag: 3

            """)
        #expect(result.diagnostics.isEmpty)
        let step = try #require(result.firstPhase?.steps.first)
        #expect(step.condition == "phases[\"Question Classification\"].outputs.questionType == \"price-movement\"")
        #expect(step.isRequired)
        #expect(step.parameters["timeout"] == 120_000)
        #expect(step.parameters["retry"] == 3)
        #expect(step.parameters["temperature"] == 0.5)
        #expect(step.parameters["maxTokens"] == 100)
        #expect(step.parameters["label"] == "quoted: text")
        #expect(step.parameters["single"] == "it's")
        #expect(step.parameters["mixed"] == "\"a\" and \"b\"")
        #expect(step.parameters["empty"] == .null)
        #expect(step.parameters["nothing"] == .null)
        #expect(step.parameters["flag"] == false)
        #expect(step.parameters["tag"] == ["a", "b", 3])
    }

    @Test func badKnownParametersAreErrors() {
        let result = steps(
            "- agent: a - x\n  - required: yes\n  - timeout: forever\n  - retry: 0\n  - when:\n  - when: a\n  - when: b\n"
        )
        #expect(result.diagnostics("invalid-parameter").map(\.location) == [loc(6, 15), loc(8, 12), loc(9, 5)])
        #expect(result.only("invalid-duration")?.location == loc(7, 14))
        #expect(result.only("invalid-duration")?.length == 7)
        #expect(result.only("duplicate-parameter")?.location == loc(11, 5))
        #expect(result.firstPhase?.steps.first?.condition == "a")
    }

    @Test func nonParameterBulletsWarn() {
        let result = steps("- Validate inputs\n  - ticker\n  -\n  - key: v\n    - deeper\n")
        let warnings = result.diagnostics("invalid-parameter")
        #expect(warnings.map(\.location) == [loc(6, 5), loc(7, 3), loc(9, 5)])
        #expect(warnings.allSatisfy { $0.severity == .warning })
        #expect(result.firstPhase?.steps.first?.parameters == ["key": "v"])
    }

    @Test(arguments: [
        ("-\n", 1), ("- agent:\n", 3), ("- agent: quant-analyst\n", 10), ("- agent: quant-analyst -\n", 10),
        ("- validation:\n", 3), ("- validate:\n", 3), ("- wait:\n", 3), ("- custom:\n", 3), ("- aggregate:\n", 3),
    ])
    func emptyStepTextIsAnError(bullet: String, column: Int) {
        let result = steps(bullet)
        let diagnostic = result.only("empty-step")
        #expect(diagnostic?.severity == .error)
        #expect(diagnostic?.location == loc(5, column))
    }

    @Test func malformedAgentSteps() {
        let result = steps("- agent: quant analyst does things\n- agent: quant analyst - x\n- agent:  - prompt\n")
        let diagnostics = result.diagnostics("invalid-step")
        // A missing separator is pointed at where it belongs, after the first word.
        #expect(diagnostics.map(\.location) == [loc(5, 15), loc(6, 10), loc(7, 11)])
        #expect(diagnostics[0].message == "expected ' - ' between the agent id 'quant' and the prompt")
        #expect(diagnostics[0].hint == "write 'agent: quant - analyst does things'")
        #expect(diagnostics[1].message == "agent id 'quant analyst' contains a space")
        #expect(diagnostics[2].message == "agent step has no agent id before ' - '")
        #expect(result.firstPhase?.steps.isEmpty == true)
    }

    @Test func parametersOfABrokenStepAreStillChecked() {
        let result = steps("- wait: soon\n  - required: perhaps\n- agent:\n  - when: a == == b\n")
        #expect(result.codes == ["invalid-duration", "invalid-parameter", "empty-step", "expression-syntax"])
        #expect(result.firstPhase?.steps.isEmpty == true)
    }

    @Test func malformedAggregateStep() {
        let result = steps("- aggregate: compile all of them\n")
        #expect(result.only("invalid-step")?.location == loc(5, 14))
    }

    @Test func badWaitDurationIsPositioned() {
        let result = steps("- wait: 5 parsecs\n")
        let diagnostic = result.only("invalid-duration")
        #expect(diagnostic?.location == loc(5, 9))
        #expect(diagnostic?.length == 9)
    }

    @Test func classifyStepsAreChecked() {
        let result = steps(
            "- classify: questionType - Classify\n  - rule: action\n  - rule: when x\n  - default: other\n- classify: two words\n"
        )
        #expect(result.diagnostics("invalid-parameter").map(\.location) == [loc(6, 11), loc(7, 11)])
        let invalid = result.diagnostics("invalid-step")
        #expect(invalid.map(\.location) == [loc(9, 13), loc(9, 3)].sorted())
    }

    @Test func stepsInQuotesAndNestedContainers() throws {
        let result = parseTask(phaseSource("### Steps\n> - agent: a - quoted list is not a step list\n- real\n"))
        #expect(result.firstPhase?.steps.map(\.text) == ["real"])
    }

    @Test func stepsAcrossSeveralListsAndSections() throws {
        let result = steps("- one\n\nSome prose.\n\n- two\n### Steps\n- three\n")
        #expect(result.firstPhase?.steps.map(\.text) == ["one", "two", "three"])
    }

    @Test func unicodeStepColumns() throws {
        let result = parseTask("## Phase: Ü\n### Steps\n- agent: ä - {{input..x}} ü\n    - when: ö\n")
        #expect(result.only("template-syntax")?.location == loc(3, 22))
        #expect(result.firstPhase?.steps.first?.condition == "ö")
    }

    @Test func tabsAndCRLFKeepColumns() throws {
        let result = parseTask("## Phase: A\r\n### Steps\r\n-\tagent: a - {{x\r\n")
        #expect(result.only("template-syntax")?.location == loc(3, 14))
    }
}

@Suite struct ValidationCriterionWarningTests {
    @Test func brokenExpressionCriterionIsAWarningAtTheBreak() throws {
        let result = parseTask(phaseSource("### Steps\n- validation: len(phases.a.responses >= 3\n"))
        let warning = try #require(result.only("criterion-not-expression"))
        #expect(warning.severity == .warning)
        #expect(warning.location == loc(5, 42))  // just past the text, where the ")" is missing
    }

    @Test func proseAndValidExpressionsAreNotWarned() {
        let result = parseTask(
            phaseSource(
                "### Steps\n- validation: Ensure all major risks have been addressed\n"
                    + "- validation: len(phases.a.responses) >= 3\n"))
        #expect(result.diagnostics("criterion-not-expression").isEmpty)
    }
}
