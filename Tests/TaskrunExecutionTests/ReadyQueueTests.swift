import TaskrunCore
import Testing

@testable import TaskrunExecution

/// The ready queue hands out phases in file order, however and whenever they became ready.
struct ReadyQueueTests {
    /// A root with a fan-out of dependents, every tenth phase independent of it (ready from the
    /// start, so the fan-out's phases must go between them), and a join on the first two.
    private func fanOutPlan() -> ExecutionPlan {
        var phases = [makePhase("Root", [agentStep("a")])]
        for index in 1...200 {
            phases.append(
                index % 10 == 0
                    ? makePhase("Free\(index)", [agentStep("a")])
                    : makePhase("Fan\(index)", dependsOn: ["Root"], [agentStep("a")]))
        }
        phases.append(makePhase("Join", dependsOn: ["Fan1", "Fan2"], [agentStep("a")]))
        return ExecutionPlan(task: makeTask(phases), strategies: [:])
    }

    @Test func aFanOutJoinsTheQueueInFileOrderAmongPhasesReadyBefore() {
        var queue = ReadyQueue(fresh: fanOutPlan())
        #expect(queue.pop() == 0)
        #expect(queue.pop() == 10)
        queue.markDone(0)
        #expect(queue.pop() == 1)
        #expect(queue.pop() == 2)
        queue.markDone(2)
        queue.markDone(1)
        var order: [Int] = []
        while let next = queue.pop() { order.append(next) }
        #expect(order == Array(3...201).filter { $0 != 10 })
    }
}
