import Foundation
import TaskrunCore

@testable import TaskrunStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A reproducible source of random numbers (SplitMix64).
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// A tasks directory with the crash-trial task and its `worker` agent, and the channel its agents
/// report to; starts `taskrun` children in it.
struct CrashTrialFixture {
    let directory: TemporaryDirectory
    let channel: MarkChannel
    /// A FIFO nobody writes to: an agent told to hang reads it until it is stopped.
    let gate: String
    static let taskFile = "tasks/crash-trial.md"

    /// The phases of the task in file order: a start, five layers of four phases that each depend
    /// on the whole previous layer (so several phases run and commit at once), a final phase.
    static let phaseNames: [String] =
        ["Start"] + (1...5).flatMap { layer in (1...4).map { "L\(layer)-\($0)" } } + ["Final"]

    /// The agent: reads the query on stdin, appends `<run> <phase>` to the marks file (its side
    /// effect), reports `<tag> <phase>` on the channel, hangs when its phase is the one to hang,
    /// and answers with text that depends only on its phase and prompt. Only shell built-ins.
    static let agentScript = #"""
        IFS= read -r query
        phase=${query##*\"phase\":\"}; phase=${phase%%\"*}
        prompt=${query##*\"prompt\":\"}; prompt=${prompt%%\"*}
        printf '%s %s\n' "$TASKRUN_CRASH_RUN" "$phase" >> "$TASKRUN_CRASH_MARKS"
        printf '%s %s\n' "$TASKRUN_CRASH_TAG" "$phase" >> "$TASKRUN_CRASH_CHANNEL"
        if [ "$phase" = "${TASKRUN_CRASH_HANG:-}" ]; then read -r _ < "$TASKRUN_CRASH_GATE"; fi
        printf '{"text":"%s: %s"}\n' "$phase" "${#prompt}"
        """#

    init() throws {
        directory = try TemporaryDirectory()
        let tasks = directory.file("tasks")
        try FileManager.default.createDirectory(atPath: tasks + "/agents", withIntermediateDirectories: true)
        try Self.taskMarkdown().write(toFile: directory.file(Self.taskFile), atomically: true, encoding: .utf8)
        try Self.agentMarkdown.write(toFile: tasks + "/agents/worker.md", atomically: true, encoding: .utf8)
        channel = try MarkChannel(path: directory.file("channel"))
        gate = directory.file("gate")
        guard mkfifo(gate, 0o600) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    func cleanUp() {
        // Lets a hanging agent that was never stopped go (opening fails when none waits), then ends the channel.
        let writer = open(gate, O_WRONLY | O_NONBLOCK)
        if writer >= 0 { close(writer) }
        channel.shutDown()
        directory.cleanUp()
    }

    static func taskMarkdown() -> String {
        var text = """
            # Crash trial

            ```yaml
            name: Crash trial
            requirements:
              ticker:
                type: string
                default: BTC
            ```

            ## Phase: Start

            ### Agents
            - worker

            ### Steps
            - agent: worker - start {{input.ticker}}

            ### Outputs
            - summary

            """
        var previous = ["Start"]
        for layer in 1...5 {
            var current: [String] = []
            for lane in 1...4 {
                let name = "L\(layer)-\(lane)"
                let source = previous[(lane - 1) % previous.count]
                text += phase(name, after: previous, prompt: "\(name) after {{phases.\(source).outputs.summary.text}}")
                current.append(name)
            }
            previous = current
        }
        text += phase("Final", after: previous, prompt: "final after {{phases.L5-4.outputs.summary.text}}")
        return text
    }

    private static func phase(_ name: String, after dependencies: [String], prompt: String) -> String {
        """

        ## Phase: \(name)
        dependsOn: \(dependencies.joined(separator: ", "))

        ### Agents
        - worker

        ### Steps
        - agent: worker - \(prompt)

        ### Outputs
        - summary

        """
    }

    static let agentMarkdown = """
        # Worker

        Marks its phase's side effect and answers from its prompt.

        ```yaml
        id: worker
        name: Worker
        role: worker
        persona: You mark your phase and answer from the prompt.
        backend: command
        ```

        """

    /// Starts `taskrun arguments…` (with `--store store --agents command`) in the tasks directory's
    /// parent; its agents write `<run> <phase>` to `marks` and report under `tag`.
    func start(
        _ arguments: [String], store: String, marks: String, run: Int, tag: String, hang: String? = nil
    ) throws -> TaskrunChild {
        var environment = ProcessInfo.processInfo.environment
        for name in ["TASKRUN_AGENTS", "TASKRUN_STORE", "TASKRUN_TASKS_DIR", "TASKRUN_AGENT_COMMAND"] {
            environment[name] = nil
        }
        let command = try JSONEncoder().encode(["/bin/sh", "-c", Self.agentScript])
        environment["TASKRUN_AGENT_COMMAND"] = String(decoding: command, as: UTF8.self)
        environment["TASKRUN_CRASH_RUN"] = String(run)
        environment["TASKRUN_CRASH_MARKS"] = marks
        environment["TASKRUN_CRASH_TAG"] = tag
        environment["TASKRUN_CRASH_CHANNEL"] = channel.path
        environment["TASKRUN_CRASH_GATE"] = gate
        environment["TASKRUN_CRASH_HANG"] = hang
        return try TaskrunChild(
            arguments: arguments + ["--store", store, "--agents", "command"], directory: directory.path,
            environment: environment, tag: tag, channel: channel)
    }

    /// What the marks file says: for each run, the phases whose agent ran (their side effect).
    static func marks(at path: String) -> [Int: [String]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var byRun: [Int: [String]] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let run = Int(parts[0]) else { continue }
            byRun[run, default: []].append(String(parts[1]))
        }
        return byRun
    }
}

extension JSONValue {
    /// The value without `latencyMs` keys: latency is measured, not computed, so it differs between runs.
    var withoutLatency: JSONValue {
        switch self {
        case .object(let object):
            .object(object.filter { $0.key != "latencyMs" }.mapValues(\.withoutLatency))
        case .array(let array): .array(array.map(\.withoutLatency))
        default: self
        }
    }
}
