import Foundation
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The crash trials of issue 4, through the real `taskrun` executable: `taskrun run` and
/// `taskrun resume` as child processes, killed with SIGKILL or interrupted with SIGINT/SIGTERM,
/// whose command agents mark each phase's side effect in a file.
@Suite(.serialized)
struct CrashTrialTests {
    /// The committed phases (completed or skipped), the execution and its status, of the only
    /// execution of the store; none when the child was killed before it recorded one.
    private static func committed(in path: String) async throws -> (ExecutionID?, Set<String>, ExecutionStatus?) {
        guard FileManager.default.fileExists(atPath: path) else { return (nil, [], nil) }
        let store = try SQLiteHistoryStore(path: path, configuration: .init(createIfMissing: false))
        defer { try? store.close() }
        let entries = try await store.history(limit: 2)
        #expect(entries.count <= 1, "more than one execution in \(path)")
        guard let entry = entries.first else { return (nil, [], nil) }
        let phases = try await store.loadExecution(entry.id)?.phases ?? []
        return (
            entry.id, Set(phases.filter { $0.status == .completed || $0.status == .skipped }.map(\.name)), entry.status
        )
    }

    private static func requireExecutable() throws {
        _ = try #require(
            TaskrunExecutable.path,
            "no built taskrun executable next to the test binary: build every product first (swift build --build-tests)"
        )
    }

    /// The result of the task run once, uninterrupted, by `taskrun run`.
    private static func reference(in fixture: CrashTrialFixture) async throws -> ExecutionResult {
        let store = fixture.directory.file("reference.sqlite")
        let child = try fixture.start(
            ["run", CrashTrialFixture.taskFile], store: store, marks: fixture.directory.file("reference.marks"),
            run: 1, tag: "reference")
        let outcome = await child.outcome()
        #expect(outcome.status == 0 && !outcome.signaled, "reference run: \(outcome.stderr)")
        let (id, _, _) = try await committed(in: store)
        let opened = try SQLiteHistoryStore(path: store)
        defer { try? opened.close() }
        let execution = try #require(id)
        return try #require(try await opened.loadExecution(execution)?.result)
    }

    @Test func killedAtRandomMomentsThenResumedUntilComplete() async throws {
        try Self.requireExecutable()
        let fixture = try CrashTrialFixture()
        defer { fixture.cleanUp() }
        var events = ChildEvents(fixture.channel)
        let reference = try await Self.reference(in: fixture)
        #expect(reference.status == .completed)
        let phaseCount = CrashTrialFixture.phaseNames.count
        #expect(reference.phases.map(\.name) == CrashTrialFixture.phaseNames)
        var random = SeededRandom(seed: 0x7A5C_0004)
        var kills = 0
        for trial in 0..<25 {
            let store = fixture.directory.file("trial-\(trial).sqlite")
            let marks = fixture.directory.file("trial-\(trial).marks")
            var execution: ExecutionID?
            var committedBy: [String: Int] = [:]
            var run = 0
            var finished = false
            while !finished {
                run += 1
                #expect(run <= 12, "trial \(trial) did not complete")
                if run > 12 { break }
                let tag = "t\(trial)r\(run)"
                let arguments =
                    execution.map { ["resume", $0.description] }
                    ?? ["run", CrashTrialFixture.taskFile, "--max-concurrent-phases", "4"]
                let child = try fixture.start(arguments, store: store, marks: marks, run: run, tag: tag)
                // Kill most runs, right after a random number of agents marked their side effect (the
                // kill then lands while that agent answers, or its phase commits, or later); let every
                // run after the fifth finish, so each trial completes.
                if run <= 5, random.next(below: 10) < 8 {
                    if await events.waitForMarks(random.next(below: phaseCount), of: tag) {
                        child.signal(SIGKILL)
                    }
                }
                let outcome = await child.outcome()
                if outcome.signaled {
                    #expect(outcome.status == SIGKILL)
                    kills += 1
                } else {
                    #expect(
                        outcome.status == 0,
                        "trial \(trial) run \(run) `\(arguments.joined(separator: " "))` exited with \(outcome.status): \(outcome.stderr)"
                    )
                }
                let (id, committed, stored) = try await Self.committed(in: store)
                if let id {
                    if let execution { #expect(id == execution) }
                    execution = id
                }
                for phase in committed where committedBy[phase] == nil { committedBy[phase] = run }
                finished = stored == .completed
            }
            // Exactly once for committed phases: no run after the one that committed a phase ran its
            // agent again. (In-flight phases may run again: at least once.)
            let byRun = CrashTrialFixture.marks(at: marks)
            for (run, phases) in byRun {
                for phase in phases {
                    if let committedRun = committedBy[phase] {
                        #expect(
                            run <= committedRun,
                            "trial \(trial): '\(phase)' committed in run \(committedRun) ran again in run \(run)")
                    }
                }
            }
            #expect(Set(byRun.values.joined()) == Set(CrashTrialFixture.phaseNames), "trial \(trial): phases never ran")
            #expect(
                committedBy.count == phaseCount,
                "trial \(trial): \(committedBy.count) of \(phaseCount) phases committed")
            // The same result as an uninterrupted run, and a healthy file with nothing left to resume.
            let opened = try SQLiteHistoryStore(path: store)
            defer { try? opened.close() }
            let id = try #require(execution)
            let result = try #require(try await opened.loadExecution(id)?.result)
            #expect(result.status == .completed)
            #expect(result.phases.map(\.name) == reference.phases.map(\.name))
            #expect(result.phases.map(\.status) == reference.phases.map(\.status))
            #expect(
                result.phases.map { JSONValue.object($0.outputs).withoutLatency }
                    == reference.phases.map { JSONValue.object($0.outputs).withoutLatency },
                "trial \(trial): outputs differ from the uninterrupted run's")
            #expect(result.finalResult?.withoutLatency == reference.finalResult?.withoutLatency)
            #expect(try await opened.integrityCheck() == ["ok"])
            #expect(try await opened.resumableExecutions().isEmpty)
            #expect(try await opened.history(limit: 10).map(\.status) == [.completed])
            let sequences = try await opened.events(of: id).map(\.sequence)
            #expect(sequences == Array(1...UInt64(sequences.count)), "trial \(trial): event log has gaps")
        }
        #expect(kills >= 25, "only \(kills) runs were killed")
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalPausesAndResumeFinishes(_ signal: Int32) async throws {
        try Self.requireExecutable()
        let fixture = try CrashTrialFixture()
        defer { fixture.cleanUp() }
        var events = ChildEvents(fixture.channel)
        let store = fixture.directory.file("h.sqlite")
        let marks = fixture.directory.file("marks")
        let child = try fixture.start(
            ["run", CrashTrialFixture.taskFile], store: store, marks: marks, run: 1, tag: "run")
        #expect(await events.waitForMarks(6, of: "run"))
        child.signal(signal)
        let outcome = await child.outcome()
        #expect(!outcome.signaled && outcome.status == 130, "\(outcome.stderr)")
        let (found, _, _) = try await Self.committed(in: store)
        let id = try #require(found)
        #expect(outcome.stderr.contains("paused: resume with taskrun resume \(id)\n"), "\(outcome.stderr)")
        let opened = try SQLiteHistoryStore(path: store)
        defer { try? opened.close() }
        let paused = try #require(try await opened.loadDetails(id))
        #expect(paused.execution.status == .paused)
        #expect(paused.standing == .paused)
        #expect(paused.execution.reason == (signal == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)"))
        let committed = Set(paused.execution.phases.filter { $0.status == .completed }.map(\.name))
        #expect(!committed.isEmpty)

        let resumed = try fixture.start(["resume", id.description], store: store, marks: marks, run: 2, tag: "resume")
        let resumedOutcome = await resumed.outcome()
        #expect(!resumedOutcome.signaled && resumedOutcome.status == 0, "\(resumedOutcome.stderr)")
        #expect(try await opened.loadExecution(id)?.status == .completed)
        let rerun = Set(CrashTrialFixture.marks(at: marks)[2] ?? [])
        #expect(rerun.isDisjoint(with: committed), "committed phases ran again: \(rerun.intersection(committed))")
        #expect(try await opened.integrityCheck() == ["ok"])
    }

    @Test func aSecondSignalAborts() async throws {
        try Self.requireExecutable()
        let fixture = try CrashTrialFixture()
        defer { fixture.cleanUp() }
        var events = ChildEvents(fixture.channel)
        let store = fixture.directory.file("h.sqlite")
        // L1-1's agent hangs until it is stopped, so the pause cannot settle before the second signal.
        let child = try fixture.start(
            ["run", CrashTrialFixture.taskFile, "--grace", "5m"], store: store, marks: fixture.directory.file("marks"),
            run: 1, tag: "run", hang: "L1-1")
        #expect(await events.waitForMark("L1-1", of: "run"))
        // Signals of one kind sent together merge into one: send the second once the first is handled.
        child.signal(SIGINT)
        #expect(await events.waitForError("pausing… (Ctrl-C again to abort)", of: "run"))
        child.signal(SIGINT)
        let outcome = await child.outcome()
        #expect(!outcome.signaled && outcome.status == 130, "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("paused: resume with taskrun resume"))
        let opened = try SQLiteHistoryStore(path: store)
        defer { try? opened.close() }
        let entry = try #require(try await opened.history(limit: 1).first)
        #expect(entry.status == .aborted)
        #expect(entry.reason == "interrupted twice")
        #expect(try await opened.integrityCheck() == ["ok"])
        #expect(try await opened.resumableExecutions().map(\.id) == [])
    }
}
