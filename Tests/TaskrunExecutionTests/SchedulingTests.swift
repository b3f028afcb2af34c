import TaskrunCore
import Testing

@testable import TaskrunExecution

@Suite(.timeLimit(.minutes(1)))
struct SchedulingTests {
    static let committee = makeTask(
        "committee",
        [
            makePhase("Activation", [descriptionStep("Brief the committee")]),
            makePhase(
                "Analysis", dependsOn: ["Activation"], parallel: true,
                [agentStep("quant"), agentStep("risk"), agentStep("market"), aggregateStep("responses")]),
            makePhase(
                "Round Table", dependsOn: ["Analysis"], parallel: false,
                [agentStep("pm"), agentStep("compliance"), agentStep("contrarian")]),
            makePhase(
                "Debate", dependsOn: ["Round Table"], parallel: false, [agentStep("contrarian"), agentStep("pm")]),
            makePhase("Validation", dependsOn: ["Debate"], [agentStep("validator")]),
            makePhase("Consensus", dependsOn: ["Validation"], [agentStep("quant"), aggregateStep("consensus")]),
            makePhase("Verdict", dependsOn: ["Consensus"], outputs: ["verdict"], [agentStep("chair")]),
        ])

    @Test func phasesRunInDependencyOrder() async throws {
        let executor = makeExecutor(agents: ScriptedAgentManager())
        let log = EventLog.subscribe(to: executor)
        let result = try await executor.execute(Self.committee)
        #expect(result.status == .completed)
        #expect(result.phases.allSatisfy { $0.status == .completed })
        let order = ["Activation", "Analysis", "Round Table", "Debate", "Validation", "Consensus", "Verdict"]
        for (earlier, later) in zip(order, order.dropFirst()) {
            let completed = await log.sequence(.phaseComplete, phase: earlier)
            let committed = await log.sequence(.checkpointCreated, phase: earlier)
            let started = await log.sequence(.phaseStart, phase: later)
            #expect(completed < committed && committed < started, "\(earlier) must be committed before \(later) starts")
        }
        #expect(result.finalPhase == "Verdict")
        #expect(result.finalResult?["text"]?.stringValue == "chair: go")
        #expect(result[phase: "Verdict"]?.outputs["verdict"]?["agent"] == "chair")
    }

    @Test func independentPhasesOverlap() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager()
        for id in ["a", "b"] {
            agents.handle(id) { request in
                try await gate.wait()
                return AgentResponse(text: request.agentID)
            }
        }
        let executor = makeExecutor(agents: agents)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask([
            makePhase("A", [agentStep("a")]), makePhase("B", [agentStep("b")]),
            makePhase("C", dependsOn: ["A", "B"], [agentStep("c")]),
        ])
        let handle = try executor.start(task)
        // Both agents are asked while neither has answered: the phases run at the same time.
        await log.first(.agentQuery, agent: "a")
        await log.first(.agentQuery, agent: "b")
        #expect(await log.current(.phaseComplete).isEmpty)
        #expect(await log.current(.phaseStart).map(\.phase).contains("C") == false)
        gate.open()
        let result = await handle.result
        #expect(result.status == .completed)
        let cStarted = await log.sequence(.phaseStart, phase: "C")
        #expect(await log.sequence(.checkpointCreated, phase: "A") < cStarted)
        #expect(await log.sequence(.checkpointCreated, phase: "B") < cStarted)
    }

    @Test func maxConcurrentPhasesLimitsOverlap() async throws {
        let executor = makeExecutor()
        let log = EventLog.subscribe(to: executor)
        let task = makeTask((1...4).map { makePhase("P\($0)", [agentStep("a\($0)")]) })
        let result = try await executor.execute(task, options: ExecutionOptions(maxConcurrentPhases: 1))
        #expect(result.status == .completed)
        var running = 0
        var peak = 0
        for event in await log.events {
            if event.kind == .phaseStart { running += 1 }
            if event.kind == .phaseComplete { running -= 1 }
            peak = max(peak, running)
        }
        #expect(peak == 1)
        // Ready phases start in file order.
        #expect(await log.of(.phaseStart).map(\.phase) == ["P1", "P2", "P3", "P4"])
    }

    @Test func taskLimitIsUsedUnlessTheCallerOverridesIt() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager(fallback: { request in
            try await gate.wait()
            return AgentResponse(text: request.agentID)
        })
        let executor = makeExecutor(agents: agents, maxConcurrentPhases: 1)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask(maxConcurrentPhases: 3, (1...3).map { makePhase("P\($0)", [agentStep("a\($0)")]) })
        let handle = try executor.start(task)
        await log.count(atLeast: 3) { $0.kind == .agentQuery }
        gate.open()
        #expect(await handle.result.status == .completed)
    }

    @Test func agentsRunConcurrentlyInAParallelPhase() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager(fallback: { request in
            try await gate.wait()
            return AgentResponse(text: request.agentID)
        })
        let executor = makeExecutor(agents: agents)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask([
            makePhase("P", [agentStep("a"), agentStep("b"), agentStep("c"), aggregateStep("responses")])
        ])
        let handle = try executor.start(task)
        await log.count(atLeast: 3) { $0.kind == .agentQuery }
        #expect(await log.current(.agentResponse).isEmpty)
        gate.open()
        let result = await handle.result
        #expect(result.status == .completed)
        // Responses are in step order, whatever order they arrived in.
        #expect(result.phases[0].responses.map(\.agent) == ["a", "b", "c"])
        #expect(result.phases[0].result?.arrayValue?.count == 3)
        // The aggregate (a barrier) started after every agent answered.
        let aggregateStart = await log.first { $0.kind == .stepStart && $0.stepType == "aggregate" }
        #expect(await log.of(.agentResponse).allSatisfy { $0.sequence < aggregateStart.sequence })
    }

    /// An execution's work runs on one serial executor (Docs/execution.md, "Threads"): its
    /// agent calls, in parallel phases and in independent phases alike, interleave but never run
    /// at the same instant. Each call here holds the thread for a while without awaiting; on a
    /// pool of several threads, calls of one execution would overlap.
    @Test func anExecutionsWorkNeverRunsOnTwoThreadsAtOnce() async throws {
        let overlap = OverlapProbe()
        let agents = ScriptedAgentManager(fallback: { request in
            overlap.hold()
            return AgentResponse(text: request.agentID)
        })
        let executor = makeExecutor(agents: agents, maxConcurrentPhases: 8)
        let branches = (1...6).map { makePhase("Branch \($0)", dependsOn: ["Root"], [agentStep("b\($0)")]) }
        let task = makeTask(
            [makePhase("Root", parallel: true, (1...6).map { agentStep("r\($0)") })] + branches)
        let result = try await executor.execute(task)
        #expect(result.status == .completed)
        #expect(overlap.calls == 12)
        #expect(overlap.mostAtOnce == 1)
    }

    @Test func agentsRunInTurnInASequentialPhaseAndSeeEarlierAnswers() async throws {
        let agents = ScriptedAgentManager()
        let executor = makeExecutor(agents: agents)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask([
            makePhase("Before", [agentStep("analyst")]),
            makePhase(
                "Round", dependsOn: ["Before"], parallel: false, [agentStep("a"), agentStep("b"), agentStep("c")]),
        ])
        let result = try await executor.execute(task)
        #expect(result.status == .completed)
        let requests = agents.requests.filter { $0.phase == "Round" }
        #expect(requests.map(\.agentID) == ["a", "b", "c"])
        #expect(requests.map { $0.context.phaseResponses.map(\.agent) } == [[], ["a"], ["a", "b"]])
        #expect(requests.allSatisfy { $0.context.earlierPhases.map(\.name) == ["Before"] })
        #expect(await log.sequence(.agentResponse, agent: "a") < log.sequence(.agentQuery, agent: "b"))
        #expect(await log.sequence(.agentResponse, agent: "b") < log.sequence(.agentQuery, agent: "c"))
    }

    @Test func listedAgentsWithoutStepsAreAskedThePhaseDescription() async throws {
        let agents = ScriptedAgentManager()
        let executor = makeExecutor(agents: agents)
        let task = makeTask([
            makePhase(
                "Review", description: "Review {{input.ticker}}", agents: ["x", "y"], [aggregateStep("responses")])
        ])
        let result = try await executor.execute(
            makeTask(requirements: [Requirement(name: "ticker", type: .string)], task.phases), input: ["ticker": "ETH"])
        #expect(result.status == .completed)
        #expect(agents.requests.map(\.prompt) == ["Review ETH", "Review ETH"])
        #expect(Set(agents.requests.map(\.agentID)) == ["x", "y"])
        #expect(result.phases[0].steps.map(\.type) == ["agent", "agent", "aggregate"])
        #expect(result.phases[0].result?.arrayValue?.count == 2)
    }

    @Test func descriptionStepsAreRecordedAsDone() async throws {
        let executor = makeExecutor()
        let task = makeTask(
            requirements: [Requirement(name: "ticker", type: .string, defaultValue: "BTC")],
            [makePhase("P", outputs: ["context"], [descriptionStep("Load {{input.ticker}}")])])
        let result = try await executor.execute(task)
        #expect(result.phases[0].steps[0].status == .completed)
        #expect(result.phases[0].steps[0].value == "Load BTC")
        #expect(result.phases[0].outputs["context"] == "Load BTC")
    }
}
