import TaskrunCore
import TaskrunTestSupport
import Testing

@testable import TaskrunExecution

@Suite(.timeLimit(.minutes(1)))
struct PauseTests {
    @Test func pauseLetsStepsInFlightFinishAndStartsNothingNew() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager()
        agents.handle("a") { _ in
            try await gate.wait()
            return AgentResponse(text: "a done")
        }
        let executor = makeExecutor(agents: agents)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask([
            makePhase("Round", parallel: false, [agentStep("a"), agentStep("b")]),
            makePhase("After", dependsOn: ["Round"], [agentStep("c")]),
        ])
        let handle = try executor.start(task)
        await gate.waitForArrivals(1)
        // Pause from another task, as a signal handler would.
        try await Task.detached { try await executor.pause(handle.id, reason: "coffee") }.value
        #expect(handle.state().status == .paused)
        gate.open()
        try await executor.waitUntilSettled(handle.id)
        let paused = handle.state()
        #expect(paused.phases[0].status == .paused)
        #expect(paused.phases[0].steps.map(\.status) == [.completed, .pending])
        #expect(agents.requests.map(\.agentID) == ["a"])
        #expect(await log.first(.executionPaused).message == "coffee")

        try await Task.detached { try await executor.resume(handle.id) }.value
        let result = await handle.result
        #expect(result.status == .completed)
        #expect(agents.requests.map(\.agentID) == ["a", "b", "c"])
        #expect(await log.sequence(.executionResumed) < log.sequence(.agentQuery, agent: "b"))
    }

    @Test func aPhaseThatFinishesWhilePausedIsCommittedButItsDependentsWait() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager()
        agents.handle("a") { _ in
            try await gate.wait()
            return AgentResponse(text: "a done")
        }
        let history = InMemoryHistoryStore()
        let executor = makeExecutor(agents: agents, history: history)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask([
            makePhase("First", [agentStep("a")]), makePhase("Second", dependsOn: ["First"], [agentStep("b")]),
        ])
        let handle = try executor.start(task)
        await gate.waitForArrivals(1)
        try await handle.pause()
        gate.open()
        try await handle.waitUntilSettled()
        #expect(handle.state().phases.map(\.status) == [.completed, .pending])
        #expect(history.loadCheckpoint(handle.id)?.phase == "First")
        await log.first(.phaseStart, phase: "First")
        #expect(await log.current(.phaseStart).map(\.phase) == ["First"])
        try await handle.resume()
        #expect(await handle.result.status == .completed)
    }

    @Test func illegalControlCallsAreRejected() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager(fallback: { _ in
            try await gate.wait()
            return AgentResponse(text: "x")
        })
        let executor = makeExecutor(agents: agents)
        let handle = try executor.start(makeTask([makePhase("P", [agentStep("a")])]))
        await gate.waitForArrivals(1)
        await #expect(throws: ExecutionError.self) { try await executor.resume(handle.id) }
        try await executor.pause(handle.id)
        await #expect(throws: ExecutionError.self) { try await executor.pause(handle.id) }
        try await executor.resume(handle.id)
        gate.open()
        #expect(await handle.result.status == .completed)
        await #expect(throws: ExecutionError.self) { try await executor.pause(handle.id) }
    }

    @Test func abortingAPausedExecutionEndsIt() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager()
        agents.handle("a") { _ in
            try await gate.wait()
            return AgentResponse(text: "a")
        }
        let executor = makeExecutor(agents: agents)
        let handle = try executor.start(
            makeTask([makePhase("P", parallel: false, [agentStep("a"), agentStep("b")])]))
        await gate.waitForArrivals(1)
        try await handle.pause()
        gate.open()
        try await handle.waitUntilSettled()
        handle.abort(reason: "changed my mind")
        let result = await handle.result
        #expect(result.status == .aborted)
        #expect(result.phases[0].status == .aborted)
        #expect(result.phases[0].steps.map(\.status) == [.completed, .pending])
    }

    @Test func pausedTimeDoesNotCountAgainstTheTimeLimit() async throws {
        let clock = ManualClock()
        let first = Gate()
        let second = Gate()
        let agents = ScriptedAgentManager()
        agents.handle("a") { _ in
            try await first.wait()
            return AgentResponse(text: "a")
        }
        agents.handle("b") { _ in
            try await second.wait()
            return AgentResponse(text: "b")
        }
        let executor = makeExecutor(agents: agents, clock: clock)
        let task = makeTask(
            maxExecutionTime: .seconds(10), [makePhase("P", parallel: false, [agentStep("a"), agentStep("b")])])
        let handle = try executor.start(task)
        await first.waitForArrivals(1)
        await clock.waitForSleeper(.seconds(10))
        clock.advance(by: .seconds(4))
        try await handle.pause()
        first.open()
        try await handle.waitUntilSettled()
        clock.advance(by: .seconds(60))
        #expect(handle.state().status == .paused)
        try await handle.resume()
        await second.waitForArrivals(1)
        // 4s ran before the pause, so 6s of the 10s limit remain.
        await clock.waitForSleeper(.seconds(6))
        clock.advance(by: .seconds(6))
        let result = await handle.result
        #expect(result.status == .timeout)
        #expect(result.phases[0].steps.map(\.status) == [.completed, .timeout])
    }
}
