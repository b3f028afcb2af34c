import TaskrunCore
import Testing

@testable import TaskrunExecution

@Suite(.timeLimit(.minutes(1)))
struct InputTests {
    static let requirements = [
        Requirement(name: "ticker", type: .string),
        Requirement(name: "amount", type: .number),
        Requirement(
            name: "horizon", type: .string, defaultValue: "medium", allowedValues: ["short", "medium", "long"]),
        Requirement(name: "note", type: .string, isOptional: true),
    ]

    @Test func everyProblemIsReportedTogether() async throws {
        let executor = makeExecutor()
        let task = makeTask(requirements: Self.requirements, [makePhase("P")])
        do {
            _ = try await executor.execute(task, input: ["ticker": 42, "horizon": "forever"])
            Issue.record("expected requirements not met")
        } catch {
            #expect(
                error.description
                    == "requirements not met: 'ticker' must be string, got number; missing 'amount'; 'horizon' must be one of \"short\", \"medium\", \"long\", got \"forever\""
            )
        }
        #expect(executor.activeExecutions().isEmpty)
    }

    @Test func defaultsAreAppliedAndUnknownKeysWarn() async throws {
        let agents = ScriptedAgentManager()
        let executor = makeExecutor(agents: agents)
        let task = makeTask(
            requirements: Self.requirements,
            [makePhase("P", [agentStep("a", "{{input.ticker}} {{input.amount}} {{input.horizon}}")])])
        let result = try await executor.execute(task, input: ["ticker": "BTC", "amount": 10000, "tickr": "x"])
        #expect(result.status == .completed)
        #expect(result.input["horizon"] == "medium")
        #expect(result.input["note"] == nil)
        #expect(result.warnings == ["unknown input 'tickr'; did you mean 'ticker'?"])
        #expect(agents.requests.first?.prompt == "BTC 10000 medium")
    }

    @Test func integersMustBeWhole() throws {
        #expect(throws: ExecutionError.self) {
            try InputResolver.resolve(["count": 2.5], requirements: [Requirement(name: "count", type: .integer)])
        }
        let resolved = try InputResolver.resolve(
            ["count": 3], requirements: [Requirement(name: "count", type: .integer)])
        #expect(resolved.input["count"] == 3)
    }
}

@Suite(.timeLimit(.minutes(1)))
struct PreflightTests {
    static func problems(_ executor: TaskExecutor, _ task: TaskDefinition, input: [String: JSONValue] = [:]) async
        -> [PreflightProblem]
    {
        do {
            _ = try await executor.execute(task, input: input)
        } catch {
            if case .preflightFailed(let problems) = error { return problems }
            Issue.record("unexpected error \(error)")
        }
        return []
    }

    @Test func unknownStepTypesAreListedWithSuggestions() async throws {
        let executor = makeExecutor()
        executor.registerStepStrategy("analyze") { _, _, _ in .null }
        let agents = ScriptedAgentManager()
        _ = agents
        let task = makeTask([
            makePhase("P", [customStep("analyse"), agentStep("a"), customStep("frobnicate")])
        ])
        let problems = await Self.problems(executor, task)
        #expect(problems.map(\.message) == ["unknown step type 'analyse'", "unknown step type 'frobnicate'"])
        #expect(problems[0].hint == "did you mean 'analyze'?")
        #expect(problems[1].hint?.hasPrefix("known types: agent, aggregate, analyze, classify") == true)
        #expect(problems[0].phase == "P" && problems[0].step == 0)
        #expect(executor.preflight(task).count == 2)
    }

    @Test func unknownAggregateKindsFailUnlessAStrategyOfThatNameExists() async throws {
        let executor = makeExecutor()
        let task = makeTask([makePhase("P", [agentStep("a"), aggregateStep("consensuss"), aggregateStep("median")])])
        let problems = await Self.problems(executor, task)
        #expect(problems.map(\.message) == ["unknown aggregate kind 'consensuss'", "unknown aggregate kind 'median'"])
        #expect(problems[0].hint == "did you mean 'consensus'?")
        executor.registerStepStrategy("median") { _, _, context in .number(Double(context.responses.count)) }
        executor.registerStepStrategy("consensuss") { _, _, _ in "mine" }
        let result = try await executor.execute(task)
        #expect(result.status == .completed)
        #expect(result.phases[0].steps.map(\.value) == [result.phases[0].steps[0].value, "mine", 1])
    }

    @Test func dependencyProblemsAreFound() async throws {
        let executor = makeExecutor()
        let task = makeTask([
            makePhase("A", dependsOn: ["C"]), makePhase("B", dependsOn: ["Anaylsis"]), makePhase("C", dependsOn: ["A"]),
        ])
        let problems = await Self.problems(executor, task)
        #expect(problems.contains { $0.message == "depends on unknown phase 'Anaylsis'" })
        #expect(problems.contains { $0.message == "dependency cycle among phases 'A', 'C'" })
    }

    /// Dependencies are looked up by name (not searched): the lookup must still match names exactly,
    /// never the template alias that `phaseIndex` also holds.
    @Test func aDependencyNamesAPhaseNotItsAlias() async throws {
        let executor = makeExecutor()
        let byAlias = makeTask([makePhase("Round Table"), makePhase("Chair", dependsOn: ["roundTable"])])
        let problems = await Self.problems(executor, byAlias)
        #expect(problems.map(\.message) == ["depends on unknown phase 'roundTable'"])
        #expect(problems.first?.hint == "did you mean 'Round Table'?")

        let byName = makeTask([makePhase("Round Table"), makePhase("Chair", dependsOn: ["Round Table"])])
        #expect(try await executor.execute(byName).status == .completed)
    }

    @Test func badStepParametersAreFound() async throws {
        let executor = makeExecutor()
        let task = makeTask([
            makePhase(
                "P",
                [
                    agentStep("a", "go", ["timeout": "soon", "retry": 0, "required": "yes", "format": "xml"]),
                    agentStep("", "go"),
                ])
        ])
        let messages = await Self.problems(executor, task).map(\.message)
        #expect(messages.contains { $0.hasPrefix("'timeout': invalid duration 'soon'") })
        #expect(messages.contains("'retry' must be a whole number of attempts (1 or more), got 0"))
        #expect(messages.contains("'required' must be true or false, got \"yes\""))
        #expect(messages.contains("'format' must be text, structured or judgement, got \"xml\""))
        #expect(messages.contains("an agent step needs an agent id"))
    }

    @Test func templateReferencesAreCheckedBeforeAnythingRuns() async throws {
        let agents = ScriptedAgentManager()
        let executor = makeExecutor(agents: agents)
        let task = makeTask(
            requirements: [Requirement(name: "ticker", type: .string)],
            [
                makePhase("Analysis", [agentStep("a", "{{input.tickr}}")]),
                makePhase(
                    "Verdict", dependsOn: ["Analysis"],
                    [agentStep("b", "{{phases.analysis.status}} {{phases.later.status}} {{phase.nam}} {{inputs.x}}")]),
                makePhase("Later", [agentStep("c", "{{phases.analysis.outptus}} {{phases.nope.status}}")]),
            ])
        let messages = await Self.problems(executor, task, input: ["ticker": "BTC"]).map(\.message)
        #expect(
            messages == [
                "template references 'input.tickr', which does not exist: 'input' has no 'tickr'; did you mean 'ticker'?",
                "template references 'phases.later.status', but phase 'Later' is not a dependency of 'Verdict'; add it to dependsOn",
                "template references 'phase.nam'; 'phase' has only 'name'",
                "template references 'inputs.x', but there is no 'inputs'; did you mean 'input'?",
                "template references 'phases.analysis.outptus', but phase 'Analysis' is not a dependency of 'Later'; add it to dependsOn",
                "template references 'phases.nope.status', but there is no phase 'nope'",
            ])
        #expect(agents.requests.isEmpty)
    }

    @Test func templateSyntaxErrorsAreFound() async throws {
        let executor = makeExecutor()
        let task = makeTask([
            makePhase(
                "P",
                [
                    agentStep("a", "{{#input}}unclosed"), agentStep("b", "{{> partial}}"),
                    agentStep("c", "{{lower(x)}}"),
                    agentStep("d", "{{input.x"),
                ])
        ])
        let messages = await Self.problems(executor, task).map(\.message)
        #expect(
            messages == [
                "section '{{#input}}' is never closed",
                "partials and blocks ('{{> partial}}') are not supported in task templates",
                "'{{lower(x)}}': template functions are not supported; compute the value in a step",
                "unclosed tag '{{' in template",
            ])
    }
}

@Suite(.timeLimit(.minutes(1)))
struct TemplateTests {
    @Test func templatesRenderValuesAsPeopleWriteThem() async throws {
        let agents = ScriptedAgentManager()
        let executor = makeExecutor(agents: agents)
        let task = makeTask(
            requirements: [
                Requirement(name: "ticker", type: .string), Requirement(name: "amount", type: .number),
                Requirement(name: "change", type: .number), Requirement(name: "tags", type: .array),
            ],
            [
                makePhase(
                    "Ask",
                    [
                        agentStep(
                            "a",
                            "{{input.amount}} of {{input.ticker}} <&> {{input.change}}% {{input.tags}} {{task.name}} {{agent}} {{phase.name}}"
                        )
                    ])
            ])
        let result = try await executor.execute(
            task, input: ["ticker": "AT&T", "amount": 10000, "change": -3.4, "tags": ["a", 1]])
        #expect(result.status == .completed)
        #expect(agents.requests.first?.prompt == "10000 of AT&T <&> -3.4% [\"a\",1] Test test-task a Ask")
    }

    @Test func sectionsIterateOverEarlierResponses() async throws {
        let agents = ScriptedAgentManager()
        agents.script("x", [.text("bullish")])
        agents.script("y", [.text("bearish")])
        let executor = makeExecutor(agents: agents)
        let task = makeTask([
            makePhase("Round Table", [agentStep("x"), agentStep("y")]),
            makePhase(
                "Chair", dependsOn: ["Round Table"],
                [
                    agentStep(
                        "chair",
                        "{{#phases.roundTable.responses}}[{{agent}}: {{text}}]{{/phases.roundTable.responses}} {{execution.id}}"
                    )
                ]),
        ])
        let result = try await executor.execute(task)
        #expect(agents.requests.last?.prompt == "[x: bullish][y: bearish] \(result.executionID)")
    }

    @Test func aMissingPathAtRunTimeFailsTheStepNamingThePath() async throws {
        let agents = ScriptedAgentManager()
        let executor = makeExecutor(agents: agents)
        let task = makeTask([
            makePhase("A", outputs: ["summary"], [agentStep("a")]),
            makePhase(
                "B", dependsOn: ["A"],
                [
                    agentStep("b", "{{phases.a.outputs.verdict}}"),
                    agentStep("c", "{{#phases.a.responses}}{{mood}}{{/phases.a.responses}}"),
                ]),
        ])
        let result = try await executor.execute(task)
        let b = try #require(result[phase: "B"])
        #expect(b.status == .failed)
        #expect(
            b.steps[0].error
                == "template references 'phases.a.outputs.verdict', which does not exist: 'phases.a.outputs' has no 'verdict' (it has 'summary')"
        )
        #expect(b.steps[1].error?.hasPrefix("template references 'mood', which does not exist") == true)
        // Template errors are not retried and no agent is asked.
        #expect(agents.requests.map(\.agentID) == ["a"])
    }
}
