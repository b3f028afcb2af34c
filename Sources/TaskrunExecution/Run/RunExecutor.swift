import Dispatch
import Synchronization

/// The executor every task of one execution runs on: the phase tasks, their steps' child tasks,
/// the agent calls they make and the execution's timers. It runs the execution's jobs one at a
/// time, in the order they arrive, on a thread of the global pool, as an actor's executor does:
/// an execution's phases and steps run concurrently (a step waiting on its agent lets the others
/// go on) but never at the same instant on two threads, while separate executions run in
/// parallel.
///
/// Why: an execution's bookkeeping is small and all of it goes through the run's state. On two
/// threads at once, the threads spent more time handing that state, and the memory of each phase
/// task, back and forth than they gained: a fan-out of a thousand no-op phases took 6.6–7.4 µs
/// per phase on one CPU and 6.5–14.4 µs on two, most of the difference in glibc's allocator
/// locks (Docs/performance.md, W2).
///
/// Jobs run in arrival order, without regard to their priority. A turn runs at most
/// ``jobsPerTurn`` jobs before the executor gives its thread back to the pool and queues the next
/// turn, so that a busy execution does not hold a pool thread from the others.
final class RunExecutor: _Concurrency.TaskExecutor {
    private struct Queue {
        var jobs: [UnownedJob] = []
        /// Whether a turn is queued or running: it takes whatever arrives until the queue is empty.
        var draining = false
    }

    private let queue = Mutex(Queue())

    static let jobsPerTurn = 256

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let startsTurn = queue.withLock { queue -> Bool in
            queue.jobs.append(job)
            guard !queue.draining else { return false }
            queue.draining = true
            return true
        }
        if startsTurn { queueTurn() }
    }

    private func queueTurn() {
        DispatchQueue.global().async { self.runTurn() }
    }

    /// Runs the queued jobs, batch by batch (one critical section per batch, not per job), until
    /// none is left or the turn has run its share.
    private func runTurn() {
        var batch: [UnownedJob] = []
        var ran = 0
        while true {
            let hasJobs = queue.withLock { queue -> Bool in
                swap(&batch, &queue.jobs)
                if batch.isEmpty { queue.draining = false }
                return !batch.isEmpty
            }
            guard hasJobs else { return }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            ran += batch.count
            batch.removeAll(keepingCapacity: true)
            if ran >= Self.jobsPerTurn {
                // Still draining: the next turn goes on from here.
                queueTurn()
                return
            }
        }
    }
}
