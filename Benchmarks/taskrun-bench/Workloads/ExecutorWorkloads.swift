import Logging
import TaskrunCore
import TaskrunExecution

/// A run that did not end the way the workload needs: the figure would be meaningless.
struct UnexpectedOutcome: Error, CustomStringConvertible {
    var description: String
}

/// W1, W2, W3, W7 and W8: the executor in memory, with the bench's agent managers.
struct ExecutorWorkloads {
    var sizes: WorkloadSizes
    var runs: Int

    func executor(
        _ agents: some AgentManager, history: any HistoryStore = InMemoryHistoryStore(), maxConcurrentPhases: Int = 4
    ) -> TaskExecutor {
        // A silent logger: the executor's notices are not part of what is measured, and stdout carries the result.
        TaskExecutor(
            configuration: .init(maxConcurrentPhases: maxConcurrentPhases), agents: agents, history: history,
            logger: Logger(label: "taskrun.bench") { _ in SwiftLogNoOpLogHandler() })
    }

    func expectCompleted(_ result: ExecutionResult) throws {
        guard result.status == .completed else {
            throw UnexpectedOutcome(description: "execution ended \(result.status): \(result.reason ?? "-")")
        }
    }

    /// W1: µs per phase of a 1000-phase chain.
    func chain() async throws -> WorkloadResult {
        let task = try BenchTask.parse(TaskFiles.chain(count: sizes.chain), path: "chain.md")
        let executor = executor(NoOpAgentManager())
        let times = try await measure(runs: runs) { try expectCompleted(await executor.execute(task)) }
        return WorkloadResult(
            workload: "W1", samples: times.map { $0 * 1e6 / Double(sizes.chain) }, peakRSSKiB: ProcessMemory.peakKiB)
    }

    /// W2: µs per phase of a root, 1000 branches and a join.
    func fanout() async throws -> WorkloadResult {
        let task = try BenchTask.parse(TaskFiles.fanout(width: sizes.fanout), path: "fanout.md")
        let executor = executor(NoOpAgentManager())
        let times = try await measure(runs: runs) { try expectCompleted(await executor.execute(task)) }
        let phases = Double(sizes.fanout + 2)
        return WorkloadResult(
            workload: "W2", samples: times.map { $0 * 1e6 / phases }, peakRSSKiB: ProcessMemory.peakKiB)
    }

    /// W3: ms above the ideal of sequential rounds of parallel sleeping agents.
    func committee() async throws -> WorkloadResult {
        let task = try BenchTask.parse(
            TaskFiles.committee(phases: sizes.committeePhases, agents: sizes.committeeAgents), path: "committee.md")
        let executor = executor(SleepingAgentManager(latency: sizes.agentLatency))
        let times = try await measure(runs: runs) { try expectCompleted(await executor.execute(task)) }
        let ideal = sizes.agentLatency.seconds * Double(sizes.committeePhases)
        return WorkloadResult(
            workload: "W3", samples: times.map { ($0 - ideal) * 1e3 }, peakRSSKiB: ProcessMemory.peakKiB,
            extra: ["ideal_ms": ideal * 1e3, "wall_ms_median": Samples(times).median * 1e3])
    }

    /// W7: ms from `abort` to the last in-flight agent call having observed its cancellation.
    func abort() async throws -> WorkloadResult {
        let task = try BenchTask.parse(TaskFiles.wide(calls: sizes.inFlightCalls), path: "wide.md")
        var latencies: [Double] = []
        var settled: [Double] = []
        for run in 0...runs {
            let agents = HangingAgentManager(expected: sizes.inFlightCalls)
            let executor = executor(agents)
            let handle = try executor.start(task)
            await agents.waitUntilAllStarted()
            let requested = ContinuousClock.now
            handle.abort(reason: "benchmark abort")
            let result = await handle.result
            let ended = ContinuousClock.now
            let stops = agents.stops
            guard result.status == .aborted, stops.count == sizes.inFlightCalls, let last = stops.last else {
                throw UnexpectedOutcome(
                    description:
                        "abort ended \(result.status) with \(stops.count) of \(sizes.inFlightCalls) calls stopped")
            }
            if run > 0 {  // run 0 is the warm-up
                latencies.append((last - requested).seconds * 1e3)
                settled.append((ended - requested).seconds * 1e3)
            }
            await executor.shutdown()
        }
        return WorkloadResult(
            workload: "W7", samples: latencies, peakRSSKiB: ProcessMemory.peakKiB,
            extra: ["result_ms_median": Samples(settled).median])
    }

    /// W8: 10,000 executions of a 3-phase task alive at once; wall time, and RSS per execution:
    /// the process's peak (every execution finished and kept by the history store) and while all of
    /// them are in flight (each waiting in its first agent call).
    func manyExecutions() async throws -> WorkloadResult {
        let task = try BenchTask.parse(TaskFiles.small(), path: "small.md")
        // Warm-up: load the code and let the allocator reach its working size before the baseline.
        _ = try await runConcurrently(task, count: min(100, sizes.executions))
        let baseline = ProcessMemory.currentKiB
        var times: [Double] = []
        var inFlight: Int?
        for _ in 0..<runs {
            let start = ContinuousClock.now
            let memory = try await runConcurrently(task, count: sizes.executions)
            times.append((ContinuousClock.now - start).seconds)
            // Only the first run starts from the baseline: later ones reuse memory the allocator
            // kept (RSS does not shrink when memory is freed), so their in-flight figure means little.
            inFlight = inFlight ?? memory
        }
        let count = Double(sizes.executions)
        return WorkloadResult(
            workload: "W8", samples: times, peakRSSKiB: ProcessMemory.peakKiB,
            extra: [
                "rss_per_execution_kib": Double(ProcessMemory.peakKiB - baseline) / count,
                "in_flight_per_execution_kib": Double((inFlight ?? baseline) - baseline) / count,
                "baseline_rss_kib": Double(baseline),
            ])
    }

    /// Starts `count` executions, waits until every one is in its first agent call, notes the RSS
    /// then, opens the gate and awaits every result. Returns the RSS with all of them in flight.
    private func runConcurrently(_ task: TaskDefinition, count: Int) async throws -> Int {
        let agents = GatedAgentManager(expected: count)
        let executor = executor(agents)
        var handles: [ExecutionHandle] = []
        handles.reserveCapacity(count)
        for _ in 0..<count { handles.append(try executor.start(task)) }
        await agents.waitUntilAllWaiting()
        let inFlight = ProcessMemory.currentKiB
        agents.open()
        // Handles are dropped as their results arrive, as a server would.
        while let handle = handles.popLast() { try expectCompleted(await handle.result) }
        await executor.shutdown()
        return inFlight
    }
}
