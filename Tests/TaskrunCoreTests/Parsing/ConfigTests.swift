import Testing

@testable import TaskrunCore

@Suite struct ConfigTests {
    static let phase = "\n## Phase: A\n### Steps\n- Do it\n"

    @Test func readsEveryConfigKey() throws {
        let source = """
            # Title
            ```yaml
            name: My Task
            description: Does things
            version: 1.0
            maxExecutionTime: 90s
            retry:
              maxAttempts: 4
              backoffMs: 500
              maxBackoffMs: 8000
              jitter: true
            maxConcurrentPhases: 3
            reviewer: committee-chair
            ```
            """ + Self.phase
        let result = parseTask(source)
        #expect(result.diagnostics.isEmpty)
        let metadata = try #require(result.task?.metadata)
        #expect(metadata.name == "My Task")
        #expect(metadata.description == "Does things")
        #expect(metadata.version == "1.0")
        #expect(metadata.maxExecutionTime == .seconds(90))
        #expect(metadata.retry == RetryPolicy(maxAttempts: 4, backoffMs: 500, maxBackoffMs: 8000, jitter: 1))
        #expect(metadata.maxConcurrentPhases == 3)
        #expect(metadata.reviewer == "committee-chair")
    }

    @Test func numbersAreKeptAsWrittenAndMillisecondsAccepted() throws {
        let result = parseTask("```yaml\nversion: 2\nmaxExecutionTime: 1500\nretry: 3\nretry2: x\n```\n" + Self.phase)
        let metadata = try #require(result.task?.metadata)
        #expect(metadata.version == "2")
        #expect(metadata.maxExecutionTime == TaskDuration(milliseconds: 1500))
        #expect(metadata.retry == RetryPolicy(maxAttempts: 3))
        #expect(result.only("unknown-config-key")?.hint == "did you mean 'retry'?")
    }

    @Test func jitterAcceptsFractions() throws {
        let result = parseTask("```yaml\nretry: {maxAttempts: 2, jitter: 0.25}\n```\n" + Self.phase)
        #expect(result.task?.metadata.retry?.jitter == 0.25)
        let bad = parseTask("```yaml\nretry: {maxAttempts: 2, jitter: 2}\n```\n" + Self.phase)
        #expect(bad.only("invalid-config-value")?.location == loc(2, 33))
    }

    @Test func nameFallsBackToTitleThenID() {
        #expect(parseTask("# The Title\n" + Self.phase).task?.metadata.name == "The Title")
        #expect(parseTask(Self.phase, path: "/x/y/daily-run.md").task?.metadata.name == "daily-run")
    }

    @Test func frontMatterIsConfigAndKeepsLineNumbers() throws {
        let source = "---\nname: Front\nversion: 3.1.4\n---\n# Title\n" + Self.phase
        let result = parseTask(source)
        #expect(result.diagnostics.isEmpty)
        let task = try #require(result.task)
        #expect(task.metadata.name == "Front")
        #expect(task.metadata.version == "3.1.4")
        #expect(task.title == "Title")
        #expect(task.phases.first?.location == loc(7, 1))
        #expect(task.phases.first?.steps.first?.location == loc(9, 3))
    }

    @Test func frontMatterErrorsMapToFileLines() {
        let result = parseTask("---\nname: a\n  bad: b: c\n---\n" + Self.phase)
        let diagnostic = result.only("yaml-syntax")
        #expect(diagnostic?.location == loc(3, 6))
        #expect(diagnostic?.message == "malformed YAML in front matter: mapping values are not allowed in this context")
    }

    @Test func frontMatterWithCRLFAndByteOrderMark() throws {
        let source =
            "\u{FEFF}---\r\nname: Crlf\r\n...\r\n"
            + Self.phase.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
        let result = parseTask(source)
        #expect(result.task?.metadata.name == "Crlf")
        #expect(result.task?.phases.first?.location == loc(5, 1))
    }

    @Test func unclosedFrontMatterIsAnError() {
        let result = parseTask("---\nname: x\n" + Self.phase)
        #expect(result.only("unclosed-front-matter")?.location == loc(1, 1))
    }

    @Test func frontMatterAndConfigBlockWarn() throws {
        let result = parseTask("---\nname: Front\n---\n```yaml\nname: Block\n```\n" + Self.phase)
        #expect(result.task?.metadata.name == "Front")
        #expect(result.only("duplicate-config")?.location == loc(4, 1))
    }

    @Test func onlyTheFirstYAMLBlockBeforeTheFirstPhaseIsConfig() throws {
        let source = "# T\n```json\n{}\n```\n```yml\nname: First\n```\n```yaml\nname: Second\n```\n" + Self.phase
        let result = parseTask(source)
        #expect(result.task?.metadata.name == "First")
        #expect(result.diagnostics.isEmpty)
    }

    @Test func unknownKeysWarnWithSuggestion() throws {
        let result = parseTask("```yaml\nname: x\nmaxExecutionTme: 5m\nfoo: 1\n```\n" + Self.phase)
        let warnings = result.diagnostics("unknown-config-key")
        #expect(warnings.map(\.severity) == [.warning, .warning])
        #expect(warnings[0].location == loc(3, 1))
        #expect(warnings[0].length == 15)
        #expect(warnings[0].hint == "did you mean 'maxExecutionTime'?")
        #expect(warnings[1].message == "unknown config key 'foo'")
        #expect(warnings[1].hint?.hasPrefix("config keys are name, description") == true)
        #expect(!result.hasErrors)
    }

    @Test func malformedYAMLIsMappedIntoTheFile() {
        let source = "# T\n\nIntro.\n\n```yaml\nname: ok\nrequirements:\n  ticker: [string\n```\n" + Self.phase
        let result = parseTask(source)
        let diagnostic = result.only("yaml-syntax")
        // The fence is on line 5: YAML line 3 is file line 8. libyaml notices at the closing
        // fence; the diagnostic points at the '[' that is never closed.
        #expect(diagnostic?.location == loc(8, 11))
        #expect(diagnostic?.message == "malformed YAML in config block: the '[' is never closed")
        #expect(diagnostic?.notes == ["the YAML parser stopped at 9:1: did not find expected ',' or ']'"])
        #expect(diagnostic?.hint == "add ']' where the list ends")
        #expect(result.task?.phases.count == 1)
    }

    @Test func indentedFenceColumnsAreMapped() {
        let result = parseTask("  ```yaml\n  name: a\n  bad: [\n  ```\n" + Self.phase)
        #expect(result.only("yaml-syntax")?.location.line == 4)
        let tabs = parseTask("```yaml\nname: a\n\tretry: 3\n```\n" + Self.phase)
        #expect(tabs.only("yaml-syntax")?.location == loc(3, 1))
        #expect(tabs.only("yaml-syntax")?.hint == "YAML indents with spaces; replace the tab with spaces")
    }

    @Test func configMustBeAMapping() {
        let result = parseTask("```yaml\n- a\n- b\n```\n" + Self.phase)
        #expect(result.only("invalid-config")?.location == loc(2, 1))
        #expect(parseTask("```yaml\n```\n" + Self.phase).diagnostics.isEmpty)
    }

    @Test func duplicateKeysAreErrors() {
        let result = parseTask("```yaml\nname: a\nname: b\n```\n" + Self.phase)
        let diagnostic = result.only("duplicate-key")
        #expect(diagnostic?.location == loc(3, 1))
        #expect(diagnostic?.notes == ["first given at 2:1"])
        #expect(result.task?.metadata.name == "a")
    }

    @Test func duplicateKeysAreFoundInLongMappingsToo() {
        // Past 16 keys the earlier keys are looked up in a dictionary instead of compared in place:
        // the same duplicate, at the same place, pointing at the same first key.
        for count in [4, 20] {
            let lines = (1...count).map { "  input\($0): string" } + ["  input3: number"]
            let source = "```yaml\nrequirements:\n" + lines.joined(separator: "\n") + "\n```\n" + Self.phase
            let result = parseTask(source)
            let diagnostic = result.only("duplicate-key")
            #expect(diagnostic?.location == loc(count + 3, 3))
            #expect(diagnostic?.message == "requirement 'input3' is declared more than once")
            #expect(diagnostic?.notes == ["first declared at 5:3"])
            #expect(result.task?.requirements.count == count)
            #expect(result.task?.requirements[2].type == .string)
        }
    }

    @Test func badDurationIsPositionedAtTheValue() {
        let result = parseTask("```yaml\nmaxExecutionTime: 5 minutess\n```\n" + Self.phase)
        let diagnostic = result.only("invalid-duration")
        #expect(diagnostic?.location == loc(2, 19))
        #expect(diagnostic?.length == 10)
        #expect(
            diagnostic?.message
                == "invalid duration '5 minutess': unknown unit 'minutess'; use ms, s, m, h or d (or their long names)"
        )
        #expect(diagnostic?.hint == "did you mean '5 minutes'?")
        #expect(result.task?.metadata.maxExecutionTime == nil)
    }

    @Test func badValuesAreErrors() {
        let result = parseTask(
            "```yaml\nname: [a]\nmaxConcurrentPhases: 0\nretry: {maxAttempts: 0, backofMs: 1}\n```\n" + Self.phase)
        #expect(result.diagnostics("invalid-config-value").map(\.location) == [loc(2, 7), loc(3, 22), loc(4, 22)])
        #expect(result.only("unknown-config-key")?.hint == "did you mean 'backoffMs'?")
    }

    @Test func configMayBeInASectionBeforeTheFirstPhase() {
        let result = parseTask("# T\n## Configuration\n```yaml\nname: Sectioned\n```\n" + Self.phase)
        #expect(result.task?.metadata.name == "Sectioned")
        #expect(result.task?.sections.map(\.title) == ["Configuration"])
        #expect(result.diagnostics.isEmpty)
    }

    @Test func yamlAfterTheFirstPhaseIsNotConfig() {
        let result = parseTask("# T\n## Phase: A\n```yaml\nparallel: false\n```\n### Steps\n- x\n")
        #expect(result.task?.metadata.name == "T")
        #expect(result.firstPhase?.parallel == false)
    }
}
