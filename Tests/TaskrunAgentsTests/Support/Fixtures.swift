import Foundation
import Synchronization
import TaskrunAgents
import TaskrunCore
import TaskrunExecution

/// Paths and builders shared by the tests.
enum Fixtures {
    /// The repository's root, found from this file's path.
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let tasksDirectory = (repositoryRoot as NSString).appendingPathComponent("tasks")

    /// The shipped market snapshot.
    static func snapshot() throws -> MarketSnapshot {
        try MarketSnapshot.load(path: MarketSnapshot.path(inTasksDirectory: tasksDirectory)).0
    }

    /// The shipped agent definitions.
    static let directory = AgentDirectory.load(tasksDirectory: tasksDirectory)

    static func agent(
        _ id: String = "test-agent", role: String = "quant", timeout: TaskDuration? = nil, maxConcurrent: Int? = nil,
        backend: String? = nil, endpoint: AgentEndpoint? = nil, command: [String]? = nil, model: String? = "test-model"
    ) -> AgentDefinition {
        AgentDefinition(
            id: id, name: "Test Agent", title: "Tester", role: role, persona: "You are a test agent.",
            capabilities: ["testing"], backend: backend,
            model: AgentModelSettings(name: model, temperature: 0.1, maxTokens: 50),
            timeout: timeout, maxConcurrent: maxConcurrent, endpoint: endpoint, command: command)
    }

    static func request(
        _ agent: String = "test-agent", prompt: String = "Say hello", input: [String: JSONValue] = ["ticker": "BTC"],
        phaseResponses: [AgentReply] = [], earlierPhases: [PhaseResult] = [],
        format: AgentRequest.ResponseFormat = .structured, phase: String = "Analysis"
    ) -> AgentRequest {
        AgentRequest(
            agentID: agent, prompt: prompt,
            context: AgentContext(input: input, phaseResponses: phaseResponses, earlierPhases: earlierPhases),
            responseFormat: format, executionID: ExecutionID(high: 1, low: 2), taskID: "test", taskName: "Test",
            phase: phase, step: 0)
    }
}

/// An async one-shot signal tests await instead of sleeping.
final class Signal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let fired = state.withLock { state -> Bool in
                if state.fired { return true }
                state.waiters.append(continuation)
                return false
            }
            if fired { continuation.resume() }
        }
    }
}
