import Foundation
import Synchronization
import TaskrunCore
import TaskrunTestSupport
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

    /// A phase that completes is checkpointed in the critical section that completes it, at that
    /// section's clock reading: the checkpoint carries the phase's own end time. On a clock that
    /// moves at every reading, a checkpoint that read the clock again would be a tick later.
    @Test func aCompletedPhasesCheckpointIsTakenAtItsEnd() async throws {
        let history = InMemoryHistoryStore()
        let executor = TaskExecutor(
            configuration: .init(clock: TickingClock()), agents: ScriptedAgentManager(), history: history,
            logger: quietLogger)
        let log = EventLog.subscribe(to: executor)
        let result = try await executor.execute(Self.task)
        let checkpoints = await log.of(.checkpointCreated)
        let completions = await log.of(.phaseComplete)
        #expect(completions.map(\.phase) == ["Gather", "Skip", "Decide"])
        for completion in completions {
            let checkpoint = try #require(checkpoints.first { $0.phase == completion.phase })
            #expect(checkpoint.timestamp == completion.timestamp)
        }
        let last = try #require(history.loadCheckpoint(result.executionID))
        #expect(last.createdAt == result.phases.first { $0.name == "Decide" }?.finishedAt)
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

/// Records every commit with its checkpoint and the execution's state at that moment, and keeps
/// everything in an ``InMemoryHistoryStore``.
final class CommitRecorder: Sendable {
    struct Observation: Sendable {
        var commit: PhaseCommit
        /// The checkpoint read while the commit was made.
        var checkpoint: ExecutionCheckpoint?
        /// The execution's state read at the same moment.
        var live: ExecutionState?
    }

    let inner = InMemoryHistoryStore()
    let executor = Mutex<TaskExecutor?>(nil)
    let observations = Mutex<[Observation]>([])
    /// The name of each committed phase, as it is committed.
    let committedPhases: AsyncStream<String>
    private let committedPhase: AsyncStream<String>.Continuation

    init() {
        (committedPhases, committedPhase) = AsyncStream.makeStream(of: String.self)
    }

    func record(_ commit: PhaseCommit, live: ExecutionState?) {
        let observation = Observation(commit: commit, checkpoint: commit.checkpoint, live: live)
        observations.withLock { $0.append(observation) }
        inner.commitPhase(commit)
        committedPhase.yield(commit.phase.name)
    }
}

protocol RecordingStore: HistoryStore {
    var recorder: CommitRecorder { get }
}

extension RecordingStore {
    func executionStarted(_ record: ExecutionRecord) async throws { recorder.inner.executionStarted(record) }
    func commitPhase(_ commit: PhaseCommit) async throws {
        let live = try recorder.executor.withLock { $0 }?.state(of: commit.executionID)
        recorder.record(commit, live: live)
    }
    func executionUpdated(_ update: ExecutionUpdate) async throws { recorder.inner.executionUpdated(update) }
    func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) async throws {
        recorder.inner.executionFinished(result, events: events)
    }
    func history(limit: Int) async throws -> [ExecutionSummary] { recorder.inner.history(limit: limit) }
    func loadExecution(_ id: ExecutionID) async throws -> StoredExecution? { recorder.inner.loadExecution(id) }
    func loadCheckpoint(_ id: ExecutionID) async throws -> ExecutionCheckpoint? { recorder.inner.loadCheckpoint(id) }
    func events(of id: ExecutionID) async throws -> [ExecutionEvent] { recorder.inner.events(of: id) }
}

/// Takes whole snapshots, as any store the executor does not know does.
struct WholeCheckpointRecordingStore: RecordingStore {
    let recorder = CommitRecorder()
}

/// Takes checkpoints in their compact form, as ``InMemoryHistoryStore`` does.
struct CompactCheckpointRecordingStore: RecordingStore, CompactCheckpointStore {
    let recorder = CommitRecorder()

    func commitNow(_ commit: PhaseCommit) -> CommitLeftover? {
        // The execution's lock is held: its state is the one the commit was made from.
        recorder.record(commit, live: nil)
        return nil
    }
}

@Suite(.timeLimit(.minutes(1)))
struct CompactCheckpointTests {
    /// A skipped phase, a failed one that the run goes on after, then two phases at once (B still
    /// asking its agent when A commits), then a join.
    static let task = makeTask([
        makePhase("Root", [agentStep("r")]),
        makePhase("Skipped", dependsOn: ["Root"], condition: "false", [agentStep("s")]),
        makePhase("Failing", dependsOn: ["Skipped"], continueOnFailure: true, [agentStep("f")]),
        makePhase("A", dependsOn: ["Failing"], [agentStep("a")]),
        makePhase("B", dependsOn: ["Failing"], [agentStep("b")]),
        makePhase("Join", dependsOn: ["A", "B"], [agentStep("j")]),
    ])

    func run(on store: some RecordingStore) async throws -> ExecutionResult {
        let gate = Gate()
        let agents = ScriptedAgentManager()
        agents.script("f", [.failure("f down")])
        agents.handle("a") { _ in
            await gate.waitForArrivals(1)
            return AgentResponse(text: "a")
        }
        agents.handle("b") { _ in
            try await gate.wait()
            return AgentResponse(text: "b")
        }
        // A fixed epoch on a manual clock: two runs take their checkpoints at the same dates.
        let executor = TaskExecutor(
            configuration: .init(clock: ManualClock(), epoch: Date(timeIntervalSince1970: 1_000_000)), agents: agents,
            history: store, logger: quietLogger)
        store.recorder.executor.withLock { $0 = executor }
        let handle = try executor.start(Self.task)
        await gate.waitForArrivals(1)
        // B's query is in flight until A has committed (A's agent answers only once B asks).
        for await phase in store.recorder.committedPhases where phase == "A" { break }
        gate.open()
        return await handle.result
    }

    @Test func everyCheckpointIsTheStateRightAfterItsPhaseEnded() async throws {
        let store = WholeCheckpointRecordingStore()
        let result = try await run(on: store)
        #expect(result.status == .completed)
        let observations = store.recorder.observations.withLock { $0 }
        #expect(observations.map(\.commit.phase.name) == ["Root", "Skipped", "Failing", "A", "B", "Join"])
        #expect(observations.allSatisfy { $0.commit.deferredCheckpoint == nil })
        for observation in observations {
            let checkpoint = try #require(observation.checkpoint)
            #expect(checkpoint.phase == observation.commit.phase.name)
            #expect(checkpoint.state == observation.live)
        }
        let atA = try #require(observations.first { $0.commit.phase.name == "A" }?.checkpoint)
        #expect(atA.state.phases.map(\.status) == [.completed, .skipped, .failed, .completed, .running, .pending])
        #expect(atA.state.phase(named: "B")?.steps.map(\.status) == [.running])
    }

    /// The same run with a store that takes compact checkpoints gives the same checkpoints, built
    /// while the commit is made and again after the run.
    @Test func aCompactCheckpointIsTheWholeSnapshotOfTheSameMoment() async throws {
        let whole = WholeCheckpointRecordingStore()
        _ = try await run(on: whole)
        let compact = CompactCheckpointRecordingStore()
        let result = try await run(on: compact)
        #expect(result.status == .completed)
        let expected = whole.recorder.observations.withLock { $0 }
        let observations = compact.recorder.observations.withLock { $0 }
        #expect(observations.map(\.commit.phase.name) == expected.map(\.commit.phase.name))
        #expect(observations.allSatisfy { $0.commit.deferredCheckpoint != nil })
        for (observation, expected) in zip(observations, expected) {
            var checkpoint = try #require(observation.checkpoint)
            // Built again after the run, it is still the state of that moment.
            #expect(observation.commit.checkpoint == checkpoint)
            checkpoint.state.id = try #require(expected.checkpoint?.state.id)
            #expect(checkpoint == expected.checkpoint)
        }
        #expect(try await compact.loadCheckpoint(result.executionID) == observations.last?.checkpoint)
    }

    @Test func aCompactCheckpointEncodesAndComparesAsTheWholeOne() async throws {
        let store = CompactCheckpointRecordingStore()
        _ = try await run(on: store)
        let commit = try #require(store.recorder.observations.withLock { $0.last?.commit })
        var whole = commit
        whole.checkpoint = commit.checkpoint
        #expect(whole.deferredCheckpoint == nil)
        #expect(whole == commit)
        #expect(whole.hashValue == commit.hashValue)
        let decoded = try JSONDecoder().decode(PhaseCommit.self, from: JSONEncoder().encode(commit))
        #expect(decoded == commit)
    }

    @Test func aPhaseListNotesEachWrittenPhaseOnceUntilTheChangesAreTaken() {
        func changes(_ list: inout PhaseList) -> [PhaseRecord] {
            var records: [PhaseRecord] = []
            list.takeChanges(into: &records)
            return records
        }
        var list = PhaseList((0..<40).map { PhaseResult(name: "P\($0)") })
        list[3].attempts = 1
        #expect(changes(&list).isEmpty)
        list.tracksChanges = true
        list[35].attempts = 1
        list[3].attempts = 2
        list[35].status = .running
        #expect(changes(&list).map(\.index) == [35, 3])
        #expect(changes(&list).isEmpty)
        list[3] = PhaseResult(name: "P3", attempts: 3)
        let taken = changes(&list)
        #expect(taken.map(\.index) == [3])
        #expect(taken.first?.value == PhaseResult(name: "P3", attempts: 3))
    }

}

/// A clock that moves on by a millisecond at every reading, so that two readings are never the
/// same moment; its sleeps end at once.
final class TickingClock: Clock, Sendable {
    typealias Instant = ManualClock.Instant
    private let readings = Mutex(Duration.zero)

    var now: Instant {
        readings.withLock { elapsed in
            elapsed += .milliseconds(1)
            return Instant(offset: elapsed)
        }
    }

    var minimumResolution: Duration { .milliseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
    }
}
