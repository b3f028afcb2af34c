import Testing

@testable import TaskrunCore

@Suite struct TaskValidatorTests {
    let validator = TaskValidator()

    func validate(_ phases: [Phase]) -> [Diagnostic] {
        validator.validate(GraphFixtures.task(phases), path: "tasks/t.md")
    }

    @Test func aSoundTaskHasNoDiagnostics() {
        #expect(validate(GraphFixtures.committee).isEmpty)
    }

    @Test func duplicatePhaseIsReportedAtTheLaterOne() {
        let diagnostics = validate(GraphFixtures.phases(["Analysis": [], "Debate": [], "Analysis": []]))
        #expect(
            diagnostics == [
                .error(
                    "duplicate-phase", "duplicate phase name 'Analysis'", path: "tasks/t.md",
                    at: SourceLocation(line: 21, column: 1), notes: ["first defined at 1:1"],
                    hint: "rename one of them; dependencies refer to phases by name")
            ])
    }

    @Test func unknownDependencyPointsAtTheNameAndSuggests() {
        let diagnostics = validate(GraphFixtures.phases(["Analysis": [], "Debate": ["Activation", "Analyis"]]))
        #expect(diagnostics.count == 2)
        let typo = diagnostics[1]
        #expect(typo.code == "unknown-dependency")
        #expect(typo.severity == .error)
        #expect(typo.message == "phase 'Debate' depends on unknown phase 'Analyis'")
        // `dependsOn: Activation, Analyis`: the second name starts at column 24.
        #expect(typo.location == SourceLocation(line: 12, column: 24))
        #expect(typo.length == 7)
        #expect(typo.hint == "did you mean 'Analysis'?")

        // Nothing close: the note lists the phases instead.
        let far = diagnostics[0]
        #expect(far.message == "phase 'Debate' depends on unknown phase 'Activation'")
        #expect(far.location == SourceLocation(line: 12, column: 12))
        #expect(far.hint == nil)
        #expect(far.notes == ["phases of this task: 'Analysis'"])
    }

    @Test func selfAndRepeatedDependencies() {
        let diagnostics = validate(GraphFixtures.phases(["A": [], "B": ["A", "B", "A"]]))
        #expect(diagnostics.map(\.code) == ["self-dependency", "duplicate-dependency"])
        #expect(diagnostics[0].message == "phase 'B' depends on itself")
        #expect(diagnostics[0].location == SourceLocation(line: 12, column: 15))
        #expect(diagnostics[1].severity == .warning)
        #expect(diagnostics[1].message == "phase 'B' depends on 'A' more than once")
        #expect(diagnostics[1].notes == ["first named at 12:12"])
    }

    @Test func cycleIsOneErrorWithTheWholePath() {
        let diagnostics = validate(
            GraphFixtures.phases(["Activation": [], "Analysis": ["Activation", "Debate"], "Debate": ["Analysis"]]))
        #expect(
            diagnostics == [
                .error(
                    "dependency-cycle", "dependency cycle: Analysis -> Debate -> Analysis", path: "tasks/t.md",
                    at: SourceLocation(line: 12, column: 24), length: 6,
                    notes: ["'Debate' depends on 'Analysis' at 22:12"],
                    hint: "remove one of these dependencies; phases in a cycle can never start")
            ])
    }

    @Test func multipleCyclesEachOnceSortedByPosition() {
        let diagnostics = validate(
            GraphFixtures.phases(["X": ["Y"], "Y": ["X"], "P": ["R"], "Q": ["P"], "R": ["Q"], "S": ["Q", "R"]]))
        #expect(
            diagnostics.map(\.message) == [
                "dependency cycle: X -> Y -> X", "dependency cycle: P -> R -> Q -> P",
            ])
        #expect(diagnostics[1].notes == ["'R' depends on 'Q' at 42:12", "'Q' depends on 'P' at 32:12"])
    }

    @Test func interlockingCyclesNameTheOtherMembers() {
        let diagnostics = validate(GraphFixtures.phases(["A": ["B"], "B": ["C", "A"], "C": ["B"]]))
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0].message == "dependency cycle: A -> B -> A")
        #expect(diagnostics[0].notes == ["'B' depends on 'A' at 12:15", "also caught in this cycle: 'C'"])
    }

    // MARK: - Agents (SHARED-DECISIONS 4)

    func agentStep(_ id: String, line: Int) -> Step {
        Step(kind: .agent(id: id), text: "do it", location: SourceLocation(line: line, column: 3))
    }

    @Test func listedAgentsWithoutStepsAreFineWhenThePhaseHasNoAgentSteps() {
        let phase = GraphFixtures.phase(
            "Analysis", line: 1, agents: ["quant-analyst", "risk-manager"],
            steps: [Step(kind: .description, text: "Think", location: SourceLocation(line: 5, column: 3))])
        #expect(validate([phase]).isEmpty)
    }

    @Test func agentStepsWithoutAnAgentsListAreFine() {
        let phase = GraphFixtures.phase("Analysis", line: 1, steps: [agentStep("quant-analyst", line: 5)])
        #expect(validate([phase]).isEmpty)
    }

    @Test func agentUsedButNotListed() {
        let phase = GraphFixtures.phase(
            "Analysis", line: 1, agents: ["quant-analyst"],
            steps: [
                agentStep("quant-analyst", line: 5), agentStep("market-analyst", line: 6),
                agentStep("market-analyst", line: 7),
            ])
        #expect(
            validate([phase]) == [
                .warning(
                    "agent-not-listed",
                    "agent 'market-analyst' is used in a step but not listed under '### Agents' of phase 'Analysis'",
                    path: "tasks/t.md", at: SourceLocation(line: 6, column: 3),
                    hint: "add '- market-analyst' to the phase's '### Agents' list")
            ])
    }

    @Test func agentListedButNoStep() {
        let phase = GraphFixtures.phase(
            "Analysis", line: 1, agents: ["quant-analyst", "risk-manager"],
            steps: [agentStep("quant-analyst", line: 5)])
        #expect(
            validate([phase]) == [
                .warning(
                    "agent-without-step", "agent 'risk-manager' is listed for phase 'Analysis' but no step queries it",
                    path: "tasks/t.md", at: SourceLocation(line: 1, column: 1),
                    notes: ["a phase with agent steps only queries the agents its steps name"],
                    hint: "add a step '- agent: risk-manager - <prompt>', or remove it from '### Agents'")
            ])
    }

    @Test func misspelledAgentIsOneSlipReportedOnceAtTheStep() {
        let phase = GraphFixtures.phase(
            "Analysis", line: 1, agents: ["risk-manager"], steps: [agentStep("risk-manger", line: 5)])
        let diagnostics = validate([phase])
        #expect(diagnostics.map(\.code) == ["agent-not-listed"])
        #expect(diagnostics.map(\.hint) == ["did you mean 'risk-manager'?"])
        #expect(diagnostics.map(\.notes) == [["'risk-manager' is listed, but no step queries it"]])
    }

    @Test func diagnosticsAreSortedByPosition() {
        let phases = GraphFixtures.phases(["B": ["Nope"], "A": ["B", "Zip"], "B": []])
        let diagnostics = validate(phases)
        #expect(diagnostics == diagnostics.sortedByPosition())
        #expect(diagnostics.map(\.location.line) == [2, 12, 21])
    }
}

@Suite struct TaskValidatorScaleTests {
    @Test(.timeLimit(.minutes(1))) func thousandsOfMisspelledDependenciesStayFast() {
        let count = 10_000
        let phases = (0..<count).map { index in
            GraphFixtures.phase(
                "Phase \(index)", dependsOn: ["Phase \(index + 1)x", "Phase \(index)"], line: index * 10 + 1)
        }
        let clock = ContinuousClock()
        var diagnostics: [Diagnostic] = []
        let elapsed = clock.measure {
            diagnostics = TaskValidator().validate(GraphFixtures.task(phases), path: "big.md")
        }
        #expect(diagnostics.count == 2 * count)
        #expect(diagnostics.filter { $0.code == "unknown-dependency" }.count == count)
        // The first misspellings get hints; then the budget runs out.
        let hints = diagnostics.filter { $0.code == "unknown-dependency" }.map(\.hint)
        #expect(hints[0] == "did you mean 'Phase 1'?")
        #expect(hints.last == .some(nil))
        #expect(elapsed < .seconds(10))
    }
}

@Suite struct NameSuggestionsTests {
    @Test func agreesWithSuggestionClosest() {
        let names = ["Activation", "Analysis", "Round Table", "Debate", "Validation", "Consensus", "Verdict"]
        var suggestions = NameSuggestions(names: names)
        for typo in ["Analyis", "analysis", "Round table", "Debat", "Verdcit", "Nothing", "Analysis", "x"] {
            #expect(suggestions.closest(to: typo) == Suggestion.closest(to: typo, in: names), "\(typo)")
        }
        // Remembered: asking again costs nothing and answers the same.
        #expect(suggestions.closest(to: "Analyis") == "Analysis")
    }
}
