import ArgumentParser
import Foundation
import GRDB
import Synchronization
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunCLI
@testable import TaskrunStorage

/// Runs one of the history commands in-process with captured output.
private func run<Command: AsyncParsableCommand>(
    _ type: Command.Type, _ arguments: [String], in directory: TemporaryDirectory
) async -> (status: Int32, stdout: String, stderr: String) {
    let stdout = Mutex("")
    let stderr = Mutex("")
    let context = CommandContext(
        writeOutput: { text in stdout.withLock { $0 += text } }, writeError: { text in stderr.withLock { $0 += text } },
        environment: [:], currentDirectory: directory.path)
    let status = await CommandContext.$current.withValue(context) { () async -> Int32 in
        do {
            var command = try Command.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            return TaskrunMain.report(error, in: context)
        }
    }
    return (status, stdout.withLock { $0 }, stderr.withLock { $0 })
}

/// Two executions with fixed ids and times in `<directory>/.taskrun/history.sqlite`: a completed
/// one and one interrupted after its first phase.
private func seed(_ directory: TemporaryDirectory) async throws -> (completed: ExecutionID, interrupted: ExecutionID) {
    try FileManager.default.createDirectory(atPath: directory.file("tasks"), withIntermediateDirectories: true)
    let store = try openStore(directory, name: ".taskrun/history.sqlite")
    let task = chainTask(phases: 3)
    let completed = ExecutionID(high: 0x019a_0000_0000_7000, low: 0x8000_0000_0000_0001)
    let interrupted = ExecutionID(high: 0x019a_0000_1000_7000, low: 0x8000_0000_0000_0002)
    let start = try #require(StorageTime.date("2026-01-05T10:00:00.000Z"))
    for (id, phases) in [(completed, 3), (interrupted, 1)] {
        var record = Samples.record(id: id, task: task)
        record.startedAt = start
        record.events[0].timestamp = start
        try await store.executionStarted(record)
        var done: [PhaseResult] = []
        for index in 1...phases {
            var phase = Samples.phase("P\(index)", text: "answer \(index)")
            phase.startedAt = start.addingTimeInterval(Double(index))
            phase.finishedAt = start.addingTimeInterval(Double(index) + 0.25)
            done.append(phase)
            try await store.commitPhase(
                PhaseCommit(
                    executionID: id, phase: phase,
                    checkpoint: ExecutionCheckpoint(
                        phase: phase.name, createdAt: start,
                        state: Samples.state(id: id, task: task, phases: done, lastSequence: UInt64(index + 1))),
                    events: [
                        ExecutionEvent(
                            kind: .phaseComplete, executionID: id, sequence: UInt64(index + 1),
                            timestamp: start.addingTimeInterval(Double(index) + 0.25), phase: phase.name,
                            duration: .milliseconds(250))
                    ]))
        }
        if id == completed {
            let end = start.addingTimeInterval(4.5)
            try await store.executionFinished(
                ExecutionResult(
                    executionID: id, taskID: task.id, taskName: task.metadata.name, status: .completed, reason: nil,
                    input: record.input, startedAt: start, finishedAt: end, duration: .milliseconds(4500), phases: done,
                    finalPhase: "P3", finalResult: "answer 3", warnings: []),
                events: [
                    ExecutionEvent(
                        kind: .executionComplete, executionID: id, sequence: 5, timestamp: end, status: "completed",
                        duration: .milliseconds(4500))
                ])
        }
    }
    try await store.pool.write { db in
        try db.execute(sql: "UPDATE executions SET updated_at = '2026-01-05T10:00:05.000Z'")
        try db.execute(sql: "UPDATE commit_log SET committed_at = '2026-01-05T10:00:05.000Z' WHERE phase IS NOT NULL")
    }
    return (completed, interrupted)
}

@Suite struct HistoryCommandsTests {
    @Test func historyPrintsATableNewestFirst() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let (completed, interrupted) = try await seed(directory)
        let output = await run(HistoryCommand.self, [], in: directory)
        #expect(output.status == 0)
        #expect(
            output.stdout == """
                ID                                    TASK   STATUS       STARTED               DURATION  PHASES
                \(interrupted)  chain  interrupted  2026-01-05 10:00:00Z         -     1/3
                \(completed)  chain  completed    2026-01-05 10:00:00Z      4.5s     3/3

                2 executions; 1 resumable (taskrun resume \(interrupted))

                """)
        let filtered = await run(HistoryCommand.self, ["--status", "completed", "--limit", "5"], in: directory)
        #expect(filtered.stdout.contains(completed.description))
        #expect(!filtered.stdout.contains(interrupted.description))
        let none = await run(HistoryCommand.self, ["--task", "other"], in: directory)
        #expect(none.stdout == "No executions match.\n")
        let bad = await run(HistoryCommand.self, ["--status", "finished"], in: directory)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unknown status 'finished'"))
    }

    @Test func historyJSONIsStable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let (completed, _) = try await seed(directory)
        let output = await run(HistoryCommand.self, ["--json", "--status", "completed"], in: directory)
        #expect(output.status == 0)
        #expect(
            output.stdout == """
                [
                  {
                    "committedPhases" : 3,
                    "finishedAt" : "2026-01-05T10:00:04.500Z",
                    "id" : "\(completed)",
                    "ownerHost" : "\(deadOwner.host)",
                    "ownerPid" : \(deadOwner.processID),
                    "resumeCount" : 0,
                    "standing" : "completed",
                    "startedAt" : "2026-01-05T10:00:00.000Z",
                    "status" : "completed",
                    "taskHash" : "\(TaskFingerprint.of(chainTask(phases: 3)))",
                    "taskId" : "chain",
                    "taskName" : "Chain task",
                    "totalPhases" : 3,
                    "updatedAt" : "2026-01-05T10:00:05.000Z"
                  }
                ]

                """)
    }

    @Test func historyWithoutAStoreSaysSo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let output = await run(HistoryCommand.self, [], in: directory)
        #expect(output.status == 0)
        #expect(
            output.stdout == "No executions yet (no history store at '\(directory.path)/.taskrun/history.sqlite').\n")
        #expect(!FileManager.default.fileExists(atPath: directory.file(".taskrun")))
        #expect(await run(HistoryCommand.self, ["--json"], in: directory).stdout == "[\n\n]\n")
    }

    @Test func showPrintsPhasesResponsesAndEvents() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let (_, interrupted) = try await seed(directory)
        let output = await run(
            ShowCommand.self, [String(interrupted.description.prefix(13)), "--events"], in: directory)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(
            output.stdout == """
                execution \(interrupted)
                task       chain (Chain task)
                status     interrupted
                started    2026-01-05 10:00:00Z
                input      {"ticker": "BTC"}
                checkpoint after P1 (1 written, the latest kept)
                task file  \(TaskFingerprint.of(chainTask(phases: 3)))
                resume     taskrun resume \(interrupted)

                phases:
                  P1  completed  250ms
                      worker: answer 1
                      → summary: answer 1
                  P2  pending
                  P3  pending

                events:
                     1  10:00:00.000  execution:start  chain
                     2  10:00:01.250  phase:complete  P1

                """)
    }

    @Test func showJSONHoldsEverything() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let (completed, _) = try await seed(directory)
        let output = await run(ShowCommand.self, [completed.description, "--json", "--events"], in: directory)
        #expect(output.status == 0)
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(output.stdout.utf8))
        #expect(json["id"] == .string(completed.description))
        #expect(json["status"] == "completed")
        #expect(json["standing"] == "completed")
        #expect(json["checkpoint"] == ["phase": "P3", "count": 3])
        #expect(json["phases"]?.arrayValue?.map { $0["name"] } == ["P1", "P2", "P3"])
        #expect(json["phases"]?.arrayValue?.first?["responses"]?.arrayValue?.first?["response"]?["text"] == "answer 1")
        #expect(json["result"]?["finalResult"] == "answer 3")
        #expect(
            json["events"]?.arrayValue?.map { $0["type"] } == [
                "execution:start", "phase:complete", "phase:complete", "phase:complete", "execution:complete",
            ])
        #expect(json["startedAt"] == "2026-01-05T10:00:00.000Z")
    }

    @Test func showAndAbortRejectUnknownIDs() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        _ = try await seed(directory)
        let output = await run(ShowCommand.self, ["ffffffff"], in: directory)
        #expect(output.status == 2)
        #expect(output.stderr == "error: no execution 'ffffffff' in the history store (see taskrun history)\n")
        let ambiguous = await run(ShowCommand.self, ["019a0000"], in: directory)
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("matches several executions"))
    }

    @Test func abortMarksTheInterruptedOneAndRefusesTheCompletedOne() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let (completed, interrupted) = try await seed(directory)
        let output = await run(AbortCommand.self, [interrupted.description, "--reason", "superseded"], in: directory)
        #expect(output.status == 0)
        #expect(output.stdout == "aborted \(interrupted) (it was interrupted)\n")
        let refused = await run(AbortCommand.self, [completed.description], in: directory)
        #expect(refused.status == 1)
        #expect(
            refused.stderr
                == "error: execution \(completed) has already ended (completed); only a paused or interrupted execution can be aborted\n"
        )
        let history = await run(HistoryCommand.self, ["--status", "aborted"], in: directory)
        #expect(history.stdout.contains("\(interrupted)  chain  aborted"))
    }

    @Test func pruneDryRunThenDelete() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        _ = try await seed(directory)
        let dry = await run(PruneCommand.self, ["--older-than", "1d", "--dry-run"], in: directory)
        #expect(dry.status == 0)
        #expect(
            dry.stdout
                == "would delete 2 executions older than 24h (4 phase results, 7 events); run without --dry-run to delete\n"
        )
        let real = await run(PruneCommand.self, ["--older-than", "1d"], in: directory)
        #expect(real.status == 0)
        #expect(real.stdout.hasPrefix("deleted 2 executions older than 24h (4 phase results, 7 events); store "))
        #expect(
            await run(PruneCommand.self, ["--older-than", "1d"], in: directory).stdout == "nothing older than 24h\n")
        let bad = await run(PruneCommand.self, ["--older-than", "soon"], in: directory)
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("error: --older-than: "))
    }
}
