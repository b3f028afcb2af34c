import Foundation
import Logging
import TaskrunAgents
import TaskrunCore
import TaskrunExecution

/// Runs a shipped task end to end: the real executor, the shipped agent files, the offline backend.
enum CommitteeRun {
    static func run(
        _ task: String, input: [String: JSONValue] = [:], snapshot: MarketSnapshot? = nil
    ) async throws -> ExecutionResult {
        let directory = Fixtures.directory
        let backend = OfflineBackend(snapshot: try snapshot ?? Fixtures.snapshot(), directory: directory)
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let manager = RoutingAgentManager(
            directory: directory, backends: [AgentBackendName.offline: backend], limiter: AgentConcurrencyLimiter(),
            logger: quiet)
        let executor = TaskExecutor(
            configuration: .init(tasksDirectory: Fixtures.tasksDirectory), agents: manager, logger: quiet)
        return try await executor.execute(task, input: input)
    }

    /// The verdict of an investment-committee run: the data of the chair's answer, which the task's
    /// `output: finalVerdict` parameter stores as the `finalVerdict` output.
    static func verdict(
        _ input: [String: JSONValue] = [:], snapshot: MarketSnapshot? = nil
    ) async throws -> [String: JSONValue] {
        let result = try await run("investment-committee", input: input, snapshot: snapshot)
        guard result.status == .completed else {
            throw Failure("the committee ended \(result.status): \(result.reason ?? "")")
        }
        guard let verdict = result[phase: "Verdict"]?.outputs["finalVerdict"]?["data"]?.objectValue else {
            throw Failure("no finalVerdict output")
        }
        return verdict
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
