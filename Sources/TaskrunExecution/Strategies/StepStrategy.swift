import TaskrunCore

/// Runs one kind of step. Built-in step types are strategies registered under their type name,
/// exactly like a user's, and any of them can be replaced with
/// ``TaskExecutor/registerStepStrategy(_:_:)``.
///
/// A strategy is a value or an object shared by every execution of the executor, so it may keep
/// state (counters, connections, caches) as long as it is `Sendable`.
public protocol StepStrategy: Sendable {
    /// Whether the step may run at the same time as its neighbours in a parallel phase.
    /// `barrier` by default.
    var scheduling: StepScheduling { get }

    /// Problems with `step` that are known before anything runs (a missing parameter, an unknown
    /// kind). Called once per step before the execution starts; any problem stops the execution
    /// from starting. No problems by default.
    func preflight(_ step: Step, in phase: Phase, task: TaskDefinition) -> [PreflightProblem]

    /// Does the step's work. Return what lands in the phase's results; throw to fail the step.
    /// The task is cancelled on abort and on timeouts: stop promptly when it is.
    func run(_ step: Step, in phase: Phase, context: StepContext) async throws -> StepOutput
}

extension StepStrategy {
    public var scheduling: StepScheduling { .barrier }

    public func preflight(_ step: Step, in phase: Phase, task: TaskDefinition) -> [PreflightProblem] { [] }
}

/// How a step is scheduled among the steps of its phase.
public enum StepScheduling: Sendable, Hashable {
    /// Runs after every step before it has finished, and before any step after it starts.
    case barrier
    /// In a parallel phase, runs at the same time as the neighbouring concurrent steps (agent
    /// queries, descriptions). In a sequential phase (`parallel: false`) every step is a barrier.
    case concurrent
}

/// What a step produced.
public struct StepOutput: Sendable, Hashable {
    /// The step's result value, kept in the step's results and visible to later steps as `steps`.
    public var value: JSONValue {
        get { storedValue.json ?? .null }
        set { storedValue = .plain(newValue) }
    }
    /// ``value`` as the executor keeps it: the built-in agent step's reply rather than its view
    /// (see ``ResultValue``).
    var storedValue: ResultValue
    /// Phase outputs the step sets explicitly (a `classify` step's label).
    public var outputs: [String: JSONValue]
    /// `completed`, or `unverified` for a check that could not be made.
    public var status: Status
    /// Warnings for the execution result (`validation could not be verified: ...`).
    public var warnings: [String]

    /// How a step that did not throw ended.
    public enum Status: Sendable, Hashable {
        case completed, unverified
    }

    public init(
        _ value: JSONValue = .null, outputs: [String: JSONValue] = [:], status: Status = .completed,
        warnings: [String] = []
    ) {
        self.storedValue = .plain(value)
        self.outputs = outputs
        self.status = status
        self.warnings = warnings
    }

    /// The built-in agent step's output: `reply`'s view, made when something reads it. `reply` is
    /// the one the phase recorded among its responses: the step keeps the same box.
    init(reply: AgentReply) {
        storedValue = .reply(reply)
        outputs = [:]
        status = .completed
        warnings = []
    }
}

/// A step strategy made from a closure: what ``TaskExecutor/registerStepStrategy(_:scheduling:_:)`` builds.
public struct ClosureStepStrategy: StepStrategy {
    public typealias Body = @Sendable (Step, Phase, StepContext) async throws -> JSONValue

    public let scheduling: StepScheduling
    private let body: Body

    public init(scheduling: StepScheduling = .barrier, _ body: @escaping Body) {
        self.scheduling = scheduling
        self.body = body
    }

    public func run(_ step: Step, in phase: Phase, context: StepContext) async throws -> StepOutput {
        StepOutput(try await body(step, phase, context))
    }
}

/// A step failed for a reason its strategy states.
public struct StepFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// Whether trying again could help. Template errors and failed validations cannot.
    public var isRetryable: Bool

    public init(_ message: String, isRetryable: Bool = true) {
        self.message = message
        self.isRetryable = isRetryable
    }

    public var description: String { message }
}
