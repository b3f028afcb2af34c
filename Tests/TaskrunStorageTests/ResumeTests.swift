import Foundation
import GRDB
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

@Suite struct ResumeTests {
    private func executor(_ store: any HistoryStore, _ agents: any AgentManager) -> TaskExecutor {
        TaskExecutor(configuration: .init(maxConcurrentPhases: 4), agents: agents, history: store)
    }

    /// Runs `task` once with nothing interrupted, for comparison.
    private func uninterrupted(_ task: TaskDefinition, input: [String: JSONValue]) async throws -> ExecutionResult {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        return try await executor(try openStore(directory), CountingAgents()).execute(task, input: input)
    }

    @Test func anInterruptedExecutionResumesWithoutRerunningCommittedPhases() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let task = chainTask(phases: 6)
        let input: [String: JSONValue] = ["ticker": "BTC"]

        // First process: the store stops receiving anything after P3's commit, as if it died there.
        let firstAgents = CountingAgents()
        let first = try await executor(CrashingStore(try openStore(directory), crashAfter: "P3"), firstAgents)
            .execute(task, input: input)
        let id = first.executionID

        // Second process: a new connection finds it interrupted, with three phases committed.
        let store = try openStore(directory)
        let entry = try #require(try await store.resumableExecutions().first)
        #expect(entry.id == id)
        #expect(entry.standing == .interrupted)
        #expect(entry.committedPhases == 3)
        #expect(try await store.loadCheckpoint(id)?.phase == "P3")

        let agents = CountingAgents()
        let resumed = try await executor(store, agents).resume(id, from: store, task: task).result
        #expect(resumed.executionID == id)
        #expect(resumed.status == .completed)
        for name in ["P1", "P2", "P3"] {
            #expect(firstAgents.perPhase[name] == 1)
            #expect(agents.perPhase[name] == nil, "\(name) ran again")
        }
        for name in ["P4", "P5", "P6"] { #expect(agents.perPhase[name] == 1) }
        // P3's output was restored into the template context of P4.
        #expect(agents.lastPrompts["P4"] == "continue after P3 done")

        let reference = try await uninterrupted(task, input: input)
        #expect(resumed.finalPhase == reference.finalPhase)
        #expect(resumed.finalResult == reference.finalResult)
        #expect(resumed.phases.map(\.outputs) == reference.phases.map(\.outputs))
        #expect(resumed.phases.map(\.status) == reference.phases.map(\.status))

        let details = try #require(try await store.loadDetails(id))
        #expect(details.execution.status == .completed)
        #expect(details.execution.record.resumeCount == 1)
        #expect(details.execution.phases.map(\.name) == ["P1", "P2", "P3", "P4", "P5", "P6"])
        let sequences = try await store.events(of: id).map(\.sequence)
        #expect(sequences == Array(1...UInt64(sequences.count)))
        #expect(try await store.resumableExecutions().isEmpty)
        #expect(try await store.integrityCheck() == ["ok"])
    }

    @Test func phasesCommittedWithoutACheckpointAreNotRunAgain() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        var task = chainTask(phases: 4)
        task.phases[1].checkpoint = false
        task.phases[2].checkpoint = false
        let firstAgents = CountingAgents()
        let first = try await executor(CrashingStore(try openStore(directory), crashAfter: "P3"), firstAgents)
            .execute(task, input: ["ticker": "ETH"])
        let store = try openStore(directory)
        #expect(try await store.loadCheckpoint(first.executionID)?.phase == "P1")
        let preparation = try await store.prepareResume(first.executionID, task: task)
        #expect(preparation.restoredPhases == ["P1", "P2", "P3"])
        let agents = CountingAgents()
        let resumed = try await executor(store, agents).start(
            resumingFrom: preparation.checkpoint, task: task, options: preparation.options
        ).result
        #expect(resumed.status == .completed)
        #expect(agents.perPhase == ["P4": 1])
    }

    @Test func aFailedExecutionResumesFromThePhaseThatFailed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let task = chainTask(phases: 4)
        let store = try openStore(directory)
        let firstAgents = CountingAgents(failing: ["P3"])
        let failed = try await executor(store, firstAgents).execute(task, input: ["ticker": "BTC"])
        #expect(failed.status == .failed)
        let entry = try #require(try await store.resumableExecutions(task: "chain").first)
        #expect(entry.standing == .failed)

        let agents = CountingAgents()
        let resumed = try await executor(store, agents).resume(failed.executionID, from: store, task: task).result
        #expect(resumed.status == .completed)
        #expect(agents.perPhase == ["P3": 1, "P4": 1])
        let stored = try #require(try await store.loadExecution(failed.executionID))
        #expect(stored.status == .completed)
        #expect(stored.reason == nil)
        #expect(stored.phases.first { $0.name == "P3" }?.status == .completed)
    }

    @Test func aPausedExecutionWhoseProcessExitedIsResumable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let task = chainTask(phases: 3)
        let store = try openStore(directory)
        let gate = AsyncGate()
        let agents = GatedAgents(gate: gate, gatedPhase: "P2")
        let running = executor(store, agents)
        let handle = try running.start(task, input: ["ticker": "BTC"])
        await gate.waitUntilEntered()
        try await running.pause(handle.id, reason: "interrupted by the user")
        await gate.open()
        try await running.waitUntilSettled(handle.id)
        let paused = try #require(try await store.resumableExecutions().first)
        #expect(paused.id == handle.id)
        #expect(paused.standing == .paused)
        #expect(paused.committedPhases == 2)
        await running.shutdown()  // the process "exits"; its abort is not what resume reads
    }

    @Test func standingsDecideWhatIsResumable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let dead = try openStore(directory)
        let live = try openStore(directory, owner: .current)
        func start(_ store: SQLiteHistoryStore, status: ExecutionStatus?) async throws -> ExecutionID {
            let record = Samples.record()
            try await store.executionStarted(record)
            if let status {
                try await store.pool.write { db in
                    try db.execute(
                        sql: "UPDATE executions SET status = ? WHERE id = ?",
                        arguments: [status.rawValue, record.id.description])
                }
            }
            return record.id
        }
        let interrupted = try await start(dead, status: nil)
        let paused = try await start(dead, status: .paused)
        let failed = try await start(dead, status: .failed)
        let timedOut = try await start(dead, status: .timeout)
        _ = try await start(dead, status: .completed)
        _ = try await start(dead, status: .aborted)
        _ = try await start(live, status: nil)
        _ = try await start(live, status: .paused)
        let resumable = try await dead.resumableExecutions()
        #expect(resumable.map(\.id) == [timedOut, failed, paused, interrupted])
        #expect(resumable.map(\.standing) == [.timeout, .failed, .paused, .interrupted])
        #expect(try await dead.resumableExecutions(limit: 1).map(\.id) == [timedOut])
        #expect(
            try await dead.entries(limit: 20).map(\.standing)
                == [.active, .active, .aborted, .completed, .timeout, .failed, .paused, .interrupted])
    }

    @Test func aChangedTaskFileIsRefusedUnlessForced() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = directory.file("chain.md")
        try Data("# Chain\nversion 1\n".utf8).write(to: URL(fileURLWithPath: path))
        let task = chainTask(phases: 3, sourcePath: path)
        let store = try openStore(directory)
        let failed = try await executor(store, CountingAgents(failing: ["P2"])).execute(task, input: ["ticker": "BTC"])
        let id = failed.executionID

        // An edit of prose only: refused all the same (the file changed), and the message says so.
        try Data("# Chain\nversion 2\n".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try await store.prepareResume(id, task: task)
            Issue.record("resumed a changed task without --force")
        } catch let error as ResumeError {
            guard case .taskChanged(_, let changes) = error else { throw error }
            #expect(changes.isEmpty)
            #expect(error.description.contains("no change to the phase graph"))
        }

        var changed = task
        changed.phases[2].dependencies = [PhaseDependency(name: "P1"), PhaseDependency(name: "P2")]
        changed.phases[1].timeout = TaskDuration.minutes(5)
        changed.phases.append(Phase(name: "P4", dependencies: [PhaseDependency(name: "P3")]))
        do {
            _ = try await store.prepareResume(id, task: changed)
            Issue.record("resumed a changed task without --force")
        } catch let error as ResumeError {
            #expect(
                error.description == """
                    the task file changed since execution \(id) started; resume with --force to run the new version anyway.
                    changes:
                      + phase 'P4' added
                      ~ phase 'P2': timeout: none → 5m
                      ~ phase 'P3': dependsOn: P2 → P1, P2
                    """)
        }
        let forced = try await store.prepareResume(id, task: changed, force: true)
        #expect(forced.changes?.addedPhases == ["P4"])
        #expect(forced.checkpoint.state.phases.map(\.name) == ["P1", "P2", "P3", "P4"])
        let agents = CountingAgents()
        let resumed = try await executor(store, agents).start(
            resumingFrom: forced.checkpoint, task: changed, options: forced.options
        ).result
        #expect(resumed.status == .completed, "\(resumed.reason ?? "")")
        #expect(agents.perPhase == ["P2": 1, "P3": 1])  // P4 has no agent
        #expect(resumed[phase: "P4"]?.status == .completed)
        // The execution now records the task it last ran.
        #expect(try await store.loadDetails(id)?.taskHash == TaskFingerprint.of(changed))
    }

    @Test func secretInputsMustBeGivenAgainToResume() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let task = chainTask(phases: 2, secret: true)
        let store = try openStore(directory)
        let failed = try await executor(store, CountingAgents(failing: ["P2"]))
            .execute(task, input: ["ticker": "BTC", "apiKey": "sk-123456"])
        let id = failed.executionID
        await #expect(throws: ResumeError.missingSecrets(id: id.description, names: ["apiKey"])) {
            try await store.prepareResume(id, task: task)
        }
        let preparation = try await store.prepareResume(id, task: task, secrets: ["apiKey": "sk-123456"])
        #expect(preparation.checkpoint.state.input == ["ticker": "BTC", "apiKey": "sk-123456"])
        let message = ResumeError.missingSecrets(id: "x", names: ["apiKey"]).description
        #expect(
            message
                == "execution x used secret input 'apiKey', which the history store never keeps; pass --input apiKey=… again"
        )
    }

    @Test func otherRefusals() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let task = chainTask(phases: 2)
        let store = try openStore(directory)
        let done = try await executor(store, CountingAgents()).execute(task, input: ["ticker": "BTC"])
        await #expect(
            throws: ResumeError.notResumable(id: done.executionID.description, standing: .completed, owner: deadOwner)
        ) {
            try await store.prepareResume(done.executionID, task: task)
        }
        let failed = try await executor(store, CountingAgents(failing: ["P1"])).execute(task, input: ["ticker": "BTC"])
        await #expect(
            throws: ResumeError.differentTask(id: failed.executionID.description, stored: "chain", given: "other")
        ) {
            try await store.prepareResume(failed.executionID, task: chainTask(phases: 2, id: "other"))
        }
        let unknown = ExecutionID.make()
        await #expect(throws: StoreError.unknownExecution(unknown.description)) {
            try await store.prepareResume(unknown, task: task)
        }
    }

    @Test func runningTheSameTaskAndInputFindsTheInterruptedExecution() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let task = chainTask(phases: 3)
        let crashed = try await executor(CrashingStore(try openStore(directory), crashAfter: "P1"), CountingAgents())
            .execute(task, input: ["ticker": "BTC"])
        let store = try openStore(directory)
        #expect(
            try await store.interruptedExecutions(of: task, input: ["ticker": "BTC"]).map(\.id) == [crashed.executionID]
        )
        #expect(try await store.interruptedExecutions(of: task, input: ["ticker": "ETH"]).isEmpty)
        #expect(try await store.interruptedExecutions(of: task, input: [:]).isEmpty)
        #expect(
            try await store.interruptedExecutions(of: chainTask(phases: 3, id: "else"), input: ["ticker": "BTC"])
                .isEmpty)
    }
}

/// A one-shot gate: the gated agent call waits for `open()`, and the test waits until it is inside.
actor AsyncGate {
    private var entered = false
    private var isOpen = false
    private var enteredWaiters: [CheckedContinuation<Void, Never>] = []
    private var openWaiters: [CheckedContinuation<Void, Never>] = []

    func enterAndWait() async {
        entered = true
        for waiter in enteredWaiters { waiter.resume() }
        enteredWaiters = []
        if isOpen { return }
        await withCheckedContinuation { openWaiters.append($0) }
    }

    func waitUntilEntered() async {
        if entered { return }
        await withCheckedContinuation { enteredWaiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in openWaiters { waiter.resume() }
        openWaiters = []
    }
}

/// Answers like ``CountingAgents``, but the query of `gatedPhase` waits at the gate.
final class GatedAgents: AgentManager {
    let gate: AsyncGate
    let gatedPhase: String

    init(gate: AsyncGate, gatedPhase: String) {
        self.gate = gate
        self.gatedPhase = gatedPhase
    }

    func query(_ request: AgentRequest) async throws -> AgentResponse {
        if request.phase == gatedPhase { await gate.enterAndWait() }
        return AgentResponse(text: "\(request.phase) done")
    }
}
