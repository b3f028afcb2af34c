/// One `## Phase: Name` section: a unit of work that starts once its dependencies are done.
public struct Phase: Sendable, Hashable, Codable {
    public var name: String
    /// The prose of the phase's first paragraph, without its `key: value` settings.
    public var description: String
    /// The phases this one waits for, each with where it was named.
    public var dependencies: [PhaseDependency]
    /// Whether agent steps run at the same time (`true`) or one after another, each seeing the
    /// earlier responses (`false`). `nil` when the file does not say: agent queries then run in parallel.
    public var parallel: Bool?
    /// The longest the phase may run, all attempts together.
    public var timeout: TaskDuration?
    /// How the whole phase is retried when it fails; `nil` means it is not retried.
    public var retry: RetryPolicy?
    /// Whether the executor snapshots the execution after this phase completes.
    public var checkpoint: Bool
    /// An expression; when it is false the phase is skipped.
    public var condition: String?
    /// When true, a failure of this phase does not fail the execution.
    public var continueOnFailure: Bool
    /// The agent that judges this phase's prose validations (overrides the task's reviewer).
    public var reviewer: String?
    public var steps: [Step]
    /// The `### Agents` list.
    public var agents: [String]
    /// The `### Outputs` list.
    public var outputs: [String]
    /// Where the phase heading is.
    public var location: SourceLocation

    public init(
        name: String, description: String = "", dependencies: [PhaseDependency] = [], parallel: Bool? = nil,
        timeout: TaskDuration? = nil, retry: RetryPolicy? = nil, checkpoint: Bool = true, condition: String? = nil,
        continueOnFailure: Bool = false, reviewer: String? = nil, steps: [Step] = [], agents: [String] = [],
        outputs: [String] = [], location: SourceLocation = .start
    ) {
        self.name = name
        self.description = description
        self.dependencies = dependencies
        self.parallel = parallel
        self.timeout = timeout
        self.retry = retry
        self.checkpoint = checkpoint
        self.condition = condition
        self.continueOnFailure = continueOnFailure
        self.reviewer = reviewer
        self.steps = steps
        self.agents = agents
        self.outputs = outputs
        self.location = location
    }

    /// The names of the phases this one depends on, in the order written.
    public var dependsOn: [String] { dependencies.map(\.name) }

    /// Whether agent steps run concurrently (the default when the file does not say).
    public var runsAgentsInParallel: Bool { parallel ?? true }
}

/// A dependency of a phase on another, by name, with the position it was written at.
public struct PhaseDependency: Sendable, Hashable, Codable {
    public var name: String
    public var location: SourceLocation

    public init(name: String, location: SourceLocation = .start) {
        self.name = name
        self.location = location
    }
}
