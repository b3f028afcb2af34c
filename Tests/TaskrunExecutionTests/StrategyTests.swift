import Synchronization
import TaskrunCore
import Testing

@testable import TaskrunExecution

/// A strategy with its own state: counts the steps it ran, across executions.
final class CountingStrategy: StepStrategy {
    let count = Mutex(0)

    func run(_ step: Step, in phase: Phase, context: StepContext) async throws -> StepOutput {
        let value = count.withLock { count -> Int in
            count += 1
            return count
        }
        return StepOutput(["count": .number(Double(value)), "text": .string(step.text)])
    }
}

@Suite(.timeLimit(.minutes(1)))
struct StrategyTests {
    @Test func aClosureStrategyLandsItsValueInThePhaseResults() async throws {
        let executor = makeExecutor()
        executor.registerStepStrategy("custom-analysis") { step, phase, context in
            [
                "score": 3, "phase": .string(phase.name), "ticker": context.input["ticker"] ?? .null,
                "note": .string(step.text),
            ]
        }
        let task = makeTask(
            requirements: [Requirement(name: "ticker", type: .string, defaultValue: "BTC")],
            [makePhase("P", outputs: ["score", "Overall assessment"], [customStep("custom-analysis", "look closely")])])
        let result = try await executor.execute(task)
        let phase = try #require(result[phase: "P"])
        #expect(phase.steps[0].value == ["score": 3, "phase": "P", "ticker": "BTC", "note": "look closely"])
        #expect(phase.outputs["score"] == 3)
        #expect(phase.outputs["Overall assessment"] == phase.result)
        #expect(result.finalResult == phase.steps[0].value)
    }

    @Test func aStrategyTypeKeepsItsStateAcrossExecutions() async throws {
        let executor = makeExecutor()
        let strategy = CountingStrategy()
        executor.registerStepStrategy("count", strategy)
        let task = makeTask([makePhase("P", [customStep("count", "one"), customStep("count", "two")])])
        _ = try await executor.execute(task)
        let second = try await executor.execute(task)
        #expect(second.phases[0].steps.map { $0.value?["count"] } == [3, 4])
        #expect(executor.stepStrategy(named: "count") is CountingStrategy)
    }

    @Test func aBuiltInCanBeReplaced() async throws {
        let agents = ScriptedAgentManager()
        let executor = makeExecutor(agents: agents)
        executor.registerStepStrategy("agent") { step, _, _ in .string("canned answer for \(step.agentID ?? "?")") }
        let result = try await executor.execute(makeTask([makePhase("P", [agentStep("a"), agentStep("b")])]))
        #expect(result.phases[0].steps.map(\.value) == ["canned answer for a", "canned answer for b"])
        #expect(agents.requests.isEmpty)
    }

    @Test func aReplacementTakesEffectForNewExecutions() async throws {
        let executor = makeExecutor()
        let task = makeTask([makePhase("P", [descriptionStep("hello")])])
        #expect(try await executor.execute(task).phases[0].steps[0].value == "hello")
        executor.registerStepStrategy("description") { _, _, _ in "replaced" }
        #expect(try await executor.execute(task).phases[0].steps[0].value == "replaced")
    }

    @Test func customStrategiesCanAskAgentsThroughTheContext() async throws {
        let agents = ScriptedAgentManager()
        agents.script("oracle", [.response(.vote(.bullish, 80))])
        let executor = makeExecutor(agents: agents)
        let log = EventLog.subscribe(to: executor)
        executor.registerStepStrategy("poll") { step, _, context in
            let answer = try await context.queryAgent("oracle", prompt: step.text, format: .structured)
            return .string(answer.position?.rawValue ?? "none")
        }
        let result = try await executor.execute(makeTask([makePhase("P", [customStep("poll", "up or down?")])]))
        #expect(result.phases[0].steps[0].value == "bullish")
        #expect(result.phases[0].responses.map(\.agent) == ["oracle"])
        #expect(agents.requests.first?.responseFormat == .structured)
        #expect(agents.requests.first?.purpose == .custom)
        #expect(await log.of(.agentQuery).count == 1)
    }

    @Test func concurrentCustomStrategiesRunAlongsideAgents() async throws {
        let gate = Gate()
        let executor = makeExecutor(
            agents: ScriptedAgentManager(fallback: { request in
                try await gate.wait()
                return AgentResponse(text: request.agentID)
            }))
        executor.registerStepStrategy("side", scheduling: .concurrent) { _, _, _ in
            await gate.waitForArrivals(1)
            gate.open()
            return "side done"
        }
        let result = try await executor.execute(makeTask([makePhase("P", [agentStep("a"), customStep("side")])]))
        #expect(result.status == .completed)
    }

    @Test func theOutputParameterRoutesAStepValueToAnOutput() async throws {
        let agents = ScriptedAgentManager()
        agents.script("chair", [.response(AgentResponse(text: "BUY", data: ["confidence": 70]))])
        agents.script("scribe", [.response(AgentResponse(text: "notes", data: ["meetingSummary": "all agreed"]))])
        let executor = makeExecutor(agents: agents)
        let task = makeTask([
            makePhase(
                "Verdict", outputs: ["finalVerdict", "meetingSummary", "confidence"],
                [
                    agentStep("chair", "decide", ["output": "finalVerdict"]), agentStep("scribe"),
                    aggregateStep("summary"),
                ])
        ])
        let result = try await executor.execute(task)
        let outputs = try #require(result[phase: "Verdict"]?.outputs)
        #expect(outputs["finalVerdict"]?["text"] == "BUY")
        #expect(outputs["meetingSummary"] == "all agreed")
        #expect(outputs["confidence"] == 70)
        // A summary aggregate describes the run; the phase's result is its agents' answers.
        #expect(result.finalResult?.arrayValue?.count == 2)
        let summary = try #require(result[phase: "Verdict"]?.steps[2].value)
        #expect(summary["agentsAsked"] == 2)
        #expect(summary["agentsAnswered"] == 2)
        #expect(summary["failures"] == 0)
    }

    @Test func aSummaryIsThePhaseResultOnlyWhenNothingElseIs() async throws {
        let executor = makeExecutor()
        let task = makeTask([
            makePhase("A", [agentStep("a"), aggregateStep("summary")]),
            makePhase("B", dependsOn: ["A"], outputs: ["report"], [descriptionStep("note"), aggregateStep("summary")]),
        ])
        let result = try await executor.execute(task)
        #expect(result[phase: "A"]?.result?["agent"] == "a")
        #expect(result[phase: "B"]?.result?["phasesCompleted"] == 1)
        #expect(result[phase: "B"]?.outputs["report"] == result[phase: "B"]?.result)
    }

    @Test func consensusTalliesPositions() async throws {
        let agents = ScriptedAgentManager()
        agents.script("a", [.response(.vote(.bullish, 80))])
        agents.script("b", [.response(.vote(.bullish, 60))])
        agents.script("c", [.response(.vote(.bearish, 90))])
        agents.script("d", [.text("no opinion")])
        let executor = makeExecutor(agents: agents)
        let task = makeTask([
            makePhase(
                "Vote", outputs: ["committeeVote"],
                [agentStep("a"), agentStep("b"), agentStep("c"), agentStep("d"), aggregateStep("consensus", "tally")])
        ])
        let result = try await executor.execute(task)
        let vote = try #require(result[phase: "Vote"]?.outputs["committeeVote"])
        #expect(vote["votes"] == ["bullish": 2, "neutral": 0, "bearish": 1])
        #expect(vote["majority"] == "bullish")
        #expect(vote["dissenters"] == ["c"])
        #expect(vote["abstained"] == ["d"])
        #expect(vote["agreementRatio"]?.doubleValue == 2.0 / 3.0)
        #expect(vote["averageConfidence"] == .number((80 + 60 + 90) / 3))
        #expect(vote["weightedConfidence"]?.doubleValue == 70 * 2.0 / 3.0)
        #expect(vote["score"]?.doubleValue == (80 + 60 - 90) / 3.0)
        // A phase with a consensus aggregate asks for structured answers.
        #expect(agents.requests.allSatisfy { $0.responseFormat == .structured })
    }

    @Test func consensusWithoutPositionsCollectsTheTexts() {
        let replies = [
            AgentReply(agent: "a", step: 0, attempt: 1, response: AgentResponse(text: "one")),
            AgentReply(agent: "b", step: 1, attempt: 1, response: AgentResponse(text: "two")),
        ]
        let tally = Consensus.tally(replies, note: "")
        #expect(tally["voters"] == 0)
        #expect(tally["texts"] == [["agent": "a", "text": "one"], ["agent": "b", "text": "two"]])
    }

    @Test func aTieOfVotesAndConfidenceIsNeutral() {
        let replies = [
            AgentReply(agent: "a", step: 0, attempt: 1, response: .vote(.bullish, 50)),
            AgentReply(agent: "b", step: 1, attempt: 1, response: .vote(.bearish, 50)),
        ]
        #expect(Consensus.tally(replies, note: "")["majority"] == "neutral")
        #expect(Consensus.tally(replies, note: "")["dissenters"] == ["a", "b"])
    }

    @Test func proseValidationsAreUnverifiedWithoutAReviewer() async throws {
        let executor = makeExecutor()
        let result = try await executor.execute(
            makeTask([makePhase("P", [agentStep("a"), validationStep("Thorough")])]))
        #expect(result.status == .completed)
        #expect(result.phases[0].steps[1].status == .unverified)
        #expect(
            result.warnings == [
                "phase 'P', step 1: validation is prose and there is no reviewer, so it was not checked: 'Thorough'"
            ])
    }

    @Test func proseValidationsGoToTheReviewer() async throws {
        let agents = ScriptedAgentManager()
        agents.script("judge", [.text("PASS: the work is thorough"), .text("FAIL. Risks were ignored.")])
        let executor = makeExecutor(agents: agents)
        let task = makeTask(reviewer: "judge", [makePhase("P", [agentStep("a"), validationStep("Thorough")])])
        let passed = try await executor.execute(task)
        #expect(passed.status == .completed)
        #expect(passed.phases[0].steps[1].status == .completed)
        #expect(passed.phases[0].responses.map(\.agent) == ["a"])
        #expect(agents.requests.last?.purpose == .review)
        #expect(agents.requests.last?.responseFormat == .judgement)
        let failed = try await executor.execute(task)
        #expect(failed.status == .failed)
        #expect(
            failed.phases[0].errors == [
                "validation failed: reviewer 'judge' judged 'Thorough' false: FAIL. Risks were ignored."
            ])
    }
}
