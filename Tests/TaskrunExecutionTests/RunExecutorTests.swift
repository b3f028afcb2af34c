import Synchronization
import Testing

@testable import TaskrunExecution

/// The executor of one execution's tasks (``RunExecutor``): one job at a time, in arrival order,
/// across as many turns on the pool as it takes.
@Suite(.timeLimit(.minutes(1)))
struct RunExecutorTests {
    /// What the jobs saw: the order they ran in, and how many ran at the same instant.
    private final class Record: Sendable {
        private let state = Mutex<(order: [Int], inside: Int, most: Int)>(([], 0, 0))

        func run(_ index: Int) {
            state.withLock { state in
                state.inside += 1
                state.most = max(state.most, state.inside)
                state.order.append(index)
            }
            // Holds the thread a moment without awaiting: a job run beside it would overlap it.
            var sum = 0
            for value in 0..<20_000 { sum &+= value &* value }
            withExtendedLifetime(sum) {}
            state.withLock { $0.inside -= 1 }
        }

        var seen: (order: [Int], most: Int) { state.withLock { ($0.order, $0.most) } }
    }

    @Test func jobsRunOneAtATimeInTheOrderTheyArrive() async {
        let executor = RunExecutor()
        let count = RunExecutor.jobsPerTurn * 3 + 7
        let record = Record()
        await Task(executorPreference: executor) {
            await withTaskGroup(of: Void.self) { group in
                // Each child is enqueued as it is added, before any of them runs: this task holds
                // the executor until it awaits the group.
                for index in 0..<count {
                    group.addTask { record.run(index) }
                }
            }
        }.value
        let seen = record.seen
        #expect(seen.order == Array(0..<count))
        #expect(seen.most == 1)
    }
}
