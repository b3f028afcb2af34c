import Foundation

/// `taskrun-bench`: the benchmark suite behind `make bench` (see Docs/performance.md).
///
/// Without a subcommand it runs every workload in its own child process (so each one's peak RSS is
/// its own), runs the LangGraph peer scripts on the same workloads, and prints one markdown table.
@main
struct TaskrunBench {
    static func main() async {
        do {
            let options = try Options(Array(CommandLine.arguments.dropFirst()))
            if let workload = options.childWorkload {
                let result = try await ChildWorkload(
                    workload: workload, runs: options.runs, size: options.size, realFile: options.task,
                    parsePart: options.parsePart
                ).run()
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                FileHandle.standardOutput.write(try encoder.encode(result) + Data("\n".utf8))
            } else {
                try await Orchestrator(options: options).run()
            }
        } catch {
            FileHandle.standardError.write(Data("taskrun-bench: \(error)\n".utf8))
            exit(1)
        }
    }
}

/// One workload, measured in this process.
struct ChildWorkload {
    var workload: Workload
    var runs: Int
    var sizes = WorkloadSizes()
    var realFile: String?
    var parsePart = ParseWorkload.Part.task

    init(
        workload: Workload, runs: Int, size: Int? = nil, realFile: String? = nil,
        parsePart: ParseWorkload.Part = .task
    ) {
        self.workload = workload
        self.runs = runs
        self.realFile = realFile
        self.parsePart = parsePart
        if let size {
            sizes.chain = size
            sizes.fanout = size
            sizes.parseFiles = size
            sizes.inFlightCalls = size
            sizes.executions = size
        }
    }

    func run() async throws -> WorkloadResult {
        let executor = ExecutorWorkloads(sizes: sizes, runs: runs)
        switch workload {
        case .w1: return try await executor.chain()
        case .w2: return try await executor.fanout()
        case .w3: return try await executor.committee()
        case .w4: return try await DurableWorkload(sizes: sizes, runs: runs).run()
        case .w5:
            return try await ParseWorkload(files: sizes.parseFiles, runs: runs, part: parsePart, realFile: realFile)
                .run()
        case .w6: throw Options.UsageError(description: "W6 times whole processes; the orchestrator runs it")
        case .w7: return try await executor.abort()
        case .w8: return try await executor.manyExecutions()
        }
    }
}
