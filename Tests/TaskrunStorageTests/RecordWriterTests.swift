import Foundation
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

/// The hand-written writer of phases and checkpoint heads must write what the `Encodable` path
/// writes, byte for byte, so that either one may have written a stored record.
@Suite struct RecordWriterTests {
    private func encoded(_ value: some Encodable, secrets: [String] = []) throws -> String {
        String(decoding: try RecordJSONEncoder(redactor: Redactor(secrets: secrets)).encode(value), as: UTF8.self)
    }

    /// A phase with every optional field set, one with none, and escapes, nesting and odd numbers.
    private var phases: [PhaseResult] {
        var full = Samples.phase("P \"1\"", text: "quote \" backslash \\ newline \n tab \t \u{01} é 😀")
        full.result = ["nested": [1, 2.5, -3, 1e-7, 1e300, "x", nil, true, ["k": "v", "l": [:]]]]
        full.errors = ["attempt 1: failed", "second"]
        full.outputs = ["a": 1, "b": "two", "c": ["x": nil]]
        full.steps.append(
            StepResult(index: 1, type: "validation", status: .failed, error: "bad secret-value here", attempts: 2))
        full.responses.append(
            AgentReply(
                agent: "other", step: 1, attempt: 2,
                response: AgentResponse(text: "plain", usage: .init(prompt: nil, completion: 3, total: nil))))
        return [full, PhaseResult(name: "pending"), PhaseResult(name: "running", status: .running, attempts: 1)]
    }

    @Test func phasesAreWrittenAsTheirEncoderWritesThem() throws {
        for phase in phases {
            for secrets in [[], ["secret-value", "fine"]] {
                let redactor = Redactor(secrets: secrets)
                let written = try RecordWriter.json(of: phase, redactor: redactor)
                #expect(written == (try encoded(phase, secrets: secrets)))
                if secrets.isEmpty {
                    #expect(try JSONDecoder().decode(PhaseResult.self, from: Data(written.utf8)) == phase)
                } else {
                    #expect(!written.contains("secret-value"))
                }
            }
        }
    }

    @Test func checkpointHeadsAreWrittenAsTheirEncoderWritesThem() throws {
        let task = chainTask(phases: 3, secret: true)
        var state = Samples.state(id: .make(), task: task, phases: phases, lastSequence: 1234)
        for reason in [nil, "paused by secret-value"] {
            state.reason = reason
            state.finishedAt = reason.map { _ in Date(timeIntervalSinceReferenceDate: 812_345_679.5) }
            state.warnings = reason.map { [$0] } ?? []
            let checkpoint = ExecutionCheckpoint(
                phase: "P1", createdAt: Date(timeIntervalSinceReferenceDate: 812_345_678.987_654_3), state: state)
            for secrets in [[], ["secret-value"]] {
                let written = try RecordWriter.headJSON(of: checkpoint, redactor: Redactor(secrets: secrets))
                #expect(written == (try encoded(CheckpointHead(checkpoint), secrets: secrets)))
                #expect(secrets.isEmpty || !written.contains("secret-value"))
            }
        }
    }

    @Test func aNumberThatIsNotFiniteFailsAsBefore() {
        var phase = PhaseResult(name: "P")
        phase.result = .number(.nan)
        #expect(throws: (any Error).self) { try RecordWriter.json(of: phase, redactor: Redactor(secrets: [])) }
    }
}
