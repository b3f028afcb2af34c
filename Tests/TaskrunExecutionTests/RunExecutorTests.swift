import Testing

@testable import TaskrunExecution

/// The executor of one execution's tasks (``RunExecutor``): one job at a time, in arrival order,
/// across as many turns on the pool as it takes.
@Suite(.timeLimit(.minutes(1)))
struct RunExecutorTests {
    @Test func jobsRunOneAtATimeInTheOrderTheyArrive() async {
        let executor = RunExecutor()
        let count = RunExecutor.jobsPerTurn * 3 + 7
        let probe = OverlapProbe()
        await Task(executorPreference: executor) {
            await withTaskGroup(of: Void.self) { group in
                // Each child is enqueued as it is added, before any of them runs: this task holds
                // the executor until it awaits the group.
                for index in 0..<count {
                    group.addTask { probe.hold(recording: index, work: 20_000) }
                }
            }
        }.value
        #expect(probe.order == Array(0..<count))
        #expect(probe.mostAtOnce == 1)
    }
}
