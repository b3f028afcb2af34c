import Foundation
import GRDB
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

@Suite struct AtomicityTests {
    /// Counts what a commit of `phase` would have written.
    private func traces(of phase: String, in store: SQLiteHistoryStore) throws -> [Int] {
        try store.pool.read { db in
            try [
                "SELECT COUNT(*) FROM phase_runs WHERE phase = ?",
                "SELECT COUNT(*) FROM step_results WHERE phase = ?",
                "SELECT COUNT(*) FROM agent_responses WHERE phase = ?",
                "SELECT COUNT(*) FROM checkpoints WHERE phase = ?",
                "SELECT COUNT(*) FROM events WHERE phase = ?",
            ].map { sql in try Int.fetchOne(db, sql: sql, arguments: [phase]) ?? -1 }
        }
    }

    @Test func aCommitThatFailsHalfwayLeavesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let task = chainTask(phases: 2)
        let record = Samples.record(task: task)
        try await store.executionStarted(record)
        let before = try await store.loadDetails(record.id)

        // The phase rows and the checkpoint go in first; the second event repeats a sequence number
        // and fails the transaction at its very end.
        let phase = Samples.phase("P1")
        let commit = PhaseCommit(
            executionID: record.id, phase: phase,
            checkpoint: ExecutionCheckpoint(
                phase: "P1", createdAt: Samples.date,
                state: Samples.state(id: record.id, task: task, phases: [phase], lastSequence: 3)),
            events: [
                Samples.event(.phaseStart, id: record.id, sequence: 2, phase: "P1"),
                Samples.event(.phaseComplete, id: record.id, sequence: 2, phase: "P1"),
            ])
        await #expect(throws: DatabaseError.self) { try await store.commitPhase(commit) }
        #expect(try traces(of: "P1", in: store) == [0, 0, 0, 0, 0])
        #expect(try await store.loadCheckpoint(record.id) == nil)
        #expect(try await store.events(of: record.id).map(\.sequence) == [1])
        #expect(try await store.loadDetails(record.id)?.updatedAt == before?.updatedAt)

        // The same commit with correct numbering goes through whole.
        var fixed = commit
        fixed.events[1].sequence = 3
        try await store.commitPhase(fixed)
        #expect(try traces(of: "P1", in: store) == [1, 1, 1, 1, 2])
    }

    /// The commit's insert runs on SQLite's own functions: its failure still arrives as GRDB's
    /// `DatabaseError` with SQLite's code and message, and the statement is usable again after it.
    @Test func aFailedInsertReportsSQLitesErrorAndLeavesTheStoreUsable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let record = Samples.record()
        try await store.executionStarted(record)
        try await store.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse_boom BEFORE INSERT ON commit_log WHEN NEW.phase = 'Boom'
                    BEGIN SELECT RAISE(ABORT, 'no boom here'); END
                    """)
        }
        let failing = PhaseCommit(
            executionID: record.id, phase: Samples.phase("Boom"), checkpoint: nil,
            events: [Samples.event(.phaseComplete, id: record.id, sequence: 2, phase: "Boom")])
        let error = await #expect(throws: DatabaseError.self) { try await store.commitPhase(failing) }
        #expect(error?.extendedResultCode == .SQLITE_CONSTRAINT_TRIGGER)
        #expect(error?.message == "no boom here")
        #expect(try await store.loadExecution(record.id)?.phases == [])
        let phase = Samples.phase("P1")
        try await store.commitPhase(
            PhaseCommit(
                executionID: record.id, phase: phase, checkpoint: nil,
                events: [Samples.event(.phaseComplete, id: record.id, sequence: 2, phase: "P1")]))
        #expect(try await store.loadExecution(record.id)?.phases == [phase])
    }

    @Test func aFailedRecommitKeepsTheEarlierCommitIntact() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let record = Samples.record()
        try await store.executionStarted(record)
        let original = Samples.phase("P1", status: .failed)
        try await store.commitPhase(
            PhaseCommit(
                executionID: record.id, phase: original, checkpoint: nil,
                events: [Samples.event(.phaseFailed, id: record.id, sequence: 2, phase: "P1")]))
        // The re-commit deletes and rewrites the phase's rows, then fails on a duplicate event.
        await #expect(throws: DatabaseError.self) {
            try await store.commitPhase(
                PhaseCommit(
                    executionID: record.id, phase: Samples.phase("P1", text: "other"), checkpoint: nil,
                    events: [Samples.event(.phaseComplete, id: record.id, sequence: 2, phase: "P1")]))
        }
        #expect(try await store.loadExecution(record.id)?.phases == [original])
    }

    /// Batches are no longer rows keyed by their first event: a store that did not write the
    /// execution's batches looks for one starting at the same event in the file.
    @Test func aBatchRepeatingAStoredOneIsRefusedByAnotherStoreToo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let record = Samples.record()
        try await store.executionStarted(record)
        let events = [
            Samples.event(.phaseStart, id: record.id, sequence: 2, phase: "P1"),
            Samples.event(.phaseComplete, id: record.id, sequence: 3, phase: "P1"),
        ]
        try await store.executionUpdated(
            ExecutionUpdate(executionID: record.id, status: .running, reason: nil, events: events))
        let other = try openStore(directory)
        await #expect(throws: DatabaseError.self) {
            try await other.executionUpdated(
                ExecutionUpdate(
                    executionID: record.id, status: .paused, reason: nil,
                    events: [Samples.event(.phaseStart, id: record.id, sequence: 2, phase: "P2")]))
        }
        let next = Samples.event(.phaseStart, id: record.id, sequence: 4, phase: "P2")
        try await other.executionUpdated(
            ExecutionUpdate(executionID: record.id, status: .paused, reason: nil, events: [next]))
        #expect(try await store.events(of: record.id).map(\.sequence) == record.events.map(\.sequence) + [2, 3, 4])
        #expect(try await store.loadExecution(record.id)?.status == .paused)
    }
}

@Suite struct CancellationTests {
    /// The executor cancels its own work on abort; what ended must still be written.
    @Test func writesLandEvenFromACancelledTask() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let record = Samples.record()
        let writer = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            #expect(Task.isCancelled)
            try await store.executionStarted(record)
            try await store.commitPhase(
                PhaseCommit(executionID: record.id, phase: Samples.phase("P1"), checkpoint: nil, events: []))
        }
        try await writer.value
        #expect(try await store.loadExecution(record.id)?.phases.map(\.name) == ["P1"])
    }
}
