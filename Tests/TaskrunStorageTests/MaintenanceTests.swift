import Foundation
import GRDB
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

@Suite struct MaintenanceTests {
    /// An execution with `phases` committed phases and its events, last written at `updated`.
    private func seed(_ store: SQLiteHistoryStore, updated: String, phases: Int = 2, finish: Bool = true) async throws
        -> ExecutionID
    {
        let task = chainTask(phases: phases)
        let record = Samples.record(task: task)
        try await store.executionStarted(record)
        for index in 1...phases {
            let phase = Samples.phase("P\(index)")
            try await store.commitPhase(
                PhaseCommit(
                    executionID: record.id, phase: phase,
                    checkpoint: ExecutionCheckpoint(
                        phase: phase.name, createdAt: Samples.date,
                        state: Samples.state(
                            id: record.id, task: task, phases: [phase], lastSequence: UInt64(index + 1))),
                    events: [
                        Samples.event(.phaseComplete, id: record.id, sequence: UInt64(index + 1), phase: phase.name)
                    ]))
        }
        if finish {
            try await store.executionFinished(
                ExecutionResult(
                    executionID: record.id, taskID: task.id, taskName: task.metadata.name, status: .completed,
                    reason: nil, input: record.input, startedAt: Samples.date, finishedAt: Samples.date,
                    duration: .zero,
                    phases: [], finalPhase: nil, finalResult: nil, warnings: []),
                events: [Samples.event(.executionComplete, id: record.id, sequence: UInt64(phases + 2))])
        }
        try await store.pool.write { db in
            try db.execute(
                sql: "UPDATE executions SET updated_at = ? WHERE id = ?", arguments: [updated, record.id.description])
            try db.execute(
                sql: "UPDATE commit_log SET committed_at = ? WHERE execution_id = ? AND phase IS NOT NULL",
                arguments: [updated, record.id.description])
        }
        return record.id
    }

    @Test func pruneCountsInADryRunAndDeletesOtherwise() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let now = try #require(StorageTime.date("2026-03-01T00:00:00.000Z"))
        let old = try await seed(store, updated: "2026-01-01T00:00:00.000Z", phases: 3)
        let older = try await seed(store, updated: "2025-06-01T00:00:00.000Z", phases: 2, finish: false)
        let recent = try await seed(store, updated: "2026-02-20T00:00:00.000Z")

        let preview = try await store.prune(olderThan: .seconds(30 * 86_400), now: now, dryRun: true)
        #expect(preview.dryRun)
        #expect(preview.executions == 2)
        #expect(preview.phaseRuns == 5)
        #expect(preview.events == 3 + 1 + 1 + 2 + 1)  // start + phases (+ end) of each
        #expect(preview.cutoff == StorageTime.date("2026-01-30T00:00:00.000Z"))
        #expect(try await store.history(limit: 10).count == 3)

        let report = try await store.prune(olderThan: .seconds(30 * 86_400), now: now)
        #expect(!report.dryRun)
        #expect(report.executions == 2)
        #expect(report.phaseRuns == 5)
        #expect(try await store.history(limit: 10).map(\.id) == [recent])
        for id in [old, older] {
            #expect(try await store.loadExecution(id) == nil)
            #expect(try await store.loadCheckpoint(id) == nil)
            #expect(try await store.events(of: id).isEmpty)
        }
        let orphans = try await store.pool.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT (SELECT COUNT(*) FROM phase_runs WHERE execution_id NOT IN (SELECT id FROM executions))
                         + (SELECT COUNT(*) FROM checkpoints WHERE execution_id NOT IN (SELECT id FROM executions))
                         + (SELECT COUNT(*) FROM events WHERE execution_id NOT IN (SELECT id FROM executions))
                    """)
        }
        #expect(orphans == 0)
        #expect(try await store.integrityCheck() == ["ok"])
        #expect(try await store.prune(olderThan: .seconds(30 * 86_400), now: now).executions == 0)
    }

    @Test func aRecentCommitKeepsAnOldExecution() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let id = try await seed(store, updated: "2020-01-01T00:00:00.000Z", phases: 2, finish: false)
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE commit_log SET committed_at = '2026-02-28T00:00:00.000Z' WHERE phase = 'P2'")
        }
        let now = try #require(StorageTime.date("2026-03-01T00:00:00.000Z"))
        #expect(try await store.prune(olderThan: .seconds(7 * 86_400), now: now).executions == 0)
        #expect(try await store.entries(limit: 1).first?.updatedAt == StorageTime.date("2026-02-28T00:00:00.000Z"))
        #expect(try await store.prune(olderThan: .seconds(86_400 / 2), now: now).executions == 1)
        #expect(try await store.loadExecution(id) == nil)
    }

    @Test func pruneKeepsExecutionsStillRunningInALiveProcess() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory, owner: .current)
        let live = try await seed(store, updated: "2020-01-01T00:00:00.000Z", finish: false)
        let ended = try await seed(store, updated: "2020-01-01T00:00:00.000Z")
        let report = try await store.prune(olderThan: .seconds(1))
        #expect(report.executions == 1)
        #expect(try await store.history(limit: 5).map(\.id) == [live])
        #expect(try await store.loadExecution(ended) == nil)
    }

    @Test func abortMarksAPausedOrInterruptedExecutionAndLogsIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let interrupted = try await seed(store, updated: "2026-01-01T00:00:00.000Z", finish: false)
        let standing = try await store.abort(interrupted, reason: "not needed", now: Samples.date)
        #expect(standing == .interrupted)
        let stored = try #require(try await store.loadDetails(interrupted))
        #expect(stored.execution.status == .aborted)
        #expect(stored.execution.reason == "not needed")
        #expect(stored.standing == .aborted)
        let last = try #require(try await store.events(of: interrupted).last)
        #expect(last.kind == .executionAborted)
        #expect(last.sequence == 4)
        #expect(last.message == "not needed")

        await #expect(
            throws: ExecutionControlError.notAbortable(
                id: interrupted.description, standing: .aborted, owner: deadOwner)
        ) {
            try await store.abort(interrupted, reason: "again")
        }
        let completed = try await seed(store, updated: "2026-01-01T00:00:00.000Z")
        await #expect(
            throws: ExecutionControlError.notAbortable(
                id: completed.description, standing: .completed, owner: deadOwner)
        ) {
            try await store.abort(completed, reason: "late")
        }
        let unknown = ExecutionID.make()
        await #expect(throws: StoreError.unknownExecution(unknown.description)) {
            try await store.abort(unknown, reason: "?")
        }
    }

    @Test func abortRefusesAnExecutionWhoseProcessIsAlive() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory, owner: .current)
        let live = try await seed(store, updated: "2026-01-01T00:00:00.000Z", finish: false)
        do {
            try await store.abort(live, reason: "stop")
            Issue.record("aborted a live execution")
        } catch let error as ExecutionControlError {
            #expect(error.description.contains("still running in process \(ProcessInfo.processInfo.processIdentifier)"))
        }
    }
}
