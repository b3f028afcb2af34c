import Synchronization
import TaskrunCore
import TaskrunTestSupport
import Testing

@testable import TaskrunExecution

@Suite(.timeLimit(.minutes(1)))
struct RetryTests {
    @Test func agentQueriesBackOffDoublingUpToTheCap() async throws {
        let clock = ManualClock()
        let agents = ScriptedAgentManager()
        agents.script("a", [.failure("boom 1"), .failure("boom 2"), .failure("boom 3"), .text("finally")])
        let executor = makeExecutor(agents: agents, clock: clock)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask(
            retry: RetryPolicy(maxAttempts: 4, backoffMs: 100, maxBackoffMs: 300), [makePhase("P", [agentStep("a")])])
        let handle = try executor.start(task)
        for milliseconds in [100, 200, 300] {
            await clock.waitForSleeper(.milliseconds(milliseconds))
            clock.advance(by: .milliseconds(milliseconds))
        }
        let result = await handle.result
        #expect(result.status == .completed)
        #expect(clock.sleeps == [.milliseconds(100), .milliseconds(200), .milliseconds(300)])
        #expect(await log.of(.agentQuery).map(\.attempt) == [1, 2, 3, 4])
        let failures = await log.of(.agentFailed)
        #expect(failures.map(\.message) == ["boom 1", "boom 2", "boom 3"])
        #expect(failures.map(\.delay) == [.milliseconds(100), .milliseconds(200), .milliseconds(300)])
        #expect(result.phases[0].responses.first?.attempt == 4)
        #expect(result.phases[0].responses.first?.response.text == "finally")
    }

    @Test func jitterShortensEachWaitByARandomFraction() async throws {
        let clock = ManualClock()
        let agents = ScriptedAgentManager()
        agents.script("a", [.failure("x"), .failure("y"), .text("ok")])
        let executor = makeExecutor(agents: agents, clock: clock, random: { 0.5 })
        let task = makeTask(
            retry: RetryPolicy(maxAttempts: 3, backoffMs: 100, jitter: 1), [makePhase("P", [agentStep("a")])])
        let handle = try executor.start(task)
        for milliseconds in [50, 100] {
            await clock.waitForSleeper(.milliseconds(milliseconds))
            clock.advance(by: .milliseconds(milliseconds))
        }
        #expect(await handle.result.status == .completed)
        #expect(clock.sleeps == [.milliseconds(50), .milliseconds(100)])
    }

    /// Regression: a failure that would repeat (a missing definition, an HTTP 4xx) used to spend every
    /// attempt of the policy and its backoff waits.
    @Test(arguments: [false, true])
    func anErrorThatSaysRetryingCannotHelpEndsTheQueryAtOnce(retryable: Bool) async throws {
        let agents = FailingAgentManager(error: Refusal(isRetryable: retryable))
        let executor = makeExecutor(agents: agents)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask(retry: RetryPolicy(maxAttempts: 3, backoffMs: 0), [makePhase("P", [agentStep("a")])])
        let result = try await executor.execute(task)
        #expect(result.phases[0].steps[0].status == .failed)
        #expect(agents.calls.withLock { $0 } == (retryable ? 3 : 1))
        let failures = await log.of(.agentFailed)
        #expect(failures.map(\.attempt) == (retryable ? [1, 2, 3] : [1]))
        #expect(failures.last?.delay == nil)
        #expect(
            result.phases[0].steps[0].error
                == (retryable ? "agent 'a' failed after 3 attempts: refused" : "agent 'a' failed: refused"))
    }

    /// An error that names its agent already is not prefixed with the agent again.
    @Test func aQueryErrorNamesItsAgentOnce() {
        #expect(AgentQueryError(agent: "a", attempts: 1, message: "refused").description == "agent 'a' failed: refused")
        #expect(
            AgentQueryError(agent: "a", attempts: 1, message: "agent 'a' has no definition").description
                == "agent 'a' has no definition")
        #expect(
            AgentQueryError(agent: "a", attempts: 3, message: "agent 'a': the endpoint answered HTTP 503").description
                == "agent 'a': the endpoint answered HTTP 503 (after 3 attempts)")
        // Another agent's name is not this one's.
        #expect(
            AgentQueryError(agent: "a", attempts: 1, message: "agent 'ab' is busy").description
                == "agent 'a' failed: agent 'ab' is busy")
    }

    @Test func theStepRetryParameterOverridesTheAttempts() async throws {
        let agents = ScriptedAgentManager()
        agents.script("a", [.failure("one"), .failure("two"), .text("never reached")])
        let executor = makeExecutor(agents: agents)
        let task = makeTask(
            retry: RetryPolicy(maxAttempts: 5, backoffMs: 0),
            [makePhase("P", [agentStep("a", "go", ["retry": 2]), agentStep("b")])])
        let result = try await executor.execute(task)
        #expect(result.status == .completed)
        #expect(result.phases[0].steps[0].status == .failed)
        #expect(result.phases[0].steps[0].error == "agent 'a' failed after 2 attempts: two")
    }

    @Test func aFailedPhaseIsRetriedAsAWhole() async throws {
        let clock = ManualClock()
        let calls = Mutex(0)
        let executor = makeExecutor(clock: clock)
        executor.registerStepStrategy("flaky") { _, _, _ in
            let call = calls.withLock { count -> Int in
                count += 1
                return count
            }
            if call < 3 { throw StepFailure("not yet (\(call))", isRetryable: false) }
            return .number(Double(call))
        }
        let log = EventLog.subscribe(to: executor)
        let task = makeTask([
            makePhase(
                "P", retry: RetryPolicy(maxAttempts: 3, backoffMs: 1000),
                [agentStep("a"), customStep("flaky", "", ["required": true])])
        ])
        let handle = try executor.start(task)
        for seconds in [1, 2] {
            await clock.waitForSleeper(.seconds(seconds))
            clock.advance(by: .seconds(seconds))
        }
        let result = await handle.result
        #expect(result.status == .completed)
        #expect(result.phases[0].attempts == 3)
        #expect(result.phases[0].errors.count == 2)
        #expect(result.phases[0].errors[0].hasPrefix("attempt 1: required step 1 (flaky) failed: not yet (1)"))
        #expect(await log.of(.phaseStart).map(\.attempt) == [1, 2, 3])
        let retries = await log.of(.phaseRetry)
        #expect(retries.map(\.attempt) == [2, 3])
        #expect(retries.map(\.delay) == [.seconds(1), .seconds(2)])
        // Each attempt starts from scratch: one response, from the last attempt.
        #expect(result.phases[0].responses.count == 1)
    }

    @Test func customStepsRetryPerTheirRetryParameter() async throws {
        let calls = Mutex(0)
        let executor = makeExecutor()
        executor.registerStepStrategy("flaky") { _, _, context in
            calls.withLock { $0 += 1 }
            if context.attempt < 3 { throw StepFailure("attempt \(context.attempt)") }
            return "done"
        }
        let log = EventLog.subscribe(to: executor)
        let task = makeTask(
            retry: RetryPolicy(maxAttempts: 1, backoffMs: 0), [makePhase("P", [customStep("flaky", "", ["retry": 3])])])
        let result = try await executor.execute(task)
        #expect(result.phases[0].steps[0].value == "done")
        #expect(result.phases[0].steps[0].attempts == 3)
        #expect(calls.withLock { $0 } == 3)
        #expect(await log.of(.stepFailed).map(\.attempt) == [1, 2])
    }
}

@Suite(.timeLimit(.minutes(1)))
struct FailureIsolationTests {
    @Test func aFailedAgentDoesNotFailItsPhase() async throws {
        let agents = ScriptedAgentManager()
        agents.script("b", [.failure("b is down")])
        let executor = makeExecutor(agents: agents)
        let task = makeTask([
            makePhase("P", [agentStep("a"), agentStep("b"), agentStep("c")]),
            makePhase("Q", dependsOn: ["P"], [agentStep("d")]),
        ])
        let result = try await executor.execute(task)
        #expect(result.status == .completed)
        let phase = try #require(result[phase: "P"])
        #expect(phase.status == .completed)
        #expect(phase.steps.map(\.status) == [.completed, .failed, .completed])
        #expect(phase.steps[1].error == "agent 'b' failed: b is down")
        #expect(phase.responses.map(\.agent) == ["a", "c"])
        #expect(result[phase: "Q"]?.status == .completed)
    }

    @Test func aPhaseFailsWhenEveryAgentFailed() async throws {
        let agents = ScriptedAgentManager()
        agents.script("a", [.failure("a is down")])
        agents.script("b", [.failure("b is down")])
        let executor = makeExecutor(agents: agents)
        let log = EventLog.subscribe(to: executor)
        let task = makeTask([
            makePhase("P", [agentStep("a"), agentStep("b")]), makePhase("Q", dependsOn: ["P"], [agentStep("c")]),
        ])
        let result = try await executor.execute(task)
        #expect(result.status == .failed)
        #expect(result[phase: "P"]?.status == .failed)
        #expect(
            result[phase: "P"]?.errors == [
                "every agent failed (agent 'a' failed: a is down; agent 'b' failed: b is down)"
            ])
        #expect(result.reason?.hasPrefix("phase 'P' failed: every agent failed") == true)
        #expect(result[phase: "Q"]?.status == .pending)
        #expect(await log.of(.executionError).count == 1)
        #expect(await log.of(.phaseStart).map(\.phase) == ["P"])
    }

    @Test func aRequiredStepFailureFailsThePhase() async throws {
        let agents = ScriptedAgentManager()
        agents.script("chair", [.failure("no verdict")])
        let executor = makeExecutor(agents: agents)
        let task = makeTask([makePhase("Verdict", [agentStep("chair", "go", ["required": true]), agentStep("other")])])
        let result = try await executor.execute(task)
        #expect(result.status == .failed)
        #expect(result.phases[0].errors == ["required step 0 (agent chair) failed: agent 'chair' failed: no verdict"])
    }

    @Test func aFailedNonRequiredCustomStepIsRecordedAndThePhaseGoesOn() async throws {
        let executor = makeExecutor()
        executor.registerStepStrategy("broken") { _, _, _ in throw StepFailure("broken on purpose", isRetryable: false)
        }
        let result = try await executor.execute(makeTask([makePhase("P", [customStep("broken"), agentStep("a")])]))
        #expect(result.status == .completed)
        #expect(result.phases[0].steps[0].status == .failed)
        #expect(result.phases[0].steps[0].error == "broken on purpose")
    }

    @Test func continueOnFailureLetsDependentsRun() async throws {
        let agents = ScriptedAgentManager()
        agents.script("a", [.failure("down")])
        let executor = makeExecutor(agents: agents)
        let task = makeTask([
            makePhase("Optional", continueOnFailure: true, [agentStep("a")]),
            makePhase("Next", dependsOn: ["Optional"], [agentStep("b", "optional was {{phases.optional.status}}")]),
        ])
        let result = try await executor.execute(task)
        #expect(result.status == .completed)
        #expect(result[phase: "Optional"]?.status == .failed)
        #expect(agents.requests.last?.prompt == "optional was failed")
    }

    @Test func aFailingPhaseCancelsItsSiblings() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager()
        agents.handle("bad") { _ in
            await gate.waitForArrivals(1)
            throw StepFailure("down")
        }
        agents.handle("slow") { _ in
            try await gate.wait()
            return AgentResponse(text: "late")
        }
        let executor = makeExecutor(agents: agents)
        let result = try await executor.execute(
            makeTask([makePhase("Slow", [agentStep("slow")]), makePhase("Bad", [agentStep("bad")])]))
        #expect(result.status == .failed)
        #expect(result[phase: "Slow"]?.status == .aborted)
        #expect(result[phase: "Slow"]?.steps[0].status == .aborted)
        #expect(result[phase: "Slow"]?.errors.first?.hasPrefix("cancelled: phase 'Bad' failed") == true)
        #expect(gate.cancelledCount == 1)
    }
}

/// An agent error that knows whether retrying could help.
private struct Refusal: RetryableError, CustomStringConvertible {
    var isRetryable: Bool
    var description: String { "refused" }
}

/// Fails every query with `error`, counting the calls.
private final class FailingAgentManager: AgentManager {
    let error: any Error & Sendable
    let calls = Mutex(0)

    init(error: any Error & Sendable) {
        self.error = error
    }

    func query(_ request: AgentRequest) async throws -> AgentResponse {
        calls.withLock { $0 += 1 }
        throw error
    }
}
