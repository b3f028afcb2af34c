import TaskrunCore
import TaskrunTestSupport
import Testing

@testable import TaskrunExecution

@Suite(.timeLimit(.minutes(1)))
struct TimeoutTests {
    /// An agent manager where `slow` waits on `gate` (cancellable) and everyone else echoes.
    static func agents(_ gate: Gate) -> ScriptedAgentManager {
        let agents = ScriptedAgentManager()
        agents.handle("slow") { _ in
            try await gate.wait()
            return AgentResponse(text: "slow answered")
        }
        return agents
    }

    @Test func theExecutionTimeLimitEndsItWithPartialResults() async throws {
        let clock = ManualClock()
        let gate = Gate()
        let executor = makeExecutor(agents: Self.agents(gate), clock: clock)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask(
            maxExecutionTime: .seconds(10),
            [
                makePhase("Quick", [agentStep("quick")]), makePhase("Slow", dependsOn: ["Quick"], [agentStep("slow")]),
                makePhase("Never", dependsOn: ["Slow"], [agentStep("never")]),
            ])
        let handle = try executor.start(task)
        await gate.waitForArrivals(1)
        await clock.waitForSleeper(.seconds(10))
        clock.advance(by: .seconds(10))
        let result = await handle.result
        #expect(result.status == .timeout)
        #expect(result.reason == "the execution exceeded its time limit of 10s")
        #expect(result[phase: "Quick"]?.status == .completed)
        #expect(result[phase: "Quick"]?.responses.count == 1)
        #expect(result[phase: "Slow"]?.status == .timeout)
        #expect(result[phase: "Slow"]?.steps[0].status == .timeout)
        #expect(result[phase: "Never"]?.status == .pending)
        #expect(result.duration == .seconds(10))
        #expect(gate.cancelledCount == 1)
        #expect(await log.of(.executionTimeout).count == 1)
    }

    @Test func theCallerCanOverrideTheTaskTimeLimit() async throws {
        let clock = ManualClock()
        let gate = Gate()
        let executor = makeExecutor(agents: Self.agents(gate), clock: clock)
        let task = makeTask(maxExecutionTime: .seconds(10), [makePhase("Slow", [agentStep("slow")])])
        let handle = try executor.start(task, options: ExecutionOptions(maxExecutionTime: .seconds(3)))
        await gate.waitForArrivals(1)
        await clock.waitForSleeper(.seconds(3))
        clock.advance(by: .seconds(3))
        #expect(await handle.result.status == .timeout)
    }

    @Test func aPhaseTimeLimitEndsTheExecutionWithTimeout() async throws {
        let clock = ManualClock()
        let gate = Gate()
        let executor = makeExecutor(agents: Self.agents(gate), clock: clock)
        let task = makeTask([
            makePhase("Slow", timeout: .seconds(5), [agentStep("slow"), agentStep("quick")]),
            makePhase("After", dependsOn: ["Slow"], [agentStep("after")]),
        ])
        let handle = try executor.start(task)
        await gate.waitForArrivals(1)
        await clock.waitForSleeper(.seconds(5))
        clock.advance(by: .seconds(5))
        let result = await handle.result
        #expect(result.status == .timeout)
        #expect(result.reason == "phase 'Slow' timed out: the phase exceeded its time limit of 5s")
        let slow = try #require(result[phase: "Slow"])
        #expect(slow.status == .timeout)
        #expect(slow.steps.map(\.status) == [.timeout, .completed])
        #expect(slow.responses.map(\.agent) == ["quick"])
        #expect(result[phase: "After"]?.status == .pending)
        #expect(gate.cancelledCount == 1)
    }

    @Test func aPhaseTimeoutWithContinueOnFailureLetsTheExecutionGoOn() async throws {
        let clock = ManualClock()
        let gate = Gate()
        let executor = makeExecutor(agents: Self.agents(gate), clock: clock)
        let task = makeTask([
            makePhase("Slow", timeout: .seconds(5), continueOnFailure: true, [agentStep("slow")]),
            makePhase("After", dependsOn: ["Slow"], [agentStep("after")]),
        ])
        let handle = try executor.start(task)
        await gate.waitForArrivals(1)
        await clock.waitForSleeper(.seconds(5))
        clock.advance(by: .seconds(5))
        let result = await handle.result
        #expect(result.status == .completed)
        #expect(result[phase: "Slow"]?.status == .timeout)
        #expect(result[phase: "After"]?.status == .completed)
    }

    @Test func aStepTimeoutIsIsolatedLikeAnyAgentFailure() async throws {
        let clock = ManualClock()
        let gate = Gate()
        let executor = makeExecutor(agents: Self.agents(gate), clock: clock)
        let task = makeTask([makePhase("P", [agentStep("slow", "go", ["timeout": 1000]), agentStep("quick")])])
        let handle = try executor.start(task)
        await gate.waitForArrivals(1)
        await clock.waitForSleeper(.seconds(1))
        clock.advance(by: .seconds(1))
        let result = await handle.result
        #expect(result.status == .completed)
        #expect(result.phases[0].steps[0].status == .timeout)
        #expect(result.phases[0].steps[0].error == "the step exceeded its time limit of 1s")
        #expect(result.phases[0].steps[1].status == .completed)
        #expect(gate.cancelledCount == 1)
    }

    @Test func aRequiredStepTimeoutTimesOutThePhaseAndTheExecution() async throws {
        let clock = ManualClock()
        let gate = Gate()
        let executor = makeExecutor(agents: Self.agents(gate), clock: clock)
        let task = makeTask([
            makePhase("Verdict", [agentStep("slow", "go", ["timeout": "90s", "required": true]), agentStep("quick")])
        ])
        let handle = try executor.start(task)
        await gate.waitForArrivals(1)
        await clock.waitForSleeper(.seconds(90))
        clock.advance(by: .seconds(90))
        let result = await handle.result
        #expect(result.status == .timeout)
        #expect(result.phases[0].status == .timeout)
        #expect(result.phases[0].steps[0].status == .timeout)
    }

    @Test func waitStepsUseTheInjectedClock() async throws {
        let clock = ManualClock()
        let executor = makeExecutor(clock: clock)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask([
            makePhase("P", [Step(kind: .wait(.seconds(5)), text: "5s"), agentStep("after")])
        ])
        let handle = try executor.start(task)
        await clock.waitForSleeper(.seconds(5))
        #expect(await log.current(.agentQuery).isEmpty)
        clock.advance(by: .seconds(5))
        #expect(await handle.result.status == .completed)
        #expect(clock.sleeps == [.seconds(5)])
    }
}
