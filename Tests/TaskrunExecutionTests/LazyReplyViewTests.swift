import Foundation
import TaskrunCore
import TaskrunTestSupport
import Testing

@testable import TaskrunExecution

/// An agent step's value and its phase's result are kept as the reply and viewed when read
/// (Docs/execution.md, "Performance"): whatever reads them must see the view they were before.
@Suite(.timeLimit(.minutes(1)))
struct LazyReplyViewTests {
    private static let response = AgentResponse(
        text: "buy", position: .bullish, confidence: 80, keyPoints: ["growth"], risks: [],
        data: ["target": 120, "note": .null], latency: .milliseconds(7))

    @Test func anAgentStepsValueResultAndOutputsAreItsReplysView() async throws {
        let agents = ScriptedAgentManager(fallback: { _ in Self.response })
        let executor = makeExecutor(agents: agents)
        let task = makeTask([
            makePhase("P", outputs: ["confidence", "target", "note", "Summary"], [agentStep("a", "go")]),
            makePhase("Q", dependsOn: ["P"], [agentStep("b", "{{phases.P.result.text}} {{phases.P.result.agent}}")]),
        ])
        let result = try await executor.execute(task)
        #expect(result.status == .completed)
        let phase = try #require(result[phase: "P"])
        let reply = try #require(phase.responses.first)
        let view: JSONValue = [
            "agent": "a", "step": 0, "text": "buy", "position": "bullish", "confidence": 80,
            "keyPoints": ["growth"], "risks": [], "data": ["target": 120, "note": .null], "latencyMs": 7,
        ]
        #expect(reply.view == view)
        #expect(phase.steps.first?.value == view)
        #expect(phase.result == view)
        #expect(phase.outputs == ["confidence": 80, "target": 120, "note": view, "Summary": view])
        #expect(agents.requests.last?.prompt == "buy a")
        for key in ["agent", "step", "text", "position", "confidence", "keyPoints", "risks", "data", "latencyMs", "x"] {
            #expect(reply.viewMember(key) == view[key])
        }
    }

    @Test func aResultKeptAsAReplyEncodesAndComparesAsItsView() async throws {
        let executor = makeExecutor(agents: ScriptedAgentManager(fallback: { _ in Self.response }))
        let result = try await executor.execute(makeTask([makePhase("P", [agentStep("a")])]))
        let phase = try #require(result[phase: "P"])
        guard case .reply = phase.storedResult, case .reply = phase.steps.first?.storedValue else {
            Issue.record("the agent step's reply is kept as a view")
            return
        }
        var plain = phase
        plain.result = phase.result
        plain.steps[0].value = phase.steps[0].value
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(phase) == encoder.encode(plain))
        #expect(phase == plain)
        #expect(phase.hashValue == plain.hashValue)
        #expect(try JSONDecoder().decode(PhaseResult.self, from: encoder.encode(phase)) == phase)
    }
}
