import Foundation
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

/// Prints the per-phase commit cost; runs only with `TASKRUN_MEASURE_STORE=1` (timing is not a test).
@Suite struct CommitCostMeasurement {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TASKRUN_MEASURE_STORE"] == "1"))
    func perPhaseCommitCost() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        for durability in [SQLiteHistoryStore.Configuration.Durability.normal, .full] {
            let store = try SQLiteHistoryStore(
                path: directory.file("bench-\(durability).sqlite"),
                configuration: .init(durability: durability, owner: deadOwner))
            let phaseCount = 20
            let task = chainTask(phases: phaseCount)
            let text = String(repeating: "The market looks constructive. ", count: 16)
            var durations: [Duration] = []
            let clock = ContinuousClock()
            for _ in 0..<25 {
                let record = Samples.record(task: task)
                try await store.executionStarted(record)
                var done: [PhaseResult] = []
                var sequence: UInt64 = 1
                for index in 1...phaseCount {
                    var phase = Samples.phase("P\(index)", text: text)
                    phase.responses += phase.responses + phase.responses
                    phase.steps += [phase.steps[0], phase.steps[0]]
                    for step in phase.steps.indices { phase.steps[step].index = step }
                    done.append(phase)
                    let events = (0..<10).map { offset in
                        Samples.event(
                            .agentResponse, id: record.id, sequence: sequence + UInt64(offset) + 1, phase: phase.name)
                    }
                    sequence += 10
                    let commit = PhaseCommit(
                        executionID: record.id, phase: phase,
                        checkpoint: ExecutionCheckpoint(
                            phase: phase.name, createdAt: Date(),
                            state: Samples.state(id: record.id, task: task, phases: done, lastSequence: sequence)),
                        events: events)
                    let start = clock.now
                    try await store.commitPhase(commit)
                    durations.append(clock.now - start)
                }
            }
            durations.sort()
            let median = durations[durations.count / 2]
            let p90 = durations[durations.count * 9 / 10]
            let mean = durations.reduce(Duration.zero, +) / durations.count
            print(
                "commitPhase \(durability): median \(median), p90 \(p90), mean \(mean) over \(durations.count) commits")
        }
    }
}

extension CommitCostMeasurement {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TASKRUN_MEASURE_STORE"] == "1"))
    func encodingCost() throws {
        let task = chainTask(phases: 20)
        let text = String(repeating: "The market looks constructive. ", count: 16)
        var done: [PhaseResult] = []
        for index in 1...20 {
            var phase = Samples.phase("P\(index)", text: text)
            phase.responses += phase.responses + phase.responses
            phase.steps += [phase.steps[0], phase.steps[0]]
            done.append(phase)
        }
        let id = ExecutionID.make()
        let checkpoint = ExecutionCheckpoint(
            phase: "P20", createdAt: Date(), state: Samples.state(id: id, task: task, phases: done, lastSequence: 200))
        let encoder = StorageCoding.canonicalEncoder()
        let clock = ContinuousClock()
        var size = 0
        let full = clock.measure {
            for _ in 0..<50 {
                size =
                    (try? StorageCoding.encode(checkpoint, with: encoder, redactor: Redactor(secrets: [])))?.count ?? 0
            }
        }
        let plain = JSONEncoder()
        let unsorted = clock.measure {
            for _ in 0..<50 { _ = try? plain.encode(checkpoint) }
        }
        let phaseOnly = clock.measure {
            for _ in 0..<50 {
                _ = try? PhaseRow(done[0], executionID: id.description, redactor: Redactor(secrets: []), order: 1)
            }
        }
        let events = (0..<10).map { Samples.event(.agentResponse, id: id, sequence: UInt64($0), phase: "P1") }
        let eventCost = clock.measure {
            for _ in 0..<50 { _ = EventRows(events, redactor: Redactor(secrets: [])) }
        }
        var skeletonSize = 0
        let skeleton = clock.measure {
            for _ in 0..<50 {
                skeletonSize =
                    (try? StorageCoding.encode(CheckpointHead(checkpoint), redactor: Redactor(secrets: [])))?.count ?? 0
            }
        }
        let fastFull = clock.measure {
            for _ in 0..<50 { _ = try? RecordJSONEncoder(redactor: Redactor(secrets: [])).encode(checkpoint) }
        }
        print("fast encoder, full checkpoint: \(fastFull / 50)")
        print(
            "checkpoint of 20 phases: \(size) bytes, sorted \(full / 50), unsorted \(unsorted / 50); skeleton \(skeletonSize) bytes \(skeleton / 50); phase row \(phaseOnly / 50); 10 events \(eventCost / 50)"
        )
    }
}

extension CommitCostMeasurement {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TASKRUN_MEASURE_STORE"] == "1"))
    func smallPhaseCommitCost() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try SQLiteHistoryStore(path: directory.file("small.sqlite"), configuration: .init(owner: deadOwner))
        let task = chainTask(phases: 20)
        let clock = ContinuousClock()
        for variant in ["bare", "echo", "echo+checkpoint+events"] {
            var durations: [Duration] = []
            for _ in 0..<20 {
                let record = Samples.record(task: task)
                try await store.executionStarted(record)
                var state = Samples.state(id: record.id, task: task, phases: [], lastSequence: 1)
                var sequence: UInt64 = 1
                for index in 1...20 {
                    var phase = PhaseResult(
                        name: "P\(index)", status: .completed, attempts: 1, startedAt: Date(), finishedAt: Date())
                    if variant != "bare" {
                        let reply = AgentReply(
                            agent: "worker", step: 0, attempt: 1,
                            response: AgentResponse(
                                text: "worker: continue after P\(index - 1) done", latency: .milliseconds(3)))
                        phase.steps = [
                            StepResult(
                                index: 0, type: "agent", agent: "worker", status: .completed,
                                value: .string(reply.response.text), attempts: 1, startedAt: Date(), finishedAt: Date())
                        ]
                        phase.responses = [reply]
                        phase.outputs = ["summary": .string(reply.response.text)]
                        phase.result = .string(reply.response.text)
                    }
                    state.phases[index - 1] = phase
                    var events: [ExecutionEvent] = []
                    var checkpoint: ExecutionCheckpoint?
                    if variant == "echo+checkpoint+events" {
                        for kind in [
                            ExecutionEvent.Kind.phaseStart, .stepStart, .agentQuery, .agentResponse, .stepComplete,
                            .phaseComplete,
                        ] {
                            sequence += 1
                            events.append(Samples.event(kind, id: record.id, sequence: sequence, phase: phase.name))
                        }
                        state.lastSequence = sequence
                        checkpoint = ExecutionCheckpoint(phase: phase.name, createdAt: Date(), state: state)
                    }
                    let start = clock.now
                    try await store.commitPhase(
                        PhaseCommit(executionID: record.id, phase: phase, checkpoint: checkpoint, events: events))
                    durations.append(clock.now - start)
                }
            }
            durations.sort()
            print(
                "small commit \(variant): median \(durations[durations.count / 2]), p90 \(durations[durations.count * 9 / 10])"
            )
        }
    }
}

extension CommitCostMeasurement {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TASKRUN_MEASURE_STORE"] == "1"))
    func rawWriteCost() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try SQLiteHistoryStore(path: directory.file("raw.sqlite"), configuration: .init(owner: deadOwner))
        let clock = ContinuousClock()
        func measure(_ label: String, _ body: () async throws -> Void) async throws {
            var durations: [Duration] = []
            for _ in 0..<400 {
                let start = clock.now
                try await body()
                durations.append(clock.now - start)
            }
            durations.sort()
            print("\(label): median \(durations[durations.count / 2])")
        }
        try await measure("empty write (no statement)") { try await store.pool.write { _ in } }
        try await measure("sync empty write") { try store.pool.write { _ in } }
        try await measure("write one update") {
            try await store.pool.write { db in
                try db.cachedStatement(sql: "UPDATE executions SET updated_at = ? WHERE id = ?").execute(arguments: [
                    "x", "y",
                ])
            }
        }
        try await store.pool.write { db in try db.execute(sql: "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)") }
        try await measure("write one insert") {
            try await store.pool.write { db in
                try db.cachedStatement(sql: "INSERT INTO t (b) VALUES (?)").execute(arguments: ["x"])
            }
        }
        try await measure("sync write one insert") {
            try store.pool.write { db in
                try db.cachedStatement(sql: "INSERT INTO t (b) VALUES (?)").execute(arguments: ["x"])
            }
        }
    }
}
