import Foundation
import GRDB
import Synchronization
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A reproducible source of random numbers (SplitMix64).
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// This test binary, started again as a crash-trial child (see `CrashChild`).
final class ChildProcess: Sendable {
    /// The test binary: the parent runs it again with a filter that selects the child test.
    static var binary: String? {
        let path = ProcessInfo.processInfo.arguments.first.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        guard let path, FileManager.default.isExecutableFile(atPath: path), path.hasSuffix(".xctest") else {
            return nil
        }
        return path
    }

    let process: Process
    /// Lines the child printed (`mark <phase>`, `execution <id>`, `paused: …`, `finished <status>`).
    let lines: AsyncStream<String>
    private let exited: AsyncStream<Int32>
    private let output = PrintedLines()

    /// Everything the child printed, kept for messages.
    final class PrintedLines: Sendable {
        let lines = Mutex<[String]>([])
    }

    init(mode: String, store: String, marks: String, run: Int, execution: ExecutionID?) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary ?? "/nonexistent")
        process.arguments = ["--testing-library", "swift-testing", "--filter", "crashTrialChild"]
        var environment = ProcessInfo.processInfo.environment
        environment[CrashChildEnvironment.mode] = mode
        environment[CrashChildEnvironment.store] = store
        environment[CrashChildEnvironment.marks] = marks
        environment[CrashChildEnvironment.run] = String(run)
        environment[CrashChildEnvironment.execution] = execution?.description
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let (lines, lineSink) = AsyncStream.makeStream(of: String.self)
        self.lines = lines
        let pending = Mutex(Data())
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            guard !chunk.isEmpty else {
                handle.readabilityHandler = nil
                lineSink.finish()
                return
            }
            let complete = pending.withLock { buffer -> [String] in
                buffer.append(chunk)
                var found: [String] = []
                while let newline = buffer.firstIndex(of: 0x0A) {
                    found.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
                return found
            }
            output.lines.withLock { $0.append(contentsOf: complete) }
            for line in complete { lineSink.yield(line) }
        }
        let (exited, exitSink) = AsyncStream.makeStream(of: Int32.self)
        self.exited = exited
        process.terminationHandler = { process in
            exitSink.yield(process.terminationStatus)
            exitSink.finish()
        }
        try process.run()
    }

    /// Waits until the child printed `count` mark lines; `false` when it ended first.
    func waitForMarks(_ count: Int) async -> Bool {
        guard count > 0 else { return true }
        var seen = 0
        for await line in lines where line.hasPrefix("mark ") {
            seen += 1
            if seen >= count { return true }
        }
        return false
    }

    /// Waits until the child printed `line`; `false` when it ended first.
    func waitForLine(_ line: String) async -> Bool {
        for await printed in lines where printed == line { return true }
        return false
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// The exit status (or the number of the signal that ended it).
    func exitStatus() async -> Int32 {
        for await status in exited { return status }
        return process.terminationStatus
    }

    var printed: [String] { output.lines.withLock { $0 } }
}

@Suite(.serialized, .enabled(if: ChildProcess.binary != nil, "needs the test binary to start children"))
struct CrashTrialTests {
    /// What the marks file says: for each run, the phases whose agent ran (their side effect).
    private static func marks(at path: String) -> [Int: [String]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var byRun: [Int: [String]] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let run = Int(parts[0]) else { continue }
            byRun[run, default: []].append(String(parts[1]))
        }
        return byRun
    }

    /// The phases committed for good (completed or skipped) in the only execution of the store.
    private static func committed(in path: String) async throws -> (ExecutionID?, Set<String>, ExecutionStatus?) {
        // Killed before it even created the store.
        guard FileManager.default.fileExists(atPath: path) else { return (nil, [], nil) }
        let store = try SQLiteHistoryStore(path: path, configuration: .init(createIfMissing: false))
        defer { try? store.close() }
        guard let entry = try await store.history(limit: 2).first else { return (nil, [], nil) }
        let phases = try await store.loadExecution(entry.id)?.phases ?? []
        return (
            entry.id, Set(phases.filter { $0.status == .completed || $0.status == .skipped }.map(\.name)), entry.status
        )
    }

    /// The result of the task run once, uninterrupted, in this process.
    private static func reference(in directory: TemporaryDirectory) async throws -> ExecutionResult {
        let agents = MarkingAgents(marksPath: directory.file("reference-marks"), run: "0", announces: false)
        let executor = TaskExecutor(configuration: .init(maxConcurrentPhases: 4), agents: agents)
        return try await executor.execute(crashTrialTask(), input: ["ticker": "BTC"])
    }

    @Test func killedAtRandomMomentsThenResumedUntilComplete() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let reference = try await Self.reference(in: directory)
        #expect(reference.status == .completed)
        var random = SeededRandom(seed: 0x7A5C_0004)
        let phaseCount = crashTrialTask().phases.count
        var kills = 0
        for trial in 0..<25 {
            let store = directory.file("trial-\(trial).sqlite")
            let marks = directory.file("trial-\(trial).marks")
            var execution: ExecutionID?
            var committedBy: [String: Int] = [:]
            var run = 0
            var finished = false
            while !finished {
                run += 1
                #expect(run <= 12, "trial \(trial) did not complete")
                if run > 12 { break }
                let child = try ChildProcess(mode: "crash", store: store, marks: marks, run: run, execution: execution)
                // Kill most runs, at a random mark plus a random fraction of a phase; let every run
                // after the fifth finish, so each trial completes.
                if run <= 5, random.next(below: 10) < 8 {
                    let target = random.next(below: phaseCount)
                    if await child.waitForMarks(target) {
                        try await Task.sleep(for: .microseconds(random.next(below: 3000)))
                        child.signal(SIGKILL)
                    }
                }
                let status = await child.exitStatus()
                if child.process.terminationReason == .uncaughtSignal {
                    #expect(status == SIGKILL)
                    kills += 1
                } else {
                    #expect(status == 0, "trial \(trial) run \(run) exited with \(status): \(child.printed.suffix(3))")
                }
                let (id, committed, stored) = try await Self.committed(in: store)
                if let id {
                    if let execution { #expect(id == execution) }
                    execution = id
                }
                for phase in committed where committedBy[phase] == nil { committedBy[phase] = run }
                finished = stored == .completed
            }
            // Exactly once for committed phases: no run after the one that committed a phase ran it again.
            let byRun = Self.marks(at: marks)
            for (run, phases) in byRun {
                for phase in phases {
                    if let committedRun = committedBy[phase] {
                        #expect(
                            run <= committedRun,
                            "trial \(trial): '\(phase)' committed in run \(committedRun) ran again in run \(run)")
                    }
                }
            }
            #expect(
                committedBy.count == phaseCount,
                "trial \(trial): \(committedBy.count) of \(phaseCount) phases committed")
            // The same result as an uninterrupted run, and a healthy file with nothing left to resume.
            let opened = try SQLiteHistoryStore(path: store)
            let id = try #require(execution)
            let result = try #require(try await opened.loadExecution(id)?.result)
            #expect(result.status == .completed)
            #expect(result.phases.map(\.outputs) == reference.phases.map(\.outputs))
            #expect(result.finalResult == reference.finalResult)
            #expect(try await opened.integrityCheck() == ["ok"])
            #expect(try await opened.resumableExecutions().isEmpty)
            #expect(try await opened.history(limit: 10).map(\.status) == [.completed])
            let sequences = try await opened.events(of: id).map(\.sequence)
            #expect(sequences == Array(1...UInt64(sequences.count)), "trial \(trial): event log has gaps")
        }
        #expect(kills >= 25, "only \(kills) runs were killed")
    }

    /// Starts an interruptible child and waits until `marks` phases ran.
    private func interruptible(_ directory: TemporaryDirectory, marks: Int) async throws -> ChildProcess {
        let child = try ChildProcess(
            mode: "interruptible", store: directory.file("h.sqlite"), marks: directory.file("marks"), run: 1,
            execution: nil)
        #expect(await child.waitForMarks(marks))
        return child
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalPausesAndResumeFinishes(_ signal: Int32) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let child = try await interruptible(directory, marks: 6)
        child.signal(signal)
        #expect(await child.exitStatus() == 130)
        let id = try #require(
            child.printed.first { $0.hasPrefix("execution ") }.flatMap { ExecutionID(String($0.dropFirst(10))) })
        #expect(child.printed.contains("paused: resume with taskrun resume \(id)"))
        let store = try SQLiteHistoryStore(path: directory.file("h.sqlite"))
        let paused = try #require(try await store.loadDetails(id))
        #expect(paused.execution.status == .paused)
        #expect(paused.standing == .paused)
        #expect(paused.execution.reason == (signal == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)"))
        let committed = Set(paused.execution.phases.filter { $0.status == .completed }.map(\.name))
        #expect(!committed.isEmpty)

        let resumed = try ChildProcess(
            mode: "crash", store: directory.file("h.sqlite"), marks: directory.file("marks"), run: 2, execution: id)
        #expect(await resumed.exitStatus() == 0)
        #expect(try await store.loadExecution(id)?.status == .completed)
        let rerun = Set(Self.marks(at: directory.file("marks"))[2] ?? [])
        #expect(rerun.isDisjoint(with: committed), "committed phases ran again: \(rerun.intersection(committed))")
    }

    @Test func aSecondSignalAborts() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let child = try await interruptible(directory, marks: 3)
        // Signals of one kind sent together merge into one: send the second once the first is handled.
        child.signal(SIGINT)
        #expect(await child.waitForLine("signal 1"))
        child.signal(SIGINT)
        #expect(await child.exitStatus() == 130)
        let store = try SQLiteHistoryStore(path: directory.file("h.sqlite"))
        let entry = try #require(try await store.history(limit: 1).first)
        #expect(entry.status == .aborted)
        #expect(entry.reason == "interrupted twice")
        #expect(try await store.integrityCheck() == ["ok"])
    }
}
