import Foundation
import Synchronization
import TaskrunCore
import Testing

@testable import TaskrunExecution

@Suite(.timeLimit(.minutes(1)))
struct CheckpointTests {
    static let task = makeTask(
        requirements: [Requirement(name: "ticker", type: .string, defaultValue: "BTC")],
        [
            makePhase("Gather", outputs: ["facts"], [agentStep("a", "facts on {{input.ticker}}"), agentStep("b")]),
            makePhase("Skip", dependsOn: ["Gather"], continueOnFailure: true, [agentStep("x")]),
            makePhase(
                "Decide", dependsOn: ["Gather", "Skip"], outputs: ["verdict"],
                [agentStep("c", "{{phases.gather.outputs.facts}}")]),
        ])

    @Test func aCheckpointSurvivesAJSONRoundTripUnchanged() async throws {
        let history = InMemoryHistoryStore()
        let agents = ScriptedAgentManager()
        agents.script(
            "a",
            [
                .response(
                    AgentResponse(
                        text: "fact", position: .bullish, confidence: 55, keyPoints: ["k"], risks: ["r"],
                        data: ["n": 1.5], usage: .init(prompt: 3, completion: 4, total: 7)))
            ])
        agents.script("x", [.failure("x down")])
        let executor = makeExecutor(agents: agents, history: history)
        let result = try await executor.execute(Self.task)
        #expect(result.status == .completed)
        let checkpoint = try #require(history.loadCheckpoint(result.executionID))
        #expect(checkpoint.phase == "Decide")
        let data = try JSONEncoder().encode(checkpoint)
        let decoded = try JSONDecoder().decode(ExecutionCheckpoint.self, from: data)
        #expect(decoded == checkpoint)
        #expect(decoded.state.phases.map(\.status) == [.completed, .failed, .completed])
        let resultData = try JSONEncoder().encode(result)
        #expect(try JSONDecoder().decode(ExecutionResult.self, from: resultData) == result)
    }

    @Test func everyDoneAndCheckpointingPhaseIsCommittedBeforeItsDependentsStart() async throws {
        let history = InMemoryHistoryStore()
        let executor = makeExecutor(history: history)
        let log = EventLog.subscribe(to: executor)
        let result = try await executor.execute(Self.task)
        let stored = try #require(history.loadExecution(result.executionID))
        #expect(stored.phases.map(\.name) == ["Gather", "Skip", "Decide"])
        #expect(stored.status == .completed)
        #expect(await log.of(.checkpointCreated).map(\.phase) == ["Gather", "Skip", "Decide"])
        #expect(await log.sequence(.checkpointCreated, phase: "Skip") < log.sequence(.phaseStart, phase: "Decide"))
    }

    @Test func restoringACheckpointContinuesWithoutRerunningCommittedPhases() async throws {
        let history = InMemoryHistoryStore()
        let gate = Gate()
        let agents = ScriptedAgentManager()
        agents.handle("x") { _ in
            try await gate.wait()
            return AgentResponse(text: "x")
        }
        let executor = makeExecutor(agents: agents, history: history)
        let first = try executor.start(Self.task)
        await gate.waitForArrivals(1)
        first.abort(reason: "crash")
        let interrupted = await first.result
        #expect(interrupted.status == .aborted)
        let checkpoint = try #require(history.loadCheckpoint(first.id))
        #expect(checkpoint.phase == "Gather")
        #expect(checkpoint.state.phases.map(\.status) == [.completed, .pending, .pending])

        gate.open()
        let before = agents.requests.count
        let log = EventLog.subscribe(to: executor)
        let events = history.events(of: first.id)
        let resumed = try await executor.execute(
            resumingFrom: checkpoint, task: Self.task,
            options: ExecutionOptions(lastEventSequence: events.last?.sequence))
        #expect(resumed.executionID == first.id)
        #expect(resumed.status == .completed)
        #expect(agents.requests.dropFirst(before).map(\.agentID) == ["x", "c"])
        #expect(resumed[phase: "Gather"] == checkpoint.state.phases[0])
        #expect(agents.requests.last?.prompt == resumed[phase: "Gather"]?.outputs["facts"]?.compactJSON)
        // The event log goes on without gaps or repeats.
        #expect(await log.events.first?.sequence == (events.last?.sequence ?? 0) + 1)
        let all = history.events(of: first.id).map(\.sequence)
        #expect(all == Array(1...UInt64(all.count)))
        #expect(history.loadExecution(first.id)?.record.resumeCount == 1)
    }

    @Test func aCheckpointOfAnotherTaskIsRefused() async throws {
        let history = InMemoryHistoryStore()
        let executor = makeExecutor(history: history)
        let result = try await executor.execute(Self.task)
        let checkpoint = try #require(history.loadCheckpoint(result.executionID))
        let other = makeTask([makePhase("Gather"), makePhase("Other")])
        #expect(throws: ExecutionError.self) { try executor.start(resumingFrom: checkpoint, task: other) }
    }
}

/// A store that refuses to commit.
struct RefusingStore: HistoryStore {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "disk full" }
    }

    func executionStarted(_ record: ExecutionRecord) async throws {}
    func commitPhase(_ commit: PhaseCommit) async throws { throw Refused() }
    func executionUpdated(_ update: ExecutionUpdate) async throws {}
    func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) async throws {}
    func history(limit: Int) async throws -> [ExecutionSummary] { [] }
    func loadExecution(_ id: ExecutionID) async throws -> StoredExecution? { nil }
    func loadCheckpoint(_ id: ExecutionID) async throws -> ExecutionCheckpoint? { nil }
    func events(of id: ExecutionID) async throws -> [ExecutionEvent] { [] }
}

@Suite(.timeLimit(.minutes(1)))
struct StoreFailureTests {
    @Test func aCommitThatFailsEndsTheExecutionBeforeDependentsStart() async throws {
        let agents = ScriptedAgentManager()
        let executor = makeExecutor(agents: agents, history: RefusingStore())
        let result = try await executor.execute(
            makeTask([makePhase("A", [agentStep("a")]), makePhase("B", dependsOn: ["A"], [agentStep("b")])]))
        #expect(result.status == .failed)
        #expect(result.reason == "the history store could not commit phase 'A': disk full")
        #expect(result[phase: "B"]?.status == .pending)
        #expect(agents.requests.map(\.agentID) == ["a"])
    }

    @Test func aListedAgentOfAPhaseWithoutDescriptionIsAskedThePhaseName() async throws {
        let agents = ScriptedAgentManager()
        _ = try await makeExecutor(agents: agents).execute(makeTask([makePhase("Review", agents: ["x"])]))
        #expect(agents.requests.map(\.prompt) == ["Review"])
    }
}
