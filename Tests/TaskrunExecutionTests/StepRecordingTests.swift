import Logging
import Synchronization
import TaskrunCore
import TaskrunTestSupport
import Testing

@testable import TaskrunExecution

/// A step that its phase task runs itself (the one step of its segment) records its answers and
/// its end in the phase's next critical section rather than in sections of their own
/// (Docs/execution.md, "Performance"). What the step, the phase and the event log show must be
/// what recording them at once showed.
@Suite(.timeLimit(.minutes(1)))
struct StepRecordingTests {
    /// The kinds of an execution's events for `phase`, from the store, checked to be numbered
    /// without gaps and stamped in sequence order.
    private func kinds(
        of phase: String, in store: InMemoryHistoryStore, _ id: ExecutionID
    ) -> [ExecutionEvent.Kind] {
        let events = store.events(of: id)
        #expect(events.map(\.sequence) == Array(1...UInt64(events.count)))
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        return events.filter { $0.phase == phase }.map(\.kind)
    }

    @Test func aStrategySeesItsOwnAnswersInTheCurrentPhase() async throws {
        let store = InMemoryHistoryStore()
        let executor = makeExecutor(history: store)
        executor.registerStepStrategy("ask-twice") { _, _, context in
            _ = try await context.queryAgent("a", prompt: "first")
            let afterFirst = context.currentPhase.responses.map(\.agent)
            _ = try await context.queryAgent("b", prompt: "second")
            let afterSecond = context.currentPhase.responses.map(\.agent)
            return [
                "afterFirst": .array(afterFirst.map(JSONValue.string)),
                "afterSecond": .array(afterSecond.map(JSONValue.string)),
            ]
        }
        let result = try await executor.execute(makeTask([makePhase("P", [customStep("ask-twice")])]))
        #expect(result.status == .completed)
        let phase = try #require(result[phase: "P"])
        #expect(phase.steps[0].value == ["afterFirst": ["a"], "afterSecond": ["a", "b"]])
        #expect(phase.responses.map(\.agent) == ["a", "b"])
        #expect(
            kinds(of: "P", in: store, result.executionID) == [
                .phaseStart, .stepStart, .agentQuery, .agentResponse, .agentQuery, .agentResponse, .stepComplete,
                .phaseComplete, .checkpointCreated,
            ])
    }

    @Test func anAnswerBeforeAFailureIsKeptAndReportedFirst() async throws {
        let store = InMemoryHistoryStore()
        let executor = makeExecutor(history: store)
        executor.registerStepStrategy("ask-then-fail") { _, _, context in
            _ = try await context.queryAgent("a", prompt: "first")
            throw StepFailure("no good", isRetryable: false)
        }
        let result = try await executor.execute(
            makeTask([makePhase("P", [customStep("ask-then-fail", "", ["required": true])])]))
        #expect(result.status == .failed)
        let phase = try #require(result[phase: "P"])
        #expect(phase.responses.map(\.agent) == ["a"])
        #expect(phase.steps[0].status == .failed)
        #expect(
            kinds(of: "P", in: store, result.executionID) == [
                .phaseStart, .stepStart, .agentQuery, .agentResponse, .stepFailed, .phaseFailed,
            ])
    }

    @Test func sequentialAgentStepsSeeTheAnswersBeforeThem() async throws {
        let store = InMemoryHistoryStore()
        let agents = ScriptedAgentManager()
        let executor = makeExecutor(agents: agents, history: store)
        let task = makeTask([
            makePhase(
                "P", parallel: false,
                [agentStep("a", "one"), agentStep("b", "two"), agentStep("c", "three")])
        ])
        let result = try await executor.execute(task)
        #expect(result.status == .completed)
        let phase = try #require(result[phase: "P"])
        #expect(phase.responses.map(\.agent) == ["a", "b", "c"])
        #expect(phase.steps.map(\.status) == [.completed, .completed, .completed])
        #expect(agents.requests.map(\.prompt) == ["one", "two", "three"])
        #expect(agents.requests.last?.context.phaseResponses.map(\.agent) == ["a", "b"])
        let perStep: [ExecutionEvent.Kind] = [.stepStart, .agentQuery, .agentResponse, .stepComplete]
        #expect(
            kinds(of: "P", in: store, result.executionID)
                == [.phaseStart] + perStep + perStep + perStep + [.phaseComplete, .checkpointCreated])
    }
}

@Suite struct AdmittedPhasesTests {
    @Test func phasesComeBackInTheOrderTheyWereAdmitted() {
        var admitted = AdmittedPhases()
        #expect(admitted.isEmpty)
        #expect(Array(admitted).isEmpty)
        admitted.append(7)
        #expect(!admitted.isEmpty)
        #expect(Array(admitted) == [7])
        admitted.append(3)
        admitted.append(9)
        #expect(Array(admitted) == [7, 3, 9])
    }
}

/// What a step's end logs, after the critical section that records it: its warnings (as
/// warnings) and its failure (at debug level), each with the phase and step; a step that simply
/// succeeded logs nothing.
@Suite(.timeLimit(.minutes(1)))
struct StepEndLoggingTests {
    /// A step that succeeds with a warning.
    private struct WarningStrategy: StepStrategy {
        func run(_ step: Step, in phase: Phase, context: StepContext) async throws -> StepOutput {
            StepOutput(.string("done"), warnings: ["careful"])
        }
    }

    @Test func aStepsWarningsAndFailureAreLoggedAndAPlainSuccessIsNot() async throws {
        let lines = CapturedLogLines()
        let executor = TaskExecutor(
            configuration: .init(clock: ManualClock()), agents: ScriptedAgentManager(),
            history: InMemoryHistoryStore(), logger: Logger(label: "taskrun.tests") { _ in lines.handler })
        executor.registerStepStrategy("warn", WarningStrategy())
        executor.registerStepStrategy("fail") { _, _, _ in throw StepFailure("no good", isRetryable: false) }
        let result = try await executor.execute(
            makeTask([
                makePhase("Plain", [agentStep("a")]),
                makePhase("Warned", dependsOn: ["Plain"], [customStep("warn")]),
                // Not required: the phase completes with its step failed.
                makePhase("Failed", dependsOn: ["Warned"], [customStep("fail")]),
                // Two segments: the first step's end is recorded by the second segment's check.
                makePhase("Segments", dependsOn: ["Failed"], [customStep("warn"), customStep("warn")]),
            ]))
        #expect(result.status == .completed)
        let stepLines = lines.all.filter { $0.metadata["step"] != nil }
        #expect(stepLines.map(\.level) == [.warning, .debug, .warning, .warning])
        #expect(stepLines.map(\.phase) == ["Warned", "Failed", "Segments", "Segments"])
        #expect(stepLines[0].message == "careful")
        #expect(stepLines[1].message.hasPrefix("step failed: ") && stepLines[1].message.contains("no good"))
    }
}

/// Keeps every line logged through its handler.
private final class CapturedLogLines: Sendable {
    struct Line {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
        var phase: String? { metadata["phase"].map { "\($0)" } }
    }

    private let lines = Mutex<[Line]>([])

    var all: [Line] { lines.withLock { $0 } }

    var handler: Handler { Handler(lines: self) }

    struct Handler: LogHandler {
        let lines: CapturedLogLines
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let line = Line(level: event.level, message: "\(event.message)", metadata: merged)
            lines.lines.withLock { $0.append(line) }
        }
    }
}
