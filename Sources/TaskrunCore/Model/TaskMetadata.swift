/// The task-wide settings from the YAML config block (or front matter) of a task file.
public struct TaskMetadata: Sendable, Hashable, Codable {
    public var name: String
    public var description: String?
    public var version: String?
    /// The longest an execution of the task may take before it ends with status `timeout`.
    public var maxExecutionTime: TaskDuration?
    /// The retry policy for agent queries. Phases are retried only per their own `retry` setting.
    public var retry: RetryPolicy?
    /// How many phases may run at the same time; `nil` leaves it to the caller's configuration.
    public var maxConcurrentPhases: Int?
    /// The agent that judges prose `validation:` steps, when the task names one.
    public var reviewer: String?

    public init(
        name: String, description: String? = nil, version: String? = nil, maxExecutionTime: TaskDuration? = nil,
        retry: RetryPolicy? = nil, maxConcurrentPhases: Int? = nil, reviewer: String? = nil
    ) {
        self.name = name
        self.description = description
        self.version = version
        self.maxExecutionTime = maxExecutionTime
        self.retry = retry
        self.maxConcurrentPhases = maxConcurrentPhases
        self.reviewer = reviewer
    }
}
