import Foundation
import Testing

@testable import TaskrunExecution

/// `PhaseResult` and `StepResult` keep their reference fields in a shared copy-on-write box: they
/// must still behave as plain values (a copy never sees another's writes) and compare, hash and
/// encode as the memberwise structs they were.
@Suite
struct ResultValueSemanticsTests {
    private static let reply = AgentReply(
        agent: "a", step: 0, attempt: 1, response: AgentResponse(text: "ok", keyPoints: ["k"]))

    private static func step() -> StepResult {
        StepResult(
            index: 0, type: "agent", agent: "a", status: .completed, value: ["x": 1], outputs: ["o": "v"],
            error: nil, warnings: ["w"], attempts: 1, startedAt: Date(timeIntervalSince1970: 1),
            finishedAt: Date(timeIntervalSince1970: 2))
    }

    private static func phase() -> PhaseResult {
        PhaseResult(
            name: "P", status: .completed, attempts: 1, startedAt: Date(timeIntervalSince1970: 1),
            finishedAt: Date(timeIntervalSince1970: 3), steps: [step()], responses: [reply], outputs: ["o": "v"],
            errors: ["e"], result: "r")
    }

    @Test func aCopyOfAPhaseNeverSeesTheOthersWrites() {
        let original = Self.phase()
        var copy = original
        copy.name = "Q"
        copy.steps[0].error = "boom"
        copy.steps[0].warnings.append("w2")
        copy.responses.removeAll()
        copy.outputs["o"] = "changed"
        copy.errors.append("e2")
        copy.result = "other"
        #expect(original == Self.phase())
        #expect(original.name == "P")
        #expect(original.steps[0].error == nil)
        #expect(original.steps[0].warnings == ["w"])
        #expect(original.responses == [Self.reply])
        #expect(original.outputs == ["o": "v"])
        #expect(original.errors == ["e"])
        #expect(original.result == "r")
        #expect(copy.name == "Q")
        #expect(copy.steps[0].error == "boom")
        #expect(copy.steps[0].warnings == ["w", "w2"])
        #expect(copy.responses.isEmpty)
        #expect(copy.outputs == ["o": "changed"])
        #expect(copy.errors == ["e", "e2"])
        #expect(copy.result == "other")
    }

    @Test func phasesThatHoldNothingYetAreWrittenApart() {
        // They share one empty box until written.
        var first = PhaseResult(name: "A")
        var second = PhaseResult(name: "B")
        first.errors.append("e")
        second.outputs["o"] = "v"
        second.result = "r"
        #expect(first == PhaseResult(name: "A", errors: ["e"]))
        #expect(second == PhaseResult(name: "B", outputs: ["o": "v"], result: "r"))
        #expect(PhaseResult(name: "C").isUntouched)
        #expect(PhaseResult(name: "C") == PhaseResult(name: "C"))
        #expect(PhaseResult(name: "C") != PhaseResult(name: "D"))
    }

    @Test func aCopyOfAStepNeverSeesTheOthersWrites() {
        let original = Self.step()
        var copy = original
        copy.type = "validation"
        copy.agent = nil
        copy.value = nil
        copy.outputs = [:]
        copy.error = "e"
        copy.warnings = []
        #expect(original == Self.step())
        #expect(original.type == "agent")
        #expect(original.agent == "a")
        #expect(original.value == ["x": 1])
        #expect(copy.type == "validation")
        #expect(copy.agent == nil)
        #expect(copy.value == nil)
        #expect(copy.error == "e")
    }

    @Test func valuesBuiltApartCompareAndHashByContent() {
        var other = Self.phase()
        other.errors = ["e"]  // a box of its own, with the same contents
        #expect(other == Self.phase())
        #expect(other.hashValue == Self.phase().hashValue)
        for change in [
            { (phase: inout PhaseResult) in phase.name = "Q" },
            { $0.status = .failed },
            { $0.attempts = 2 },
            { $0.finishedAt = nil },
            { $0.steps[0].status = .failed },
            { $0.steps[0].warnings = [] },
            { $0.responses = [] },
            { $0.outputs = [:] },
            { $0.errors = [] },
            { $0.result = nil },
        ] {
            var changed = Self.phase()
            change(&changed)
            #expect(changed != Self.phase())
        }
    }

    @Test func theEncodingIsTheMemberwiseOne() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let phase = Self.phase()
        let object = try #require(
            try JSONSerialization.jsonObject(with: try encoder.encode(phase)) as? [String: Any])
        let phaseKeys: Set<String> = [
            "name", "status", "attempts", "startedAt", "finishedAt", "steps", "responses", "outputs", "errors",
            "result",
        ]
        #expect(Set(object.keys) == phaseKeys)
        #expect(object["result"] as? String == "r")
        let step = try #require((object["steps"] as? [[String: Any]])?.first)
        let stepKeys: Set<String> = [
            "index", "type", "agent", "status", "value", "outputs", "warnings", "attempts", "startedAt", "finishedAt",
        ]
        #expect(Set(step.keys) == stepKeys)
        let decoded = try JSONDecoder().decode(PhaseResult.self, from: try encoder.encode(phase))
        #expect(decoded == phase)
        let untouched = PhaseResult(name: "P")
        #expect(untouched.isUntouched)
        #expect(!phase.isUntouched)
    }
}
