import Foundation
import TaskrunCore

/// The agent definitions of a tasks directory (`tasks/agents/*.md`), with the problems found reading them.
public struct AgentDirectory: Sendable {
    /// The definitions that loaded, by id.
    public var definitions: [String: AgentDefinition]
    /// Every problem found in the agent files, sorted by file and position.
    public var diagnostics: [Diagnostic]
    /// The ids of agent files that exist but did not load because of errors.
    public var brokenIDs: Set<String>

    public init(definitions: [AgentDefinition] = [], diagnostics: [Diagnostic] = [], brokenIDs: Set<String> = []) {
        self.definitions = Dictionary(definitions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.diagnostics = diagnostics
        self.brokenIDs = brokenIDs
    }

    /// The folder of agent files inside a tasks directory.
    public static func agentsPath(inTasksDirectory tasksDirectory: String) -> String {
        (tasksDirectory as NSString).appendingPathComponent("agents")
    }

    /// Reads every `*.md` file in `directory` (not recursively). A missing directory gives an empty
    /// result; an unreadable file is an error diagnostic.
    public static func load(
        from directory: String, loader: AgentDefinitionLoader = AgentDefinitionLoader()
    ) -> AgentDirectory {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            return AgentDirectory()
        }
        var definitions: [AgentDefinition] = []
        var diagnostics: [Diagnostic] = []
        var broken: Set<String> = []
        for name in names.sorted() where name.hasSuffix(".md") {
            let id = String(name.dropLast(3))
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                diagnostics.append(.error("agent-unreadable", "cannot read agent file", path: path, at: .start))
                broken.insert(id)
                continue
            }
            let result = loader.load(source: String(decoding: data, as: UTF8.self), path: path, id: id)
            diagnostics += result.diagnostics
            if let definition = result.definition {
                definitions.append(definition)
            } else {
                broken.insert(id)
            }
        }
        return AgentDirectory(definitions: definitions, diagnostics: diagnostics, brokenIDs: broken)
    }

    /// Reads `<tasksDirectory>/agents/*.md`.
    public static func load(
        tasksDirectory: String, loader: AgentDefinitionLoader = AgentDefinitionLoader()
    ) -> AgentDirectory {
        load(from: agentsPath(inTasksDirectory: tasksDirectory), loader: loader)
    }

    public subscript(id: String) -> AgentDefinition? { definitions[id] }

    /// The definitions sorted by id.
    public var sorted: [AgentDefinition] { definitions.values.sorted { $0.id < $1.id } }

    /// Errors for every agent `task` uses (`### Agents` lists, agent steps, reviewers) that has no
    /// definition, each at the first place the task names it, with a did-you-mean hint.
    ///
    /// An agent whose file exists but failed to load is not reported again here: its own file's
    /// diagnostics say why.
    public func undefinedAgents(in task: TaskDefinition, path: String) -> [Diagnostic] {
        var reported: Set<String> = []
        var diagnostics: [Diagnostic] = []
        func check(_ id: String, at location: SourceLocation, length: Int) {
            guard definitions[id] == nil, !brokenIDs.contains(id), reported.insert(id).inserted else { return }
            let hint = Suggestion.closest(to: id, in: definitions.keys.sorted()).map { "did you mean '\($0)'?" }
            diagnostics.append(
                .error(
                    "undefined-agent", "agent '\(id)' has no definition", path: path, at: location, length: length,
                    notes: ["agents are defined in agents/\(id).md next to the task files"], hint: hint))
        }
        if let reviewer = task.metadata.reviewer { check(reviewer, at: .start, length: 1) }
        for phase in task.phases {
            for step in phase.steps {
                if let id = step.agentID { check(id, at: step.location, length: max(1, id.count)) }
            }
            for id in phase.agents { check(id, at: phase.location, length: 1) }
            if let reviewer = phase.reviewer { check(reviewer, at: phase.location, length: 1) }
        }
        return diagnostics
    }
}
