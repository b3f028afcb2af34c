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
    /// The text of every agent file read, by the path its diagnostics use, so a renderer can show
    /// the source line under each diagnostic.
    public var sources: [String: String]

    public init(
        definitions: [AgentDefinition] = [], diagnostics: [Diagnostic] = [], brokenIDs: Set<String> = [],
        sources: [String: String] = [:]
    ) {
        self.definitions = Dictionary(definitions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.diagnostics = diagnostics
        self.brokenIDs = brokenIDs
        self.sources = sources
    }

    /// The folder of agent files inside a tasks directory.
    public static func agentsPath(inTasksDirectory tasksDirectory: String) -> String {
        (tasksDirectory as NSString).appendingPathComponent("agents")
    }

    /// Reads every `*.md` file in `directory` (not recursively). A missing directory gives an empty
    /// result; an unreadable file is an error diagnostic.
    ///
    /// - Parameter displayedAs: The directory as diagnostics should name it (a path relative to where
    ///   the user is, say), when it differs from the path read.
    public static func load(
        from directory: String, displayedAs: String? = nil, loader: AgentDefinitionLoader = AgentDefinitionLoader()
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
        var sources: [String: String] = [:]
        for name in names.sorted() where name.hasSuffix(".md") && !name.hasPrefix(".") {
            let id = String(name.dropLast(3))
            let path = ((displayedAs ?? directory) as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name))
            else {
                diagnostics.append(.error("agent-unreadable", "cannot read agent file", path: path, at: .start))
                broken.insert(id)
                continue
            }
            let source = String(decoding: data, as: UTF8.self)
            sources[path] = source
            let result = loader.load(source: source, path: path, id: id)
            diagnostics += result.diagnostics
            if let definition = result.definition {
                definitions.append(definition)
            } else {
                broken.insert(id)
            }
        }
        return AgentDirectory(definitions: definitions, diagnostics: diagnostics, brokenIDs: broken, sources: sources)
    }

    /// Reads `<tasksDirectory>/agents/*.md`.
    public static func load(
        tasksDirectory: String, displayedAs: String? = nil, loader: AgentDefinitionLoader = AgentDefinitionLoader()
    ) -> AgentDirectory {
        load(
            from: agentsPath(inTasksDirectory: tasksDirectory),
            displayedAs: displayedAs.map { agentsPath(inTasksDirectory: $0) }, loader: loader)
    }

    /// What `taskrun validate` reports about the agents of `task`: an error for each agent it uses
    /// that has no definition (see ``undefinedAgents(in:path:source:)``), and the diagnostics of the
    /// agent files it uses (unknown keys are warnings, bad values errors). `source`, the task file's
    /// text, places each error on the agent's id.
    public func diagnostics(forAgentsOf task: TaskDefinition, path: String, source: String? = nil) -> [Diagnostic] {
        var used = Set(task.agentIDs)
        if let reviewer = task.metadata.reviewer { used.insert(reviewer) }
        for phase in task.phases { if let reviewer = phase.reviewer { used.insert(reviewer) } }
        let files = Set(used.compactMap { id in definitions[id]?.sourcePath ?? sourcePath(ofBroken: id) })
        return undefinedAgents(in: task, path: path, source: source) + diagnostics.filter { files.contains($0.path) }
    }

    private func sourcePath(ofBroken id: String) -> String? {
        guard brokenIDs.contains(id) else { return nil }
        return sources.keys.first { ($0 as NSString).lastPathComponent == "\(id).md" }
    }

    public subscript(id: String) -> AgentDefinition? { definitions[id] }

    /// The definitions sorted by id.
    public var sorted: [AgentDefinition] { definitions.values.sorted { $0.id < $1.id } }

    /// Errors for every agent `task` uses (`### Agents` lists, agent steps, reviewers) that has no
    /// definition, each at the first place the task names it, with a did-you-mean hint.
    ///
    /// An agent whose file exists but failed to load is not reported again here: its own file's
    /// diagnostics say why. With `source` (the task file's text), an agent step's error underlines
    /// the id however much space follows `agent:`; without it, the id is taken to follow `agent: `.
    public func undefinedAgents(in task: TaskDefinition, path: String, source: String? = nil) -> [Diagnostic] {
        // Split only when an agent step's id is to be placed: most tasks have no undefined agent.
        var lines: DiagnosticRenderer.SourceLines??
        func stepLines() -> DiagnosticRenderer.SourceLines? {
            if let lines { return lines }
            let split = source.map(DiagnosticRenderer.SourceLines.init)
            lines = .some(split)
            return split
        }
        var reported: Set<String> = []
        var diagnostics: [Diagnostic] = []
        func check(_ id: String, at place: @autoclosure () -> SourceLocation, length: Int) {
            guard definitions[id] == nil, !brokenIDs.contains(id), reported.insert(id).inserted else { return }
            let location = place()
            let hint = Suggestion.closest(to: id, in: definitions.keys.sorted()).map { "did you mean '\($0)'?" }
            diagnostics.append(
                .error(
                    "undefined-agent", "agent '\(id)' has no definition", path: path, at: location, length: length,
                    notes: ["agents are defined in agents/\(id).md next to the task files"], hint: hint))
        }
        if let reviewer = task.metadata.reviewer { check(reviewer, at: .start, length: 1) }
        for phase in task.phases {
            for step in phase.steps {
                if let id = step.agentID {
                    check(
                        id, at: Self.idLocation(of: step, lines: stepLines()), length: max(1, id.unicodeScalars.count))
                }
            }
            for id in phase.agents { check(id, at: phase.location, length: 1) }
            if let reviewer = phase.reviewer { check(reviewer, at: phase.location, length: 1) }
        }
        return diagnostics
    }

    /// Where an agent step's id starts: after `agent:` (where the step's location points) and the
    /// spaces or tabs that follow it on the step's line.
    private static func idLocation(of step: Step, lines: DiagnosticRenderer.SourceLines?) -> SourceLocation {
        var location = step.location
        let marker = "agent:".unicodeScalars.count
        guard let line = lines?[location.line] else {
            location.column += marker + 1
            return location
        }
        let scalars = Array(line.unicodeScalars)
        var offset = location.column - 1 + marker
        guard offset >= marker, offset <= scalars.count,
            String(String.UnicodeScalarView(scalars[(offset - marker)..<offset])) == "agent:"
        else {
            location.column += marker + 1
            return location
        }
        while offset < scalars.count, scalars[offset] == " " || scalars[offset] == "\t" { offset += 1 }
        location.column = offset + 1
        return location
    }
}
