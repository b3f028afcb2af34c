import TaskrunCore
import Testing

@testable import TaskrunExecution

@Suite(.timeLimit(.minutes(1)))
struct ValidationTests {
    static func run(_ steps: [Step], input: [String: JSONValue] = [:], requirements: [Requirement] = []) async throws
        -> ExecutionResult
    {
        let executor = makeExecutor()
        let task = makeTask(
            requirements: requirements,
            [
                makePhase("Analysis", [agentStep("a"), agentStep("b")]),
                makePhase("Check", dependsOn: ["Analysis"], [agentStep("c")] + steps + [agentStep("after")]),
            ])
        return try await executor.execute(task, input: input)
    }

    @Test func aTrueCriterionPasses() async throws {
        let result = try await Self.run([
            validationStep("len(phases.Analysis.responses) >= 2"),
            validationStep("phases.check.responses[0].agent == 'c'"),
        ])
        #expect(result.status == .completed)
        #expect(
            result[phase: "Check"]?.steps[1].value == [
                "criterion": "len(phases.Analysis.responses) >= 2", "passed": true,
            ])
        #expect(result[phase: "Check"]?.steps[2].status == .completed)
    }

    @Test func aFalseCriterionFailsThePhaseWithTheValuesItSaw() async throws {
        let result = try await Self.run(
            [validationStep("len(phases.Analysis.responses) >= input.quorum")],
            input: ["quorum": 3], requirements: [Requirement(name: "quorum", type: .integer)])
        #expect(result.status == .failed)
        let check = try #require(result[phase: "Check"])
        #expect(check.status == .failed)
        #expect(
            check.errors == [
                "validation failed: 'len(phases.Analysis.responses) >= input.quorum' is false (where len(phases.Analysis.responses) = 2; input.quorum = 3)"
            ])
        // A failed validation stops the phase: the steps after it never run.
        #expect(check.steps.last?.status == .pending)
    }

    @Test func aCriterionThatIsNotABooleanOrCannotBeEvaluatedFails() async throws {
        let notBoolean = try await Self.run([validationStep("len(phases.Analysis.responses)")])
        #expect(
            notBoolean[phase: "Check"]?.errors.first
                == "validation 'len(phases.Analysis.responses)' must be true or false, got number 2")
        let missing = try await Self.run([validationStep("phases.Analysis.outputs.verdict == 'BUY'")])
        #expect(missing[phase: "Check"]?.status == .failed)
        #expect(
            missing[phase: "Check"]?.errors.first?.contains("'phases.Analysis.outputs.verdict' does not exist") == true)
    }

    @Test func proseIsUnverified() async throws {
        let result = try await Self.run([
            validationStep("Every major risk raised in the Analysis phase has been addressed")
        ])
        #expect(result.status == .completed)
        #expect(result[phase: "Check"]?.steps[1].status == .unverified)
        #expect(result.warnings.count == 1)
    }
}

@Suite(.timeLimit(.minutes(1)))
struct ConditionTests {
    @Test func aPhaseWhoseConditionIsFalseIsSkippedAndCountsAsDone() async throws {
        let agents = ScriptedAgentManager()
        let executor = makeExecutor(agents: agents)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask(
            requirements: [Requirement(name: "deep", type: .boolean)],
            [
                makePhase("Quick", [agentStep("q")]),
                makePhase(
                    "Deep", dependsOn: ["Quick"], condition: "input.deep and phases.Quick.status == 'completed'",
                    [agentStep("d")]),
                makePhase("Answer", dependsOn: ["Deep"], [agentStep("a", "deep was {{phases.deep.status}}")]),
            ])
        let result = try await executor.execute(task, input: ["deep": false])
        #expect(result.status == .completed)
        #expect(result.phases.map(\.status) == [.completed, .skipped, .completed])
        #expect(agents.requests.map(\.agentID) == ["q", "a"])
        #expect(agents.requests.last?.prompt == "deep was skipped")
        #expect(await log.of(.phaseSkipped).first?.message == "input.deep and phases.Quick.status == 'completed'")
        #expect(result.finalPhase == "Answer")
        let deep = try await executor.execute(task, input: ["deep": true])
        #expect(deep.phases.map(\.status) == [.completed, .completed, .completed])
    }

    @Test func aConditionThatFailsToEvaluateFailsThePhase() async throws {
        let executor = makeExecutor()
        let task = makeTask(
            requirements: [Requirement(name: "n", type: .number)],
            [makePhase("P", condition: "input.n", [agentStep("a")])])
        let result = try await executor.execute(task, input: ["n": 3])
        #expect(result.status == .failed)
        #expect(result.phases[0].errors == ["condition 'input.n' must be true or false, got number 3"])
    }

    @Test func aStepWhoseConditionIsFalseIsSkipped() async throws {
        let agents = ScriptedAgentManager()
        let executor = makeExecutor(agents: agents)
        let task = makeTask(
            requirements: [Requirement(name: "kind", type: .string)],
            [
                makePhase(
                    "P",
                    [
                        agentStep("market", "go", ["when": "input.kind == 'price'"]),
                        agentStep("risk", "go", ["when": "input.kind == 'action'"]),
                        aggregateStep("responses"),
                    ])
            ])
        let result = try await executor.execute(task, input: ["kind": "action"])
        #expect(result.status == .completed)
        #expect(result.phases[0].steps.map(\.status) == [.skipped, .completed, .completed])
        #expect(agents.requests.map(\.agentID) == ["risk"])
    }

    @Test func aPhaseWhoseAgentsWereAllSkippedDoesNotFail() async throws {
        let executor = makeExecutor()
        let task = makeTask([makePhase("P", [agentStep("a", "go", ["when": "false"])])])
        #expect(try await executor.execute(task).status == .completed)
    }

    @Test func conditionsAreCheckedBeforeAnythingRuns() async throws {
        let executor = makeExecutor()
        let task = makeTask(
            requirements: [Requirement(name: "question", type: .string)],
            [
                makePhase("A", condition: "input.question ==", [agentStep("a")]),
                makePhase(
                    "B", condition: "phases.c.status == 'completed' and inpt.x",
                    [agentStep("b", "go", ["when": "input.qestion == 'x'"])]),
                makePhase("C", [validationStep("len(phases.Missing.responses) > 0")]),
            ])
        do {
            _ = try await executor.execute(task, input: ["question": "why?"])
            Issue.record("expected a preflight failure")
        } catch {
            guard case .preflightFailed(let problems) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            let messages = problems.map(\.message)
            #expect(messages.contains { $0.hasPrefix("'when: input.question ==' is not a valid expression") })
            #expect(
                messages.contains(
                    "'when: phases.c.status == 'completed' and inpt.x' reads phase 'C', which is not a dependency of 'B'; add it to dependsOn"
                ))
            #expect(
                messages.contains(
                    "'when: phases.c.status == 'completed' and inpt.x' reads 'inpt', which does not exist; did you mean 'input'?"
                ))
            #expect(
                messages.contains(
                    "'input.qestion == 'x'' reads 'input.qestion', which is not in the input; did you mean 'question'?")
            )
            #expect(
                messages.contains("'len(phases.Missing.responses) > 0' reads phase 'Missing', which does not exist"))
        }
    }
}

@Suite(.timeLimit(.minutes(1)))
struct ClassifyTests {
    /// The daily market analysis flow, in code: classify the question, pick the specialists.
    static let daily = makeTask(
        requirements: [
            Requirement(name: "question", type: .string),
            Requirement(name: "priceChange", type: .number, defaultValue: -3.4),
        ],
        [
            makePhase(
                "Question Classification", outputs: ["questionType"],
                [
                    customStep(
                        "classify", "questionType - Classify the question",
                        [
                            "rule": [
                                #"action when matches(lower(input.question), "(^|[^a-z])(buy|sell|hold|should i)([^a-z-]|$)")"#,
                                #"price-movement when matches(lower(input.question), "(^|[^a-z])(down|up|drop|fell)([^a-z]|$)")"#,
                            ],
                            "default": "opportunity",
                        ])
                ]),
            makePhase(
                "Contextual Agent Selection", dependsOn: ["Question Classification"], outputs: ["urgency"],
                [
                    customStep(
                        "classify", "urgency - Rate the urgency",
                        [
                            "rule": [
                                "high when abs(input.priceChange) >= 5", "elevated when abs(input.priceChange) >= 2",
                            ], "default": "normal",
                        ])
                ]),
            makePhase(
                "Rapid Analysis", dependsOn: ["Question Classification", "Contextual Agent Selection"],
                [
                    agentStep(
                        "market-analyst", "go",
                        ["when": #"phases["Question Classification"].outputs.questionType == "price-movement""#]),
                    agentStep(
                        "sentiment-analyst", "go",
                        ["when": #"phases["Question Classification"].outputs.questionType == "price-movement""#]),
                    agentStep(
                        "macro-strategist", "go",
                        [
                            "when":
                                #"phases["Question Classification"].outputs.questionType == "price-movement" and phases.contextualAgentSelection.outputs.urgency == "high""#
                        ]),
                    agentStep(
                        "risk-manager", "go",
                        ["when": #"phases["Question Classification"].outputs.questionType == "action""#]),
                    agentStep(
                        "portfolio-manager", "go",
                        ["when": #"phases["Question Classification"].outputs.questionType == "action""#]),
                    agentStep(
                        "fundamental-analyst", "go",
                        ["when": #"phases["Question Classification"].outputs.questionType == "opportunity""#]),
                ]),
            makePhase(
                "Answer", dependsOn: ["Rapid Analysis"],
                [
                    agentStep(
                        "chair",
                        "{{phases.questionClassification.outputs.questionType}} at {{phases.contextualAgentSelection.outputs.urgency}} urgency"
                    )
                ]),
        ])

    @Test(arguments: [
        ("Why is ETH down?", -3.4, ["market-analyst", "sentiment-analyst"], "price-movement", "elevated"),
        (
            "Why is ETH down?", -7.0, ["market-analyst", "sentiment-analyst", "macro-strategist"], "price-movement",
            "high"
        ),
        ("Should I sell BTC?", 1.0, ["risk-manager", "portfolio-manager"], "action", "normal"),
        ("Is SOL a good opportunity?", 0.5, ["fundamental-analyst"], "opportunity", "normal"),
    ])
    func theClassificationPicksTheSpecialists(
        question: String, change: Double, expected: [String], type: String, urgency: String
    ) async throws {
        let agents = ScriptedAgentManager()
        let executor = makeExecutor(agents: agents)
        let result = try await executor.execute(
            Self.daily, input: ["question": .string(question), "priceChange": .number(change)])
        #expect(result.status == .completed)
        #expect(result[phase: "Question Classification"]?.outputs["questionType"] == .string(type))
        #expect(result[phase: "Question Classification"]?.result == .string(type))
        #expect(result[phase: "Contextual Agent Selection"]?.outputs["urgency"] == .string(urgency))
        let asked = agents.requests.filter { $0.phase == "Rapid Analysis" }.map(\.agentID)
        #expect(Set(asked) == Set(expected))
        #expect(agents.requests.last?.prompt == "\(type) at \(urgency) urgency")
    }

    @Test func noTrueRuleAndNoDefaultFailsTheStep() async throws {
        let executor = makeExecutor()
        let task = makeTask([
            makePhase("P", [customStep("classify", "kind", ["rule": "never when 1 > 2"]), agentStep("a")])
        ])
        let result = try await executor.execute(task)
        #expect(result.phases[0].steps[0].status == .failed)
        #expect(result.phases[0].steps[0].error == "no classify rule for 'kind' was true and there is no default")
    }

    @Test func malformedRulesAreFoundBeforeAnythingRuns() async throws {
        let executor = makeExecutor()
        let task = makeTask([
            makePhase(
                "P",
                [
                    customStep("classify", "kind", ["rule": ["no condition here", "x when 1 +"], "default": 3]),
                    customStep("classify", " - nothing"),
                ])
        ])
        let messages = executor.preflight(task).map(\.message)
        #expect(messages.contains("classify rule \"no condition here\" must read '<label> when <expression>'"))
        #expect(messages.contains { $0.hasPrefix("classify rule 'x': '1 +' is not a valid expression") })
        #expect(messages.contains("classify 'default' must be a label, got 3"))
        #expect(messages.contains("classify needs an output name: 'classify: <output> - <note>'"))
        #expect(messages.contains("classify needs at least one 'rule: <label> when <expression>' or a 'default'"))
    }
}
