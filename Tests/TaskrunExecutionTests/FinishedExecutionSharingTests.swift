import Foundation
import Synchronization
import TaskrunCore
import Testing

@testable import TaskrunExecution

/// Forwards every write to an ``InMemoryHistoryStore`` (with compact checkpoints, as the executor
/// gives them to it), and reads what that store returns just before an execution's end reaches it:
/// after the end, it must return the same, with the end added.
final class FinishProbeStore: CompactCheckpointStore {
    struct Before: Sendable {
        var execution: StoredExecution?
        var checkpoint: ExecutionCheckpoint?
        var events: [ExecutionEvent]
        var result: ExecutionResult
        var finishEvents: [ExecutionEvent]
    }

    let inner = InMemoryHistoryStore()
    let before = Mutex<[ExecutionID: Before]>([:])
    /// Called with each committed phase's name, inside the execution's lock.
    let onCommit = Mutex<(@Sendable (String) -> Void)?>(nil)

    func commitNow(_ commit: PhaseCommit) -> CommitLeftover? {
        defer { onCommit.withLock { $0 }?(commit.phase.name) }
        return inner.commitNow(commit)
    }

    func executionStarted(_ record: ExecutionRecord) async throws { inner.executionStarted(record) }
    func commitPhase(_ commit: PhaseCommit) async throws { inner.commitPhase(commit) }
    func executionUpdated(_ update: ExecutionUpdate) async throws { inner.executionUpdated(update) }
    func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) async throws {
        let id = result.executionID
        let seen = Before(
            execution: inner.loadExecution(id), checkpoint: inner.loadCheckpoint(id), events: inner.events(of: id),
            result: result, finishEvents: events)
        before.withLock { $0[id] = seen }
        inner.executionFinished(result, events: events)
    }
    func history(limit: Int) async throws -> [ExecutionSummary] { inner.history(limit: limit) }
    func loadExecution(_ id: ExecutionID) async throws -> StoredExecution? { inner.loadExecution(id) }
    func loadCheckpoint(_ id: ExecutionID) async throws -> ExecutionCheckpoint? { inner.loadCheckpoint(id) }
    func events(of id: ExecutionID) async throws -> [ExecutionEvent] { inner.events(of: id) }

    /// Checks that the ended execution `id` loads as it did before its end, with the end added, and
    /// returns what the store shares (see ``InMemoryHistoryStore/sharesPhases(of:)``).
    @discardableResult
    func expectEqualLoads(_ id: ExecutionID) throws -> (result: Bool, checkpoint: Bool) {
        let seen = try #require(before.withLock { $0[id] })
        let started = try #require(seen.execution)
        let expected = StoredExecution(
            record: started.record, status: seen.result.status, reason: seen.result.reason, phases: started.phases,
            result: seen.result)
        let stored = try #require(inner.loadExecution(id))
        #expect(stored == expected)
        #expect(stored.result?.phases == seen.result.phases)
        #expect(stored.phases == started.phases)
        #expect(inner.loadCheckpoint(id) == seen.checkpoint)
        #expect(inner.events(of: id) == seen.events + seen.finishEvents)
        #expect(inner.history(limit: 100).first { $0.id == id } == expected.summary)
        // Read twice: the second read is built again, the same.
        #expect(inner.loadExecution(id) == stored)
        #expect(inner.loadCheckpoint(id) == seen.checkpoint)
        return try #require(inner.sharesPhases(of: id))
    }
}

@Suite(.timeLimit(.minutes(1)))
struct FinishedExecutionSharingTests {
    static func chain(_ count: Int) -> TaskDefinition {
        makeTask(
            (0..<count).map { index in
                makePhase("P\(index)", dependsOn: index == 0 ? [] : ["P\(index - 1)"], [agentStep("a\(index)")])
            })
    }

    @Test func aFinishedChainKeepsEachPhaseOnceAndLoadsAsBefore() async throws {
        let store = FinishProbeStore()
        let executor = makeExecutor(history: store)
        let result = try await executor.execute(Self.chain(40))
        #expect(result.status == .completed)
        let shares = try store.expectEqualLoads(result.executionID)
        #expect(shares.result && shares.checkpoint)
        let stored = try #require(store.inner.loadExecution(result.executionID))
        #expect(stored.phases.map(\.name) == (0..<40).map { "P\($0)" })
        #expect(stored.result?.phases == result.phases)
        #expect(store.inner.loadCheckpoint(result.executionID)?.state.phases == result.phases)
    }

    /// A fan-out whose phases commit in another order than the task's: the result's phases are
    /// found in the commit-ordered ones.
    @Test func aFanOutCommittedOutOfOrderLoadsAsBefore() async throws {
        let store = FinishProbeStore()
        let afterC = Gate()
        store.onCommit.withLock { $0 = { name in if name == "C" { afterC.open() } } }
        let agents = ScriptedAgentManager()
        agents.handle("a") { _ in
            try await afterC.wait()
            return AgentResponse(text: "a")
        }
        agents.handle("b") { _ in
            try await afterC.wait()
            return AgentResponse(text: "b")
        }
        let task = makeTask([
            makePhase("Root", [agentStep("r")]),
            makePhase("A", dependsOn: ["Root"], [agentStep("a")]),
            makePhase("B", dependsOn: ["Root"], [agentStep("b")]),
            makePhase("C", dependsOn: ["Root"], [agentStep("c")]),
            makePhase("Join", dependsOn: ["A", "B", "C"], [agentStep("j")]),
        ])
        let result = try await makeExecutor(agents: agents, history: store).execute(task)
        #expect(result.status == .completed)
        let shares = try store.expectEqualLoads(result.executionID)
        #expect(shares.result && shares.checkpoint)
        let stored = try #require(store.inner.loadExecution(result.executionID))
        #expect(stored.phases.map(\.name).prefix(2) == ["Root", "C"])
        #expect(stored.result?.phases.map(\.name) == ["Root", "A", "B", "C", "Join"])
    }

    /// A skipped phase, one that fails and the run goes on, phases in flight at a checkpoint.
    @Test func skippedAndFailedPhasesAndCheckpointsWithPhasesInFlightLoadAsBefore() async throws {
        let store = FinishProbeStore()
        let agents = ScriptedAgentManager()
        agents.script("f", [.failure("f down")])
        let task = makeTask([
            makePhase("Root", [agentStep("r")]),
            makePhase("Skipped", dependsOn: ["Root"], condition: "false", [agentStep("s")]),
            makePhase("Failing", dependsOn: ["Skipped"], continueOnFailure: true, [agentStep("f")]),
            makePhase("A", dependsOn: ["Failing"], [agentStep("a")]),
            makePhase("B", dependsOn: ["Failing"], [agentStep("b")]),
            makePhase("Join", dependsOn: ["A", "B"], [agentStep("j")]),
        ])
        let result = try await makeExecutor(agents: agents, history: store).execute(task)
        #expect(result.status == .completed)
        #expect(result.phases.map(\.status) == [.completed, .skipped, .failed, .completed, .completed, .completed])
        try store.expectEqualLoads(result.executionID)
    }

    /// A failed execution: the phases after the failure never started, and the last checkpoint
    /// is from before the failed phase, so it keeps its own phases.
    @Test func aFailedExecutionLoadsAsBefore() async throws {
        let store = FinishProbeStore()
        let agents = ScriptedAgentManager()
        agents.script("a1", [.failure("down")])
        let result = try await makeExecutor(agents: agents, history: store).execute(Self.chain(4))
        #expect(result.status == .failed)
        #expect(result.phases.map(\.status) == [.completed, .failed, .pending, .pending])
        let shares = try store.expectEqualLoads(result.executionID)
        #expect(shares.result)
        #expect(!shares.checkpoint)
        #expect(store.inner.loadCheckpoint(result.executionID)?.phase == "P0")
    }

    /// The last phase takes no checkpoint: the checkpoint is not the final state.
    @Test func aLastCheckpointBeforeTheEndKeepsItsOwnPhases() async throws {
        let store = FinishProbeStore()
        var task = Self.chain(3)
        task.phases[2].checkpoint = false
        let result = try await makeExecutor(history: store).execute(task)
        #expect(result.status == .completed)
        let shares = try store.expectEqualLoads(result.executionID)
        #expect(shares.result)
        #expect(!shares.checkpoint)
        #expect(
            store.inner.loadCheckpoint(result.executionID)?.state.phases.map(\.status)
                == [.completed, .completed, .pending])
    }

    /// Aborted with a phase in flight (never committed), then continued from its checkpoint.
    @Test func anAbortedAndContinuedExecutionLoadsAsBefore() async throws {
        let store = FinishProbeStore()
        let gate = Gate()
        let agents = ScriptedAgentManager()
        agents.handle("a1") { _ in
            try await gate.wait()
            return AgentResponse(text: "a1")
        }
        let executor = makeExecutor(agents: agents, history: store)
        let task = Self.chain(3)
        let first = try executor.start(task)
        await gate.waitForArrivals(1)
        first.abort(reason: "crash")
        let aborted = await first.result
        #expect(aborted.status == .aborted)
        let shares = try store.expectEqualLoads(first.id)
        #expect(!shares.result && !shares.checkpoint)

        gate.open()
        let checkpoint = try #require(store.inner.loadCheckpoint(first.id))
        let events = store.inner.events(of: first.id)
        let resumed = try await executor.execute(
            resumingFrom: checkpoint, task: task, options: ExecutionOptions(lastEventSequence: events.last?.sequence))
        #expect(resumed.status == .completed)
        try store.expectEqualLoads(first.id)
        #expect(store.inner.loadExecution(first.id)?.record.resumeCount == 1)
    }

    @Test func aPausedAndResumedExecutionLoadsAsBefore() async throws {
        let store = FinishProbeStore()
        let gate = Gate()
        let agents = ScriptedAgentManager()
        agents.handle("a0") { _ in
            try await gate.wait()
            return AgentResponse(text: "a0")
        }
        let handle = try makeExecutor(agents: agents, history: store).start(Self.chain(3))
        await gate.waitForArrivals(1)
        try await handle.pause()
        gate.open()
        try await handle.waitUntilSettled()
        #expect(store.inner.sharesPhases(of: handle.id).map { $0.result || $0.checkpoint } == false)
        try await handle.resume()
        #expect(await handle.result.status == .completed)
        let shares = try store.expectEqualLoads(handle.id)
        #expect(shares.result && shares.checkpoint)
    }

    /// An ended execution that is continued again: until new commits arrive, its checkpoint and
    /// committed phases are the ones it ended with, and its result is gone.
    @Test func anEndedExecutionContinuedKeepsItsCheckpointAndPhases() async throws {
        let store = FinishProbeStore()
        let result = try await makeExecutor(history: store).execute(Self.chain(5))
        let id = result.executionID
        #expect(try store.expectEqualLoads(id) == (true, true))
        let stored = try #require(store.inner.loadExecution(id))
        let checkpoint = try #require(store.inner.loadCheckpoint(id))
        var record = stored.record
        record.resumeCount += 1
        record.events = []
        store.inner.executionStarted(record)
        let continued = try #require(store.inner.loadExecution(id))
        #expect(continued.result == nil)
        #expect(continued.status == .running)
        #expect(continued.phases == stored.phases)
        #expect(store.inner.loadCheckpoint(id) == checkpoint)
        // A commit changes the store's phases, not the checkpoint kept from before it.
        store.inner.commitPhase(
            PhaseCommit(executionID: id, phase: PhaseResult(name: "P1", status: .failed), checkpoint: nil, events: []))
        #expect(store.inner.loadExecution(id)?.phases[1] == PhaseResult(name: "P1", status: .failed))
        #expect(store.inner.loadCheckpoint(id) == checkpoint)
        #expect(store.inner.sharesPhases(of: id).map { $0 == (false, true) } == true)
    }

    /// A result given by a caller other than the executor, with phases that are not the committed
    /// ones: kept as given.
    @Test func aResultWithOtherPhasesIsKeptAsGiven() throws {
        let history = InMemoryHistoryStore()
        let task = makeTask(["A", "B"].map { makePhase($0) })
        let id = InMemoryHistoryStoreTests.commit(["A", "B"], of: task, to: history)
        let now = Date()
        func result(_ phases: [PhaseResult]) -> ExecutionResult {
            ExecutionResult(
                executionID: id, taskID: task.id, taskName: task.id, status: .completed, reason: nil, input: [:],
                startedAt: now, finishedAt: now, duration: .zero, phases: phases, finalPhase: nil, finalResult: nil,
                warnings: [])
        }
        let committed = InMemoryHistoryStoreTests.expected(["A", "B"])
        let other = [committed[0], PhaseResult(name: "B", status: .failed)]
        history.executionFinished(result(other), events: [])
        #expect(history.loadExecution(id)?.result == result(other))
        #expect(history.loadExecution(id)?.result?.phases == other)
        #expect(history.sharesPhases(of: id).map { $0 == (false, false) } == true)
        // The same phases as committed: shared, and loaded equal.
        history.executionFinished(result(committed), events: [])
        #expect(history.loadExecution(id)?.result == result(committed))
        #expect(history.loadExecution(id)?.phases == committed)
        #expect(history.sharesPhases(of: id).map { $0 == (true, false) } == true)
    }

    @Test func aListCountsThePhasesWrittenSinceTheirCommit() {
        var list = PhaseList(pendingCount: 3) { "P\($0)" }
        list.tracksChanges = true
        #expect(list.isAsCommitted)
        list[0].status = .running
        list[1].status = .running
        #expect(!list.isAsCommitted)
        list.noteCommitted(0)
        #expect(!list.isAsCommitted)
        list.noteCommitted(1)
        list.noteCommitted(1)
        #expect(list.isAsCommitted)
        // A snapshot shares the boxes: the next write copies one, which keeps its mark.
        let snapshot = list.detached
        list[2].status = .running
        list[2].attempts = 1
        #expect(!list.isAsCommitted)
        list.noteCommitted(2)
        #expect(list.isAsCommitted)
        list[0].attempts = 2
        #expect(!list.isAsCommitted)
        #expect(snapshot[2].status == .pending)
        // A list that does not track changes never says so.
        var untracked = PhaseList(pendingCount: 1) { "P\($0)" }
        #expect(!untracked.isAsCommitted)
        untracked[0].status = .running
        untracked.noteCommitted(0)
        #expect(!untracked.isAsCommitted)
    }

    @Test func aRunSaysWhenItsResultsPhasesAreTheCommittedOnesAndTheLastCheckpoints() async throws {
        let history = InMemoryHistoryStore()
        let completed = try await makeExecutor(history: history).execute(Self.chain(3))
        #expect(completed.phasesAreAsCommitted)
        let gate = Gate()
        let agents = ScriptedAgentManager()
        agents.handle("a1") { _ in
            try await gate.wait()
            return AgentResponse(text: "a1")
        }
        let handle = try makeExecutor(agents: agents, history: history).start(Self.chain(3))
        await gate.waitForArrivals(1)
        handle.abort(reason: "stop")
        let aborted = await handle.result
        // P1 was running when it was aborted, and never committed.
        #expect(!aborted.phasesAreAsCommitted)
        // A result that does not come from a run says nothing.
        #expect(
            !ExecutionResult(
                executionID: completed.executionID, taskID: "t", taskName: "t", status: .completed, reason: nil,
                input: [:], startedAt: Date(), finishedAt: Date(), duration: .zero, phases: completed.phases,
                finalPhase: nil, finalResult: nil, warnings: []
            ).phasesAreAsCommitted)
    }
}
