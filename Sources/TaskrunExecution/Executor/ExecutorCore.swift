import Logging
import Synchronization
import TaskrunCore

/// What the executor's executions share: clock, agents, store, events, strategies, plans, and the
/// registry of active executions.
final class ExecutorCore: Sendable {
    let clock: ExecutorClock
    let agents: any AgentManager
    let history: any HistoryStore
    let logger: Logger
    let hub: EventHub
    let random: @Sendable () -> Double
    let configuration: TaskExecutor.Configuration
    /// Task files parsed by name, kept until they change.
    let parseCache = ParseCache()

    /// A plan and what every execution of it starts from.
    struct PreparedPlan: Sendable {
        let plan: ExecutionPlan
        /// The ready queue of an execution whose phases are all pending, made once per plan: a
        /// fresh execution starts from a copy instead of making it (each phase's dependents copied,
        /// each phase looked at: Docs/performance.md, W1).
        let freshQueue: ReadyQueue

        init(_ plan: ExecutionPlan) {
            self.plan = plan
            freshQueue = ReadyQueue(fresh: plan)
        }
    }

    private struct Strategies {
        var byName: [String: any StepStrategy] = [:]
        /// Bumped on every registration, so cached plans built with older strategies are not reused.
        var version = 0
        var plans: [TaskDefinition: PreparedPlan] = [:]
        /// The plan used last. Looking a task up in `plans` hashes the whole definition (every
        /// phase and step) on every start; comparing with the last one is quick when the caller
        /// runs the same definition again, since equal arrays that share storage compare at once.
        var last: (task: TaskDefinition, prepared: PreparedPlan)?
    }

    private struct Active {
        var runs: [ExecutionID: ExecutionRun] = [:]
        var shutDown = false
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let strategies = Mutex(Strategies())
    private let active = Mutex(Active())
    /// Plans kept for reuse; beyond this many task definitions the cache starts over.
    private static let planCacheLimit = 64

    init(
        configuration: TaskExecutor.Configuration, agents: any AgentManager, history: any HistoryStore,
        logger: Logger
    ) {
        self.configuration = configuration
        self.clock = ExecutorClock(configuration.clock, epoch: configuration.epoch)
        self.agents = agents
        self.history = history
        self.logger = logger
        self.hub = EventHub(bufferSize: configuration.eventBufferSize)
        self.random = configuration.random
    }

    // MARK: Strategies and plans

    func register(_ strategy: any StepStrategy, as name: String) {
        strategies.withLock { strategies in
            strategies.byName[name] = strategy
            strategies.version += 1
            strategies.plans.removeAll()
            strategies.last = nil
        }
    }

    func strategy(named name: String) -> (any StepStrategy)? {
        strategies.withLock { $0.byName[name] }
    }

    var strategyNames: [String] {
        strategies.withLock { $0.byName.keys.sorted() }
    }

    /// The plan for `task`, built (and preflight-checked) on first use. Check its problems before running it.
    func plan(for task: TaskDefinition) -> ExecutionPlan {
        prepared(for: task).plan
    }

    /// ``plan(for:)`` with what its executions start from.
    func prepared(for task: TaskDefinition) -> PreparedPlan {
        let (cached, byName, version) = strategies.withLock {
            strategies -> (PreparedPlan?, [String: any StepStrategy], Int) in
            if let last = strategies.last, last.task == task {
                return (last.prepared, strategies.byName, strategies.version)
            }
            let cached = strategies.plans[task]
            if let cached { strategies.last = (task, cached) }
            return (cached, strategies.byName, strategies.version)
        }
        if let cached { return cached }
        // Built outside the lock: preflight calls strategies' code.
        let prepared = PreparedPlan(ExecutionPlan(task: task, strategies: byName))
        strategies.withLock { strategies in
            guard strategies.version == version else { return }
            if strategies.plans.count >= Self.planCacheLimit { strategies.plans.removeAll() }
            strategies.plans[task] = prepared
            strategies.last = (task, prepared)
        }
        return prepared
    }

    // MARK: Active executions

    func register(_ run: ExecutionRun) throws(ExecutionError) {
        try active.withLock { active throws(ExecutionError) in
            guard !active.shutDown else { throw .shutDown }
            guard active.runs[run.id] == nil else {
                throw .illegalTransition(
                    StateTransitionError(subject: "execution \(run.id)", from: "running", to: "running"))
            }
            active.runs[run.id] = run
        }
    }

    func unregister(_ run: ExecutionRun) {
        let waiters = active.withLock { active -> [CheckedContinuation<Void, Never>] in
            active.runs[run.id] = nil
            guard active.runs.isEmpty else { return [] }
            defer { active.drainWaiters.removeAll() }
            return active.drainWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func run(_ id: ExecutionID) throws(ExecutionError) -> ExecutionRun {
        guard let run = active.withLock({ $0.runs[id] }) else { throw .unknownExecution(id) }
        return run
    }

    var runs: [ExecutionRun] {
        active.withLock { Array($0.runs.values) }
    }

    var isShutDown: Bool {
        active.withLock { $0.shutDown }
    }

    /// Refuses new executions, aborts the active ones, waits for them to end, and ends every event stream.
    func shutdown(reason: String) async {
        let runs = active.withLock { active -> [ExecutionRun] in
            active.shutDown = true
            return Array(active.runs.values)
        }
        for run in runs { run.requestStop(.aborted(reason)) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = active.withLock { active -> Bool in
                if active.runs.isEmpty { return true }
                active.drainWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        hub.finish()
    }
}
