import Foundation
import GRDB
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

@Suite struct ConcurrencyTests {
    /// Writes `executions` executions of `phases` phases each, every write its own transaction.
    private static func writeLoad(_ store: SQLiteHistoryStore, executions: Int, phases: Int) async throws
        -> [ExecutionID]
    {
        let task = chainTask(phases: phases)
        return try await withThrowingTaskGroup(of: ExecutionID.self) { group in
            for _ in 0..<executions {
                group.addTask {
                    let record = Samples.record(task: task)
                    try await store.executionStarted(record)
                    var sequence: UInt64 = 1
                    var done: [PhaseResult] = []
                    for index in 1...phases {
                        let phase = Samples.phase("P\(index)")
                        done.append(phase)
                        sequence += 1
                        try await store.commitPhase(
                            PhaseCommit(
                                executionID: record.id, phase: phase,
                                checkpoint: ExecutionCheckpoint(
                                    phase: phase.name, createdAt: Samples.date,
                                    state: Samples.state(
                                        id: record.id, task: task, phases: done, lastSequence: sequence)),
                                events: [
                                    Samples.event(.phaseComplete, id: record.id, sequence: sequence, phase: phase.name)
                                ]))
                    }
                    return record.id
                }
            }
            var ids: [ExecutionID] = []
            for try await id in group { ids.append(id) }
            return ids
        }
    }

    @Test func twoConnectionsWritingAtOnceDoNotCorruptTheFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let first = try openStore(directory)
        let second = try openStore(directory)
        async let a = Self.writeLoad(first, executions: 12, phases: 6)
        async let b = Self.writeLoad(second, executions: 12, phases: 6)
        let ids = try await a + b
        #expect(try await first.integrityCheck() == ["ok"])
        let entries = try await second.entries(limit: 100)
        #expect(Set(entries.map(\.id)) == Set(ids))
        #expect(entries.allSatisfy { $0.committedPhases == 6 })
        for id in ids.prefix(4) {
            #expect(try await first.events(of: id).map(\.sequence) == Array(1...7))
            #expect(try await second.loadCheckpoint(id)?.phase == "P6")
        }
    }

    @Test func storesOpeningANewFileAtOnceAllSucceed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = directory.file("fresh/history.sqlite")
        let opened = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let store = try SQLiteHistoryStore(path: path)
                    return try await store.integrityCheck() == ["ok"]
                }
            }
            var results: [Bool] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(opened == Array(repeating: true, count: 6))
    }

    @Test(.enabled(if: SQLiteShell.path != nil, "needs the sqlite3 command"))
    func anotherProcessWritingAtTheSameTimeDoesNotCorruptTheFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        // The other process: the sqlite3 shell, inserting executions and events in 200 transactions,
        // waiting for locks the way taskrun does (a busy timeout).
        var script = ".timeout 30000\n"
        for index in 0..<200 {
            let id = String(format: "00000000-0000-7000-8000-%012d", index)
            script += """
                BEGIN IMMEDIATE;
                INSERT INTO executions (id, task_id, task_name, task_hash, task_definition, input, input_hash, secret_inputs,
                    status, started_at, updated_at) VALUES ('\(id)', 'shell', 'Shell', 'x', '{"phases":[]}', '{}', 'x', '[]',
                    'completed', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
                INSERT INTO commit_log (id, execution_id, first_sequence, last_sequence, events)
                    SELECT number * 4294967296 + 1, id, 1, 1,
                        '[[1,"execution:start",0,null,null,null,null,null,null,null,null,null,null]]'
                    FROM executions WHERE id = '\(id)';
                COMMIT;

                """
        }
        let shell = try SQLiteShell.start(database: store.path, script: script, directory: directory)
        let ids = try await Self.writeLoad(store, executions: 20, phases: 8)
        let status = await shell.exit()
        #expect(status == 0, "sqlite3 failed: \(shell.errorOutput())")
        #expect(try await store.integrityCheck() == ["ok"])
        #expect(try await store.entries(limit: 1000, task: "shell").count == 200)
        #expect(try await store.entries(limit: 1000, task: "chain").count == ids.count)
    }
}

/// The sqlite3 command-line shell as a second process.
final class SQLiteShell: Sendable {
    static let path: String? = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3", "/opt/homebrew/bin/sqlite3"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    private let process: Process
    private let errors: Pipe
    private let exited: AsyncStream<Int32>

    private init(process: Process, errors: Pipe, exited: AsyncStream<Int32>) {
        self.process = process
        self.errors = errors
        self.exited = exited
    }

    /// Runs `script` (written to a file in `directory`, so nothing is piped) against `database`.
    static func start(database: String, script: String, directory: TemporaryDirectory) throws -> SQLiteShell {
        let scriptPath = directory.file("script-\(UUID().uuidString).sql")
        try Data(script.utf8).write(to: URL(fileURLWithPath: scriptPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/sqlite3")
        process.arguments = ["-bail", database, ".read \(scriptPath)"]
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { process in
            continuation.yield(process.terminationStatus)
            continuation.finish()
        }
        try process.run()
        return SQLiteShell(process: process, errors: errors, exited: stream)
    }

    func exit() async -> Int32 {
        for await status in exited { return status }
        return process.terminationStatus
    }

    func errorOutput() -> String {
        String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
    }
}
