import Foundation
import TaskrunCore
import TaskrunTestSupport
import Testing

@testable import TaskrunExecution

/// `AgentReply` keeps its fields in a shared copy-on-write box, and a phase's one answer is kept
/// once: its `responses`, its agent step's value and its result hold the same box. The reply must
/// still behave as the plain value it was: a copy never sees another's writes, and it compares,
/// hashes and encodes as the memberwise struct.
@Suite(.timeLimit(.minutes(1)))
struct AgentReplyBoxTests {
    private static let response = AgentResponse(
        text: "buy", position: .bullish, confidence: 80, keyPoints: ["growth"], risks: ["rates"],
        data: ["target": 120], latency: .milliseconds(7), usage: .init(prompt: 1, completion: 2, total: 3))

    private static func reply() -> AgentReply {
        AgentReply(agent: "a", step: 2, attempt: 1, response: response)
    }

    /// The memberwise struct `AgentReply` was, with the synthesized `Codable`: what it must encode as.
    private struct MemberwiseReply: Codable {
        var agent: String
        var step: Int
        var attempt: Int
        var response: AgentResponse
    }

    @Test func aCopyNeverSeesTheOthersWrites() {
        let original = Self.reply()
        var copy = original
        copy.agent = "b"
        copy.step = 3
        copy.attempt = 2
        copy.response.text = "sell"
        copy.response.latency = nil
        copy.response.keyPoints.append("more")
        #expect(original == Self.reply())
        #expect(original.agent == "a" && original.step == 2 && original.attempt == 1)
        #expect(original.response == Self.response)
        #expect(copy.agent == "b" && copy.step == 3 && copy.attempt == 2)
        #expect(copy.response.text == "sell" && copy.response.latency == nil)
        #expect(copy.response.keyPoints == ["growth", "more"])
        #expect(!copy.isIdentical(to: original))
    }

    @Test func aWriteToAReplyInsideACopiedArrayLeavesTheOriginalArray() {
        let original = [Self.reply()]
        var copy = original
        copy[0].response.latency = .milliseconds(9)
        #expect(original[0].response.latency == .milliseconds(7))
        #expect(copy[0].response.latency == .milliseconds(9))
    }

    @Test func theMeasuredLatencyFillsOnlyAMissingOneAndOnlyThisCopy() {
        var measured = AgentReply(agent: "a", step: 0, attempt: 1, response: AgentResponse(text: "t"))
        let shared = measured
        #expect(measured.fillLatency(.milliseconds(3)) == .milliseconds(3))
        #expect(measured.response.latency == .milliseconds(3))
        #expect(shared.response.latency == nil)
        var given = Self.reply()
        #expect(given.fillLatency(.milliseconds(3)) == .milliseconds(7))
        #expect(given == Self.reply())
    }

    @Test func repliesBuiltApartCompareAndHashByContent() {
        let one = Self.reply()
        let other = Self.reply()
        #expect(!one.isIdentical(to: other))
        #expect(one == other)
        #expect(one.hashValue == other.hashValue)
        #expect(Set([one, other]).count == 1)
        for change in [
            { (reply: inout AgentReply) in reply.agent = "b" },
            { $0.step = 0 },
            { $0.attempt = 2 },
            { $0.response.text = "" },
            { $0.response.confidence = nil },
            { $0.response.latency = nil },
        ] {
            var changed = Self.reply()
            change(&changed)
            #expect(changed != Self.reply())
        }
    }

    @Test func theEncodingIsTheMemberwiseOne() throws {
        let memberwise = MemberwiseReply(agent: "a", step: 2, attempt: 1, response: Self.response)
        // Sorted: this encoder's unsorted key order follows its dictionaries' hashing, not the code.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(Self.reply()) == encoder.encode(memberwise))
        #expect(try encoder.encode([Self.reply()]) == encoder.encode([memberwise]))
        let decoded = try JSONDecoder().decode(AgentReply.self, from: JSONEncoder().encode(memberwise))
        #expect(decoded == Self.reply())
        let back = try JSONDecoder().decode(MemberwiseReply.self, from: JSONEncoder().encode(Self.reply()))
        #expect(back.agent == "a" && back.step == 2 && back.attempt == 1 && back.response == Self.response)
    }

    @Test func aPhasesOneAnswerIsKeptOnceByItsResponsesItsStepAndItsResult() async throws {
        let executor = makeExecutor(agents: ScriptedAgentManager(fallback: { _ in Self.response }))
        let result = try await executor.execute(makeTask([makePhase("P", [agentStep("a")])]))
        let phase = try #require(result[phase: "P"])
        let reply = try #require(phase.responses.first)
        guard case .reply(let stepValue) = phase.steps.first?.storedValue,
            case .reply(let phaseResult) = phase.storedResult
        else {
            Issue.record("the agent step's value and the phase's result are its reply")
            return
        }
        #expect(stepValue.isIdentical(to: reply))
        #expect(phaseResult.isIdentical(to: reply))
        #expect(phase.steps[0].value == reply.view)
        #expect(phase.result == reply.view)
    }

    @Test func theSharedReplyIsTheRecordedOneWithItsAttemptAndMeasuredLatency() async throws {
        let agents = ScriptedAgentManager()
        agents.script("a", [.failure("once"), .text("second")])
        let executor = makeExecutor(agents: agents)
        let task = makeTask(retry: RetryPolicy(maxAttempts: 2, backoffMs: 0), [makePhase("P", [agentStep("a")])])
        let result = try await executor.execute(task)
        let phase = try #require(result[phase: "P"])
        #expect(phase.responses.count == 1)
        let reply = try #require(phase.responses.first)
        #expect(reply.attempt == 2)
        #expect(reply.response.text == "second")
        // The manager left the latency out: the executor measured it before the reply was shared.
        #expect(reply.response.latency != nil)
        guard case .reply(let stepValue) = phase.steps.first?.storedValue else {
            Issue.record("the agent step's value is its reply")
            return
        }
        #expect(stepValue.isIdentical(to: reply))
        #expect(phase.steps[0].value?["text"] == "second")
        #expect(phase.steps[0].value?["latencyMs"] == reply.view["latencyMs"])
    }

    @Test func aPhaseOfSeveralAnswersKeepsEachStepsReplyOnce() async throws {
        let executor = makeExecutor()
        let result = try await executor.execute(makeTask([makePhase("P", [agentStep("a"), agentStep("b")])]))
        let phase = try #require(result[phase: "P"])
        #expect(phase.responses.map(\.agent) == ["a", "b"])
        for (index, reply) in phase.responses.enumerated() {
            guard case .reply(let stepValue) = phase.steps[index].storedValue else {
                Issue.record("step \(index)'s value is its reply")
                continue
            }
            #expect(stepValue.isIdentical(to: reply))
        }
        #expect(phase.result == .array(phase.responses.map(\.view)))
    }
}

/// A phase keeps its one answer without an array (`Replies`): `responses` must read, write, compare,
/// hash and encode as the array it was, whatever the number of answers.
@Suite
struct PhaseRepliesTests {
    private static func reply(_ step: Int, _ text: String = "t") -> AgentReply {
        AgentReply(agent: "a\(step)", step: step, attempt: 1, response: AgentResponse(text: text))
    }

    @Test func oneAnswerReadsAndWritesAsAnArrayOfOne() {
        var phase = PhaseResult(name: "P", responses: [Self.reply(0)])
        #expect(phase.responses == [Self.reply(0)])
        #expect(phase.storedResponses.only == Self.reply(0))
        let copy = phase
        phase.responses.append(Self.reply(1))
        phase.responses[0].response.text = "changed"
        #expect(phase.responses.map(\.step) == [0, 1])
        #expect(phase.responses[0].response.text == "changed")
        #expect(phase.storedResponses.only == nil)
        #expect(copy.responses == [Self.reply(0)])
        phase.responses.removeLast()
        #expect(phase.storedResponses.only?.response.text == "changed")
        phase.responses = []
        #expect(phase.responses.isEmpty && phase.storedResponses.isEmpty)
    }

    @Test func recordingKeepsTheAnswersInStepOrder() {
        var phase = PhaseResult(name: "P")
        phase.record(Self.reply(2))
        #expect(phase.responses == [Self.reply(2)])
        let before = phase
        phase.record(Self.reply(0))
        phase.record(Self.reply(3))
        phase.record(Self.reply(2, "again"))
        #expect(phase.responses.map(\.step) == [0, 2, 2, 3])
        #expect(phase.responses[2].response.text == "again")
        #expect(before.responses == [Self.reply(2)])
        #expect(Array(phase.storedResponses) == phase.responses)
    }

    @Test func phasesBuiltApartCompareHashAndEncodeAlike() throws {
        var recorded = PhaseResult(name: "P")
        recorded.record(Self.reply(0))
        var appended = PhaseResult(name: "P")
        appended.responses.append(Self.reply(0))
        let built = PhaseResult(name: "P", responses: [Self.reply(0)])
        #expect(recorded == built && appended == built)
        #expect(recorded.hashValue == built.hashValue && appended.hashValue == built.hashValue)
        #expect(recorded != PhaseResult(name: "P", responses: [Self.reply(0), Self.reply(1)]))
        #expect(recorded != PhaseResult(name: "P", responses: [Self.reply(1)]))
        #expect(recorded != PhaseResult(name: "P", errors: ["e"]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let object = try #require(
            try JSONSerialization.jsonObject(with: encoder.encode(recorded)) as? [String: Any])
        let responses = try #require(object["responses"] as? [[String: Any]])
        #expect(responses.count == 1 && responses.first?["agent"] as? String == "a0")
        #expect(try JSONDecoder().decode(PhaseResult.self, from: encoder.encode(recorded)) == built)
    }
}

/// What every finished phase keeps inline: a guard against a stored field or an order of fields
/// that makes each copy larger (Docs/performance.md, W1: the bytes a finished phase keeps).
@Suite
struct ResultLayoutTests {
    @Test func resultsAreAsSmallAsTheirFieldsAllow() {
        #expect(MemoryLayout<AgentReply>.stride == MemoryLayout<Int>.stride)
        #expect(MemoryLayout<StepResult>.stride <= 56)
        #expect(MemoryLayout<PhaseResult>.stride <= 64)
        #expect(MemoryLayout<Replies>.size <= MemoryLayout<Int>.size + 1)
    }
}
