import Foundation
import Logging
import TaskrunCore

extension RoutingAgentManager {
    /// What ``standard(tasksDirectory:displayedAs:override:environment:logger:)`` built, and what it noticed.
    public struct Setup: Sendable {
        public var manager: RoutingAgentManager
        /// Problems in the agent files and the market snapshot (errors in files that did not load,
        /// unknown keys, a missing snapshot). The manager works with whatever did load.
        public var diagnostics: [Diagnostic]
    }

    /// The manager `taskrun` runs with: the agent files of `<tasksDirectory>/agents`, the three built-in
    /// backends configured from the environment, and the market snapshot of
    /// `<tasksDirectory>/data/market.yaml` for the offline analysts.
    ///
    /// - Parameters:
    ///   - displayedAs: The tasks directory as diagnostics should name it, when it differs from the path read.
    ///   - override: The run's backend for every agent, usually from
    ///     ``AgentBackendSelection/override(flag:environment:known:)``.
    /// - Throws: ``MarketSnapshotError`` when the snapshot file exists but is invalid, and
    ///   ``AgentError/misconfigured(agent:message:)`` for a bad `TASKRUN_AGENT_COMMAND`.
    public static func standard(
        tasksDirectory: String, displayedAs: String? = nil, override: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "taskrun.agents")
    ) throws -> Setup {
        let directory = AgentDirectory.load(tasksDirectory: tasksDirectory, displayedAs: displayedAs)
        var diagnostics = directory.diagnostics
        let snapshotPath = MarketSnapshot.path(inTasksDirectory: tasksDirectory)
        var snapshot = MarketSnapshot()
        if FileManager.default.fileExists(atPath: snapshotPath) {
            let (loaded, warnings) = try MarketSnapshot.load(path: snapshotPath)
            snapshot = loaded
            diagnostics += warnings
        } else if (override ?? AgentBackendName.offline) == AgentBackendName.offline {
            diagnostics.append(
                .warning(
                    "snapshot-missing", "no market snapshot: the offline analysts have no data to compute from",
                    path: snapshotPath, at: .start, hint: "create it; see Docs/agents.md"))
        }
        let backends: [String: any AgentBackend] = [
            AgentBackendName.offline: OfflineBackend(snapshot: snapshot, directory: directory),
            AgentBackendName.openai: OpenAIBackend(
                configuration: OpenAIConfiguration(environment: environment),
                environment: { environment[$0] }, logger: logger),
            AgentBackendName.command: CommandBackend(
                defaultCommand: try CommandBackend.command(fromEnvironment: environment)),
        ]
        let manager = RoutingAgentManager(directory: directory, backends: backends, override: override, logger: logger)
        return Setup(manager: manager, diagnostics: diagnostics)
    }
}
