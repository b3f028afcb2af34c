import TaskrunCore
import TaskrunExecution

/// The JSON a `command` agent reads on stdin (documented in `Docs/agents.md`).
struct CommandQuery: Encodable {
    struct Agent: Encodable {
        var id: String
        var name: String
        var title: String?
        var role: String
        var persona: String
        var capabilities: [String]
        var model: AgentModelSettings
    }

    struct Phase: Encodable {
        var name: String
        var status: String
        var outputs: [String: JSONValue]
        var responses: [AgentReply]
    }

    struct Context: Encodable {
        var input: [String: JSONValue]
        var phaseResponses: [AgentReply]
        var earlierPhases: [Phase]
    }

    struct Execution: Encodable {
        var id: String
        var taskID: String
        var taskName: String
        var phase: String
        var step: Int
        var attempt: Int
    }

    var agent: Agent
    var prompt: String
    var system: String
    var responseFormat: String
    var purpose: String
    var context: Context
    var execution: Execution

    init(request: AgentRequest, agent: AgentDefinition) {
        self.agent = Agent(
            id: agent.id, name: agent.name, title: agent.title, role: agent.role, persona: agent.persona,
            capabilities: agent.capabilities, model: agent.model)
        prompt = request.prompt
        system = AgentPromptRenderer.systemMessage(agent: agent, format: request.responseFormat)
        responseFormat = request.responseFormat.rawValue
        purpose = request.purpose.rawValue
        context = Context(
            input: request.context.input, phaseResponses: request.context.phaseResponses,
            earlierPhases: request.context.earlierPhases.map {
                Phase(name: $0.name, status: $0.status.rawValue, outputs: $0.outputs, responses: $0.responses)
            })
        execution = Execution(
            id: request.executionID.description, taskID: request.taskID, taskName: request.taskName,
            phase: request.phase, step: request.step, attempt: request.attempt)
    }
}
