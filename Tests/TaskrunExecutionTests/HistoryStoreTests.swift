import Foundation
import TaskrunCore
import Testing

@testable import TaskrunExecution

struct CompactEventLogTests {
    @Test func packedEventsComeBackEqual() {
        let id = ExecutionID.make()
        let other = ExecutionID.make()
        let start = Date(timeIntervalSince1970: 1_790_000_000.123456)
        let events = [
            ExecutionEvent(kind: .executionStart, executionID: id, sequence: 1, timestamp: start, task: "t"),
            ExecutionEvent(
                kind: .agentFailed, executionID: id, sequence: 2, timestamp: start.addingTimeInterval(0.000_001),
                phase: "Répondre 🙂", step: 3, stepType: "agent", agent: "a-long-agent-identifier-of-many-bytes",
                attempt: 2, status: "failed", message: "boom\nwith a second line",
                delay: .milliseconds(exactly: 12.345_678),
                duration: Duration(secondsComponent: -2, attosecondsComponent: -7)),
            // Out of order, from another execution, with extreme values: kept exactly as written.
            ExecutionEvent(
                kind: .stepComplete, executionID: other, sequence: 1,
                timestamp: Date(timeIntervalSinceReferenceDate: -1e9),
                step: Int.min, attempt: Int.max, status: "completed", duration: .seconds(Int64.max)),
            ExecutionEvent(
                kind: .executionAborted, executionID: id, sequence: UInt64.max, timestamp: .distantFuture, phase: "",
                message: "", delay: .zero),
        ]
        let log = CompactEventLog(events)
        #expect(log.count == events.count)
        #expect(log.events == events)
        #expect(CompactEventLog([]).events.isEmpty)
        // Appended in pieces, sealed in between: the same log.
        var pieces = CompactEventLog()
        pieces.append(Array(events.prefix(1)))
        pieces.append([])
        pieces.seal()
        pieces.append(Array(events.dropFirst().prefix(2)))
        pieces.seal()
        pieces.append(Array(events.suffix(1)))
        #expect(pieces.events == events)
    }

    @Test func interleavedPhasesRoundTripInOneBatchAndInMany() {
        let id = ExecutionID.make()
        let names = ["A", "B", "A", "A", "B", "a name longer than fifteen bytes", "B", "A"]
        let events = names.enumerated().map { offset, name in
            ExecutionEvent(
                kind: .stepStart, executionID: id, sequence: UInt64(offset + 1), timestamp: Date(), phase: name,
                step: offset, stepType: "agent", agent: offset.isMultiple(of: 2) ? "x" : "y")
        }
        #expect(CompactEventLog(events).events == events)
        var pieces = CompactEventLog()
        for event in events {
            pieces.append([event])
            pieces.seal()
        }
        #expect(pieces.events == events)
    }

    @Test func everyKindRoundTrips() {
        let id = ExecutionID.make()
        let events = ExecutionEvent.Kind.allCases.enumerated().map { offset, kind in
            ExecutionEvent(kind: kind, executionID: id, sequence: UInt64(offset + 1), timestamp: Date())
        }
        #expect(CompactEventLog(events).events == events)
    }
}

struct InMemoryHistoryStoreTests {
    static let task = makeTask([makePhase("A", [agentStep("a")]), makePhase("B", dependsOn: ["A"], [agentStep("b")])])

    @Test func aFinishedExecutionKeepsItsCompleteLog() async throws {
        let history = InMemoryHistoryStore()
        let executor = makeExecutor(history: history)
        let log = EventLog.subscribe(to: executor)
        let result = try await executor.execute(Self.task)
        let events = await log.events.filter { $0.executionID == result.executionID }
        #expect(events.last?.kind == .executionComplete)
        #expect(history.events(of: result.executionID) == events)
        let stored = try #require(history.loadExecution(result.executionID))
        #expect(stored.result == result)
        #expect(stored.phases.map(\.name) == ["A", "B"])
        #expect(stored.record.events == Array(events.prefix(1)))
        #expect(history.loadCheckpoint(result.executionID)?.phase == "B")
    }

    @Test func writesAfterTheEndAreAddedToThePackedLogInSequenceOrder() throws {
        let history = InMemoryHistoryStore()
        let id = ExecutionID.make()
        let now = Date()
        func event(_ sequence: UInt64, _ kind: ExecutionEvent.Kind) -> ExecutionEvent {
            ExecutionEvent(kind: kind, executionID: id, sequence: sequence, timestamp: now)
        }
        let record = ExecutionRecord(
            id: id, taskID: "t", taskName: "t", task: Self.task, input: [:], secretInputs: [], startedAt: now,
            resumeCount: 0, events: [event(1, .executionStart)])
        history.executionStarted(record)
        history.executionUpdated(
            ExecutionUpdate(executionID: id, status: .paused, reason: "p", events: [event(3, .executionPaused)]))
        history.commitPhase(
            PhaseCommit(
                executionID: id, phase: PhaseResult(name: "A"), checkpoint: nil, events: [event(2, .phaseStart)]))
        let result = ExecutionResult(
            executionID: id, taskID: "t", taskName: "t", status: .aborted, reason: "stop", input: [:], startedAt: now,
            finishedAt: now, duration: .zero, phases: [], finalPhase: nil, finalResult: nil, warnings: [])
        history.executionFinished(result, events: [event(4, .executionAborted)])
        #expect(history.events(of: id).map(\.sequence) == [1, 2, 3, 4])
        // Continued from a checkpoint: the new events follow the packed ones.
        var resumed = record
        resumed.resumeCount = 1
        resumed.events = [event(5, .executionStart)]
        history.executionStarted(resumed)
        history.executionFinished(result, events: [event(7, .executionAborted)])
        history.executionUpdated(
            ExecutionUpdate(executionID: id, status: .running, reason: nil, events: [event(6, .executionResumed)]))
        #expect(history.events(of: id).map(\.sequence) == [1, 2, 3, 4, 5, 6, 7])
        #expect(history.loadExecution(id)?.status == .aborted)
    }
}

struct ReplyViewTests {
    @Test func aReplysViewHasEveryKey() {
        let full = AgentReply(
            agent: "a", step: 2, attempt: 3,
            response: AgentResponse(
                text: "t", position: .bearish, confidence: 40, keyPoints: ["k"], risks: ["r1", "r2"],
                data: ["x": 1], latency: .milliseconds(12)))
        #expect(
            full.view
                == [
                    "agent": "a", "step": 2, "text": "t", "position": "bearish", "confidence": 40, "keyPoints": ["k"],
                    "risks": ["r1", "r2"], "data": ["x": 1], "latencyMs": 12,
                ])
        let empty = AgentReply(agent: "b", step: 0, attempt: 1, response: AgentResponse(text: ""))
        #expect(
            empty.view
                == [
                    "agent": "b", "step": 0, "text": "", "position": nil, "confidence": nil, "keyPoints": [],
                    "risks": [], "data": nil, "latencyMs": nil,
                ])
        // Views are independent values.
        #expect(full.view != empty.view && empty.view["agent"] == "b")
    }

    @Test func anAgentPhaseResultIsItsReplysView() async throws {
        let agents = ScriptedAgentManager()
        agents.handle("a") { _ in AgentResponse(text: "yes", position: .bullish, confidence: 70, keyPoints: ["k"]) }
        let executor = makeExecutor(agents: agents)
        let result = try await executor.execute(makeTask([makePhase("A", [agentStep("a")])]))
        let phase = try #require(result.phases.first)
        let reply = try #require(phase.responses.first)
        #expect(phase.result == reply.view)
        #expect(phase.steps.first?.value == reply.view)
        #expect(phase.result?["text"] == "yes")
    }

    @Test func aReplacedAgentStrategysValueIsNotTakenForTheReply() async throws {
        let executor = makeExecutor()
        executor.registerStepStrategy("agent", scheduling: .concurrent) { step, _, context in
            _ = try await context.queryAgent(step.agentID ?? "?", prompt: "go", purpose: .step)
            return "my own value"
        }
        let result = try await executor.execute(makeTask([makePhase("A", [agentStep("a")])]))
        let phase = try #require(result.phases.first)
        #expect(phase.steps.first?.value == "my own value")
        let reply = try #require(phase.responses.first)
        #expect(phase.result == reply.view)
    }
}

struct PhaseListTests {
    @Test func aSnapshotNeverSeesLaterChanges() {
        var list = PhaseList((0..<40).map { PhaseResult(name: "P\($0)") })
        let snapshot = list
        list[17].attempts = 3
        list[17].errors.append("e")
        list[39] = PhaseResult(name: "last", status: .completed)
        var second = list
        second[17].attempts = 4
        #expect(snapshot.map(\.attempts) == Array(repeating: 0, count: 40))
        #expect(snapshot[39].name == "P39")
        #expect(list[17].attempts == 3 && list[17].errors == ["e"] && list[39].name == "last")
        #expect(second[17].attempts == 4 && second[17].errors == ["e"])
        #expect(list.array.map(\.name) == (0..<39).map { "P\($0)" } + ["last"])
        #expect(list != snapshot && PhaseList(list.array) == list)
    }
}
