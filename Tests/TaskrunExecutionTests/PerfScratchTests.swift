import Foundation
import Testing
import TaskrunCore
@testable import TaskrunExecution

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let parts = text.split(separator: " ")
    return (Int(parts[1]) ?? 0) * 4096
}

@Suite struct PerfScratch {
    @Test(arguments: [200, 2000]) func noOpPhases(count: Int) async throws {
        let phases = (0..<count).map { i in makePhase("P\(i)", dependsOn: i == 0 ? [] : ["P\(i-1)"]) }
        var nocheck = phases
        for i in nocheck.indices { nocheck[i].checkpoint = false }
        let wide = (0..<count).map { i in makePhase("W\(i)") }
        let executor = TaskExecutor(configuration: .init(maxConcurrentPhases: 8), agents: ScriptedAgentManager(), logger: quietLogger)
        for task in [makeTask("chain", phases), makeTask("chain-nocheckpoint", nocheck), makeTask("wide", wide)] {
            _ = try await executor.execute(task)
            let clock = ContinuousClock()
            let start = clock.now
            let result = try await executor.execute(task)
            let elapsed = clock.now - start
            print("PERF \(task.id): \(count) phases in \(elapsed), per phase \(elapsed / count) status \(result.status)")
        }
        let small = makeTask("small", [makePhase("A"), makePhase("B", dependsOn: ["A"]), makePhase("C", dependsOn: ["B"])])
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<2000 { _ = try await executor.execute(small) }
        print("PERF small 3-phase execution: \((clock.now - start) / 2000)")
    }

    @Test func concurrentMemory() async throws {
        let gate = Gate()
        let agents = ScriptedAgentManager(fallback: { _ in try await gate.wait(); return AgentResponse(text: "x") })
        let executor = TaskExecutor(configuration: .init(maxConcurrentPhases: 4), agents: agents, history: InMemoryHistoryStore(retainedExecutions: 20000), logger: quietLogger)
        let task = makeTask("mem", [makePhase("A", [agentStep("a", "hello {{input.n}}")]), makePhase("B", dependsOn: ["A"], [agentStep("b")])])
        let before = residentBytes()
        var handles: [ExecutionHandle] = []
        for n in 0..<10_000 { handles.append(try executor.start(task, input: ["n": .number(Double(n))])) }
        await gate.waitForArrivals(10_000)
        let during = residentBytes()
        print("PERF 10k in flight: \((during - before) / 10_000) bytes each")
        gate.open()
        for h in handles { _ = await h.result }
        print("PERF after: \((residentBytes() - before) / 10_000) bytes each (store retains results)")
    }
}

struct NullStore: HistoryStore {
    func executionStarted(_ record: ExecutionRecord) async throws {}
    func commitPhase(_ commit: PhaseCommit) async throws {}
    func executionUpdated(_ update: ExecutionUpdate) async throws {}
    func executionFinished(_ result: ExecutionResult, events: [ExecutionEvent]) async throws {}
    func history(limit: Int) async throws -> [ExecutionSummary] { [] }
    func loadExecution(_ id: ExecutionID) async throws -> StoredExecution? { nil }
    func loadCheckpoint(_ id: ExecutionID) async throws -> ExecutionCheckpoint? { nil }
    func events(of id: ExecutionID) async throws -> [ExecutionEvent] { [] }
}

@Suite struct PerfMemory {
    @Test func inFlightMemoryBreakdown() async throws {
        for variant in [ProcessInfo.processInfo.environment["VARIANT"] ?? "custom-nullstore"] {
            let gate = Gate()
            let agents = ScriptedAgentManager(fallback: { _ in try await gate.wait(); return AgentResponse(text: "x") })
            let store: any HistoryStore = variant.contains("nullstore") ? NullStore() : InMemoryHistoryStore(retainedExecutions: 20000)
            let executor = TaskExecutor(configuration: .init(maxConcurrentPhases: 4), agents: agents, history: store, logger: quietLogger)
            executor.registerStepStrategy("block") { _, _, _ in try await gate.wait(); return .null }
            let step = variant.hasPrefix("agent") ? agentStep("a", "hello") : customStep("block")
            let task = makeTask("mem", maxExecutionTime: variant.hasSuffix("timeout") ? .seconds(100) : nil, [makePhase("A", [step]), makePhase("B", dependsOn: ["A"], [descriptionStep("b")])])
            let count = 10_000
            var handles: [ExecutionHandle] = []
            handles.reserveCapacity(count)
            let before = residentBytes()
            for _ in 0..<count { handles.append(try executor.start(task)) }
            await gate.waitForArrivals(count)
            let during = residentBytes()
            print("PERF \(variant): \((during - before) / count) bytes per in-flight execution")
            gate.open()
            for h in handles { _ = await h.result }
        }
    }
}

@Suite struct PerfTaskCost {
    @Test func taskCost() async throws {
        let gate = Gate()
        let mode = ProcessInfo.processInfo.environment["VARIANT"] ?? "task"
        let before = residentBytes()
        var tasks: [Task<Void, Never>] = []
        tasks.reserveCapacity(10_000)
        for _ in 0..<10_000 {
            if mode == "task" {
                tasks.append(Task { try? await gate.wait() })
            } else {
                tasks.append(Task {
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { try? await gate.wait() }
                        group.addTask { try? await gate.wait() }
                    }
                })
            }
        }
        await gate.waitForArrivals(mode == "task" ? 10_000 : 20_000)
        print("PERF \(mode): \((residentBytes() - before) / 10_000) bytes each")
        gate.open()
        for t in tasks { await t.value }
    }
}
