import ArgumentParser
import Foundation
import TaskrunCore
import TaskrunExecution
import TaskrunStorage

/// `taskrun show ID`: one execution in detail.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one execution: its phases, agent responses, outputs and errors.",
        discussion: """
            ID is an execution id from 'taskrun history', or enough of its start to be unique. \
            Text mode abbreviates agent responses to one line; --json prints everything.

            Examples:
              taskrun show 01a20533-81ba-7000-93df-b6a32c79319d
              taskrun show 01a20533-81ba --events
              taskrun show 01a20533-81ba --json
            """)

    @Argument(help: "The execution id (or a unique prefix of it).")
    var id: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(help: "Also print the execution's event log.")
    var events = false

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let context = CommandContext.current
        let (opened, id) = try await store.openExecution(self.id, in: context)
        let details: ExecutionDetails
        let log: [ExecutionEvent]
        do {
            guard let found = try await opened.loadDetails(id) else { throw StoreError.unknownExecution(self.id) }
            details = found
            log = events ? try await opened.events(of: id) : []
        } catch {
            context.printError("\(error)")
            throw ExitCode(ExitStatus.failure)
        }
        if json {
            context.print(try HistoryFormat.json(ShowOutput(details, events: events ? log : nil)))
        } else {
            context.writeOutput(Self.render(details, events: events ? log : nil))
        }
    }

    /// Every phase of the task in file order, with its committed result, or its state in the
    /// final result, or nothing yet.
    static func phases(of details: ExecutionDetails) -> [(name: String, result: PhaseResult?)] {
        let committed = Dictionary(
            details.execution.phases.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        let final = Dictionary(
            (details.execution.result?.phases ?? []).map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        return details.execution.record.task.phases.map { phase in
            (phase.name, committed[phase.name] ?? final[phase.name])
        }
    }

    static func render(_ details: ExecutionDetails, events: [ExecutionEvent]?) -> String {
        let execution = details.execution
        let record = execution.record
        var lines = ["execution \(record.id)"]
        func field(_ name: String, _ value: String) {
            lines.append(name.padding(toLength: 11, withPad: " ", startingAt: 0) + value)
        }
        field("task", "\(record.taskID) (\(record.taskName))")
        field("status", HistoryFormat.status(execution.status, details.standing))
        if let reason = execution.reason { field("reason", reason) }
        field("started", HistoryFormat.time(record.startedAt))
        if let finished = details.finishedAt {
            field(
                "finished",
                "\(HistoryFormat.time(finished)) (\(HistoryFormat.duration(finished.timeIntervalSince(record.startedAt))))"
            )
        }
        if record.resumeCount > 0 {
            field("resumed", record.resumeCount == 1 ? "once" : "\(record.resumeCount) times")
        }
        if !record.input.isEmpty {
            field("input", JSONValue.object(record.input).compactDescription)
        }
        if let phase = details.checkpointPhase {
            field("checkpoint", "after \(phase) (\(details.checkpointCount) written, the latest kept)")
        }
        field("task file", details.taskHash)
        if details.standing.isResumable { field("resume", "taskrun resume \(record.id)") }
        lines.append("")
        lines.append("phases:")
        for (name, phase) in phases(of: details) {
            guard let phase else {
                lines.append("  \(name)  pending")
                continue
            }
            var head = "  \(name)  \(phase.status.rawValue)"
            if let duration = phase.duration {
                head += "  \(HistoryFormat.duration(duration.seconds))"
            }
            if phase.attempts > 1 { head += "  \(phase.attempts) attempts" }
            lines.append(head)
            for reply in phase.responses {
                lines.append("      \(reply.agent): \(HistoryFormat.abbreviated(reply.response.text))")
            }
            for step in phase.steps where step.status.isFailure {
                lines.append(
                    "      step \(step.index) (\(step.agent ?? step.type)) \(step.status): \(step.error ?? "")")
            }
            for (key, value) in phase.outputs.sorted(by: { $0.key < $1.key }) {
                let text = value.stringValue ?? value["text"]?.stringValue ?? value.compactDescription
                lines.append("      → \(key): \(HistoryFormat.abbreviated(text))")
            }
            for error in phase.errors { lines.append("      error: \(error)") }
        }
        if let events {
            lines.append("")
            lines.append("events:")
            for event in events { lines.append("  " + describe(event)) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `   12  21:39:51.123  phase:complete  P1  (12ms)`.
    static func describe(_ event: ExecutionEvent) -> String {
        let sequence = String(event.sequence)
        var text = String(repeating: " ", count: max(0, 4 - sequence.count)) + sequence
        let time = event.timestamp.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
        text += "  " + String(time.dropFirst(11).dropLast())
        text += "  " + event.kind.rawValue
        var details: [String] = []
        if let task = event.task { details.append(task) }
        if let phase = event.phase { details.append(phase) }
        if let step = event.step { details.append("step \(step)") }
        if let agent = event.agent { details.append(agent) }
        if let attempt = event.attempt, attempt > 1 { details.append("attempt \(attempt)") }
        if let status = event.status { details.append(status) }
        if let message = event.message { details.append(HistoryFormat.abbreviated(message, limit: 80)) }
        if !details.isEmpty { text += "  " + details.joined(separator: "  ") }
        return text
    }
}

/// What `taskrun show --json` prints.
struct ShowOutput: Encodable {
    var details: ExecutionDetails
    var events: [ExecutionEvent]?

    init(_ details: ExecutionDetails, events: [ExecutionEvent]?) {
        self.details = details
        self.events = events
    }

    private enum CodingKeys: String, CodingKey {
        case id, taskId, taskName, taskHash, status, standing, reason, startedAt, finishedAt, updatedAt, resumeCount
        case input, checkpoint, phases, result, events
    }

    private struct Checkpoint: Encodable {
        var phase: String
        var count: Int
    }

    func encode(to encoder: any Encoder) throws {
        let execution = details.execution
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(details.id, forKey: .id)
        try container.encode(execution.record.taskID, forKey: .taskId)
        try container.encode(execution.record.taskName, forKey: .taskName)
        try container.encode(details.taskHash, forKey: .taskHash)
        try container.encode(execution.status, forKey: .status)
        try container.encode(details.standing, forKey: .standing)
        try container.encodeIfPresent(execution.reason, forKey: .reason)
        try container.encode(execution.record.startedAt, forKey: .startedAt)
        try container.encodeIfPresent(details.finishedAt, forKey: .finishedAt)
        try container.encode(details.updatedAt, forKey: .updatedAt)
        try container.encode(execution.record.resumeCount, forKey: .resumeCount)
        try container.encode(execution.record.input, forKey: .input)
        try container.encodeIfPresent(
            details.checkpointPhase.map { Checkpoint(phase: $0, count: details.checkpointCount) }, forKey: .checkpoint)
        try container.encode(ShowCommand.phases(of: details).compactMap(\.result), forKey: .phases)
        try container.encodeIfPresent(execution.result, forKey: .result)
        try container.encodeIfPresent(events, forKey: .events)
    }
}
