import TaskrunCore

/// One question to one agent, with everything the agent may see.
public struct AgentRequest: Sendable {
    /// What shape of answer the step would like. A hint: backends that cannot honour it answer in text.
    public enum ResponseFormat: String, Sendable, Hashable, Codable {
        /// Free text.
        case text
        /// `position` (bullish, bearish, neutral), `confidence` (0-100), `keyPoints`, `risks`.
        case structured
        /// A pass/fail judgement of a criterion: `data.passed` (a boolean) or a first word of
        /// PASS/FAIL (yes/no, true/false) in the text.
        case judgement
    }

    /// Why the executor asks.
    public enum Purpose: String, Sendable, Hashable, Codable {
        /// An `agent:` step, or a listed agent queried with the phase description.
        case step
        /// A reviewer judging a prose `validation:` step.
        case review
        /// A custom step strategy's own query.
        case custom
    }

    public var agentID: String
    /// The prompt after template rendering.
    public var prompt: String
    public var context: AgentContext
    public var responseFormat: ResponseFormat
    public var purpose: Purpose
    public var executionID: ExecutionID
    public var taskID: String
    public var taskName: String
    public var phase: String
    /// The step's index in the phase's effective step list.
    public var step: Int
    /// 1 for the first try, then one more per retry.
    public var attempt: Int

    public init(
        agentID: String, prompt: String, context: AgentContext, responseFormat: ResponseFormat = .text,
        purpose: Purpose = .step, executionID: ExecutionID, taskID: String, taskName: String, phase: String,
        step: Int, attempt: Int = 1
    ) {
        self.agentID = agentID
        self.prompt = prompt
        self.context = context
        self.responseFormat = responseFormat
        self.purpose = purpose
        self.executionID = executionID
        self.taskID = taskID
        self.taskName = taskName
        self.phase = phase
        self.step = step
        self.attempt = attempt
    }
}

/// What an agent may see besides its prompt.
public struct AgentContext: Sendable, Hashable {
    /// The execution's input, defaults applied.
    public var input: [String: JSONValue]
    /// Earlier answers in this phase: in a sequential phase, every agent before this one; in a
    /// parallel phase, the answers of steps before the current group of concurrent steps.
    public var phaseResponses: [AgentReply]
    /// The phases this one depends on, directly or not, in file order, as they ended.
    public var earlierPhases: [PhaseResult]

    public init(input: [String: JSONValue], phaseResponses: [AgentReply] = [], earlierPhases: [PhaseResult] = []) {
        self.input = input
        self.phaseResponses = phaseResponses
        self.earlierPhases = earlierPhases
    }
}
