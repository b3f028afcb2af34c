@testable import TaskrunCore

/// Phases built in code, laid out as a file would have them: phase `n` (0-based) has its
/// heading on line `10 n + 1` and its `dependsOn:` line right under it, each dependency at the
/// column it would have in `dependsOn: A, B`.
enum GraphFixtures {
    static func phases(_ spec: KeyValuePairs<String, [String]>) -> [Phase] {
        spec.enumerated().map { index, entry in
            phase(entry.key, dependsOn: entry.value, line: index * 10 + 1)
        }
    }

    static func phase(
        _ name: String, dependsOn dependencies: [String] = [], line: Int, agents: [String] = [], steps: [Step] = []
    ) -> Phase {
        var column = 12  // after "dependsOn: "
        var located: [PhaseDependency] = []
        for dependency in dependencies {
            located.append(PhaseDependency(name: dependency, location: SourceLocation(line: line + 1, column: column)))
            column += dependency.unicodeScalars.count + 2
        }
        return Phase(
            name: name, dependencies: located, steps: steps, agents: agents,
            location: SourceLocation(line: line, column: 1))
    }

    static func task(_ phases: [Phase]) -> TaskDefinition {
        TaskDefinition(id: "test", metadata: TaskMetadata(name: "Test"), phases: phases)
    }

    /// The investment committee's shape: one fan-out, then a sequential spine.
    static let committee = phases([
        "Activation": [],
        "Analysis": ["Activation"],
        "Research": ["Activation"],
        "Round Table": ["Analysis", "Research"],
        "Debate": ["Round Table"],
        "Validation": ["Debate"],
        "Verdict": ["Validation", "Research"],
    ])
}
