import Foundation
import Synchronization
import TaskrunCore
import TaskrunExecution

@testable import TaskrunStorage

/// A fresh directory under the system's temporary directory, removed by `cleanUp()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("taskrun-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

/// A process id that no process has, so an execution "owned" by it reads as interrupted.
let deadOwner = StoreOwner(processID: Int32.max - 7, host: ProcessInfo.processInfo.hostName)

/// Opens a store in `directory`, owned by a dead process unless told otherwise.
func openStore(
    _ directory: TemporaryDirectory, name: String = "history.sqlite", owner: StoreOwner = deadOwner,
    additionalSecrets: [String] = []
) throws -> SQLiteHistoryStore {
    try SQLiteHistoryStore(
        path: directory.file(name),
        configuration: .init(additionalSecrets: additionalSecrets, owner: owner))
}

/// A chain of phases `P1 → P2 → … → Pn`, each with one agent step of agent `worker` and an output
/// `summary`; from the second on, the prompt reads the previous phase's output.
func chainTask(phases count: Int, id: String = "chain", secret: Bool = false, sourcePath: String? = nil)
    -> TaskDefinition
{
    var phases: [Phase] = []
    for index in 1...count {
        let name = "P\(index)"
        let prompt =
            index == 1 ? "start {{input.ticker}}" : "continue after {{phases.P\(index - 1).outputs.summary.text}}"
        phases.append(
            Phase(
                name: name, dependencies: index == 1 ? [] : [PhaseDependency(name: "P\(index - 1)")],
                steps: [Step(kind: .agent(id: "worker"), text: prompt)], agents: ["worker"], outputs: ["summary"]))
    }
    var requirements = [Requirement(name: "ticker", type: .string)]
    if secret { requirements.append(Requirement(name: "apiKey", type: .string, isSecret: true)) }
    return TaskDefinition(
        id: id, title: "Chain", metadata: TaskMetadata(name: "Chain task"), requirements: requirements,
        phases: phases, sourcePath: sourcePath)
}

/// Answers every query with `"<phase> done"` and counts queries per phase.
/// Phases in `failing` fail their first query.
final class CountingAgents: AgentManager {
    struct Failure: Error {}

    private let counts = Mutex<[String: Int]>([:])
    private let prompts = Mutex<[String: String]>([:])
    private let failing: Mutex<Set<String>>

    init(failing: Set<String> = []) { self.failing = Mutex(failing) }

    func query(_ request: AgentRequest) async throws -> AgentResponse {
        counts.withLock { $0[request.phase, default: 0] += 1 }
        prompts.withLock { $0[request.phase] = request.prompt }
        if failing.withLock({ $0.remove(request.phase) != nil }) { throw Failure() }
        // A fixed latency, so results compare equal across runs.
        return AgentResponse(text: "\(request.phase) done", latency: .milliseconds(5))
    }

    /// The last prompt each phase's agent received.
    var lastPrompts: [String: String] { prompts.withLock { $0 } }

    var perPhase: [String: Int] { counts.withLock { $0 } }
}

/// A history store in front of a real one that "crashes" on cue: after the commit of phase
/// `crashAfter`, nothing more reaches the real store, as if the process had died right there.
final class CrashingStore: HistoryStore {
    let inner: SQLiteHistoryStore
    let crashAfter: String
    private let crashed = Mutex(false)

    init(_ inner: SQLiteHistoryStore, crashAfter: String) {
        self.inner = inner
        self.crashAfter = crashAfter
    }

    private var isCrashed: Bool { crashed.withLock { $0 } }

    func executionStarted(_ record: ExecutionRecord) async throws {
        if !isCrashed { try await inner.executionStarted(record) }
    }

    func commitPhase(_ commit: PhaseCommit) async throws {
        guard !isCrashed else { return }
        try await inner.commitPhase(commit)
        if commit.phase.name == crashAfter { crashed.withLock { $0 = true } }
    }

    func executionUpdated(_ update: ExecutionUpdate) async throws {
        if !isCrashed { try await inner.executionUpdated(update) }
    }

    func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) async throws {
        if !isCrashed { try await inner.executionFinished(result, events: events) }
    }

    func history(limit: Int) async throws -> [ExecutionSummary] { try await inner.history(limit: limit) }
    func loadExecution(_ id: ExecutionID) async throws -> StoredExecution? { try await inner.loadExecution(id) }
    func loadCheckpoint(_ id: ExecutionID) async throws -> ExecutionCheckpoint? { try await inner.loadCheckpoint(id) }
    func events(of id: ExecutionID) async throws -> [ExecutionEvent] { try await inner.events(of: id) }
}

/// Sample records for round trips.
enum Samples {
    static let date = Date(timeIntervalSinceReferenceDate: 800_000_000.123_456)

    static func record(
        id: ExecutionID = .make(), task: TaskDefinition = chainTask(phases: 3),
        input: [String: JSONValue] = ["ticker": "BTC"], secretInputs: [String] = []
    ) -> ExecutionRecord {
        ExecutionRecord(
            id: id, taskID: task.id, taskName: task.metadata.name, task: task, input: input,
            secretInputs: secretInputs, startedAt: date, resumeCount: 0,
            events: [event(.executionStart, id: id, sequence: 1, task: task.id)])
    }

    static func event(
        _ kind: ExecutionEvent.Kind, id: ExecutionID, sequence: UInt64, phase: String? = nil, task: String? = nil,
        message: String? = nil
    ) -> ExecutionEvent {
        ExecutionEvent(
            kind: kind, executionID: id, sequence: sequence, timestamp: date.addingTimeInterval(Double(sequence)),
            task: task, phase: phase, message: message, duration: .milliseconds(12))
    }

    /// A completed phase with one agent step, one response, an output and a result. Times are whole
    /// milliseconds: columns keep millisecond precision.
    static func phase(_ name: String, status: PhaseStatus = .completed, text: String = "fine") -> PhaseResult {
        let start = Date(timeIntervalSince1970: 1_800_000_000.250)
        let end = Date(timeIntervalSince1970: 1_800_000_001.500)
        let response = AgentResponse(
            text: text, position: .bullish, confidence: 72.5, keyPoints: ["a", "b"], risks: ["r"],
            data: ["score": 3], latency: .milliseconds(40), usage: .init(prompt: 10, completion: 5, total: 15))
        return PhaseResult(
            name: name, status: status, attempts: 1, startedAt: start, finishedAt: end,
            steps: [
                StepResult(
                    index: 0, type: "agent", agent: "worker", status: .completed, value: .string(text),
                    outputs: ["label": "x"], error: nil, warnings: ["w"], attempts: 1, startedAt: start, finishedAt: end
                )
            ],
            responses: [AgentReply(agent: "worker", step: 0, attempt: 1, response: response)],
            outputs: ["summary": .string(text)], errors: status == .failed ? ["boom"] : [], result: .string(text))
    }

    static func state(id: ExecutionID, task: TaskDefinition, phases: [PhaseResult], lastSequence: UInt64)
        -> ExecutionState
    {
        var all = task.phases.map { PhaseResult(name: $0.name) }
        for phase in phases {
            if let index = all.firstIndex(where: { $0.name == phase.name }) { all[index] = phase }
        }
        return ExecutionState(
            id: id, taskID: task.id, taskName: task.metadata.name, status: .running, input: ["ticker": "BTC"],
            phases: all, startedAt: date, lastSequence: lastSequence)
    }
}
