import Foundation
import TaskrunCore
import TaskrunExecution

/// Hand-written JSON for the records every phase commit writes: the phase (`PhaseResult`, with
/// its steps and agent replies) and the checkpoint's scalar state (``CheckpointHead``).
///
/// Even ``RecordJSONEncoder`` goes through `Encodable`, whose generic containers cost several
/// microseconds per object: encoding a one-step phase took longer than the SQLite transaction that
/// stores it. This writes the same JSON directly: the same keys in the same order, optionals left
/// out when `nil`, dates as seconds since 2001, strings redacted as they are written (enum raw
/// values are fixed names, not data, and are written as they are). The types' own `Decodable`
/// implementations read it back to equal values; `RecordWriterTests` holds the two encoders to the
/// same output.
struct RecordWriter {
    private let writer: JSONByteWriter

    init(redactor: Redactor) {
        writer = JSONByteWriter(redactor: redactor, sortsKeys: false)
    }

    /// `phase` as JSON text.
    static func json(of phase: PhaseResult, redactor: Redactor) throws -> String {
        let writer = RecordWriter(redactor: redactor)
        writer.write(phase)
        return try writer.text(or: { try StorageCoding.encode(phase, redactor: redactor) })
    }

    /// `checkpoint` without its phases, as ``CheckpointHead`` stores it. `stateID` is
    /// `checkpoint.state.id` as text, when the caller has it already (formatting an id costs more
    /// than writing the rest of the checkpoint's state).
    static func headJSON(of checkpoint: ExecutionCheckpoint, redactor: Redactor, stateID: String? = nil) throws
        -> String
    {
        let writer = RecordWriter(redactor: redactor)
        writer.writeHead(checkpoint, stateID: stateID ?? checkpoint.state.id.description)
        return try writer.text(or: { try StorageCoding.encode(CheckpointHead(checkpoint), redactor: redactor) })
    }

    /// `events` as one `commit_log.events` array (see ``EventRows``). Their times are finite.
    static func json(ofEvents events: [ExecutionEvent], redactor: Redactor) -> String {
        let writer = RecordWriter(redactor: redactor)
        writer.raw("[")
        // By index, not enumerated(): its iterator hands out a copy of each event (a retain and a
        // release of each of its strings), a quarter of the time of writing them.
        for index in events.indices {
            if index > 0 { writer.raw(",") }
            writer.write(events[index])
        }
        writer.raw("]")
        return String(decoding: writer.writer.bytes, as: UTF8.self)
    }

    /// The text written, or `fallback()` when a value could not be written (a number that is not
    /// finite): the general encoder reports it the way it always has.
    private func text(or fallback: () throws -> String) throws -> String {
        guard writer.failure == nil else { return try fallback() }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    // MARK: Records

    func write(_ phase: PhaseResult) {
        raw("{\"name\":")
        string(phase.name)
        raw(",\"status\":")
        name(phase.status.rawValue)
        raw(",\"attempts\":")
        writer.writeInteger(phase.attempts)
        if let date = phase.startedAt {
            raw(",\"startedAt\":")
            self.date(date)
        }
        if let date = phase.finishedAt {
            raw(",\"finishedAt\":")
            self.date(date)
        }
        raw(",\"steps\":[")
        // By index, as the events: without a copy of each step and reply.
        for index in phase.steps.indices {
            if index > 0 { raw(",") }
            write(phase.steps[index])
        }
        raw("],\"responses\":[")
        for index in phase.responses.indices {
            if index > 0 { raw(",") }
            write(phase.responses[index])
        }
        raw("],\"outputs\":")
        object(phase.outputs)
        raw(",\"errors\":")
        strings(phase.errors)
        if let result = phase.result {
            raw(",\"result\":")
            value(result)
        }
        raw("}")
    }

    func write(_ step: StepResult) {
        raw("{\"index\":")
        writer.writeInteger(step.index)
        raw(",\"type\":")
        string(step.type)
        if let agent = step.agent {
            raw(",\"agent\":")
            string(agent)
        }
        raw(",\"status\":")
        name(step.status.rawValue)
        if let value = step.value {
            raw(",\"value\":")
            self.value(value)
        }
        raw(",\"outputs\":")
        object(step.outputs)
        if let error = step.error {
            raw(",\"error\":")
            string(error)
        }
        raw(",\"warnings\":")
        strings(step.warnings)
        raw(",\"attempts\":")
        writer.writeInteger(step.attempts)
        if let date = step.startedAt {
            raw(",\"startedAt\":")
            self.date(date)
        }
        if let date = step.finishedAt {
            raw(",\"finishedAt\":")
            self.date(date)
        }
        raw("}")
    }

    func write(_ reply: AgentReply) {
        raw("{\"agent\":")
        string(reply.agent)
        raw(",\"step\":")
        writer.writeInteger(reply.step)
        raw(",\"attempt\":")
        writer.writeInteger(reply.attempt)
        raw(",\"response\":")
        write(reply.response)
        raw("}")
    }

    func write(_ response: AgentResponse) {
        raw("{\"text\":")
        string(response.text)
        if let position = response.position {
            raw(",\"position\":")
            name(position.rawValue)
        }
        if let confidence = response.confidence {
            raw(",\"confidence\":")
            writer.writeDouble(confidence)
        }
        if !response.keyPoints.isEmpty {
            raw(",\"keyPoints\":")
            strings(response.keyPoints)
        }
        if !response.risks.isEmpty {
            raw(",\"risks\":")
            strings(response.risks)
        }
        if let data = response.data {
            raw(",\"data\":")
            value(data)
        }
        if let latency = response.latency {
            raw(",\"latencyMs\":")
            writer.writeDouble(latency.milliseconds)
        }
        if let usage = response.usage {
            raw(",\"usage\":{")
            var first = true
            for (key, count) in [("prompt", usage.prompt), ("completion", usage.completion), ("total", usage.total)] {
                guard let count else { continue }
                if !first { raw(",") }
                first = false
                writer.writeString(key, redacting: false)
                raw(":")
                writer.writeInteger(count)
            }
            raw("}")
        }
        raw("}")
    }

    /// An event as an array of its fields, in the order of ``EventRows/fields``.
    func write(_ event: ExecutionEvent) {
        raw("[")
        writer.writeInteger(event.sequence)
        raw(",")
        name(event.kind.rawValue)
        raw(",")
        number(event.timestamp.timeIntervalSinceReferenceDate)
        // Written out, not looped over: an array literal of the fields would be allocated per event.
        raw(",")
        optional(event.task)
        raw(",")
        optional(event.phase)
        raw(",")
        optional(event.step)
        raw(",")
        optional(event.stepType)
        raw(",")
        optional(event.agent)
        raw(",")
        optional(event.attempt)
        raw(",")
        optional(event.status)
        raw(",")
        optional(event.message)
        raw(",")
        optional(event.delay)
        raw(",")
        optional(event.duration)
        raw("]")
    }

    private func optional(_ text: String?) {
        if let text { string(text) } else { writer.writeNull() }
    }

    private func optional(_ duration: Duration?) {
        if let duration { number(duration.milliseconds) } else { writer.writeNull() }
    }

    private func optional(_ integer: Int?) {
        if let integer { writer.writeInteger(integer) } else { writer.writeNull() }
    }

    /// A number that is not finite (no JSON for it) is written `null`.
    private func number(_ value: Double) {
        if value.isFinite { writer.writeDouble(value) } else { writer.writeNull() }
    }

    /// The checkpoint as ``CheckpointHead`` encodes it: `state.phases` is written empty.
    func writeHead(_ checkpoint: ExecutionCheckpoint, stateID: String) {
        let state = checkpoint.state
        raw("{\"phase\":")
        string(checkpoint.phase)
        raw(",\"createdAt\":")
        date(checkpoint.createdAt)
        raw(",\"state\":{\"id\":")
        string(stateID)
        raw(",\"taskID\":")
        string(state.taskID)
        raw(",\"taskName\":")
        string(state.taskName)
        raw(",\"status\":")
        name(state.status.rawValue)
        if let reason = state.reason {
            raw(",\"reason\":")
            string(reason)
        }
        raw(",\"input\":")
        object(state.input)
        raw(",\"phases\":[],\"warnings\":")
        strings(state.warnings)
        if let date = state.startedAt {
            raw(",\"startedAt\":")
            self.date(date)
        }
        if let date = state.finishedAt {
            raw(",\"finishedAt\":")
            self.date(date)
        }
        raw(",\"lastSequence\":")
        writer.writeInteger(state.lastSequence)
        raw(",\"resumeCount\":")
        writer.writeInteger(state.resumeCount)
        raw("}}")
    }

    // MARK: Values

    /// Writes `value` as `JSONValue` encodes itself (integral numbers without a fraction).
    func value(_ value: JSONValue) {
        switch value {
        case .null: writer.writeNull()
        case .bool(let flag): writer.writeBool(flag)
        case .number(let number): writer.writeDouble(number)
        case .string(let text): string(text)
        case .array(let elements):
            raw("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { raw(",") }
                self.value(element)
            }
            raw("]")
        case .object(let members): object(members)
        }
    }

    /// An object's keys are names, not data: not redacted.
    private func object(_ members: [String: JSONValue]) {
        raw("{")
        var first = true
        for (key, member) in members {
            if !first { raw(",") }
            first = false
            writer.writeString(key, redacting: false)
            raw(":")
            value(member)
        }
        raw("}")
    }

    private func strings(_ texts: [String]) {
        raw("[")
        for (index, text) in texts.enumerated() {
            if index > 0 { raw(",") }
            string(text)
        }
        raw("]")
    }

    private func string(_ text: String) {
        writer.writeString(text, redacting: true)
    }

    /// An enum's raw value.
    private func name(_ text: String) {
        writer.writeString(text, redacting: false)
    }

    private func date(_ date: Date) {
        writer.writeDouble(date.timeIntervalSinceReferenceDate)
    }

    private func raw(_ text: StaticString) {
        text.withUTF8Buffer { writer.bytes.append(contentsOf: $0) }
    }
}
