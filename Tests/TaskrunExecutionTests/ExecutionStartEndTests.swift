import Foundation
import TaskrunCore
import TaskrunTestSupport
import Testing

@testable import TaskrunExecution

/// What an execution does once, at its start and its end: its pending phases, its ready queue,
/// the journal's start of a continued execution, and the result, which shares the run's phases.
@Suite(.timeLimit(.minutes(1)))
struct ExecutionStartEndTests {
    private func chain(_ count: Int) -> TaskDefinition {
        makeTask(
            (1...count).map { index in
                makePhase("P\(index)", dependsOn: index == 1 ? [] : ["P\(index - 1)"], [agentStep("a\(index)")])
            })
    }

    @Test(arguments: [0, 1, 31, 32, 33, 70])
    func aListOfPendingPhasesIsTheListOfThePhasesNamedSo(count: Int) {
        let names = (0..<count).map { "Phase \($0)" }
        let list = PhaseList(pendingCount: count) { names[$0] }
        let expected = PhaseList(names.map { PhaseResult(name: $0) })
        #expect(list == expected)
        #expect(list.count == count)
        #expect(list.array == names.map { PhaseResult(name: $0) })
        #expect(list.indices.allSatisfy { list.status(at: $0) == .pending })
        #expect(list.hashValue == expected.hashValue)
    }

    @Test func aDetachedListSharesThePhasesButNotTheNotes() {
        var list = PhaseList(pendingCount: 3) { ["A", "B", "C"][$0] }
        list.tracksChanges = true
        list[1].status = .running
        var detached = list.detached
        #expect(detached == list)
        #expect(!detached.tracksChanges)
        var records: [PhaseRecord] = []
        detached.takeChanges(into: &records)
        #expect(records.isEmpty)
        list.takeChanges(into: &records)
        #expect(records.map(\.index) == [1])
        // A write to one does not show in the other.
        detached[2].attempts = 5
        #expect(list[2].attempts == 0)
        #expect(list.status(at: 1) == .running && detached.status(at: 1) == .running)
    }

    @Test func theResultHoldsEveryPhaseAndComparesAsAResultWithAnArray() async throws {
        let task = makeTask([
            makePhase("A", [agentStep("a")]),
            makePhase("B", dependsOn: ["A"], [agentStep("b")]),
            makePhase("Skipped", dependsOn: ["B"], condition: "false", [agentStep("s")]),
        ])
        let executor = makeExecutor()
        let handle = try executor.start(task)
        let result = await handle.result
        #expect(result.status == .completed)
        #expect(result.phases.map(\.name) == ["A", "B", "Skipped"])
        #expect(result.phases.map(\.status) == [.completed, .completed, .skipped])
        // The last completed phase, not the last phase.
        #expect(result.finalPhase == "B")
        #expect(result.finalResult == result.phases[1].result)
        #expect(result[phase: "B"] == result.phases[1])
        #expect(result[phase: "C"] == nil)
        // The run's state after its end still has its phases, equal to the result's.
        #expect(handle.state().phases == result.phases)

        let plain = ExecutionResult(
            executionID: result.executionID, taskID: result.taskID, taskName: result.taskName, status: result.status,
            reason: result.reason, input: result.input, startedAt: result.startedAt, finishedAt: result.finishedAt,
            duration: result.duration, phases: result.phases, finalPhase: result.finalPhase,
            finalResult: result.finalResult, warnings: result.warnings)
        #expect(plain == result && result == plain)
        #expect(plain.hashValue == result.hashValue)
        let decoded = try JSONDecoder().decode(ExecutionResult.self, from: JSONEncoder().encode(result))
        #expect(decoded == result)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(plain) == encoder.encode(result))
    }

    @Test func aChangeToACopysPhasesLeavesTheResultAsItWas() async throws {
        let result = try await makeExecutor().execute(chain(40))
        #expect(result.phases.count == 40)
        var copy = result
        copy.phases[39].status = .failed
        copy.phases.append(PhaseResult(name: "Extra"))
        #expect(result.phases.count == 40)
        #expect(result.phases[39].status == .completed)
        #expect(copy.phases.count == 41)
        #expect(copy.phases[39].status == .failed)
        #expect(copy != result)
        var same = result
        same.phases = result.phases
        #expect(same == result)
    }

    @Test func aContinuedExecutionKeepsItsRestoredPhasesInItsCheckpoints() async throws {
        let history = InMemoryHistoryStore()
        let gate = Gate()
        let agents = ScriptedAgentManager(fallback: { request in
            if request.agentID == "a3" { try await gate.wait() }
            return AgentResponse(text: "ok \(request.agentID)")
        })
        agents.script("a2", [.failure("a2 down")])
        let task = makeTask([
            makePhase("P1", [agentStep("a1")]),
            makePhase("P2", dependsOn: ["P1"], continueOnFailure: true, [agentStep("a2")]),
            makePhase("P3", dependsOn: ["P2"], [agentStep("a3")]),
            makePhase("P4", dependsOn: ["P3"], [agentStep("a4")]),
        ])
        let executor = makeExecutor(agents: agents, history: history)
        let first = try executor.start(task)
        await gate.waitForArrivals(1)
        first.abort(reason: "crash")
        #expect(await first.result.status == .aborted)
        let checkpoint = try #require(history.loadCheckpoint(first.id))
        #expect(checkpoint.state.phases.map(\.status) == [.completed, .failed, .pending, .pending])

        gate.open()
        let resumed = try await executor.execute(resumingFrom: checkpoint, task: task)
        #expect(resumed.status == .completed)
        #expect(resumed.phases.map(\.status) == [.completed, .failed, .completed, .completed])
        #expect(Array(resumed.phases.prefix(2)) == Array(checkpoint.state.phases.prefix(2)))
        // The checkpoints the continued run took hold the phases it kept from the first one.
        let last = try #require(history.loadCheckpoint(first.id))
        #expect(last.phase == "P4")
        #expect(last.state.phases == resumed.phases)
        #expect(last.state.resumeCount == 1)
    }
}
