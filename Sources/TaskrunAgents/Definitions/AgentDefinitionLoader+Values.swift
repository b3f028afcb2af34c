import TaskrunCore
import TaskrunYAML

/// Reading and checking the values of an agent file.
extension Reader {
    mutating func definition(
        from pairs: [YAMLPair], title: String?, blockLocation: SourceLocation
    ) -> AgentDefinition? {
        let keys = keyed(pairs, known: AgentDefinitionLoader.topLevelKeys, context: "agent")

        var id = fileID
        if let pair = keys["id"], let value = text(pair.value, key: "id") {
            if !Self.isAgentID(value) {
                error(
                    "agent-invalid-value", "'id' must be lowercase letters, digits and dashes, got '\(value)'",
                    node: pair.value)
            } else if value != fileID {
                error(
                    "agent-id-mismatch", "'id' is '\(value)' but the file is '\(fileID).md'", node: pair.value,
                    hint: "rename the file to '\(value).md' or set 'id: \(fileID)'")
            } else {
                id = value
            }
        }
        let name = keys["name"].flatMap { text($0.value, key: "name") }
        let jobTitle = keys["title"].flatMap { text($0.value, key: "title") }
        let role = required("role", in: keys, at: blockLocation)
        if let role, let pair = keys["role"], !Self.isAgentID(role) {
            error(
                "agent-invalid-value", "'role' must be one lowercase word or kebab-case words, got '\(role)'",
                node: pair.value, hint: "known roles: \(OfflineRole.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let persona = required("persona", in: keys, at: blockLocation)
        let capabilities = keys["capabilities"].flatMap { strings($0.value, key: "capabilities") } ?? []
        let backend = keys["backend"].flatMap { backendName($0.value) }
        let model = keys["model"].flatMap { modelSettings($0.value) } ?? AgentModelSettings()
        let timeout = keys["timeout"].flatMap { duration($0.value, key: "timeout") }
        let maxConcurrent = keys["maxConcurrent"].flatMap { positiveInteger($0.value, key: "maxConcurrent") }
        let endpoint = keys["endpoint"].flatMap { endpointSettings($0.value) }
        let command = keys["command"].flatMap { commandLine($0.value) }

        guard let role, let persona else { return nil }
        return AgentDefinition(
            id: id, name: name ?? title ?? id, title: jobTitle, role: role, persona: persona,
            capabilities: capabilities, backend: backend, model: model, timeout: timeout,
            maxConcurrent: maxConcurrent, endpoint: endpoint, command: command, sourcePath: path,
            location: blockLocation)
    }

    static func isAgentID(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            && !text.hasSuffix("-")
    }

    // MARK: Values

    mutating func required(_ key: String, in keys: [String: YAMLPair], at location: SourceLocation) -> String? {
        guard let pair = keys[key] else {
            error("agent-missing-key", "agent definition has no '\(key)'", at: location, length: 7)
            return nil
        }
        return text(pair.value, key: key)
    }

    /// A non-empty scalar's text. Numbers and booleans are kept as written (`name: 2049` is "2049").
    mutating func text(_ node: YAMLNode, key: String) -> String? {
        guard let scalar = node.scalar, node.resolvedScalar != .null else {
            let got = node.scalar == nil ? "a \(node.kindName)" : "nothing"
            error("agent-invalid-value", "'\(key)' must be text, got \(got)", node: node)
            return nil
        }
        let value = scalar.text.trimmingWhitespace()
        guard !value.isEmpty else {
            error("agent-invalid-value", "'\(key)' must not be empty", node: node)
            return nil
        }
        return value
    }

    mutating func strings(_ node: YAMLNode, key: String) -> [String]? {
        guard let items = node.sequence else {
            error("agent-invalid-value", "'\(key)' must be a list, got a \(node.kindName)", node: node)
            return nil
        }
        var values: [String] = []
        for item in items {
            guard let value = text(item, key: "\(key)[\(values.count)]") else { return nil }
            values.append(value)
        }
        return values
    }

    mutating func backendName(_ node: YAMLNode) -> String? {
        guard let name = text(node, key: "backend") else { return nil }
        guard knownBackends.contains(name) else {
            let hint = Suggestion.closest(to: name, in: knownBackends.sorted()).map { "did you mean '\($0)'?" }
            error(
                "agent-invalid-value",
                "unknown backend '\(name)'; expected one of \(knownBackends.sorted().joined(separator: ", "))",
                node: node, hint: hint)
            return nil
        }
        return name
    }

    mutating func number(_ node: YAMLNode, key: String) -> Double? {
        switch node.resolvedScalar {
        case .integer(let value): return Double(value)
        case .float(let value) where value.isFinite: return value
        default:
            error("agent-invalid-value", "'\(key)' must be a number, got \(describe(node))", node: node)
            return nil
        }
    }

    mutating func positiveInteger(_ node: YAMLNode, key: String) -> Int? {
        guard case .integer(let value) = node.resolvedScalar, value >= 1, value <= Int64(Int32.max) else {
            error(
                "agent-invalid-value", "'\(key)' must be a whole number of at least 1, got \(describe(node))",
                node: node)
            return nil
        }
        return Int(value)
    }

    mutating func duration(_ node: YAMLNode, key: String) -> TaskDuration? {
        let parsed: TaskDuration
        switch node.resolvedScalar {
        case .integer(let value) where value > 0:
            parsed = TaskDuration(milliseconds: value)
        case .string(let text):
            do {
                parsed = try TaskDuration.parse(text)
            } catch {
                self.error("agent-invalid-value", "'\(key)': \(error.description)", node: node)
                return nil
            }
        default:
            error(
                "agent-invalid-value",
                "'\(key)' must be a duration such as '90s' or '2 minutes', got \(describe(node))",
                node: node)
            return nil
        }
        guard parsed.milliseconds > 0 else {
            error("agent-invalid-value", "'\(key)' must be longer than zero", node: node)
            return nil
        }
        return parsed
    }

    mutating func modelSettings(_ node: YAMLNode) -> AgentModelSettings? {
        guard let pairs = node.mapping else {
            error(
                "agent-invalid-value",
                "'model' must be a mapping with name, temperature and maxTokens, got a \(node.kindName)",
                node: node)
            return nil
        }
        let keys = keyed(pairs, known: AgentDefinitionLoader.modelKeys, context: "model")
        var settings = AgentModelSettings()
        settings.name = keys["name"].flatMap { text($0.value, key: "model.name") }
        if let pair = keys["temperature"], let value = number(pair.value, key: "model.temperature") {
            if (0...2).contains(value) {
                settings.temperature = value
            } else {
                error(
                    "agent-invalid-value", "'model.temperature' must be between 0 and 2, got \(value)", node: pair.value
                )
            }
        }
        settings.maxTokens = keys["maxTokens"].flatMap { positiveInteger($0.value, key: "model.maxTokens") }
        return settings
    }

    mutating func endpointSettings(_ node: YAMLNode) -> AgentEndpoint? {
        guard let pairs = node.mapping else {
            error(
                "agent-invalid-value",
                "'endpoint' must be a mapping with baseURL and apiKeyEnv, got a \(node.kindName)", node: node)
            return nil
        }
        let keys = keyed(pairs, known: AgentDefinitionLoader.endpointKeys, context: "endpoint")
        guard let pair = keys["baseURL"] else {
            error("agent-missing-key", "'endpoint' has no 'baseURL'", node: node)
            return nil
        }
        var baseURL = text(pair.value, key: "endpoint.baseURL")
        if let url = baseURL, !(url.hasPrefix("http://") || url.hasPrefix("https://")) || url.count <= 8 {
            error(
                "agent-invalid-value", "'endpoint.baseURL' must be an http:// or https:// URL, got '\(url)'",
                node: pair.value)
            baseURL = nil
        }
        var apiKeyEnv: String?
        if let pair = keys["apiKeyEnv"], let name = text(pair.value, key: "endpoint.apiKeyEnv") {
            if Self.isEnvironmentName(name) {
                apiKeyEnv = name
            } else {
                error(
                    "agent-invalid-value",
                    "'endpoint.apiKeyEnv' names the environment variable holding the key (like MY_API_KEY), not the key",
                    node: pair.value)
            }
        }
        guard let baseURL else { return nil }
        return AgentEndpoint(baseURL: baseURL, apiKeyEnv: apiKeyEnv)
    }

    static func isEnvironmentName(_ name: String) -> Bool {
        func isLetter(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "_" || ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)
        }
        guard let first = name.unicodeScalars.first, isLetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }

    mutating func commandLine(_ node: YAMLNode) -> [String]? {
        guard node.sequence != nil else {
            error(
                "agent-invalid-value", "'command' must be a list: the program, then its arguments (no shell)",
                node: node, hint: "write it as [\"/path/to/agent\", \"--flag\"]")
            return nil
        }
        guard let argv = strings(node, key: "command") else { return nil }
        guard !argv.isEmpty else {
            error("agent-invalid-value", "'command' must name a program", node: node)
            return nil
        }
        return argv
    }

    func describe(_ node: YAMLNode) -> String {
        guard let scalar = node.resolvedScalar else { return "a \(node.kindName)" }
        switch scalar {
        case .null: return "nothing"
        case .bool(let value): return "\(value)"
        case .integer(let value): return "\(value)"
        case .float(let value): return "\(value)"
        case .string(let text): return "'\(text)'"
        }
    }
}
