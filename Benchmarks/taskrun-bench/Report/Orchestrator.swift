import Foundation

/// Runs every workload in a child process of this binary, and the LangGraph peer of each, then
/// prints one markdown table.
struct Orchestrator {
    var options: Options

    /// A workload's results on both sides; `nil` where a side did not run, with the reason.
    struct Outcome {
        var ours: WorkloadResult?
        var peer: WorkloadResult?
        var problems: [String] = []
    }

    func run() async throws {
        let myself =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let taskrun =
            options.taskrun
            ?? ((myself as NSString).deletingLastPathComponent as NSString).appendingPathComponent("taskrun")
        var peers = options.peers
        if peers, !FileManager.default.isExecutableFile(atPath: options.python) {
            log("no Python at '\(options.python)' (make bench creates it); LangGraph columns are skipped")
            peers = false
        }
        var outcomes: [Workload: Outcome] = [:]
        for workload in options.only {
            log("\(workload.title) ...")
            var outcome = Outcome()
            if workload == .w6 {
                outcome = startUp(taskrun: taskrun, peers: peers)
            } else {
                do {
                    let file = workload == .w5 ? ["--task", options.task] : []
                    outcome.ours = try child(myself, ["run", workload.rawValue, "--runs", "\(options.runs)"] + file)
                } catch {
                    outcome.problems.append("taskrun: \(error)")
                }
                if peers && workload.hasPeer {
                    do {
                        let script = (options.peerDirectory as NSString).appendingPathComponent("langgraph_bench.py")
                        outcome.peer = try child(
                            options.python, [script, workload.rawValue, "--runs", "\(options.runs)"])
                    } catch {
                        outcome.problems.append("LangGraph: \(error)")
                    }
                }
            }
            for problem in outcome.problems { log("  \(workload.rawValue) \(problem)") }
            outcomes[workload] = outcome
        }
        let table = TableBuilder(outcomes: outcomes, order: options.only).table
        print(machineLine())
        print()
        print(table.markdown)
        let problems = options.only.flatMap { workload in
            (outcomes[workload]?.problems ?? []).map { "\(workload.rawValue) \($0)" }
        }
        if !problems.isEmpty {
            print("Not measured:")
            for problem in problems { print("- \(problem)") }
        }
        if let path = options.json {
            let raw = outcomes.reduce(into: [String: [String: WorkloadResult]]()) { raw, entry in
                var sides: [String: WorkloadResult] = [:]
                sides["taskrun"] = entry.value.ours
                sides["langgraph"] = entry.value.peer
                raw[entry.key.rawValue] = sides
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(raw).write(to: URL(fileURLWithPath: path))
        }
    }

    /// Runs a child that prints one ``WorkloadResult`` as JSON, and keeps the peak RSS the kernel
    /// measured for it when the child did not report its own.
    private func child(_ executable: String, _ arguments: [String]) throws -> WorkloadResult {
        let outcome = try ChildProcess(executable: executable, arguments: arguments).run()
        guard outcome.status == 0 else {
            throw UnexpectedOutcome(
                description: "'\(([executable] + arguments).joined(separator: " "))' exited \(outcome.status)")
        }
        guard let line = outcome.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            throw UnexpectedOutcome(description: "no JSON result from \(executable)")
        }
        var result = try JSONDecoder().decode(WorkloadResult.self, from: Data(line.utf8))
        if result.peakRSSKiB <= 0 { result.peakRSSKiB = outcome.peakRSSKiB }
        return result
    }

    /// W6: whole processes, warmed up twice (page cache), then timed one after another.
    private func startUp(taskrun: String, peers: Bool) -> Outcome {
        var outcome = Outcome()
        let runs = max(options.runs, 10)
        do {
            outcome.ours = try processTimes(
                "W6", runs: runs, ChildProcess(executable: taskrun, arguments: ["validate", options.task]))
        } catch {
            outcome.problems.append("taskrun: \(error)")
        }
        if peers {
            do {
                outcome.peer = try processTimes(
                    "W6", runs: runs,
                    ChildProcess(executable: options.python, arguments: ["-c", "import langgraph.graph"]))
            } catch {
                outcome.problems.append("LangGraph: \(error)")
            }
        }
        return outcome
    }

    private func processTimes(_ name: String, runs: Int, _ process: ChildProcess) throws -> WorkloadResult {
        var times: [Double] = []
        var peak = 0
        for run in 0..<(runs + 2) {
            let outcome = try process.run()
            guard outcome.status == 0 else {
                throw UnexpectedOutcome(
                    description:
                        "'\(process.executable) \(process.arguments.joined(separator: " "))' exited \(outcome.status)")
            }
            if run >= 2 { times.append(outcome.wallSeconds * 1e3) }
            peak = max(peak, outcome.peakRSSKiB)
        }
        return WorkloadResult(workload: name, samples: times, peakRSSKiB: peak)
    }

    private func machineLine() -> String {
        var info = utsname()
        uname(&info)
        let release = withUnsafeBytes(of: &info.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30)
        let date = ISO8601DateFormatter().string(from: Date())
        return
            "taskrun-bench \(date): Linux \(release), \(cores) cores, \(Figure.number(memory)) GiB; \(options.runs) runs after a warm-up"
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("[bench] \(message)\n".utf8))
    }
}
