import Foundation
import Testing

@testable import TaskrunExecution

/// A run's pending events are plain records; the events made from them, and the log packed from
/// them, must be exactly the ones emitted.
struct PendingEventsTests {
    /// Events of every shape, with strings repeated by the next event, equal strings in other
    /// storage, long and short ones, and empty ones.
    static func sample(_ id: ExecutionID) -> [ExecutionEvent] {
        func fresh(_ text: String) -> String { String(decoding: Array(text.utf8), as: UTF8.self) }
        let long = "a phase name well over fifteen bytes"
        let start = Date(timeIntervalSinceReferenceDate: 800_000_000.25)
        var events = [
            ExecutionEvent(kind: .executionStart, executionID: id, sequence: 1, timestamp: start, task: "t"),
            ExecutionEvent(
                kind: .agentFailed, executionID: id, sequence: 2, timestamp: start.addingTimeInterval(0.000_001),
                phase: "Répondre 🙂", step: 3, stepType: "agent", agent: "a-long-agent-identifier-of-many-bytes",
                attempt: 2, status: "failed", message: "boom\nwith a second line",
                delay: .milliseconds(exactly: 12.345_678),
                duration: Duration(secondsComponent: -2, attosecondsComponent: -7)),
            ExecutionEvent(
                kind: .executionAborted, executionID: id, sequence: UInt64.max, timestamp: .distantFuture, phase: "",
                message: "", delay: .zero),
        ]
        for offset in 0..<30 {
            events.append(
                ExecutionEvent(
                    kind: ExecutionEvent.Kind.allCases[offset % ExecutionEvent.Kind.allCases.count], executionID: id,
                    sequence: UInt64(10 + offset), timestamp: start.addingTimeInterval(Double(offset) / 7),
                    task: offset.isMultiple(of: 4) ? fresh("a task id longer than fifteen bytes") : nil,
                    phase: offset.isMultiple(of: 3) ? fresh(long + "!") : fresh(long), step: offset,
                    stepType: offset.isMultiple(of: 5) ? nil : "agent",
                    agent: offset.isMultiple(of: 2) ? "x" : fresh("y"),
                    attempt: offset % 3 == 1 ? nil : offset,
                    status: fresh("completed and more than fifteen"),
                    message: offset.isMultiple(of: 5) ? nil : fresh(long), duration: .milliseconds(offset)))
        }
        return events
    }

    static func pending(_ events: [ExecutionEvent]) -> PendingEvents {
        var pending = PendingEvents()
        append(events, to: &pending)
        return pending
    }

    /// Emits `events` into `pending`, as a run does.
    static func append(_ events: [ExecutionEvent], to pending: inout PendingEvents) {
        for event in events {
            pending.append(
                event.kind, sequence: event.sequence, timestamp: event.timestamp, task: event.task, phase: event.phase,
                step: event.step, stepType: event.stepType, agent: event.agent, attempt: event.attempt,
                status: event.status, message: event.message, delay: event.delay, duration: event.duration)
        }
    }

    @Test func theEventsAreTheOnesEmitted() {
        let id = ExecutionID.make()
        let events = Self.sample(id)
        var pending = Self.pending(events)
        #expect(pending.events(of: id) == events)
        // A string repeated by the next event's same field is kept once.
        #expect(pending.strings.count < events.count * 6)
        // Emptied, then used again: nothing of the earlier events (nor their strings) shows.
        pending.removeAll()
        #expect(pending.isEmpty)
        #expect(pending.events(of: id).isEmpty)
        let again = Array(events.suffix(5))
        Self.append(again, to: &pending)
        #expect(pending.events(of: id) == again)
    }

    /// Handed over and emptied, the buffer keeps its few strings: the next batch's events that
    /// repeat them add none, and are still exactly the ones emitted, in the events and in the log.
    /// Past ``PendingEvents/keptStrings`` it lets them go.
    @Test func theStringsOfAHandedOverBatchServeTheNext() {
        let id = ExecutionID.make()
        func event(_ sequence: UInt64, phase: String, status: String? = nil) -> ExecutionEvent {
            ExecutionEvent(
                kind: .stepComplete, executionID: id, sequence: sequence,
                timestamp: Date(timeIntervalSinceReferenceDate: Double(sequence)), phase: phase, step: 0,
                stepType: "agent", agent: "analyst", status: status)
        }
        let first = [event(1, phase: "One"), event(2, phase: "One", status: "completed")]
        let second = [event(3, phase: "Two"), event(4, phase: "Two", status: "completed")]
        var pending = Self.pending(first)
        var log = CompactEventLog()
        log.append(pending, executionID: id)
        let kept = pending.strings.count
        pending.removeAll()
        #expect(pending.isEmpty)
        #expect(pending.events(of: id).isEmpty)
        #expect(pending.strings.count == kept)
        Self.append(second, to: &pending)
        // Only the new phase name is added: the step type, agent and status are found again.
        #expect(pending.strings.count == kept + 1)
        #expect(pending.events(of: id) == second)
        log.append(pending, executionID: id)
        #expect(log.events == first + second)
        // Many distinct strings: emptied with the records.
        var many = PendingEvents()
        for sequence in 0..<UInt64(PendingEvents.keptStrings + 1) {
            many.append(
                .phaseStart, sequence: sequence, timestamp: .distantPast, task: nil, phase: "phase \(sequence)",
                step: nil, stepType: nil, agent: nil, attempt: 1, status: nil, message: nil, delay: nil,
                duration: nil)
        }
        many.removeAll()
        #expect(many.strings.isEmpty)
    }

    /// Packed from the records, the log holds the same bytes as packed from the events.
    @Test func theLogPackedFromRecordsIsTheLogPackedFromEvents() {
        let id = ExecutionID.make()
        let events = Self.sample(id)
        var fromEvents = CompactEventLog()
        var fromRecords = CompactEventLog()
        // In batches, as commits hand them over, with an empty one.
        for batch in [0..<1, 1..<1, 1..<9, 9..<events.count] {
            let slice = Array(events[batch])
            fromEvents.append(slice)
            fromRecords.append(Self.pending(slice), executionID: id)
        }
        #expect(fromRecords.events == events)
        #expect(fromRecords.count == fromEvents.count)
        #expect(fromRecords.byteCount == fromEvents.byteCount)
        // After a log of events of this execution, records pack after them.
        var mixed = CompactEventLog(Array(events.prefix(3)))
        mixed.append(Self.pending(Array(events.dropFirst(3))), executionID: id)
        #expect(mixed.events == events)
    }
}
