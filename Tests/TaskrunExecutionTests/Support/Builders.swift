import Logging
import TaskrunCore
import TaskrunExecution
import TaskrunTestSupport

/// Small builders for task definitions written in code.
func makeTask(
    requirements: [Requirement] = [], retry: RetryPolicy? = nil, maxExecutionTime: TaskDuration? = nil,
    maxConcurrentPhases: Int? = nil, reviewer: String? = nil, _ phases: [Phase]
) -> TaskDefinition {
    makeTask(
        "test-task", requirements: requirements, retry: retry, maxExecutionTime: maxExecutionTime,
        maxConcurrentPhases: maxConcurrentPhases, reviewer: reviewer, phases)
}

func makeTask(
    _ id: String, requirements: [Requirement] = [], retry: RetryPolicy? = nil,
    maxExecutionTime: TaskDuration? = nil, maxConcurrentPhases: Int? = nil, reviewer: String? = nil,
    _ phases: [Phase]
) -> TaskDefinition {
    TaskDefinition(
        id: id,
        metadata: TaskMetadata(
            name: "Test \(id)", maxExecutionTime: maxExecutionTime, retry: retry,
            maxConcurrentPhases: maxConcurrentPhases, reviewer: reviewer),
        requirements: requirements, phases: phases)
}

func makePhase(
    _ name: String, dependsOn: [String] = [], description: String = "", parallel: Bool? = nil,
    timeout: TaskDuration? = nil, retry: RetryPolicy? = nil, condition: String? = nil, continueOnFailure: Bool = false,
    reviewer: String? = nil, agents: [String] = [], outputs: [String] = [], _ steps: [Step] = []
) -> Phase {
    Phase(
        name: name, description: description, dependencies: dependsOn.map { PhaseDependency(name: $0) },
        parallel: parallel, timeout: timeout, retry: retry, condition: condition, continueOnFailure: continueOnFailure,
        reviewer: reviewer, steps: steps, agents: agents, outputs: outputs)
}

func agentStep(_ id: String, _ prompt: String = "go", _ parameters: [String: JSONValue] = [:]) -> Step {
    Step(kind: .agent(id: id), text: prompt, parameters: parameters)
}

func customStep(_ type: String, _ text: String = "", _ parameters: [String: JSONValue] = [:]) -> Step {
    Step(kind: .custom(type: type), text: text, parameters: parameters)
}

func aggregateStep(_ kind: String, _ note: String = "") -> Step {
    Step(kind: .aggregate(kind: kind), text: note)
}

func validationStep(_ criterion: String) -> Step {
    Step(kind: .validation, text: criterion)
}

func descriptionStep(_ text: String) -> Step {
    Step(kind: .description, text: text)
}

/// An executor on a manual clock with a scripted agent manager.
func makeExecutor(
    agents: any AgentManager = ScriptedAgentManager(), clock: ManualClock = ManualClock(),
    history: any HistoryStore = InMemoryHistoryStore(), maxConcurrentPhases: Int = 4,
    random: @escaping @Sendable () -> Double = { 0 }, eventBufferSize: Int = 100_000
) -> TaskExecutor {
    TaskExecutor(
        configuration: .init(
            maxConcurrentPhases: maxConcurrentPhases, clock: clock, eventBufferSize: eventBufferSize, random: random),
        agents: agents, history: history, logger: quietLogger)
}

/// Tests check results and events, not log lines.
let quietLogger = Logger(label: "taskrun.tests", factory: { _ in SwiftLogNoOpLogHandler() })

extension AgentResponse {
    static func vote(_ position: Position, _ confidence: Double, _ text: String = "") -> AgentResponse {
        AgentResponse(text: text.isEmpty ? "\(position)" : text, position: position, confidence: confidence)
    }
}
