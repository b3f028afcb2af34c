import Foundation
import Synchronization
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunCLI
@testable import TaskrunStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The environment that turns this test binary into a crash-trial child (see `CrashTrialTests`).
enum CrashChildEnvironment {
    static let mode = "TASKRUN_CRASH_CHILD"
    static let store = "TASKRUN_CRASH_STORE"
    static let marks = "TASKRUN_CRASH_MARKS"
    static let run = "TASKRUN_CRASH_RUN"
    static let execution = "TASKRUN_CRASH_EXECUTION"

    static var current: [String: String] { ProcessInfo.processInfo.environment }
}

/// The task of the crash trials: 22 phases in layers (a start, five fan-outs of four phases that
/// each depend on the previous layer's phases, a final phase), so several phases run and commit
/// at the same time.
func crashTrialTask() -> TaskDefinition {
    var phases = [
        Phase(
            name: "Start", steps: [Step(kind: .agent(id: "worker"), text: "start {{input.ticker}}")],
            agents: ["worker"],
            outputs: ["summary"])
    ]
    var previous = ["Start"]
    for layer in 1...5 {
        var current: [String] = []
        for lane in 1...4 {
            let name = "L\(layer)-\(lane)"
            let source = previous[(lane - 1) % previous.count]
            phases.append(
                Phase(
                    name: name, dependencies: previous.map { PhaseDependency(name: $0) },
                    steps: [
                        Step(
                            kind: .agent(id: "worker"), text: "\(name) after {{phases.\(source).outputs.summary.text}}")
                    ],
                    agents: ["worker"], outputs: ["summary"]))
            current.append(name)
        }
        previous = current
    }
    phases.append(
        Phase(
            name: "Final", dependencies: previous.map { PhaseDependency(name: $0) },
            steps: [Step(kind: .agent(id: "worker"), text: "final after {{phases.L5-4.outputs.summary.text}}")],
            agents: ["worker"], outputs: ["summary"]))
    return TaskDefinition(
        id: "crash-trial", metadata: TaskMetadata(name: "Crash trial"),
        requirements: [Requirement(name: "ticker", type: .string)], phases: phases)
}

/// An agent whose answer depends only on its prompt, and which records its side effect (`<run>
/// <phase>`) in the marks file, then says so on standard output, before it answers.
final class MarkingAgents: AgentManager {
    let marks: Int32
    let run: String
    /// Whether to print `mark <phase>` lines (children do, for the parent to follow).
    let announces: Bool

    init(marksPath: String, run: String, announces: Bool = true) {
        marks = open(marksPath, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        self.run = run
        self.announces = announces
    }

    deinit { close(marks) }

    func query(_ request: AgentRequest) async throws -> AgentResponse {
        // A little work, so that a random kill can land anywhere in the run.
        try await Task.sleep(for: .milliseconds(2))
        let line = "\(run) \(request.phase)\n"
        _ = line.withCString { write(marks, $0, strlen($0)) }
        if announces { FileHandle.standardOutput.write(Data("mark \(request.phase)\n".utf8)) }
        return AgentResponse(text: "\(request.phase): \(request.prompt.count)", latency: .milliseconds(1))
    }
}

@Suite struct CrashChild {
    /// Runs (or resumes) the crash-trial task against the store named in the environment. Only
    /// when started by `CrashTrialTests` as a child process.
    @Test(.enabled(if: CrashChildEnvironment.current[CrashChildEnvironment.mode] != nil))
    func crashTrialChild() async throws {
        let environment = CrashChildEnvironment.current
        let store = try SQLiteHistoryStore(path: try #require(environment[CrashChildEnvironment.store]))
        let agents = MarkingAgents(
            marksPath: try #require(environment[CrashChildEnvironment.marks]),
            run: environment[CrashChildEnvironment.run] ?? "0")
        let executor = TaskExecutor(configuration: .init(maxConcurrentPhases: 4), agents: agents, history: store)
        let task = crashTrialTask()
        let handle: ExecutionHandle
        if let id = environment[CrashChildEnvironment.execution].flatMap(ExecutionID.init) {
            handle = try await executor.resume(id, from: store, task: task)
        } else {
            handle = try executor.start(task, input: ["ticker": "BTC"])
        }
        FileHandle.standardOutput.write(Data("execution \(handle.id)\n".utf8))
        switch environment[CrashChildEnvironment.mode] {
        case "interruptible":
            // As `taskrun run` does: first signal pauses, second aborts; exit 130 either way.
            let interrupts = InterruptHandler()
            let ending = await interrupts.supervise(handle, executor: executor, grace: .seconds(10)) { _, count in
                FileHandle.standardOutput.write(Data("signal \(count)\n".utf8))
            }
            interrupts.stop()
            switch ending {
            case .paused(let id, _):
                FileHandle.standardOutput.write(Data("paused: resume with taskrun resume \(id)\n".utf8))
                exit(130)
            case .finished(let result):
                FileHandle.standardOutput.write(Data("finished \(result.status)\n".utf8))
                exit(RunCommand.exitStatus(for: result.status))
            }
        default:
            let result = await handle.result
            FileHandle.standardOutput.write(Data("finished \(result.status)\n".utf8))
            exit(RunCommand.exitStatus(for: result.status))
        }
    }
}
