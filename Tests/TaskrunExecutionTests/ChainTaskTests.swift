import TaskrunCore
import Testing

@testable import TaskrunExecution

/// A phase task that finishes a phase runs the next ready one itself (see `ExecutionRun.launch`).
/// These check that nothing about a chain changes for it.
@Suite(.timeLimit(.minutes(1)))
struct ChainTaskTests {
    private func chain(_ count: Int) -> TaskDefinition {
        makeTask(
            (1...count).map { index in
                makePhase("P\(index)", dependsOn: index == 1 ? [] : ["P\(index - 1)"], [agentStep("a\(index)")])
            })
    }

    @Test func anAbortReachesAPhaseRunByThePreviousPhasesTask() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager(fallback: { request in
            if request.agentID == "a2" { try await gate.wait() }
            return AgentResponse(text: "ok")
        })
        let executor = makeExecutor(agents: agents)
        let handle = try executor.start(chain(3))
        await gate.waitForArrivals(1)
        handle.abort(reason: "stop")
        let result = await handle.result
        #expect(result.status == .aborted)
        #expect(gate.cancelledCount == 1)
        #expect(result.phases.map(\.status) == [.completed, .aborted, .pending])
        #expect(executor.activeExecutions().isEmpty)
    }

    @Test func aLongChainRunsEveryPhaseOnceInOrder() async throws {
        let executor = makeExecutor()
        let log = EventLog.subscribe(to: executor)
        let result = try await executor.execute(chain(200))
        #expect(result.status == .completed)
        #expect(result.phases.allSatisfy { $0.status == .completed && $0.attempts == 1 })
        let starts = await log.events.filter { $0.kind == .phaseStart }.compactMap(\.phase)
        #expect(starts == (1...200).map { "P\($0)" })
    }

    @Test func aPauseBetweenPhasesStopsTheChainUntilResumed() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager(fallback: { request in
            if request.agentID == "a1" { try await gate.wait() }
            return AgentResponse(text: "ok")
        })
        let executor = makeExecutor(agents: agents)
        let handle = try executor.start(chain(3))
        await gate.waitForArrivals(1)
        try await handle.pause(reason: "hold")
        gate.open()
        try await handle.waitUntilSettled()
        #expect(handle.state().phases.map(\.status) == [.completed, .pending, .pending])
        try await handle.resume()
        let result = await handle.result
        #expect(result.status == .completed)
        #expect(result.phases.map(\.status) == [.completed, .completed, .completed])
    }
}
