import Foundation
import GRDB
import Synchronization
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

/// The stored checkpoint format: only what changed is written per commit, and what is read back is
/// the checkpoint the executor took.
@Suite struct CheckpointFormatTests {
    @Test func everyCheckpointOfAChainReadsBackAsTaken() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = CheckingStore(try openStore(directory))
        let executor = TaskExecutor(configuration: .init(), agents: CountingAgents(), history: store)
        let result = try await executor.execute(chainTask(phases: 40), input: ["ticker": "BTC"])
        #expect(result.status == .completed)
        #expect(store.checked == 40)
        #expect(store.mismatches.isEmpty)
    }

    @Test func everyCheckpointReadsBackAsTakenWithPhasesInFlightSkippedAndFailed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = CheckingStore(try openStore(directory))
        let agents = FailingAgents(failing: ["B3", "B7"])
        let executor = TaskExecutor(configuration: .init(maxConcurrentPhases: 4), agents: agents, history: store)
        let result = try await executor.execute(fanOutTask(width: 12), input: ["ticker": "BTC"])
        #expect(result.status == .completed)
        #expect(result.phases.first { $0.name == "B5" }?.status == .skipped)
        #expect(result.phases.first { $0.name == "B3" }?.status == .failed)
        #expect(store.checked > 10)
        #expect(store.mismatches.isEmpty)
        // The result, stored apart from the checkpoint, reads back too.
        #expect(try await store.inner.loadExecution(result.executionID)?.result == result)
    }

    @Test func aCommitWritesAsManyRowsAtTheLastPhaseAsAtTheSecond() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = CheckingStore(try openStore(directory), countChanges: true)
        let executor = TaskExecutor(configuration: .init(), agents: CountingAgents(), history: store)
        let result = try await executor.execute(chainTask(phases: 60), input: ["ticker": "BTC"])
        #expect(result.status == .completed)
        let changes = store.changesPerCommit
        #expect(changes.count == 60)
        // From the second commit on, each writes its phase row, the checkpoint row and the same number
        // of events, however long the chain already is (a completed phase needs no checkpoint row).
        #expect(Set(changes.dropFirst()).count == 1, "rows changed per commit: \(changes)")
        let names = try await store.inner.pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT phase_names FROM checkpoint_names WHERE execution_id = ?",
                arguments: [
                    result.executionID.description
                ])
        }
        #expect(names == "[" + (1...60).map { "\"P\($0)\"" }.joined(separator: ",") + "]")
    }

    @Test func theLogIsCopiedIntoTheDatabaseFileOffTheCommittingThread() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let size = {
            (try? FileManager.default.attributesOfItem(atPath: directory.file("history.sqlite"))[.size] as? Int) ?? 0
        }
        let empty = size()
        // Enough commits to take the write-ahead log past 1,000 pages (a commit writes two to four).
        let result = try await TaskExecutor(configuration: .init(), agents: CountingAgents(), history: store)
            .execute(chainTask(phases: 600), input: ["ticker": "BTC"])
        #expect(result.status == .completed)
        store.checkpointer.waitForCheckpoint()
        #expect(size() > empty + 200_000, "the database file did not receive the log's pages")
        let reopened = try openStore(directory)
        #expect(try await reopened.loadExecution(result.executionID)?.phases.count == 600)
        #expect(try await reopened.integrityCheck() == ["ok"])
    }

    @Test func aPhaseCommittedAfterTheCheckpointIsNotPartOfIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        var task = chainTask(phases: 3)
        task.phases[1].checkpoint = false
        task.phases[2].checkpoint = false
        let result = try await TaskExecutor(
            configuration: .init(), agents: CountingAgents(), history: CrashingStore(store, crashAfter: "P2")
        ).execute(task, input: ["ticker": "BTC"])
        let id = result.executionID
        // P2 is committed, but the latest checkpoint was taken after P1, when P2 had not started.
        #expect(try await store.loadExecution(id)?.phases.map(\.name) == ["P1", "P2"])
        let checkpoint = try #require(try await store.loadCheckpoint(id))
        #expect(checkpoint.phase == "P1")
        #expect(checkpoint.state.phases.map(\.status) == [.completed, .pending, .pending])
        // Resuming restores both.
        let preparation = try await store.prepareResume(id, task: task)
        #expect(preparation.restoredPhases == ["P1", "P2"])
    }

    @Test func aStoreOfTheFirstFormatIsMigratedAndItsExecutionResumes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let task = fanOutTask(width: 6)
        let input: [String: JSONValue] = ["ticker": "BTC"]
        let first = try await TaskExecutor(
            configuration: .init(maxConcurrentPhases: 2), agents: FailingAgents(failing: ["B3"]),
            history: CrashingStore(try openStore(directory), crashAfter: "B4")
        ).execute(task, input: input)
        let id = first.executionID
        let taken = try #require(try await openStore(directory).loadCheckpoint(id))
        try rewriteAsFirstFormat(directory.file("history.sqlite"))

        let store = try openStore(directory)
        let applied = try await store.pool.read { db in try StorageSchema.migrator.appliedIdentifiers(db) }
        #expect(applied == Set(StorageSchema.migrationIdentifiers))
        #expect(try await store.loadCheckpoint(id) == taken)
        // The readable columns are still there, now from views.
        let readable = try store.pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT MIN(attempts) FROM phase_runs) AS attempts,
                        (SELECT COUNT(*) FROM phase_runs WHERE duration_ms >= 0 AND started_at LIKE '20%Z') AS timed,
                        (SELECT COUNT(*) FROM phase_runs) AS phases,
                        (SELECT COUNT(*) FROM events WHERE timestamp LIKE '20%Z') AS stamped,
                        (SELECT COUNT(*) FROM events) AS events
                    """)
        }
        #expect(readable?["attempts"] == 1)
        #expect(readable?["timed"] == readable?["phases"] as Int?)
        #expect(readable?["stamped"] == readable?["events"] as Int?)
        let agents = FailingAgents(failing: ["B3"])
        let resumed = try await TaskExecutor(
            configuration: .init(maxConcurrentPhases: 2), agents: agents, history: store
        )
        .resume(id, from: store, task: task).result
        #expect(resumed.status == .completed)
        for phase in taken.state.phases where phase.status == .completed {
            #expect(agents.perPhase[phase.name] == nil, "\(phase.name) ran again")
        }
        let reference = try await TaskExecutor(
            configuration: .init(), agents: FailingAgents(failing: ["B3"]), history: InMemoryHistoryStore()
        ).execute(task, input: input)
        #expect(resumed.phases.map(\.status) == reference.phases.map(\.status))
        #expect(resumed.phases.map(\.outputs) == reference.phases.map(\.outputs))
        #expect(resumed.finalResult == reference.finalResult)
        #expect(try await store.integrityCheck() == ["ok"])
    }

    /// Turns a store of the current format back into the first one: a new file with the schema of
    /// `v1-history` only, holding the same rows, each checkpoint written as that version did (whole,
    /// in `checkpoints.checkpoint`).
    private func rewriteAsFirstFormat(_ path: String) throws {
        let current = try DatabaseQueue(path: path)
        let checkpoints = try current.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM checkpoints").map { row -> (Row, String) in
                let id: String = row["execution_id"]
                let committed = try SQLiteHistoryStore.phaseResults(of: id, db).filter(SQLiteHistoryStore.isSettled)
                    .byName
                let checkpoint = try #require(try SQLiteHistoryStore.readCheckpoint(id, db))
                var state = checkpoint.state
                state.phases = []
                let legacy = LegacyStoredCheckpoint(
                    phase: checkpoint.phase, createdAt: checkpoint.createdAt, state: state,
                    phases: StoredPhases(checkpoint.state.phases, committed: committed))
                return (row, String(decoding: try JSONEncoder().encode(legacy), as: UTF8.self))
            }
        }
        try current.close()
        let first = path + ".v1"
        let old = try DatabaseQueue(path: first)
        try StorageSchema.migrator.migrate(old, upTo: "v1-history")
        try old.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS current", arguments: [path])
            try db.inTransaction {
                try db.execute(
                    sql: """
                        INSERT INTO executions (id, task_id, task_name, task_hash, task_path, task_definition, input,
                            input_hash, secret_inputs, status, reason, started_at, finished_at, updated_at,
                            resume_count, owner_pid, owner_host, result)
                        SELECT id, task_id, task_name, task_hash, task_path, task_definition, input, input_hash,
                            secret_inputs, status, reason, started_at, finished_at, updated_at, resume_count,
                            owner_pid, owner_host, result
                        FROM current.executions;
                        INSERT INTO phase_runs (execution_id, phase, status, commit_order, committed_at, record)
                        SELECT execution_id, phase, status, commit_order, committed_at, record FROM current.commit_log
                        WHERE phase IS NOT NULL;
                        INSERT INTO events (execution_id, sequence, type, time, task, phase, step, step_type, agent,
                            attempt, status, message, delay_ms, duration_ms)
                        SELECT execution_id, sequence, type, time, task, phase, step, step_type, agent, attempt, status,
                            message, delay_ms, duration_ms FROM current.events;
                        """)
                for (row, legacy) in checkpoints {
                    try db.execute(
                        sql: """
                            INSERT INTO checkpoints (execution_id, phase, created_at, last_sequence, checkpoint_count,
                                checkpoint)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            row["execution_id"], row["phase"], row["created_at"], row["last_sequence"],
                            row["checkpoint_count"], legacy,
                        ])
                }
                return .commit
            }
            try db.execute(sql: "DETACH DATABASE current")
        }
        try old.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try FileManager.default.moveItem(atPath: first, toPath: path)
    }
}

/// A root, `width` branches depending on it (`B5` skipped by its condition, `B3` and `B7`
/// continuing on failure) and a join depending on every branch.
func fanOutTask(width: Int) -> TaskDefinition {
    let branches = (1...width).map { "B\($0)" }
    var phases = [
        Phase(name: "Root", steps: [Step(kind: .agent(id: "worker"), text: "root")], outputs: ["summary"])
    ]
    for name in branches {
        phases.append(
            Phase(
                name: name, dependencies: [PhaseDependency(name: "Root")],
                condition: name == "B5" ? "input.ticker == 'none'" : nil,
                continueOnFailure: name == "B3" || name == "B7",
                steps: [Step(kind: .agent(id: "worker"), text: "branch \(name)")], outputs: ["summary"]))
    }
    phases.append(
        Phase(
            name: "Join", dependencies: branches.map { PhaseDependency(name: $0) },
            steps: [Step(kind: .agent(id: "worker"), text: "join")], outputs: ["summary"]))
    return TaskDefinition(
        id: "fanout", title: "Fan-out", metadata: TaskMetadata(name: "Fan-out task"),
        requirements: [Requirement(name: "ticker", type: .string)], phases: phases)
}

/// Answers `"<phase> done"`, except for the phases in `failing`, whose every query fails.
final class FailingAgents: AgentManager {
    struct Failure: Error {}

    private let failing: Set<String>
    private let counts = Mutex<[String: Int]>([:])

    init(failing: Set<String>) { self.failing = failing }

    func query(_ request: AgentRequest) async throws -> AgentResponse {
        counts.withLock { $0[request.phase, default: 0] += 1 }
        if failing.contains(request.phase) { throw Failure() }
        return AgentResponse(text: "\(request.phase) done", latency: .milliseconds(5))
    }

    var perPhase: [String: Int] { counts.withLock { $0 } }
}

/// A store in front of a real one that reads every checkpoint back right after its commit and
/// notes where it differs from the one taken; optionally counts the rows each commit changed.
final class CheckingStore: HistoryStore {
    let inner: SQLiteHistoryStore
    private let countChanges: Bool
    private let state = Mutex<(checked: Int, mismatches: [String], changes: [Int])>((0, [], []))

    init(_ inner: SQLiteHistoryStore, countChanges: Bool = false) {
        self.inner = inner
        self.countChanges = countChanges
    }

    var checked: Int { state.withLock { $0.checked } }
    var mismatches: [String] { state.withLock { $0.mismatches } }
    var changesPerCommit: [Int] { state.withLock { $0.changes } }

    func executionStarted(_ record: ExecutionRecord) async throws { try await inner.executionStarted(record) }

    func commitPhase(_ commit: PhaseCommit) async throws {
        let before = countChanges ? try await inner.pool.write { $0.totalChangesCount } : 0
        try await inner.commitPhase(commit)
        if countChanges {
            let after = try await inner.pool.write { $0.totalChangesCount }
            state.withLock { $0.changes.append(after - before) }
        }
        guard let checkpoint = commit.checkpoint else { return }
        let loaded = try await inner.loadCheckpoint(commit.executionID)
        state.withLock { state in
            state.checked += 1
            if loaded != checkpoint {
                let differing = zip(loaded?.state.phases ?? [], checkpoint.state.phases).filter { $0 != $1 }
                    .map(\.1.name)
                state.mismatches.append("after \(checkpoint.phase): phases \(differing) differ")
            }
        }
    }

    func executionUpdated(_ update: ExecutionUpdate) async throws { try await inner.executionUpdated(update) }

    func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) async throws {
        try await inner.executionFinished(result, events: events)
    }

    func history(limit: Int) async throws -> [ExecutionSummary] { try await inner.history(limit: limit) }
    func loadExecution(_ id: ExecutionID) async throws -> StoredExecution? { try await inner.loadExecution(id) }
    func loadCheckpoint(_ id: ExecutionID) async throws -> ExecutionCheckpoint? { try await inner.loadCheckpoint(id) }
    func events(of id: ExecutionID) async throws -> [ExecutionEvent] { try await inner.events(of: id) }
}
