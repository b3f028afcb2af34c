import Testing

@testable import TaskrunCore

/// Defects the diagnostics corpus exposed, each pinned where it was fixed.
@Suite struct CorpusRegressionTests {
    @Test func expressionMessagesNameColumnsNotOffsets() throws {
        let result = parseTask(phaseSource("when: input.amount > 5 and (input.size > 2\n\n### Steps\n- x\n"))
        let diagnostic = try #require(result.only("expression-syntax"))
        #expect(diagnostic.message == "invalid 'when' expression: expected ')' to close '(' at column 28")
        #expect(diagnostic.location == loc(4, 43))

        let string = parseTask(phaseSource("### Steps\n- x\n  - when: input.kind == 'buy\n"))
        #expect(string.only("expression-syntax")?.message == "invalid 'when' expression: unterminated string")
        #expect(string.only("expression-syntax")?.location == loc(6, 25))
    }

    @Test func anOffsetOnAnotherLineIsALineAndColumn() {
        let text = LocatedText(
            utf8: "(a\n+", range: 0..<4, start: loc(3, 5), laterLines: [.init(offset: 3, location: loc(4, 1))])
        let error = ExpressionSyntaxError(message: "expected ')' to close '(' at offset 0", offset: 4)
        #expect(error.message(in: text) == "expected ')' to close '(' at 3:5")
    }
}

@Suite struct NameSpanRegressionTests {
    @Test func aDuplicatePhaseUnderlinesItsName() throws {
        let result = parseTask("# T\n\n## Phase: Gather\n- a\n\n##  Phase Gather\n- b\n")
        let diagnostic = try #require(result.only("duplicate-phase"))
        #expect(diagnostic.location == loc(6, 11))
        #expect(diagnostic.length == 6)
        #expect(diagnostic.notes == ["first defined at 3:11"])
    }

    @Test func agentWarningsPointAtTheAgentNames() {
        let source = phaseSource(
            "### Agents\n- quant-analyst\n- market-analyst\n\n### Steps\n- agent: quant-analyst - Go\n"
                + "- agent:  sentiment-analyst - Go\n")
        let result = parseTask(source)
        let listed = result.only("agent-without-step")
        #expect(listed?.location == loc(6, 3))
        #expect(listed?.length == 14)
        let unlisted = result.only("agent-not-listed")
        #expect(unlisted?.location == loc(10, 11))
        #expect(unlisted?.length == 17)
    }

    @Test func aMisspelledAgentIsOneWarningNotTwo() {
        let source = phaseSource("### Agents\n- risk-manager\n\n### Steps\n- agent: risk-manger - Go\n")
        let result = parseTask(source)
        #expect(result.codes == ["agent-not-listed"])
        #expect(result.only("agent-not-listed")?.notes == ["'risk-manager' is listed at 5:3, but no step queries it"])
    }
}

@Suite struct YAMLErrorRegressionTests {
    @Test func anUnclosedQuoteIsReportedWhereItOpens() throws {
        let result = parseTask("```yaml\nname: T\ndescription: \"Rotates\nversion: 1\n```\n\n## Phase: A\n- x\n")
        let diagnostic = try #require(result.only("yaml-syntax"))
        #expect(diagnostic.location == loc(3, 14))
        #expect(diagnostic.message == "malformed YAML in config block: the quoted text is never closed")
        #expect(diagnostic.hint == "add the closing quote")
    }

    @Test func aFlowListRunningOntoTheNextLineIsReportedAtItsBracket() throws {
        let result = parseTask(phaseSource("```yaml\ndependsOn: [B\nparallel: false\n```\n"))
        let diagnostic = try #require(result.only("yaml-syntax"))
        #expect(diagnostic.location == loc(5, 12))
        #expect(diagnostic.message == "malformed YAML in the yaml block of phase 'A': the '[' is never closed")
    }

    @Test func indentationMistakesGetAHint() {
        let result = parseTask("```yaml\nretry:\n  maxAttempts: 3\n   backoffMs: 5\n```\n\n## Phase: A\n- x\n")
        #expect(result.only("yaml-syntax")?.location == loc(4, 13))
        #expect(
            result.only("yaml-syntax")?.hint == "check this line's indentation, or quote a value that contains ': '")
    }
}

@Suite struct StepRegressionTests {
    @Test func classifyRulesMissingALabelOrAnExpressionSaySo() {
        let result = parseTask(
            phaseSource("### Steps\n- classify: kind - Classify\n  - rule: low when\n  - rule: when input.x > 1\n"))
        let problems = result.diagnostics("invalid-parameter")
        #expect(
            problems.map(\.message) == [
                "classify rule has no expression after 'when'", "classify rule has no label before 'when'",
            ])
        #expect(problems.map(\.location) == [loc(6, 15), loc(7, 11)])
        #expect(problems.map(\.length) == [4, 4])
    }

    @Test func aTrailingCommaInDependsOnIsPointedAt() {
        let result = parseTask("# T\n\n## Phase: B\n- x\n\n## Phase: A\ndependsOn: B,\n")
        #expect(result.only("invalid-setting")?.location == loc(7, 13))
    }

    @Test func anAgentStepWithoutAnIdSaysSo() {
        let result = parseTask(phaseSource("### Steps\n- agent: - Review the minutes\n"))
        #expect(result.only("invalid-step")?.message == "agent step has no agent id before ' - '")
        #expect(result.only("invalid-step")?.hint == "write 'agent: <id> - Review the minutes'")
    }

    @Test func anEmptyValidateStepsHintUsesTheKeyWritten() {
        let result = parseTask(phaseSource("### Steps\n- validate:\n"))
        #expect(
            result.only("empty-step")?.hint
                == "write 'validate: <criterion>', like 'validate: len(phases.analysis.responses) >= 2'")
    }
}

@Suite struct SectionHintRegressionTests {
    @Test func noPhasesNamesTheSectionsAndTheLikelyPhase() {
        let result = parseTask("# T\n\n## Intro\nHello.\n\n## Review\n### Steps\n- agent: a - b\n")
        let diagnostic = result.only("no-phases")
        #expect(
            diagnostic?.notes == [
                "level-2 headings not starting with 'Phase' are documentation sections: '## Intro', '## Review'"
            ])
        #expect(diagnostic?.hint == "to make '## Review' a phase, write '## Phase: Review'")
        #expect(result.only("section-outside-phase")?.hint == "to make '## Review' a phase, write '## Phase: Review'")
    }

    @Test func stepsBeforeAnySectionGetTheGeneralHint() {
        let result = parseTask("# T\n\n### Steps\n- x\n\n## Phase: A\n- y\n")
        #expect(result.only("section-outside-phase")?.hint == "put it under a '## Phase: Name' heading")
    }
}

@Suite struct ConfigHintRegressionTests {
    func config(_ yaml: String) -> ParseResult {
        parseTask("```yaml\n\(yaml)```\n\n## Phase: A\n- x\n")
    }

    @Test func keysOtherToolsUseGetTheTaskrunName() {
        let result = config("timeout: 5m\nretries: 3\n")
        #expect(
            result.diagnostics("unknown-config-key").map(\.hint) == [
                "did you mean 'maxExecutionTime'?", "did you mean 'retry'?",
            ])
    }

    @Test func aDashedConfigIsToldToDropTheDashes() {
        #expect(config("- name: T\n").only("invalid-config")?.hint?.hasPrefix("remove the '- '") == true)
        #expect(config("- a\n").only("invalid-config")?.hint == "write 'key: value' lines, like 'name: My Task'")
    }

    @Test func retryValuesGetTheLikelyFix() {
        let result = config("retry:\n  backoffMs: 1.5s\n  jitter: 20%\n")
        #expect(
            result.diagnostics("invalid-config-value").map(\.hint) == [
                "'backoffMs' counts milliseconds: write 'backoffMs: 1500'",
                "write the share of each wait to randomize, like 'jitter: 0.2' for 20%",
            ])
    }

    @Test func requirementMistakesGetTheLikelyFix() {
        let result = config(
            "requirements:\n  tags: [string]\n  levels: [low, high]\n  amount:\n    type: number\n    default: \"10\"\n"
                + "  size:\n    type: number\n    default: 1\n    default: 2\n")
        #expect(
            result.diagnostics("invalid-requirement").map(\.hint) == [
                "for a list, write 'tags: array'",
                "to allow only some values, write 'levels: {type: string, enum: [a, b]}'",
            ])
        #expect(result.only("invalid-requirement-default")?.hint == "remove the quotes: 'default: 10'")
        #expect(result.only("duplicate-key")?.notes == ["first given at 10:5"])
    }
}

@Suite struct AggregateRegressionTests {
    @Test func anAggregateStepWithoutAKindSaysSo() {
        let result = parseTask(phaseSource("### Steps\n- aggregate: - Collect everything\n"))
        #expect(result.only("invalid-step")?.message == "aggregate step has no kind before ' - '")
        #expect(result.only("invalid-step")?.location == loc(5, 14))
        #expect(
            result.only("invalid-step")?.hint
                == "write 'aggregate: <kind> - Collect everything', like 'aggregate: responses'")
    }
}

@Suite struct QuotedDependencyRegressionTests {
    @Test func aQuotedDependencyIsUnderlinedInsideItsQuotes() {
        let result = parseTask("# T\n\n## Phase: A\ndependsOn: [\"Round Tabel\"]\n")
        #expect(result.only("unknown-dependency")?.location == loc(4, 14))
        #expect(result.only("unknown-dependency")?.length == 11)
    }
}

@Suite struct ExpressionTokenRegressionTests {
    @Test func theOffendingNameIsUnderlinedAndAdviceIsAHint() throws {
        let result = parseTask(phaseSource("when: lenght(input.x) > 2\n\n### Steps\n- x\n"))
        let diagnostic = try #require(result.only("expression-syntax"))
        #expect(diagnostic.message == "invalid 'when' expression: unknown function 'lenght'")
        #expect(diagnostic.hint == "did you mean 'len'?")
        #expect(diagnostic.location == loc(4, 7))
        #expect(diagnostic.length == 6)
    }

    @Test func aCriterionTakesTheExpressionsAdviceAsItsHint() throws {
        let result = parseTask(phaseSource("### Steps\n- validation: input.a = 1\n"))
        let diagnostic = try #require(result.only("criterion-not-expression"))
        #expect(diagnostic.message.hasSuffix("does not parse: unexpected '='"))
        #expect(diagnostic.hint == "use '==' to compare")
    }

    @Test func messagesWhoseTailIsNotAdviceStayWhole() {
        let text = LocatedText("foo(1)", at: loc(1, 1))
        let error = ExpressionSyntaxError(message: "only built-in functions can be called; 'foo' is not one", offset: 0)
        #expect(error.located(in: text).message == "only built-in functions can be called; 'foo' is not one")
        #expect(error.located(in: text).hint == nil)
        #expect(error.located(in: text).length == 3)
    }
}
