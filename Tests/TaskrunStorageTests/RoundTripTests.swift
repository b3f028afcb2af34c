import Foundation
import GRDB
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

@Suite struct RoundTripTests {
    @Test func everyRecordReadsBackAsWritten() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let task = chainTask(phases: 3)
        let record = Samples.record(task: task)
        let id = record.id
        try await store.executionStarted(record)

        let first = Samples.phase("P1")
        let checkpoint = ExecutionCheckpoint(
            phase: "P1", createdAt: Samples.date.addingTimeInterval(0.000_123),
            state: Samples.state(id: id, task: task, phases: [first], lastSequence: 4))
        try await store.commitPhase(
            PhaseCommit(
                executionID: id, phase: first, checkpoint: checkpoint,
                events: [
                    Samples.event(.phaseStart, id: id, sequence: 2, phase: "P1"),
                    Samples.event(.agentResponse, id: id, sequence: 3, phase: "P1"),
                    Samples.event(.phaseComplete, id: id, sequence: 4, phase: "P1"),
                ]))
        try await store.executionUpdated(
            ExecutionUpdate(
                executionID: id, status: .paused, reason: "lunch",
                events: [Samples.event(.executionPaused, id: id, sequence: 5, message: "lunch")]))
        #expect(try await store.loadExecution(id)?.status == .paused)
        #expect(try await store.loadExecution(id)?.reason == "lunch")
        try await store.executionUpdated(
            ExecutionUpdate(
                executionID: id, status: .running, reason: nil,
                events: [Samples.event(.executionResumed, id: id, sequence: 6)]))
        let second = Samples.phase("P2", status: .failed, text: "bad")
        try await store.commitPhase(
            PhaseCommit(
                executionID: id, phase: second, checkpoint: nil,
                events: [Samples.event(.phaseFailed, id: id, sequence: 7, phase: "P2", message: "boom")]))
        let result = ExecutionResult(
            executionID: id, taskID: task.id, taskName: task.metadata.name, status: .failed, reason: "phase failed",
            input: record.input, startedAt: Samples.date, finishedAt: Samples.date.addingTimeInterval(3.25),
            duration: .milliseconds(3250), phases: checkpoint.state.phases, finalPhase: "P1",
            finalResult: "fine", warnings: ["careful"])
        try await store.executionFinished(
            result, events: [Samples.event(.executionError, id: id, sequence: 8, message: "phase failed")])

        // The protocol's reads.
        let stored = try #require(try await store.loadExecution(id))
        #expect(stored.status == .failed)
        #expect(stored.reason == "phase failed")
        #expect(stored.result == result)
        #expect(stored.phases == [first, second])
        #expect(stored.record.task == task)
        #expect(stored.record.input == record.input)
        #expect(stored.record.startedAt == Date(timeIntervalSinceReferenceDate: 800_000_000.123))
        #expect(try await store.loadCheckpoint(id) == checkpoint)
        let events = try await store.events(of: id)
        #expect(events.map(\.sequence) == Array(1...8))
        #expect(events.first == record.events.first)
        #expect(events[2] == Samples.event(.agentResponse, id: id, sequence: 3, phase: "P1"))
        let summary = try #require(try await store.history(limit: 5).first)
        #expect(summary.id == id)
        #expect(summary.status == .failed)
        #expect(summary.finishedAt != nil)

        // What only this store adds.
        let details = try #require(try await store.loadDetails(id))
        #expect(details.checkpointPhase == "P1")
        #expect(details.checkpointCount == 1)
        #expect(details.eventCount == 8)
        #expect(details.taskHash == TaskFingerprint.of(task))
        #expect(details.owner == deadOwner)
        #expect(details.standing == .failed)
        let entry = try #require(try await store.entries(limit: 1).first)
        #expect(entry.committedPhases == 2)
        #expect(entry.totalPhases == 3)
    }

    /// A task without a readable file is fingerprinted from its definition's JSON, and that JSON is
    /// what the store keeps: the task reads back whole, its path from `task_path`.
    @Test func aDefinitionFingerprintedFromItsJSONIsStoredAsThatJSON() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        var task = chainTask(phases: 3)
        task.sourcePath = "/nonexistent/tasks/chain.md"
        let record = Samples.record(task: task)
        try await store.executionStarted(record)
        let row = try #require(
            try store.pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT task_hash, task_path, task_definition FROM executions WHERE id = ?",
                    arguments: [record.id.description])
            })
        let definition: String = row["task_definition"]
        #expect(row["task_hash"] == "sha256-definition-v2:" + SHA256.hex(of: Array(definition.utf8)))
        #expect(row["task_hash"] == TaskFingerprint.of(task))
        #expect(row["task_path"] == "/nonexistent/tasks/chain.md")
        #expect(!definition.contains("sourcePath"))
        #expect(try await store.loadExecution(record.id)?.record.task == task)
    }

    /// The commit's row is bound through SQLite's own functions: an empty text stays a text.
    @Test func emptyTextsAreStoredAsTexts() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let record = Samples.record()
        try await store.executionStarted(record)
        let phase = Samples.phase("")
        try await store.commitPhase(
            PhaseCommit(
                executionID: record.id, phase: phase, checkpoint: nil,
                events: [Samples.event(.phaseComplete, id: record.id, sequence: 2, phase: "")]))
        #expect(try await store.loadExecution(record.id)?.phases == [phase])
        let stored = try await store.pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT phase FROM phase_runs WHERE execution_id = ?", arguments: [record.id.description])
        }
        #expect(stored == [""])
    }

    @Test func aRecommittedPhaseReplacesItsEarlierRows() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let record = Samples.record()
        try await store.executionStarted(record)
        try await store.commitPhase(
            PhaseCommit(
                executionID: record.id, phase: Samples.phase("P1", status: .failed), checkpoint: nil, events: []))
        var again = Samples.phase("P1", text: "second try")
        again.steps.append(StepResult(index: 1, type: "validation", status: .completed, value: true))
        try await store.commitPhase(PhaseCommit(executionID: record.id, phase: again, checkpoint: nil, events: []))
        #expect(try await store.loadExecution(record.id)?.phases == [again])
    }

    /// `commit_log` has no index: an execution's rows are a range of ids, which the views, the
    /// store's reads and the deletion of an execution go by, however the executions' writes interleave.
    @Test func executionsFindTheirRowsByTheirRangeOfIDs() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let first = Samples.record()
        let second = Samples.record()
        try await store.executionStarted(first)
        try await store.executionStarted(second)
        for name in ["P1", "P2"] {
            for record in [first, second] {
                try await store.commitPhase(
                    PhaseCommit(
                        executionID: record.id, phase: Samples.phase(name), checkpoint: nil,
                        events: [
                            Samples.event(.phaseComplete, id: record.id, sequence: name == "P1" ? 2 : 3, phase: name)
                        ]))
            }
        }
        // A failed phase committed again through another store (another process): still one row.
        try await store.commitPhase(
            PhaseCommit(executionID: first.id, phase: Samples.phase("P3", status: .failed), checkpoint: nil, events: [])
        )
        let other = try openStore(directory)
        try await other.commitPhase(
            PhaseCommit(executionID: first.id, phase: Samples.phase("P3", text: "again"), checkpoint: nil, events: []))
        let (indexes, numbers, ranges) = try store.pool.read { db in
            (
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'commit_log'"),
                try Int.fetchAll(db, sql: "SELECT number FROM executions ORDER BY number"),
                try Row.fetchAll(
                    db,
                    sql: "SELECT execution_id, MIN(id) AS low, COUNT(*) AS count FROM commit_log GROUP BY execution_id")
            )
        }
        #expect(indexes == 0)
        #expect(numbers == [1, 2])
        for row in ranges {
            let number = row["execution_id"] == first.id.description ? 1 : 2
            #expect(row["low"] == Int64(number) << 32 + 1)
        }
        #expect(try await store.loadExecution(first.id)?.phases.map(\.name) == ["P1", "P2", "P3"])
        #expect(try await store.loadExecution(first.id)?.phases.last?.responses.first?.response.text == "again")
        #expect(try await store.loadExecution(second.id)?.phases.map(\.name) == ["P1", "P2"])
        #expect(try await store.events(of: second.id).map(\.sequence) == [1, 2, 3])
        // Deleting an execution deletes its rows, and only its.
        try await store.pool.write { db in
            try db.execute(sql: "DELETE FROM executions WHERE id = ?", arguments: [first.id.description])
        }
        let left = try await store.pool.read { db in
            try String.fetchSet(db, sql: "SELECT execution_id FROM commit_log")
        }
        #expect(left == [second.id.description])
        #expect(try await store.events(of: second.id).map(\.sequence) == [1, 2, 3])
        // An execution inserted by hand is numbered after the others.
        let number = try await store.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO executions (id, task_id, task_name, task_hash, task_definition, input, input_hash,
                        secret_inputs, status, started_at, updated_at)
                    VALUES ('hand', 't', 'T', 'x', '{}', '{}', 'x', '[]', 'completed', '2026-01-01T00:00:00.000Z',
                        '2026-01-01T00:00:00.000Z')
                    """)
            return try Int.fetchOne(db, sql: "SELECT number FROM executions WHERE id = 'hand'")
        }
        #expect(number == 3)
    }

    @Test func theTablesAreReadableAsPlainSQL() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let record = Samples.record()
        try await store.executionStarted(record)
        try await store.commitPhase(
            PhaseCommit(
                executionID: record.id, phase: Samples.phase("P1"), checkpoint: nil,
                events: [Samples.event(.phaseComplete, id: record.id, sequence: 2, phase: "P1")]))
        let row = try #require(
            try store.pool.read { db in
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT e.task_id, e.status, e.started_at, json_extract(e.input, '$.ticker') AS ticker,
                               p.phase, json_extract(p.outputs, '$.summary') AS summary, r.agent, r.text, r.position,
                               s.type, ev.type AS event, ev.timestamp, p.started_at AS phase_start, p.duration_ms,
                               p.attempts, s.finished_at AS step_end, r.latency_ms, r.confidence
                        FROM executions e
                        JOIN phase_runs p ON p.execution_id = e.id
                        JOIN agent_responses r ON r.execution_id = e.id AND r.phase = p.phase
                        JOIN step_results s ON s.execution_id = e.id AND s.phase = p.phase
                        JOIN events ev ON ev.execution_id = e.id AND ev.sequence = 2
                        """)
            })
        #expect(row["task_id"] == "chain")
        #expect(row["status"] == "running")
        #expect(row["started_at"] == "2026-05-09T06:13:20.123Z")
        #expect(row["ticker"] == "BTC")
        #expect(row["phase"] == "P1")
        #expect(row["summary"] == "fine")
        #expect(row["agent"] == "worker")
        #expect(row["text"] == "fine")
        #expect(row["position"] == "bullish")
        #expect(row["type"] == "agent")
        #expect(row["event"] == "phase:complete")
        #expect(row["timestamp"] == "2026-05-09T06:13:22.123Z")
        #expect(row["phase_start"] == "2027-01-15T08:00:00.250Z")
        #expect(row["duration_ms"] == 1250.0)
        #expect(row["attempts"] == 1)
        #expect(row["step_end"] == "2027-01-15T08:00:01.500Z")
        #expect(row["latency_ms"] == 40.0)
        #expect(row["confidence"] == 72.5)
    }

    @Test func writesForAnUnknownExecutionFail() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let id = ExecutionID.make()
        await #expect(throws: StoreError.unknownExecution(id.description)) {
            try await store.commitPhase(
                PhaseCommit(executionID: id, phase: Samples.phase("P1"), checkpoint: nil, events: []))
        }
    }

    @Test func historyFiltersAndOrdersNewestFirst() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        var ids: [ExecutionID] = []
        for index in 0..<5 {
            let task = chainTask(phases: 2, id: index.isMultiple(of: 2) ? "even" : "odd")
            let record = Samples.record(task: task)
            ids.append(record.id)
            try await store.executionStarted(record)
            if index == 3 {
                try await store.executionUpdated(
                    ExecutionUpdate(executionID: record.id, status: .paused, reason: nil, events: []))
            }
        }
        #expect(try await store.history(limit: 10).map(\.id) == ids.reversed())
        #expect(try await store.history(limit: 2).map(\.id) == [ids[4], ids[3]])
        #expect(try await store.entries(limit: 10, task: "even").map(\.id) == [ids[4], ids[2], ids[0]])
        #expect(try await store.entries(limit: 10, task: "Chain task").count == 5)
        #expect(try await store.entries(limit: 10, status: .paused).map(\.id) == [ids[3]])
        #expect(try await store.entries(limit: 10, task: "even", status: .paused).isEmpty)
    }

    @Test func idsResolveFromUniquePrefixes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let first = ExecutionID(high: 0x0123_4567_89ab_7000, low: 0x8000_0000_0000_0001)
        let second = ExecutionID(high: 0x0123_4567_89ac_7000, low: 0x8000_0000_0000_0002)
        try await store.executionStarted(Samples.record(id: first))
        try await store.executionStarted(Samples.record(id: second))
        #expect(try await store.resolveID(first.description) == first)
        #expect(try await store.resolveID("01234567-89ab") == first)
        #expect(try await store.resolveID("01234567-89AC") == second)
        await #expect(
            throws: StoreError.ambiguousExecution("01234567", candidates: [first.description, second.description])
        ) {
            try await store.resolveID("01234567")
        }
        await #expect(throws: StoreError.unknownExecution("ffff")) { try await store.resolveID("ffff") }
        await #expect(throws: StoreError.unknownExecution("xyz")) { try await store.resolveID("xyz") }
    }
}

@Suite struct EventColumnTests {
    /// The events table has one column per field of `ExecutionEvent`: a field added to the event
    /// must get a column (and this list an entry), or the store would drop it silently.
    @Test func everyEventFieldHasAColumn() {
        let event = ExecutionEvent(kind: .executionStart, executionID: .make(), sequence: 1, timestamp: Date())
        let fields = Mirror(reflecting: event).children.compactMap(\.label)
        #expect(
            fields == [
                "kind", "executionID", "sequence", "timestamp", "task", "phase", "step", "stepType", "agent", "attempt",
                "status", "message", "delay", "duration",
            ])
    }

    @Test func everyFieldRoundTrips() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let record = Samples.record()
        try await store.executionStarted(record)
        let full = ExecutionEvent(
            kind: .stepFailed, executionID: record.id, sequence: 2,
            timestamp: Date(timeIntervalSinceReferenceDate: 1 / 3),
            task: "t", phase: "p", step: 4, stepType: "agent", agent: "a", attempt: 3, status: "timeout",
            message: "m\n\"q\"", delay: .milliseconds(250), duration: .nanoseconds(123_456_789))
        try await store.executionUpdated(
            ExecutionUpdate(executionID: record.id, status: .running, reason: nil, events: [full]))
        #expect(try await store.events(of: record.id) == record.events + [full])
        // The `events` view reads every field out of the stored batch, in order.
        let row = try store.pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM events WHERE execution_id = ? AND sequence = 2",
                arguments: [record.id.description])
        }
        let columns = ["execution_id", "sequence", "type", "time", "timestamp"] + EventRows.fields.dropFirst(3)
        #expect(row?.columnNames.map { $0 } == columns)
        #expect(row?["type"] == "step:failed")
        #expect(row?["timestamp"] == "2001-01-01T00:00:00.333Z")
        #expect(row?["step"] == 4)
        #expect(row?["attempt"] == 3)
        #expect(row?["message"] == "m\n\"q\"")
        #expect(row?["delay_ms"] == 250.0)
        #expect(row?["duration_ms"] == 123.456789)
        #expect(row?["task"] == "t")
        let sequences = try await store.pool.read { db in
            try Int.fetchAll(
                db, sql: "SELECT sequence FROM events WHERE execution_id = ? ORDER BY sequence",
                arguments: [record.id.description])
        }
        #expect(sequences == (record.events + [full]).map { Int($0.sequence) })
    }

    @Test func aBatchHoldsTheEventsOfOneWrite() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let record = Samples.record(secretInputs: [])
        try await store.executionStarted(record)
        let events = (2...8).map { sequence in
            ExecutionEvent(
                kind: .phaseStart, executionID: record.id, sequence: UInt64(sequence),
                timestamp: Date(timeIntervalSinceReferenceDate: Double(sequence) / 7), phase: "P\(sequence)")
        }
        try await store.executionUpdated(
            ExecutionUpdate(executionID: record.id, status: .running, reason: nil, events: events))
        try await store.executionUpdated(
            ExecutionUpdate(executionID: record.id, status: .running, reason: nil, events: []))
        let batches = try await store.pool.read { db in
            try Int.fetchAll(
                db,
                sql: """
                    SELECT first_sequence FROM commit_log WHERE execution_id = ? AND events IS NOT NULL
                    ORDER BY first_sequence
                    """,
                arguments: [record.id.description])
        }
        #expect(batches == (record.events.isEmpty ? [2] : [1, 2]))
        #expect(try await store.events(of: record.id) == record.events + events)
        #expect(try await store.lastEventSequence(of: record.id) == 8)
    }
}
