import TaskrunCore
import TaskrunTestSupport
import Testing

@testable import TaskrunExecution

@Suite(.timeLimit(.minutes(1)))
struct AbortTests {
    @Test func abortCancelsEveryStepAndAgentInFlight() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager(fallback: { _ in
            try await gate.wait()
            return AgentResponse(text: "never")
        })
        let executor = makeExecutor(agents: agents)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask([
            makePhase("Analysis", [agentStep("a"), agentStep("b"), agentStep("c")]),
            makePhase("Side", [agentStep("d")]),
            makePhase("Later", dependsOn: ["Analysis"], [agentStep("e")]),
        ])
        let handle = try executor.start(task)
        await gate.waitForArrivals(4)
        try await executor.abort(handle.id, reason: "the user pressed stop")
        let result = await handle.result
        #expect(result.status == .aborted)
        #expect(result.reason == "the user pressed stop")
        #expect(gate.cancelledCount == 4)
        #expect(result[phase: "Analysis"]?.status == .aborted)
        #expect(result[phase: "Analysis"]?.steps.allSatisfy { $0.status == .aborted } == true)
        #expect(result[phase: "Side"]?.status == .aborted)
        #expect(result[phase: "Later"]?.status == .pending)
        let events = await log.events
        #expect(events.last?.kind == .executionAborted)
        #expect(events.last?.message == "the user pressed stop")
        #expect(executor.activeExecutions().isEmpty)
        await #expect(throws: ExecutionError.self) { try await executor.abort(handle.id, reason: "again") }
    }

    @Test func abortInterruptsABackoffWait() async throws {
        let clock = ManualClock()
        let agents = ScriptedAgentManager()
        agents.script("a", [.failure("down")])
        let executor = makeExecutor(agents: agents, clock: clock)
        let task = makeTask(retry: RetryPolicy(maxAttempts: 3, backoffMs: 60_000), [makePhase("P", [agentStep("a")])])
        let handle = try executor.start(task)
        await clock.waitForSleeper(.seconds(60))
        handle.abort(reason: "enough")
        let result = await handle.result
        #expect(result.status == .aborted)
        #expect(clock.pending.isEmpty)
    }

    @Test func cancellingTheCallerAbortsTheExecution() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager(fallback: { _ in
            try await gate.wait()
            return AgentResponse(text: "never")
        })
        let executor = makeExecutor(agents: agents)
        let log = EventLog.subscribe(to: executor)
        let caller = Task { try await executor.execute(makeTask([makePhase("P", [agentStep("a")])])) }
        await gate.waitForArrivals(1)
        caller.cancel()
        let result = try await caller.value
        #expect(result.status == .aborted)
        #expect(result.reason == "the caller's task was cancelled")
        #expect(await log.of(.executionAborted).count == 1)
    }

    @Test func shutdownAbortsEverythingAndEndsTheStreams() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager(fallback: { _ in
            try await gate.wait()
            return AgentResponse(text: "never")
        })
        let executor = makeExecutor(agents: agents)
        let log = EventLog.subscribe(to: executor)
        let first = try executor.start(makeTask([makePhase("P", [agentStep("a")])]))
        let second = try executor.start(makeTask([makePhase("P", [agentStep("b")])]))
        await gate.waitForArrivals(2)
        await executor.shutdown()
        #expect(await first.result.status == .aborted)
        #expect(await second.result.status == .aborted)
        await log.waitUntilFinished()
        #expect(await log.of(.executionAborted).count == 2)
        #expect(throws: ExecutionError.self) { try executor.start(makeTask([makePhase("P")])) }
    }
}
