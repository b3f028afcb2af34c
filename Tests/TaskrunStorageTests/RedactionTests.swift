import Foundation
import GRDB
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

@Suite struct RedactionTests {
    @Test func redactorReplacesSecretsInsideStringsLongestFirst() {
        let redactor = Redactor(
            input: ["key": "abc", "long": "abcdef", "pin": 1234, "n": ["x": "nested-secret"]],
            secretInputs: ["key", "long", "pin", "n"])
        #expect(
            redactor.redact("use abcdef then abc, pin 1234, nested-secret")
                == "use [redacted] then [redacted], pin [redacted], [redacted]")
        #expect(redactor.redact(["a": ["abc!", 1234, true]]) == ["a": ["[redacted]!", 1234, true]])
        #expect(Redactor(secrets: ["", ""]).isEmpty)
        #expect(Redactor(input: ["key": "abc"], secretInputs: []).isEmpty)
    }

    @Test func secretsNeverReachTheFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let secret = "sk-live-7f3a9c2e51"
        let credential = "backend-token-4242"
        let store = try openStore(directory, additionalSecrets: [credential])
        let task = chainTask(phases: 2, secret: true)
        let input: [String: JSONValue] = ["ticker": "BTC", "apiKey": .string(secret)]
        let record = Samples.record(task: task, input: input, secretInputs: ["apiKey"])
        try await store.executionStarted(record)
        let id = record.id
        var phase = Samples.phase("P1", text: "I used \(secret) as told")
        phase.steps[0].error = "rejected \(credential)"
        phase.outputs["key"] = .string(secret)
        var state = Samples.state(id: id, task: task, phases: [phase], lastSequence: 3)
        state.input = input
        try await store.commitPhase(
            PhaseCommit(
                executionID: id, phase: phase,
                checkpoint: ExecutionCheckpoint(phase: "P1", createdAt: Samples.date, state: state),
                events: [
                    Samples.event(.agentQuery, id: id, sequence: 2, phase: "P1", message: "prompt: key=\(secret)"),
                    Samples.event(.phaseComplete, id: id, sequence: 3, phase: "P1"),
                ]))
        try await store.executionUpdated(
            ExecutionUpdate(executionID: id, status: .paused, reason: "paused by \(credential)", events: []))
        let result = ExecutionResult(
            executionID: id, taskID: task.id, taskName: task.metadata.name, status: .failed,
            reason: "agent said \(secret)", input: input, startedAt: Samples.date, finishedAt: Samples.date,
            duration: .zero, phases: state.phases, finalPhase: nil, finalResult: nil, warnings: [])
        try await store.executionFinished(
            result, events: [Samples.event(.executionError, id: id, sequence: 4, message: "failed: \(secret)")])
        try store.close()

        for file in [store.path, store.path + "-wal"] {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            #expect(data.range(of: Data(secret.utf8)) == nil, "secret found in \(file)")
            #expect(data.range(of: Data(credential.utf8)) == nil, "credential found in \(file)")
        }

        let reopened = try openStore(directory)
        let stored = try #require(try await reopened.loadExecution(id))
        #expect(stored.record.input == ["ticker": "BTC", "apiKey": "[redacted]"])
        #expect(stored.phases[0].responses[0].response.text == "I used [redacted] as told")
        #expect(stored.phases[0].steps[0].error == "rejected [redacted]")
        #expect(stored.result?.reason == "agent said [redacted]")
        #expect(stored.reason == "agent said [redacted]")
        #expect(try await reopened.loadCheckpoint(id)?.state.input["apiKey"] == "[redacted]")
        let messages = try await reopened.events(of: id).compactMap(\.message)
        #expect(messages == ["prompt: key=[redacted]", "failed: [redacted]"])
    }
}
