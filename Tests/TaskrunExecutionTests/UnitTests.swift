import Foundation
import TaskrunCore
import Testing

@testable import TaskrunExecution

struct StateMachineTests {
    @Test func executionTransitions() {
        let legal: [(ExecutionStatus, ExecutionStatus)] = [
            (.pending, .running), (.running, .paused), (.paused, .running), (.running, .completed),
            (.running, .failed), (.running, .aborted), (.running, .timeout), (.paused, .aborted), (.pending, .aborted),
        ]
        for from in ExecutionStatus.allCases {
            for to in ExecutionStatus.allCases {
                let expected = legal.contains { $0 == (from, to) }
                #expect(from.canTransition(to: to) == expected, "\(from) -> \(to)")
            }
        }
        var state = ExecutionState(id: .make(), taskID: "t", taskName: "t", input: [:], phases: [])
        #expect(throws: StateTransitionError.self) { try state.transition(to: .completed) }
        #expect(throws: Never.self) { try state.transition(to: .running) }
        #expect(throws: Never.self) { try state.transition(to: .completed) }
        #expect(throws: StateTransitionError.self) { try state.transition(to: .running) }
    }

    @Test func phaseTransitions() {
        var phase = PhaseResult(name: "P")
        #expect(throws: StateTransitionError.self) { try phase.transition(to: .completed) }
        #expect(throws: Never.self) { try phase.transition(to: .running) }
        #expect(throws: Never.self) { try phase.transition(to: .paused) }
        #expect(throws: StateTransitionError.self) { try phase.transition(to: .completed) }
        #expect(throws: Never.self) { try phase.transition(to: .running) }
        #expect(throws: Never.self) { try phase.transition(to: .timeout) }
        #expect(PhaseStatus.pending.canTransition(to: .skipped))
        #expect(!PhaseStatus.skipped.canTransition(to: .running))
        #expect(PhaseStatus.allCases.filter(\.isTerminal) == [.completed, .failed, .skipped, .aborted, .timeout])
    }

    @Test func stepTransitions() {
        var step = StepResult(index: 0, type: "agent")
        #expect(throws: Never.self) { try step.transition(to: .running) }
        #expect(throws: Never.self) { try step.transition(to: .unverified) }
        #expect(throws: StateTransitionError.self) { try step.transition(to: .failed) }
    }
}

struct ExecutionIDTests {
    @Test func idsSortByCreationAndRoundTripAsText() throws {
        let ids = (0..<5000).map { _ in ExecutionID.make() }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        let id = try #require(ids.first)
        #expect(ExecutionID(id.description) == id)
        #expect(id.description.count == 36)
        #expect(Array(id.description)[14] == "7")
        #expect(abs(id.createdAt.timeIntervalSinceNow) < 60)
        #expect(ExecutionID("not-an-id") == nil)
        let data = try JSONEncoder().encode([id])
        #expect(try JSONDecoder().decode([ExecutionID].self, from: data) == [id])
    }
}

struct HelperTests {
    @Test func phaseAliases() {
        #expect(PhaseAlias.make("Round Table") == "roundTable")
        #expect(PhaseAlias.make("Question Classification") == "questionClassification")
        #expect(PhaseAlias.make("API Review") == "apiReview")
        #expect(PhaseAlias.make("Analysis") == "analysis")
        #expect(PhaseAlias.make("contextual agent-selection") == "contextualAgentSelection")
        #expect(PhaseAlias.make("  ") == nil)
    }

    @Test func reviewerVerdicts() {
        #expect(ReviewerVerdict.judgement(AgentResponse(text: "PASS - fine")) == true)
        #expect(ReviewerVerdict.judgement(AgentResponse(text: "no, risks remain")) == false)
        #expect(ReviewerVerdict.judgement(AgentResponse(text: "maybe")) == nil)
        #expect(ReviewerVerdict.judgement(AgentResponse(text: "PASS", data: ["passed": false])) == false)
    }

    @Test func compactJSON() {
        let value: JSONValue = ["b": [1, 2.5, "x\"y\n"], "a": nil, "c": true]
        #expect(value.compactJSON == "{\"a\":null,\"b\":[1,2.5,\"x\\\"y\\n\"],\"c\":true}")
        #expect(JSONValue.number(10000).plainText == "10000")
        #expect(JSONValue.number(-3.4).plainText == "-3.4")
    }

    @Test func templateScannerRefusesWhatItCannotCheck() {
        #expect(throws: TemplateError.self) { try TemplateScanner.scan("{{=<% %>=}}") }
        #expect(throws: TemplateError.self) { try TemplateScanner.scan("{{#a}}{{/b}}") }
        #expect(throws: TemplateError.self) { try TemplateScanner.scan("{{/a}}") }
        #expect(
            (try? TemplateScanner.scan("x {{! note }} {{{raw}}} {{&also}} {{^none}}{{.}}{{/none}}"))
                == [.variable("raw"), .variable("also"), .section("none", inverted: true, children: [.variable(".")])])
    }

    @Test func inMemoryStoreKeepsTheNewestFirst() async throws {
        let store = InMemoryHistoryStore(retainedExecutions: 2)
        let executor = makeExecutor(history: store)
        var ids: [ExecutionID] = []
        for _ in 0..<3 { ids.append(try await executor.execute(makeTask([makePhase("P")])).executionID) }
        #expect(try await executor.history(limit: 10).map(\.id) == [ids[2], ids[1]])
        #expect(store.loadExecution(ids[0]) == nil)
    }

    @Test func inMemoryStoreKeepsInterleavedExecutionsApartAndIgnoresRetiredOnes() {
        let store = InMemoryHistoryStore(retainedExecutions: 1)
        let task = makeTask([makePhase("P")])
        let first = ExecutionID.make()
        let second = ExecutionID.make()
        for id in [first, second] {
            store.executionStarted(
                ExecutionRecord(
                    id: id, taskID: "t", taskName: "t", task: task, input: [:], secretInputs: [], startedAt: Date(),
                    resumeCount: 0, events: []))
        }
        func commit(_ id: ExecutionID, _ phase: String) {
            store.commitPhase(
                PhaseCommit(executionID: id, phase: PhaseResult(name: phase), checkpoint: nil, events: []))
        }
        func finish(_ id: ExecutionID) {
            store.executionFinished(
                ExecutionResult(
                    executionID: id, taskID: "t", taskName: "t", status: .completed, reason: nil, input: [:],
                    startedAt: Date(), finishedAt: Date(), duration: .zero, phases: [], finalPhase: nil,
                    finalResult: nil, warnings: []),
                events: [])
        }
        commit(first, "A")
        commit(second, "B")
        commit(first, "C")
        #expect(store.loadExecution(first)?.phases.map(\.name) == ["A", "C"])
        #expect(store.loadExecution(second)?.phases.map(\.name) == ["B"])
        finish(first)
        finish(second)
        // The first is retired: a late write does not bring it back, the second still takes writes.
        commit(first, "D")
        commit(second, "E")
        #expect(store.loadExecution(first) == nil)
        #expect(store.loadExecution(second)?.phases.map(\.name) == ["B", "E"])
    }
}
