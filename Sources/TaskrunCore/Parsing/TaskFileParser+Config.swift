import TaskrunYAML

extension TaskFileParser {
    /// The keys a task's config block accepts.
    static let configKeys = [
        "name", "description", "version", "maxExecutionTime", "retry", "requirements", "maxConcurrentPhases",
        "reviewer",
    ]

    /// Keys other tools use for what taskrun calls otherwise.
    static let configKeyAliases = [
        "timeout": "maxExecutionTime", "timeLimit": "maxExecutionTime", "retries": "retry", "maxRetries": "retry",
        "title": "name", "inputs": "requirements", "parameters": "requirements", "concurrency": "maxConcurrentPhases",
    ]

    /// Reads the task's config (the first yaml block before the first phase, or the front matter).
    mutating func readConfig(yaml: String, map: YAMLPositionMap, origin: String) {
        guard let parsed = parseYAML(yaml, map: map, what: origin), let root = parsed else { return }
        guard let pairs = root.mapping else {
            // `- name: X` lines make a list of one-key mappings: the dashes are the mistake.
            let dashed = root.sequence.map { !$0.isEmpty && $0.allSatisfy { $0.mapping != nil } } ?? false
            error(
                "invalid-config", "the \(origin) must be a YAML mapping of settings, not a \(root.kindName)",
                at: map.location(of: root), length: map.length(of: root),
                hint: dashed
                    ? "remove the '- ' before each setting: the config is one mapping, not a list"
                    : "write 'key: value' lines, like 'name: My Task'")
            return
        }
        var seen = SeenKeys(pairs, nonTextAsEmpty: false)
        for (position, pair) in pairs.enumerated() {
            let keyLocation = map.location(of: pair.key)
            let keyLength = map.length(of: pair.key)
            guard let key = pair.key.scalar?.text else {
                error("invalid-config", "config keys must be plain text", at: keyLocation, length: keyLength)
                continue
            }
            if let first = seen.first(key, at: position).map({ map.location(of: $0.key) }) {
                error(
                    "duplicate-key", "config key '\(key)' is given more than once", at: keyLocation, length: keyLength,
                    notes: ["first given at \(first)"])
                continue
            }
            let value = pair.value
            switch key {
            case "name":
                config.name = string(value, map: map, key: key, code: "invalid-config-value")
            case "description":
                config.description = string(value, map: map, key: key, code: "invalid-config-value")
            case "version":
                config.version = string(value, map: map, key: key, code: "invalid-config-value")
            case "reviewer":
                config.reviewer = string(value, map: map, key: key, code: "invalid-config-value")
            case "maxExecutionTime":
                if case .null = value.resolvedScalar { break }
                config.maxExecutionTime = duration(value, map: map, key: key)
            case "retry":
                config.retry = retryPolicy(
                    value, map: map, code: "invalid-config-value", unknownKeyCode: "unknown-config-key")
            case "maxConcurrentPhases":
                if case .null = value.resolvedScalar { break }
                if let count = integer(value, map: map, key: key, minimum: 1, code: "invalid-config-value") {
                    config.maxConcurrentPhases = Int(clamping: count)
                }
            case "requirements":
                config.requirements = requirements(value, map: map)
            default:
                let suggestion = Self.configKeyAliases[key] ?? Self.suggestion(for: key, in: Self.configKeys)
                warning(
                    "unknown-config-key", "unknown config key '\(key)'", at: keyLocation, length: keyLength,
                    hint: suggestion.map { "did you mean '\($0)'?" }
                        ?? "config keys are \(Self.configKeys.joined(separator: ", "))")
            }
        }
    }
}
