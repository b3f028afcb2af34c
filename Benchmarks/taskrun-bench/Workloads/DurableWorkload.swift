import Foundation
import TaskrunExecution
import TaskrunStorage

/// W4: the chain with the durable store, as shipped: `SQLiteHistoryStore` with its default
/// configuration (WAL, `synchronous = NORMAL`), and the executor commits and checkpoints every
/// phase before its dependent starts.
struct DurableWorkload {
    var sizes: WorkloadSizes
    var runs: Int

    func run() async throws -> WorkloadResult {
        let task = try BenchTask.parse(TaskFiles.chain(count: sizes.chain), path: "chain.md")
        // A new directory per process: a process id can be one a killed earlier run left its files under.
        let directory = NSTemporaryDirectory() + "taskrun-bench-w4-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let workloads = ExecutorWorkloads(sizes: sizes, runs: runs)
        var times: [Double] = []
        var databaseBytes = 0
        // Run 0 is the warm-up. Each run writes a fresh database, so its size is one execution's.
        for run in 0...runs {
            let path = "\(directory)/run\(run).sqlite"
            let store = try SQLiteHistoryStore(path: path)
            let executor = workloads.executor(NoOpAgentManager(), history: store)
            let start = ContinuousClock.now
            try workloads.expectCompleted(await executor.execute(task))
            let elapsed = (ContinuousClock.now - start).seconds
            await executor.shutdown()
            if run > 0 { times.append(elapsed) }
            databaseBytes = [path, path + "-wal"].reduce(0) { total, file in
                let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
                return total + (size ?? 0)
            }
        }
        return WorkloadResult(
            workload: "W4", samples: times.map { $0 * 1e6 / Double(sizes.chain) }, peakRSSKiB: ProcessMemory.peakKiB,
            extra: ["db_bytes": Double(databaseBytes)])
    }
}
