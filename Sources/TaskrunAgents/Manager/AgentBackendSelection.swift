import TaskrunCore

/// Which backend a run uses: each agent's own, or one for all of them.
public enum AgentBackendSelection {
    /// The environment variable that overrides every agent's backend for a run.
    public static let environmentVariable = "TASKRUN_AGENTS"

    /// A bad `--agents` or `TASKRUN_AGENTS` value.
    public struct InvalidBackend: Error, Sendable, Hashable, CustomStringConvertible {
        public var value: String
        public var source: String
        public var known: [String]

        public var description: String {
            "\(source) must be one of \(known.joined(separator: ", ")), got '\(value)'"
        }
    }

    /// The run's override: the `--agents` flag when given, else `TASKRUN_AGENTS` when set and not
    /// empty, else `nil` (each agent uses its own backend).
    ///
    /// - Throws: ``InvalidBackend`` for a value that names no known backend.
    public static func override(
        flag: String?, environment: [String: String], known: [String] = AgentBackendName.builtIn
    ) throws(InvalidBackend) -> String? {
        if let flag {
            guard known.contains(flag) else { throw InvalidBackend(value: flag, source: "--agents", known: known) }
            return flag
        }
        if let value = environment[environmentVariable]?.trimmingWhitespace(), !value.isEmpty {
            guard known.contains(value) else {
                throw InvalidBackend(value: value, source: environmentVariable, known: known)
            }
            return value
        }
        return nil
    }
}
