import Foundation
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

@Suite struct RecordJSONEncoderTests {
    private func fast(_ value: some Encodable, secrets: [String] = []) throws -> String {
        String(decoding: try RecordJSONEncoder(redactor: Redactor(secrets: secrets)).encode(value), as: UTF8.self)
    }

    private func tree(_ json: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
    }

    private let everyEvent =
        ExecutionEvent(
            kind: .stepFailed, executionID: .make(), sequence: 42,
            timestamp: Date(timeIntervalSinceReferenceDate: 1.0 / 3.0),
            task: "t", phase: "Round \"Table\"", step: 3, stepType: "agent", agent: "a/b", attempt: 2, status: "failed",
            message: "line\nnext\ttab \u{01} é 😀 \\ end", delay: .milliseconds(1.5), duration: .nanoseconds(1))

    @Test func recordsRoundTripThroughFoundationsDecoder() throws {
        let task = chainTask(phases: 3, secret: true)
        let id = ExecutionID.make()
        var phase = Samples.phase("P1", text: "quote \" backslash \\ newline \n")
        phase.result = ["nested": [1, 2.5, -3, 1e-7, 1e300, "x", nil, true, ["k": "v"]]]
        let checkpoint = ExecutionCheckpoint(
            phase: "P1", createdAt: Date(timeIntervalSinceReferenceDate: 812_345_678.987_654_3),
            state: Samples.state(id: id, task: task, phases: [phase], lastSequence: .max))
        let decodedCheckpoint = try JSONDecoder().decode(
            ExecutionCheckpoint.self, from: Data(try fast(checkpoint).utf8))
        #expect(decodedCheckpoint == checkpoint)
        #expect(try JSONDecoder().decode(ExecutionEvent.self, from: Data(try fast(everyEvent).utf8)) == everyEvent)
        #expect(try JSONDecoder().decode(TaskDefinition.self, from: Data(try fast(task).utf8)) == task)
        let result = ExecutionResult(
            executionID: id, taskID: "t", taskName: "T", status: .completed, reason: nil, input: ["a": 1],
            startedAt: Date(), finishedAt: Date(), duration: .milliseconds(12.5), phases: [phase], finalPhase: "P1",
            finalResult: "x", warnings: ["w"])
        #expect(try JSONDecoder().decode(ExecutionResult.self, from: Data(try fast(result).utf8)) == result)
    }

    @Test func outputMeansWhatFoundationsOutputMeans() throws {
        let values: [JSONValue] = [
            "plain", "", "\u{7F}\u{1F}", ["a": ["b": [[], [:], nil]]], 0, -0.0, 123_456_789_012, -1.25, 0.1,
            9_007_199_254_740_993, 1e21,
        ]
        for value in values {
            let foundation = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
            #expect(try tree(try fast(value)) == tree(foundation), "\(value)")
        }
        let numbers: [Int64] = [0, 1, -1, .max, .min]
        #expect(try fast(numbers) == "[0,1,-1,9223372036854775807,-9223372036854775808]")
        #expect(try fast([UInt64.max]) == "[18446744073709551615]")
        #expect(try fast(["a/b": "c/d"]) == #"{"a/b":"c/d"}"#)
        #expect(try fast("\u{0}\u{8}\u{C}\r") == #""\u0000\b\f\r""#)
    }

    /// Sorted keys (for fingerprints) are in the order of their UTF-8 bytes, at every depth, with
    /// every member whole.
    @Test func sortedKeysFollowTheirBytes() throws {
        let value: JSONValue = [
            "b": 1, "é": "x", "a": ["d": [2, ["y": 1, "x": 2]], "c": "3,4", "cc": [:]], "z": [], "B": nil, "ab": "",
        ]
        let bytes = try RecordJSONEncoder(redactor: Redactor(secrets: []), sortsKeys: true).encode(value)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"B":null,"a":{"c":"3,4","cc":{},"d":[2,{"x":2,"y":1}]},"ab":"","b":1,"z":[],"é":"x"}"#)
        #expect(try fast(["only": 1]) == #"{"only":1}"#)
    }

    @Test func secretsAreRedactedInValuesNotKeys() throws {
        let value: JSONValue = ["token-abc": "use token-abc now", "list": ["token-abc"]]
        let json = try fast(value, secrets: ["token-abc"])
        #expect(try tree(json) == ["token-abc": "use [redacted] now", "list": ["[redacted]"]])
        let slow = try StorageCoding.foundationEncode(
            value, with: StorageCoding.recordEncoder(), redactor: Redactor(secrets: ["token-abc"]))
        #expect(try tree(slow) == tree(json))
    }

    /// Writes into its outer container after opening a nested one, then into the nested one again.
    private struct OutOfOrder: Encodable {
        enum Keys: String, CodingKey { case a, b, c }
        func encode(to encoder: any Encoder) throws {
            var outer = encoder.container(keyedBy: Keys.self)
            var inner = outer.nestedContainer(keyedBy: Keys.self, forKey: .a)
            try outer.encode(1, forKey: .b)
            try inner.encode(2, forKey: .c)
        }
    }

    private struct UsesSuper: Encodable {
        enum Keys: String, CodingKey { case a }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try "x".encode(to: container.superEncoder())
        }
    }

    private struct EncodesNothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    @Test func unusualEncodersFallBackToFoundation() throws {
        #expect(throws: RecordJSONEncoder.Unsupported.self) { try fast(OutOfOrder()) }
        #expect(throws: RecordJSONEncoder.Unsupported.self) { try fast(UsesSuper()) }
        #expect(throws: RecordJSONEncoder.Unsupported.self) { try fast(["x": EncodesNothing()]) }
        let encoder = StorageCoding.recordEncoder()
        let json = try StorageCoding.encode(OutOfOrder(), with: encoder, redactor: Redactor(secrets: []))
        #expect(try tree(json) == ["a": ["c": 2], "b": 1])
        #expect(throws: (any Error).self) {
            try StorageCoding.encode([Double.nan], with: encoder, redactor: Redactor(secrets: []))
        }
    }
}
