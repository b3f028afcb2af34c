import Testing

@testable import TaskrunCore

@Suite struct PhaseTests {
    @Test func bothHeadingFormsArePhases() {
        let result = parseTask(
            "## Phase: First One\n### Steps\n- a\n## Phase Second\n### Steps\n- b\n## Phases Overview\ntext\n")
        #expect(result.task?.phases.map(\.name) == ["First One", "Second"])
        #expect(result.task?.sections.map(\.title) == ["Phases Overview"])
        #expect(result.task?.phases.map(\.location) == [loc(1, 1), loc(4, 1)])
    }

    @Test func emptyPhaseNameIsAnError() {
        let result = parseTask("## Phase:\n### Steps\n- a\n")
        let diagnostic = result.only("empty-phase-name")
        #expect(diagnostic?.location == loc(1, 1))
        #expect(diagnostic?.length == 9)
    }

    @Test func phaseNamesUsePlainText() {
        let result = parseTask("## Phase: **Deep** `Dive`\n### Steps\n- a\n## `Phase: Code`\n")
        #expect(result.task?.phases.map(\.name) == ["Deep Dive"])
        #expect(result.task?.sections.map(\.title) == ["Phase: Code"])
    }

    @Test func otherSectionsAreDocumentation() throws {
        let source = """
            # T
            ## Phase: A
            ### Steps
            - a

            ## Quality Validation

            - Check **this**

            ```json
            {"a": 1}
            ```

            # Appendix
            More.
            """
        let task = try #require(parseTask(source).task)
        #expect(task.sections.map(\.title) == ["Quality Validation", "Appendix"])
        #expect(task.sections[0].content == "- Check **this**\n\n```json\n{\"a\": 1}\n```")
        #expect(task.sections[0].location == loc(6, 1))
        #expect(task.sections[1].content == "More.")
        #expect(task.phases[0].steps.count == 1)
    }

    @Test func settingsParagraphMixesSettingsAndProse() throws {
        let source = phaseSource(
            """
            First line of prose.
            dependsOn: X, Round Table
            parallel: false
            More prose: with a colon.
            timeout: 1h30m
            retry: 3
            checkpoint: false
            when: input.amount > 1000
            continueOnFailure: true
            reviewer: committee-chair
            Last line.

            """)
        let result = parseTask(source)
        #expect(!result.diagnostics.contains { $0.code != "unknown-dependency" })
        let phase = try #require(result.firstPhase)
        #expect(phase.dependsOn == ["X", "Round Table"])
        #expect(phase.dependencies.map(\.location) == [loc(5, 12), loc(5, 15)])
        #expect(phase.parallel == false)
        #expect(phase.timeout == TaskDuration(milliseconds: 5_400_000))
        #expect(phase.retry == RetryPolicy(maxAttempts: 3))
        #expect(phase.checkpoint == false)
        #expect(phase.condition == "input.amount > 1000")
        #expect(phase.continueOnFailure)
        #expect(phase.reviewer == "committee-chair")
        #expect(phase.description == "First line of prose.\nMore prose: with a colon.\nLast line.")
    }

    @Test func dependsOnFlowSequenceAndYAMLRetry() throws {
        let result = parseTask(
            "## Phase: B\n### Steps\n- x\n## Phase: C\n### Steps\n- y\n## Phase: A\ndependsOn: [B, \"C\"]\nretry: {maxAttempts: 2, backoffMs: 10}\n"
        )
        let phase = try #require(result.task?.phases.last)
        #expect(phase.dependsOn == ["B", "C"])
        // A quoted name is located inside its quotes.
        #expect(phase.dependencies.map(\.location) == [loc(8, 13), loc(8, 17)])
        #expect(phase.retry == RetryPolicy(maxAttempts: 2, backoffMs: 10))
        #expect(result.diagnostics.isEmpty)
    }

    @Test func defaultsWhenNothingIsSet() throws {
        let phase = try #require(parseTask(phaseSource("Just prose.\n")).firstPhase)
        #expect(phase.parallel == nil)
        #expect(phase.checkpoint)
        #expect(!phase.continueOnFailure)
        #expect(phase.timeout == nil)
        #expect(phase.retry == nil)
        #expect(phase.condition == nil)
        #expect(phase.description == "Just prose.")
    }

    @Test func badSettingValuesArePositioned() {
        let result = parseTask(phaseSource("parallel: maybe\ntimeout: soon\nretry: 0\ndependsOn: A,, B\n"))
        #expect(result.only("invalid-duration")?.location == loc(5, 10))
        #expect(result.only("invalid-duration")?.length == 4)
        let invalid = result.diagnostics("invalid-setting")
        #expect(invalid.map(\.location) == [loc(4, 11), loc(6, 8), loc(7, 14)])
        #expect(invalid[0].message == "'parallel' must be true or false, not 'maybe'")
        #expect(invalid[0].length == 5)
    }

    @Test func malformedFlowValueIsAYAMLError() {
        let result = parseTask(phaseSource("retry: {maxAttempts: 3\n"))
        #expect(result.only("yaml-syntax")?.location.line == 4)
    }

    @Test func nearMissSettingsWarnButOthersStayProse() throws {
        let result = parseTask(
            phaseSource("dependOn: A\nParallel: true\nThen: we vote.\nNote: be nice.\nWhen: later\n"))
        let warnings = result.diagnostics("unknown-setting")
        #expect(warnings.map(\.location) == [loc(4, 1), loc(5, 1), loc(8, 1)])
        #expect(
            warnings.map(\.hint) == ["did you mean 'dependsOn'?", "did you mean 'parallel'?", "did you mean 'when'?"])
        #expect(warnings.allSatisfy { $0.severity == .warning })
        let phase = try #require(result.firstPhase)
        #expect(phase.dependsOn.isEmpty)
        #expect(phase.parallel == nil)
        #expect(phase.description == "dependOn: A\nParallel: true\nThen: we vote.\nNote: be nice.\nWhen: later")
    }

    @Test func codeIsNeverASetting() throws {
        let result = parseTask(phaseSource("`dependsOn: X`\n*parallel*: false\n\n```\ndependsOn: Y\n```\n"))
        let phase = try #require(result.firstPhase)
        #expect(phase.dependsOn.isEmpty)
        #expect(phase.parallel == nil)
        #expect(result.diagnostics("misplaced-setting").isEmpty)
    }

    @Test func yamlBlockCarriesSettings() throws {
        let source = phaseSource(
            """
            ```yaml
            dependsOn: [B]
            parallel: false
            timeout: 30s
            retry: {maxAttempts: 5}
            when: input.go == true
            checkpoint: false
            continueOnFailure: true
            reviewer: chair
            paralel: true
            ```
            Description after the block.

            """)
        let result = parseTask(source + "## Phase: B\n### Steps\n- x\n")
        let phase = try #require(result.firstPhase)
        #expect(phase.dependsOn == ["B"])
        #expect(phase.dependencies.first?.location == loc(5, 13))
        #expect(phase.parallel == false)
        #expect(phase.timeout == .seconds(30))
        #expect(phase.retry?.maxAttempts == 5)
        #expect(phase.condition == "input.go == true")
        #expect(!phase.checkpoint)
        #expect(phase.continueOnFailure)
        #expect(phase.reviewer == "chair")
        #expect(phase.description == "Description after the block.")
        let warning = result.only("unknown-setting")
        #expect(warning?.location == loc(13, 1))
        #expect(warning?.hint == "did you mean 'parallel'?")
    }

    @Test func yamlBlockErrors() {
        let result = parseTask(
            phaseSource("```yaml\ntimeout: [1]\ndependsOn: {a: b}\n```\n```yaml\n- x\n```\n```yaml\na: [\n```\n"))
        #expect(result.only("invalid-duration")?.location == loc(5, 10))
        #expect(result.diagnostics("invalid-setting").map(\.location) == [loc(6, 12), loc(9, 1)])
        #expect(result.only("yaml-syntax")?.location.line == 13)
    }

    @Test func dependenciesSectionAddsDependencies() throws {
        let result = parseTask(phaseSource("dependsOn: B\n\n### Dependencies\n- C\n- `Round Table`\n-\n"))
        let phase = try #require(result.firstPhase)
        #expect(phase.dependsOn == ["B", "C", "Round Table"])
        #expect(phase.dependencies.map(\.location) == [loc(4, 12), loc(7, 3), loc(8, 3)])
        #expect(result.only("empty-list-item")?.location == loc(9, 1))
    }

    @Test func settingsOutsideTheFirstParagraphWarn() throws {
        let result = parseTask(phaseSource("Intro.\n\ndependsOn: B\n\n### Notes\ntimeout: 5s\n"))
        let warning = result.only("misplaced-setting")
        #expect(warning?.location == loc(6, 1))
        #expect(warning?.length == 9)
        #expect(result.firstPhase?.dependsOn.isEmpty == true)
    }

    @Test func settingsParagraphMustComeBeforeOtherBlocks() {
        let result = parseTask(phaseSource("- a list first\n\nparallel: false\n"))
        #expect(result.firstPhase?.parallel == nil)
        #expect(result.only("misplaced-setting")?.location == loc(6, 1))
    }

    @Test func duplicateSettingsWarnAndLaterWins() {
        let result = parseTask(phaseSource("parallel: true\nparallel: false\ndependsOn: X\ndependsOn: Y\n"))
        #expect(result.firstPhase?.parallel == false)
        #expect(result.firstPhase?.dependsOn == ["X", "Y"])
        let warning = result.only("duplicate-setting")
        #expect(warning?.location == loc(5, 1))
        #expect(warning?.notes == ["first set at 4:1"])
    }

    @Test func whenNeedsAnExpression() {
        let result = parseTask(phaseSource("when:\n"))
        #expect(result.only("invalid-setting")?.location == loc(4, 1))
    }

    /// The offset of the syntax error in `expression`, recording an issue when it parses.
    func syntaxErrorOffset(_ expression: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Int {
        do {
            _ = try Expression(parsing: expression)
            Issue.record("expected '\(expression)' not to parse", sourceLocation: sourceLocation)
            return 0
        } catch {
            return error.offset
        }
    }

    @Test func whenExpressionErrorsArePositioned() throws {
        let offset = syntaxErrorOffset("input.a == == 1")
        let paragraph = parseTask(phaseSource("Prose.\nwhen: input.a == == 1\n")).only("expression-syntax")
        #expect(paragraph?.location == loc(5, 7 + offset))
        #expect(paragraph?.severity == .error)
        let block = parseTask(phaseSource("```yaml\nwhen: \"input.a == == 1\"\n```\n")).only("expression-syntax")
        #expect(block?.location == loc(5, 8 + offset))
        let step = parseTask(phaseSource("### Steps\n- agent: a - x\n  - when: input.a == == 1\n"))
        #expect(step.only("expression-syntax")?.location == loc(6, 11 + offset))
        let rule = parseTask(phaseSource("### Steps\n- classify: kind - x\n  - rule: big when input.a == == 1\n"))
        #expect(rule.only("expression-syntax")?.location == loc(6, 20 + offset))
    }

    @Test func headingLevelMistakesWarn() {
        let result = parseTask(phaseSource("### Steps\n- a\n## Steps\n- b\n### Phase: B\n"))
        let warnings = result.diagnostics("heading-level")
        #expect(warnings.map(\.location) == [loc(6, 1), loc(8, 1)])
        #expect(warnings[0].hint == "did you mean '### Steps'?")
        #expect(warnings[1].hint == "write '## Phase: B' to start a phase")
    }

    @Test func nearMissSectionsWarnOthersAreDocumentation() throws {
        let result = parseTask(phaseSource("### Step\n- a\n### agents\n- x\n### Notes\n- n\n### Output\n- o\n"))
        let warnings = result.diagnostics("unknown-section")
        #expect(warnings.map(\.location) == [loc(4, 1), loc(10, 1)])
        #expect(warnings.map(\.hint) == ["did you mean '### Steps'?", "did you mean '### Outputs'?"])
        let phase = try #require(result.firstPhase)
        #expect(phase.steps.isEmpty)
        #expect(phase.agents == ["x"])
        #expect(phase.outputs.isEmpty)
    }

    @Test func stepsOrAgentsOutsideAPhaseWarn() {
        let result = parseTask(
            "# T\n### Steps\n- a\n## Phase: A\n### Steps\n- b\n## Notes\n### Agents\n- x\n### Outputs\n- y\n")
        let warnings = result.diagnostics("section-outside-phase")
        #expect(warnings.map(\.location) == [loc(2, 1), loc(8, 1)])
        #expect(warnings.allSatisfy { $0.severity == .warning })
        #expect(result.task?.phases.first?.steps.count == 1)
    }

    @Test func noPhasesIsAnError() {
        let result = parseTask("# Just a title\n\nSome text.\n")
        let diagnostic = result.only("no-phases")
        #expect(diagnostic?.severity == .error)
        #expect(diagnostic?.location == loc(1, 1))
        #expect(result.task?.phases.isEmpty == true)
        #expect(parseTask("").only("no-phases") != nil)
    }

    @Test func agentsAndOutputsAreStringLists() throws {
        let result = parseTask(
            phaseSource(
                "### Agents\n- quant-analyst\n- `risk-manager`\n  - nested ignored\n### Outputs\n- Meeting *context* ready\n"
            ))
        let phase = try #require(result.firstPhase)
        #expect(phase.agents == ["quant-analyst", "risk-manager"])
        #expect(phase.outputs == ["Meeting context ready"])
    }

    @Test func summaryIsTheProseBeforeConfigOrFirstPhase() {
        #expect(
            parseTask("# T\n\nLine one.\n\nLine two.\n\n```yaml\nname: x\n```\n\nAfter.\n## Phase: A\n").task?.summary
                == "Line one.\n\nLine two.")
        #expect(parseTask("# T\n## Phase: A\n").task?.summary == nil)
        #expect(parseTask("Intro.\n## Phase: A\n").task?.summary == "Intro.")
    }

    @Test func taskIDComesFromTheFileName() {
        #expect(TaskFileParser.taskID(fromPath: "tasks/investment-committee.md") == "investment-committee")
        #expect(TaskFileParser.taskID(fromPath: "daily.MD") == "daily")
        #expect(TaskFileParser.taskID(fromPath: "/a/b/c") == "c")
        #expect(TaskFileParser.taskID(fromPath: "C:\\tasks\\x.md") == "x")
        #expect(TaskFileParser.taskID(fromPath: ".md") == ".md")
    }

    @Test func unicodeColumnsInSettings() throws {
        let result = parseTask("## Phase: Ünïcödé\ndependsOn: Äpfel, Bäume\n## Phase: Äpfel\n## Phase: Bäume\n")
        #expect(result.firstPhase?.dependencies.map(\.location) == [loc(2, 12), loc(2, 19)])
    }

    @Test func blockQuotedSettingsParagraphIsNotSettings() throws {
        let result = parseTask(phaseSource("> dependsOn: B\n"))
        #expect(result.firstPhase?.dependsOn.isEmpty == true)
    }
}
