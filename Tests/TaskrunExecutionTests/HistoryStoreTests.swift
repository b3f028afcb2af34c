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

    @Test func equalStringsInOtherStorageRoundTripAndAreNotKeptTwice() {
        let id = ExecutionID.make()
        // Long names, each event's a separate copy with its own storage: equal strings whose
        // words differ, and different strings of one length.
        func fresh(_ text: String) -> String { String(decoding: Array(text.utf8), as: UTF8.self) }
        let long = "a phase name well over fifteen bytes"
        let events = (0..<40).map { offset in
            ExecutionEvent(
                kind: .stepStart, executionID: id, sequence: UInt64(offset + 1), timestamp: Date(),
                task: fresh("a task id longer than fifteen bytes"),
                phase: offset.isMultiple(of: 3) ? fresh(long + "!") : fresh(long), step: offset,
                stepType: fresh("a step type longer than fifteen"), agent: offset.isMultiple(of: 2) ? "x" : fresh("y"),
                status: fresh("completed and more than fifteen"), message: offset.isMultiple(of: 5) ? nil : fresh(long))
        }
        #expect(CompactEventLog(events).events == events)
        var pieces = CompactEventLog()
        for event in events { pieces.append([event]) }
        #expect(pieces.events == events)
        // The same events with the very same strings pack to no more bytes than fresh copies.
        let shared = events.map { event -> ExecutionEvent in
            var event = event
            event.task = events[0].task
            event.stepType = events[0].stepType
            event.status = events[0].status
            return event
        }
        #expect(CompactEventLog(shared).events == shared)
        #expect(CompactEventLog(shared).byteCount == CompactEventLog(events).byteCount)
    }

    @Test func aLongLogGrowsInChunksAndRoundTrips() {
        let id = ExecutionID.make()
        let start = Date()
        // About 60 KB packed: several chunks. Times step back and forth, by small and large amounts.
        let events = (0..<3000).map { offset in
            ExecutionEvent(
                kind: ExecutionEvent.Kind.allCases[offset % ExecutionEvent.Kind.allCases.count], executionID: id,
                sequence: UInt64(offset + 1),
                timestamp: start.addingTimeInterval(offset.isMultiple(of: 7) ? -Double(offset) : Double(offset) * 1e-6),
                phase: "P\(offset / 7)", step: offset % 3, stepType: "agent", agent: "bench", attempt: 1,
                status: "completed", message: String(repeating: "m", count: offset % 20),
                delay: offset.isMultiple(of: 11) ? .milliseconds(offset) : nil, duration: .nanoseconds(offset * 997))
        }
        let whole = CompactEventLog(events)
        #expect(whole.byteCount > 3 * 16 * 1024)
        #expect(whole.events == events)
        var pieces = CompactEventLog()
        var offset = 0
        while offset < events.count {
            let end = min(events.count, offset + 1 + offset % 13)
            pieces.append(Array(events[offset..<end]))
            if offset.isMultiple(of: 5) { pieces.seal() }
            offset = end
        }
        #expect(pieces.count == events.count)
        #expect(pieces.events == events)
        pieces.seal()
        #expect(pieces.events == events)
    }

    @Test func nearbyTimesTakeFewBytes() {
        let id = ExecutionID.make()
        let start = Date()
        let events = (0..<100).map { offset in
            ExecutionEvent(
                kind: .phaseStart, executionID: id, sequence: UInt64(offset + 1),
                timestamp: start.addingTimeInterval(Double(offset) * 2e-6))
        }
        let log = CompactEventLog(events)
        #expect(log.events == events)
        // Kind, mask, sequence: a byte each; a few microseconds apart: one or two for the time.
        #expect(log.byteCount <= 16 + 5 * events.count)
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

    /// Starts an execution of `task` in `history` and commits `names` in that order, each one's
    /// attempt count the number of times it was committed so far.
    static func commit(
        _ names: [String], of task: TaskDefinition, to history: InMemoryHistoryStore, id: ExecutionID = .make()
    ) -> ExecutionID {
        let now = Date()
        history.executionStarted(
            ExecutionRecord(
                id: id, taskID: task.id, taskName: task.id, task: task, input: [:], secretInputs: [], startedAt: now,
                resumeCount: 0, events: []))
        var attempts: [String: Int] = [:]
        for name in names {
            attempts[name, default: 0] += 1
            history.commitPhase(
                PhaseCommit(
                    executionID: id, phase: PhaseResult(name: name, status: .completed, attempts: attempts[name] ?? 0),
                    checkpoint: nil, events: []))
        }
        return id
    }

    /// The phases a store keeps for `names` committed in order: in the order of their first
    /// commit, each with its last commit's value.
    static func expected(_ names: [String]) -> [PhaseResult] {
        var phases: [PhaseResult] = []
        var attempts: [String: Int] = [:]
        for name in names {
            attempts[name, default: 0] += 1
            let phase = PhaseResult(name: name, status: .completed, attempts: attempts[name] ?? 0)
            if let index = phases.firstIndex(where: { $0.name == name }) {
                phases[index] = phase
            } else {
                phases.append(phase)
            }
        }
        return phases
    }

    @Test(arguments: [
        ["A", "B", "C", "D"],  // the task's order
        ["C", "A", "D", "B"],  // another order
        ["A", "B", "A", "C", "B", "D", "D"],  // committed again, in and out of order
        ["A", "X", "B", "X", "C", "A"],  // a phase the task does not have, then more
        ["D", "C", "B", "A", "A", "B"],
    ])
    func committedPhasesKeepTheirFirstCommitsOrderAndLastValue(names: [String]) throws {
        let task = makeTask(["A", "B", "C", "D"].map { makePhase($0) })
        let history = InMemoryHistoryStore()
        let id = Self.commit(names, of: task, to: history)
        #expect(try #require(history.loadExecution(id)).phases == Self.expected(names))
        // Another execution of the same definition (sharing its names), then the first again.
        let other = Self.commit(Array(names.reversed()), of: task, to: history)
        #expect(try #require(history.loadExecution(other)).phases == Self.expected(names.reversed()))
        history.commitPhase(
            PhaseCommit(executionID: id, phase: PhaseResult(name: "B", status: .failed), checkpoint: nil, events: []))
        var phases = Self.expected(names)
        if let index = phases.firstIndex(where: { $0.name == "B" }) {
            phases[index] = PhaseResult(name: "B", status: .failed)
        } else {
            phases.append(PhaseResult(name: "B", status: .failed))
        }
        #expect(try #require(history.loadExecution(id)).phases == phases)
    }

    @Test func executionsOfDifferentDefinitionsInterleaved() throws {
        let history = InMemoryHistoryStore()
        let first = makeTask(["A", "B", "C"].map { makePhase($0) })
        let second = makeTask(["C", "B", "A"].map { makePhase($0) })
        // A definition with a repeated name (the executor refuses one; the store takes it as it is).
        let repeated = makeTask(["A", "B", "A"].map { makePhase($0) })
        let one = Self.commit(["A", "B"], of: first, to: history)
        let two = Self.commit(["C", "A"], of: second, to: history)
        let three = Self.commit(["A", "B", "A"], of: repeated, to: history)
        let four = Self.commit(["A", "A"], of: makeTask(["A", "B", "C"].map { makePhase($0) }), to: history)
        for (id, name) in [(one, "C"), (two, "B"), (three, "B"), (four, "C"), (one, "A")] {
            history.commitPhase(
                PhaseCommit(
                    executionID: id, phase: PhaseResult(name: name, status: .skipped), checkpoint: nil, events: []))
        }
        let skipped = { (name: String) in PhaseResult(name: name, status: .skipped) }
        let done = { (name: String, attempts: Int) in PhaseResult(name: name, status: .completed, attempts: attempts) }
        #expect(try #require(history.loadExecution(one)).phases == [skipped("A"), done("B", 1), skipped("C")])
        #expect(try #require(history.loadExecution(two)).phases == [done("C", 1), done("A", 1), skipped("B")])
        #expect(try #require(history.loadExecution(three)).phases == [done("A", 2), skipped("B")])
        #expect(try #require(history.loadExecution(four)).phases == [done("A", 2), skipped("C")])
    }

    @Test func aContinuedExecutionReplacesItsPhasesByNameEvenWithAnotherDefinition() throws {
        let history = InMemoryHistoryStore()
        let task = makeTask(["A", "B", "C"].map { makePhase($0) })
        let id = Self.commit(["A", "B"], of: task, to: history)
        // Continued with a definition whose phases moved: B and A are found by name.
        let moved = makeTask(["C", "B", "A", "D"].map { makePhase($0) })
        _ = Self.commit(["B", "D", "A"], of: moved, to: history, id: id)
        let phases = try #require(history.loadExecution(id)).phases
        #expect(phases.map(\.name) == ["A", "B", "D"])
        #expect(phases.map(\.attempts) == [1, 1, 1])
        #expect(history.loadExecution(id)?.record.task == moved)
        // Continued before anything was committed: the new definition is the one used.
        let fresh = Self.commit([], of: task, to: history)
        _ = Self.commit(["D", "C", "D"], of: moved, to: history, id: fresh)
        #expect(try #require(history.loadExecution(fresh)).phases == Self.expected(["D", "C", "D"]))
    }

    @Test func eachCommitsCheckpointReplacesTheLastAndACommitWithoutOneKeepsIt() throws {
        let history = InMemoryHistoryStore()
        let task = makeTask(["A", "B"].map { makePhase($0) })
        let id = Self.commit([], of: task, to: history)
        let state = ExecutionState(id: id, taskID: "t", taskName: "t", input: [:], phases: [])
        func checkpoint(_ phase: String) -> ExecutionCheckpoint {
            ExecutionCheckpoint(phase: phase, createdAt: Date(), state: state)
        }
        history.commitPhase(
            PhaseCommit(executionID: id, phase: PhaseResult(name: "A"), checkpoint: checkpoint("A"), events: []))
        #expect(history.loadCheckpoint(id)?.phase == "A")
        history.commitPhase(PhaseCommit(executionID: id, phase: PhaseResult(name: "B"), checkpoint: nil, events: []))
        #expect(history.loadCheckpoint(id)?.phase == "A")
        history.commitPhase(
            PhaseCommit(executionID: id, phase: PhaseResult(name: "B"), checkpoint: checkpoint("B"), events: []))
        #expect(history.loadCheckpoint(id)?.phase == "B")
        // An unknown execution: nothing is kept.
        let unknown = ExecutionID.make()
        history.commitPhase(
            PhaseCommit(executionID: unknown, phase: PhaseResult(name: "A"), checkpoint: checkpoint("A"), events: []))
        #expect(history.loadCheckpoint(unknown) == nil)
        #expect(history.loadExecution(unknown) == nil)
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
