import TaskrunCore
import TaskrunExecution

/// Turns a query into chat messages for language models: the persona and the answer format as the
/// system message, the prompt and what the agent may see as the user message.
public enum AgentPromptRenderer {
    /// The longest stretch of an earlier answer quoted to the next agent, in characters.
    public static let quoteLimit = 1200

    /// The system message: the persona, then how to answer.
    public static func systemMessage(agent: AgentDefinition, format: AgentRequest.ResponseFormat) -> String {
        var text = agent.persona
        if !agent.capabilities.isEmpty {
            text += "\n\nYour capabilities: " + agent.capabilities.joined(separator: ", ") + "."
        }
        text += "\n\n" + formatInstructions(format)
        return text
    }

    /// How the answer should look, as told to the model.
    public static func formatInstructions(_ format: AgentRequest.ResponseFormat) -> String {
        let common =
            "Answer with a single JSON object and nothing else, with these keys: "
            + "\"text\" (your answer in plain prose), \"position\" (\"bullish\", \"bearish\" or \"neutral\"), "
            + "\"confidence\" (a number from 0 to 100), \"keyPoints\" (a list of short strings), "
            + "\"risks\" (a list of short strings) and \"data\" (an object with any figures you computed)."
        switch format {
        case .text, .structured:
            return common
        case .judgement:
            return common
                + " You are judging whether a criterion holds: start \"text\" with PASS or FAIL, and put "
                + "\"passed\": true or false in \"data\"."
        }
    }

    /// The user message: the prompt, the input, and the earlier answers the agent may see.
    public static func userMessage(_ request: AgentRequest) -> String {
        var text = request.prompt
        let input = request.context.input
        if !input.isEmpty {
            text +=
                "\n\nInput:\n" + input.keys.sorted().map { "- \($0): \(describe(input[$0]))" }.joined(separator: "\n")
        }
        var earlier: [String] = []
        for phase in request.context.earlierPhases where !phase.responses.isEmpty {
            earlier += phase.responses.map { quote($0, phase: phase.name) }
        }
        earlier += request.context.phaseResponses.map { quote($0, phase: request.phase) }
        if !earlier.isEmpty {
            text += "\n\nEarlier answers in this meeting, oldest first:\n" + earlier.joined(separator: "\n")
        }
        return text
    }

    static func quote(_ reply: AgentReply, phase: String) -> String {
        var head = "- \(reply.agent) (\(phase)"
        if let position = reply.response.position { head += ", \(position.rawValue)" }
        if let confidence = reply.response.confidence { head += ", confidence \(Int(confidence.rounded()))" }
        head += "): "
        let body = reply.response.text.replacingNewlines()
        return head + (body.count > quoteLimit ? String(body.prefix(quoteLimit)) + "..." : body)
    }

    static func describe(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: text
        case let value?: value.compactJSONText
        case nil: "null"
        }
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
