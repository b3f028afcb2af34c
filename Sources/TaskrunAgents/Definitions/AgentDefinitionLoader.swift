import TaskrunCore
import TaskrunMarkdown
import TaskrunYAML

/// Reads agent files: a markdown file with a title line and a ```` ```yaml ```` block.
///
/// Problems become ``Diagnostic``s at their line and column in the markdown file, all of them in one
/// pass: unknown keys are warnings with a did-you-mean hint, bad values and missing required keys are
/// errors. A file with errors gives no definition.
public struct AgentDefinitionLoader: Sendable {
    /// The backends a `backend:` value may name. Add the names of backends you register in code.
    public var knownBackends: Set<String>

    public init(knownBackends: Set<String> = Set(AgentBackendName.builtIn)) {
        self.knownBackends = knownBackends
    }

    /// The outcome of reading one agent file.
    public struct Result: Sendable {
        /// The definition, unless the file has errors.
        public var definition: AgentDefinition?
        public var diagnostics: [Diagnostic]
    }

    /// The keys an agent file's YAML block may have.
    public static let topLevelKeys = [
        "id", "name", "title", "role", "persona", "capabilities", "backend", "model", "timeout", "maxConcurrent",
        "endpoint", "command",
    ]
    /// The keys of `model:`.
    public static let modelKeys = ["name", "temperature", "maxTokens"]
    /// The keys of `endpoint:`.
    public static let endpointKeys = ["baseURL", "apiKeyEnv"]

    /// Reads the agent file at `path` whose text is `source`. `id` is the file's name without `.md`;
    /// the YAML block's `id`, when it has one, must match it.
    public func load(source: String, path: String, id: String) -> Result {
        var reader = Reader(path: path, fileID: id, knownBackends: knownBackends)
        let definition = reader.read(source)
        let diagnostics = reader.diagnostics.sortedByPosition()
        return Result(definition: diagnostics.hasErrors ? nil : definition, diagnostics: diagnostics)
    }
}

/// The one-pass reader behind ``AgentDefinitionLoader``.
struct Reader {
    let path: String
    let fileID: String
    let knownBackends: Set<String>
    var diagnostics: [Diagnostic] = []
    /// Where the YAML text's first line is in the file, and the column its lines start at.
    var firstLine = 1
    var column = 1

    init(path: String, fileID: String, knownBackends: Set<String>) {
        self.path = path
        self.fileID = fileID
        self.knownBackends = knownBackends
    }

    mutating func read(_ source: String) -> AgentDefinition? {
        let document = MarkdownParser.parse(source)
        var title: String?
        var block: MarkdownNode?
        for index in document.children(of: document.rootIndex) {
            let node = document[index]
            if title == nil, node.headingLevel == 1 {
                title = document.plainText(of: index).trimmingWhitespace()
            }
            if block == nil, case .codeBlock(let info, true) = node.kind, Self.isYAML(info) {
                block = node
            }
        }
        guard let block else {
            error("agent-no-config", "agent file has no ```yaml block with the agent's definition", at: .start)
            return nil
        }
        firstLine = block.start.line + 1
        column = max(1, block.start.column)
        let root: YAMLNode?
        do {
            root = try YAMLParser().parse(block.literal ?? "")
        } catch {
            self.error("agent-yaml", "invalid YAML: \(error.problem)", at: location(error.mark))
            return nil
        }
        guard let root, let pairs = root.mapping else {
            let at = root.map { location($0.start) } ?? SourceLocation(line: block.start.line, column: column)
            error("agent-config-not-mapping", "the agent's yaml block must be a mapping of keys to values", at: at)
            return nil
        }
        return definition(
            from: pairs, title: title, blockLocation: SourceLocation(line: block.start.line, column: column))
    }

    static func isYAML(_ info: String) -> Bool {
        let word = info.trimmingWhitespace().split(separator: " ").first.map(String.init)?.lowercased()
        return word == "yaml" || word == "yml"
    }

    // MARK: Positions and diagnostics

    func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(line: firstLine + mark.line - 1, column: column + mark.column - 1)
    }

    func length(_ node: YAMLNode) -> Int {
        node.end.line == node.start.line ? max(1, node.end.column - node.start.column) : 1
    }

    mutating func error(
        _ code: String, _ message: String, at location: SourceLocation, length: Int = 1, hint: String? = nil
    ) {
        diagnostics.append(.error(code, message, path: path, at: location, length: length, hint: hint))
    }

    mutating func error(_ code: String, _ message: String, node: YAMLNode, hint: String? = nil) {
        error(code, message, at: location(node.start), length: length(node), hint: hint)
    }

    mutating func warning(_ code: String, _ message: String, node: YAMLNode, hint: String? = nil) {
        diagnostics.append(
            .warning(code, message, path: path, at: location(node.start), length: length(node), hint: hint))
    }

    /// The pairs of a mapping by key, reporting unknown and repeated keys.
    mutating func keyed(_ pairs: [YAMLPair], known: [String], context: String) -> [String: YAMLPair] {
        var result: [String: YAMLPair] = [:]
        for pair in pairs {
            guard let key = pair.key.scalar?.text else {
                error("agent-invalid-key", "\(context) keys must be plain names", node: pair.key)
                continue
            }
            guard known.contains(key) else {
                let nested =
                    context == "agent"
                    ? (AgentDefinitionLoader.modelKeys.contains(key) && key != "name"
                        ? "model" : AgentDefinitionLoader.endpointKeys.contains(key) ? "endpoint" : nil)
                    : nil
                let hint =
                    nested.map { "'\(key)' belongs under '\($0):'" }
                    ?? Suggestion.closest(to: key, in: known).map { "did you mean '\($0)'?" }
                warning("agent-unknown-key", "unknown \(context) key '\(key)'", node: pair.key, hint: hint)
                continue
            }
            if result[key] != nil {
                error("agent-duplicate-key", "\(context) key '\(key)' is given more than once", node: pair.key)
                continue
            }
            result[key] = pair
        }
        return result
    }
}
