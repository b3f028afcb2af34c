import TaskrunCore

/// Checks an input against a task's requirements and applies their defaults.
public enum InputResolver {
    /// The input with defaults applied, and warnings for keys no requirement declares.
    ///
    /// Every problem is collected before throwing, so one message lists them all:
    /// `requirements not met: missing 'amount'; 'ticker' must be string, got number`.
    public static func resolve(
        _ input: [String: JSONValue], requirements: [Requirement]
    ) throws(ExecutionError) -> (input: [String: JSONValue], warnings: [String]) {
        var resolved = input
        var problems: [String] = []
        for requirement in requirements {
            let name = requirement.name
            guard let value = input[name], value != .null else {
                if let defaultValue = requirement.defaultValue {
                    resolved[name] = defaultValue
                } else if !requirement.isOptional {
                    problems.append("missing '\(name)'")
                }
                continue
            }
            guard requirement.type.accepts(value) else {
                problems.append("'\(name)' must be \(requirement.type.rawValue), got \(describeType(of: value))")
                continue
            }
            if let allowed = requirement.allowedValues, !allowed.contains(value) {
                let list = allowed.map(\.compactJSON).joined(separator: ", ")
                problems.append("'\(name)' must be one of \(list), got \(value.compactJSON)")
            }
        }
        if !problems.isEmpty { throw .requirementsNotMet(problems) }
        let declared = requirements.map(\.name)
        let warnings = input.keys.sorted().filter { !declared.contains($0) }.map { key in
            "unknown input '\(key)'"
                + (Suggestion.closest(to: key, in: declared).map { "; did you mean '\($0)'?" } ?? "")
        }
        return (resolved, warnings)
    }

    /// Numbers are called `number` in messages, whole or not, as users write them.
    static func describeType(of value: JSONValue) -> String {
        switch value {
        case .number: "number"
        default: value.typeName
        }
    }
}
