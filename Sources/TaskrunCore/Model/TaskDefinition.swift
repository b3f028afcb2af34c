/// A parsed task file: everything `taskrun` knows about a workflow before running it.
public struct TaskDefinition: Sendable, Hashable, Codable {
    /// The task's id: its file name without `.md` (`investment-committee`).
    public var id: String
    /// The text of the level-1 heading, if the file has one.
    public var title: String?
    /// The prose between the title and the config block or first phase.
    public var summary: String?
    public var metadata: TaskMetadata
    /// The declared inputs, in file order.
    public var requirements: [Requirement]
    /// The phases, in file order.
    public var phases: [Phase]
    /// Other level-2 sections (`## Expected Outputs`, `## Time Allocation`, ...), kept as documentation.
    public var sections: [DocumentationSection]
    /// The file this definition was read from, when it came from a file.
    public var sourcePath: String?

    public init(
        id: String, title: String? = nil, summary: String? = nil, metadata: TaskMetadata,
        requirements: [Requirement] = [], phases: [Phase] = [], sections: [DocumentationSection] = [],
        sourcePath: String? = nil
    ) {
        self.id = id
        self.title = title
        self.summary = summary
        self.metadata = metadata
        self.requirements = requirements
        self.phases = phases
        self.sections = sections
        self.sourcePath = sourcePath
    }

    /// The phase with this exact name.
    public func phase(named name: String) -> Phase? {
        phases.first { $0.name == name }
    }

    /// Every agent id the task mentions, in first-mention order (`### Agents` lists and agent steps).
    public var agentIDs: [String] {
        var seen = Set<String>()
        var ids: [String] = []
        for phase in phases {
            for id in phase.agents + phase.steps.compactMap(\.agentID) where seen.insert(id).inserted {
                ids.append(id)
            }
        }
        return ids
    }
}

/// A level-2 section of a task file that is not a phase: kept so tools can show it.
public struct DocumentationSection: Sendable, Hashable, Codable {
    /// The heading text (`Expected Outputs`).
    public var title: String
    /// The section's body as markdown source.
    public var content: String
    public var location: SourceLocation

    public init(title: String, content: String, location: SourceLocation) {
        self.title = title
        self.content = content
        self.location = location
    }
}
