import Foundation
import TaskrunCore
import TaskrunTestSupport
import Testing

@testable import TaskrunExecution

@Suite(.timeLimit(.minutes(1)))
struct EventTests {
    static let task = makeTask([
        makePhase("A", [agentStep("a"), agentStep("b"), aggregateStep("responses")]),
        makePhase("B", [agentStep("c")]),
        makePhase("C", dependsOn: ["A", "B"], parallel: false, [agentStep("d"), agentStep("e")]),
    ])

    @Test func sequenceNumbersAreGapFreeAndOrderedPerExecution() async throws {
        let history = InMemoryHistoryStore()
        let agents = ScriptedAgentManager()
        agents.handle("b") { _ in throw StepFailure("flaky") }
        let executor = makeExecutor(agents: agents, history: history)
        let log = EventLog.subscribe(to: executor)
        let results = try await withThrowingTaskGroup(of: ExecutionResult.self) { group in
            for _ in 0..<20 { group.addTask { try await executor.execute(Self.task) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.status == .completed })
        let events = await log.events
        for result in results {
            let mine = events.filter { $0.executionID == result.executionID }
            #expect(mine.map(\.sequence) == Array(1...UInt64(mine.count)))
            #expect(mine.first?.kind == .executionStart)
            #expect(mine.last?.kind == .executionComplete)
            #expect(zip(mine, mine.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
            // The store's log has every event, the same ones, in the same order.
            #expect(history.events(of: result.executionID) == mine)
        }
    }

    @Test func anAgentsLatencyIsTheTimeBetweenItsQueryAndResponseEvents() async throws {
        let clock = ManualClock()
        let history = InMemoryHistoryStore()
        let agents = ScriptedAgentManager()
        agents.handle("a") { _ in
            clock.advance(by: .milliseconds(7))
            return AgentResponse(text: "a")
        }
        let executor = makeExecutor(agents: agents, clock: clock, history: history)
        let log = EventLog.subscribe(to: executor)
        let result = try await executor.execute(makeTask([makePhase("A", [agentStep("a")])]))
        let query = try #require(await log.of(.agentQuery).first)
        let response = try #require(await log.of(.agentResponse).first)
        #expect(response.duration == .milliseconds(7))
        // Dates hold seconds since 2001 in a Double: about 0.1 µs of precision.
        #expect(abs(response.timestamp.timeIntervalSince(query.timestamp) - 0.007) < 1e-6)
        #expect(result[phase: "A"]?.responses.first?.response.latency == .milliseconds(7))
        // `checkpoint:created` is stamped with the time the checkpoint was taken.
        let created = try #require(await log.of(.checkpointCreated).first)
        #expect(history.loadCheckpoint(result.executionID)?.createdAt == created.timestamp)
    }

    @Test func everyKindOfTheRunIsThere() async throws {
        let agents = ScriptedAgentManager()
        agents.script("a", [.failure("once")])
        let executor = makeExecutor(agents: agents)
        let log = EventLog.subscribe(to: executor)
        _ = try await executor.execute(makeTask(retry: RetryPolicy(maxAttempts: 2, backoffMs: 0), Self.task.phases))
        let kinds = Set(await log.events.map(\.kind))
        let expected: Set<ExecutionEvent.Kind> = [
            .executionStart, .phaseStart, .phaseComplete, .stepStart, .stepComplete, .agentQuery, .agentResponse,
            .agentFailed, .checkpointCreated, .executionComplete,
        ]
        #expect(expected.isSubset(of: kinds))
        let start = try #require(await log.events.first)
        #expect(start.task == "test-task")
    }

    @Test func subscribersFilterByKindAndExecution() async throws {
        let executor = makeExecutor()
        let phases = EventLog.subscribe(to: executor, EventFilter(kinds: [.phaseStart, .phaseComplete]))
        let first = try executor.start(Self.task)
        let only = EventLog.subscribe(to: executor, EventFilter(executions: [first.id]))
        _ = await first.result
        let second = try await executor.execute(Self.task)
        await phases.count(atLeast: 12) { _ in true }
        #expect(await phases.events.allSatisfy { $0.kind == .phaseStart || $0.kind == .phaseComplete })
        #expect(Set(await phases.events.map(\.executionID)) == [first.id, second.executionID])
        #expect(await only.events.allSatisfy { $0.executionID == first.id })
    }

    @Test func aSlowSubscriberLosesItsOldestEventsButNeverBlocksTheExecutor() async throws {
        let history = InMemoryHistoryStore()
        let executor = makeExecutor(history: history, eventBufferSize: 4)
        // Subscribed but never read until the execution is over.
        let stream = executor.events
        let result = try await executor.execute(Self.task)
        #expect(result.status == .completed)
        let stored = history.events(of: result.executionID)
        #expect(stored.count > 4)
        await executor.shutdown()
        var received: [ExecutionEvent] = []
        for await event in stream { received.append(event) }
        #expect(received == Array(stored.suffix(4)))
    }

    @Test func theStreamEndsWhenTheExecutorShutsDown() async throws {
        let executor = makeExecutor()
        let log = EventLog.subscribe(to: executor)
        _ = try await executor.execute(Self.task)
        await executor.shutdown()
        await log.waitUntilFinished()
        #expect(await log.isFinished)
        var late: [ExecutionEvent] = []
        for await event in executor.events { late.append(event) }
        #expect(late.isEmpty)
    }

    @Test func eventsEncodeAsFlatJSON() throws {
        let id = ExecutionID.make()
        let event = ExecutionEvent(
            kind: .agentFailed, executionID: id, sequence: 7, timestamp: Date(timeIntervalSince1970: 1),
            phase: "Analysis", step: 2, stepType: "agent", agent: "quant", attempt: 1, message: "down",
            delay: .milliseconds(250))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .secondsSince1970
        let text = String(decoding: try encoder.encode(event), as: UTF8.self)
        #expect(
            text
                == "{\"agent\":\"quant\",\"attempt\":1,\"delayMs\":250,\"executionId\":\"\(id)\",\"message\":\"down\",\"phase\":\"Analysis\",\"sequence\":7,\"step\":2,\"stepType\":\"agent\",\"timestamp\":1,\"type\":\"agent:failed\"}"
        )
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        #expect(try decoder.decode(ExecutionEvent.self, from: Data(text.utf8)) == event)
    }
}

@Suite(.timeLimit(.minutes(2)))
struct ScaleTests {
    @Test func aThousandConcurrentExecutionsCompleteCorrectly() async throws {
        let executor = TaskExecutor(
            configuration: .init(maxConcurrentPhases: 4), agents: ScriptedAgentManager(),
            history: InMemoryHistoryStore(retainedExecutions: 2000), logger: quietLogger)
        let task = makeTask(
            requirements: [Requirement(name: "n", type: .integer)],
            [
                makePhase("A", [agentStep("a", "a{{input.n}}"), agentStep("b", "b{{input.n}}")]),
                makePhase("B", [descriptionStep("side {{input.n}}")]),
                makePhase("C", dependsOn: ["A", "B"], outputs: ["answer"], [agentStep("c", "c{{input.n}}")]),
            ])
        let results = try await withThrowingTaskGroup(of: (Int, ExecutionResult).self) { group in
            for n in 0..<1000 {
                group.addTask { (n, try await executor.execute(task, input: ["n": .number(Double(n))])) }
            }
            return try await group.reduce(into: [Int: ExecutionResult]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 1000)
        #expect(Set(results.values.map(\.executionID)).count == 1000)
        for (n, result) in results {
            #expect(result.status == .completed)
            #expect(result[phase: "C"]?.outputs["answer"]?["text"] == .string("c: c\(n)"))
            #expect(result[phase: "A"]?.responses.map(\.response.text) == ["a: a\(n)", "b: b\(n)"])
        }
        #expect(executor.activeExecutions().isEmpty)
        #expect(try await executor.history(limit: 5000).count == 1000)
    }
}
