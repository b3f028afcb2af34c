import Foundation
import Logging
import TaskrunCore

/// Runs task definitions: phases as soon as their dependencies are done, steps through pluggable
/// strategies, with retries, time limits, pause, resume and abort, events, and a history store.
///
/// ```swift
/// let executor = TaskExecutor(
///     configuration: .init(tasksDirectory: "tasks", maxConcurrentPhases: 4, maxExecutionTime: .seconds(300)),
///     agents: ScriptedAgentManager(), logger: Logger(label: "taskrun"))
/// executor.registerStepStrategy("custom-analysis") { step, phase, context in
///     ["score": 3]
/// }
/// let result = try await executor.execute("investment-committee", input: ["ticker": "BTC", "amount": 10000])
/// ```
///
/// An executor is safe to use from any number of tasks. Every semantic is described in
/// `Docs/execution.md`.
public final class TaskExecutor: Sendable {
    let core: ExecutorCore

    public var configuration: Configuration { core.configuration }

    /// - Parameters:
    ///   - configuration: Defaults, the clock and the event buffer.
    ///   - agents: Answers agent queries.
    ///   - history: Records executions; in memory unless given.
    ///   - logger: Where the executor logs (executions add an `execution` metadata key).
    public init(
        configuration: Configuration = Configuration(), agents: any AgentManager,
        history: any HistoryStore = InMemoryHistoryStore(), logger: Logger = Logger(label: "taskrun.executor")
    ) {
        core = ExecutorCore(configuration: configuration, agents: agents, history: history, logger: logger)
        registerStepStrategy("agent", AgentStepStrategy())
        registerStepStrategy("validation", ValidationStepStrategy())
        registerStepStrategy("aggregate", AggregateStepStrategy())
        registerStepStrategy("wait", WaitStepStrategy())
        registerStepStrategy("description", DescriptionStepStrategy())
        registerStepStrategy("classify", ClassifyStepStrategy())
    }

    deinit {
        core.hub.finish()
    }

    // MARK: Strategies

    /// Registers `strategy` for steps of type `name`, replacing any strategy (built-in or not)
    /// registered under that name. Executions already running keep the strategies they started with.
    public func registerStepStrategy(_ name: String, _ strategy: some StepStrategy) {
        core.register(strategy, as: name)
    }

    /// Registers a closure for steps of type `name`. It returns the step's value.
    public func registerStepStrategy(
        _ name: String, scheduling: StepScheduling = .barrier,
        _ body: @escaping @Sendable (Step, Phase, StepContext) async throws -> JSONValue
    ) {
        core.register(ClosureStepStrategy(scheduling: scheduling, body), as: name)
    }

    /// The strategy registered under `name`.
    public func stepStrategy(named name: String) -> (any StepStrategy)? {
        core.strategy(named: name)
    }

    /// Every registered step type, sorted.
    public var stepTypes: [String] { core.strategyNames }

    /// What keeps `task` from running, without running it: unknown step types, conditions and
    /// templates that do not parse, dependency problems. Empty when it can run.
    public func preflight(_ task: TaskDefinition) -> [PreflightProblem] {
        core.plan(for: task).allProblems(input: nil)
    }

    // MARK: Executing

    /// Runs `task` with `input` and returns how it ended.
    ///
    /// Throws only when the execution cannot start (preflight problems, unmet requirements, a shut
    /// down executor); once started, every ending (`completed`, `failed`, `aborted`, `timeout`) is a
    /// result. Cancelling the calling task aborts the execution.
    public func execute(
        _ task: TaskDefinition, input: [String: JSONValue] = [:], options: ExecutionOptions = ExecutionOptions()
    ) async throws(ExecutionError) -> ExecutionResult {
        let handle = try start(task, input: input, options: options)
        return await Self.await(handle)
    }

    /// Loads `<tasksDirectory>/<name>.md` (or the path `name` when it ends in `.md`), refuses it when
    /// the parser reports errors, and runs it.
    public func execute(
        _ name: String, input: [String: JSONValue] = [:], options: ExecutionOptions = ExecutionOptions()
    ) async throws(ExecutionError) -> ExecutionResult {
        try await execute(try loadTask(name), input: input, options: options)
    }

    /// Continues an execution from a checkpoint and waits for it to end (see ``start(resumingFrom:task:options:)``).
    public func execute(
        resumingFrom checkpoint: ExecutionCheckpoint, task: TaskDefinition,
        options: ExecutionOptions = ExecutionOptions()
    ) async throws(ExecutionError) -> ExecutionResult {
        await Self.await(try start(resumingFrom: checkpoint, task: task, options: options))
    }

    private static func await(_ handle: ExecutionHandle) async -> ExecutionResult {
        await withTaskCancellationHandler {
            await handle.run.result()
        } onCancel: {
            handle.run.requestStop(.aborted("the caller's task was cancelled"))
        }
    }

    /// Starts `task` and returns at once with a handle; the execution runs in its own task.
    public func start(
        _ task: TaskDefinition, input: [String: JSONValue] = [:], options: ExecutionOptions = ExecutionOptions()
    ) throws(ExecutionError) -> ExecutionHandle {
        guard !core.isShutDown else { throw .shutDown }
        let prepared = core.prepared(for: task)
        let plan = prepared.plan
        // Problems with the task come first; with a valid input they include the input's.
        let resolved: [String: JSONValue]
        let warnings: [String]
        do {
            (resolved, warnings) = try InputResolver.resolve(input, requirements: task.requirements)
        } catch {
            if !plan.problems.isEmpty { throw .preflightFailed(plan.allProblems(input: nil)) }
            throw error
        }
        let problems = plan.allProblems(input: resolved)
        if !problems.isEmpty { throw .preflightFailed(problems) }
        for warning in warnings { core.logger.warning("\(warning)", metadata: ["task": "\(task.id)"]) }
        let id = ExecutionID.make()
        let state = ExecutionState(
            id: id, taskID: task.id, taskName: task.metadata.name, input: resolved,
            phaseList: PhaseList(pendingCount: task.phases.count) { task.phases[$0].name }, warnings: warnings)
        return try launch(prepared, state: state, restored: [], options: options)
    }

    /// Loads a task by name and starts it (see ``execute(_:input:options:)-(String,_,_)``).
    public func start(
        _ name: String, input: [String: JSONValue] = [:], options: ExecutionOptions = ExecutionOptions()
    ) throws(ExecutionError) -> ExecutionHandle {
        try start(try loadTask(name), input: input, options: options)
    }

    /// Continues an execution from a checkpoint, under the same id: completed and skipped phases
    /// (and failed ones with `continueOnFailure`) keep their results and are not run again; every
    /// other phase starts over from pending. The time limit starts afresh. Throws when the
    /// checkpoint's phases do not match the task's, or the execution is active in this executor.
    public func start(
        resumingFrom checkpoint: ExecutionCheckpoint, task: TaskDefinition,
        options: ExecutionOptions = ExecutionOptions()
    ) throws(ExecutionError) -> ExecutionHandle {
        guard !core.isShutDown else { throw .shutDown }
        let prepared = core.prepared(for: task)
        let plan = prepared.plan
        let problems = plan.allProblems(input: checkpoint.state.input)
        if !problems.isEmpty { throw .preflightFailed(problems) }
        var state = checkpoint.state
        guard state.taskID == task.id else {
            throw .checkpointMismatch("it belongs to task '\(state.taskID)', not '\(task.id)'")
        }
        guard state.phases.map(\.name) == task.phases.map(\.name) else {
            throw .checkpointMismatch(
                "its phases (\(state.phases.map(\.name).joined(separator: ", "))) differ from the task's (\(task.phases.map(\.name).joined(separator: ", ")))"
            )
        }
        var restored: [Int] = []
        for index in state.phaseList.indices {
            if ReadyQueue.isDone(state.phaseList[index], plan: plan) {
                restored.append(index)
            } else {
                state.phaseList[index] = PhaseResult(name: state.phaseList[index].name)
            }
        }
        state.status = .pending
        state.reason = nil
        state.finishedAt = nil
        state.resumeCount += 1
        if let sequence = options.lastEventSequence { state.lastSequence = max(state.lastSequence, sequence) }
        return try launch(prepared, state: state, restored: restored, options: options)
    }

    /// Starts a run of `state`, whose phases are pending but for `restored` (see ``ExecutionRun``).
    private func launch(
        _ prepared: ExecutorCore.PreparedPlan, state: ExecutionState, restored: [Int], options: ExecutionOptions
    ) throws(ExecutionError) -> ExecutionHandle {
        let plan = prepared.plan
        let task = plan.task
        let run = ExecutionRun(
            id: state.id, plan: plan, core: core, initialState: state, restored: restored,
            freshQueue: prepared.freshQueue,
            maxConcurrentPhases: options.maxConcurrentPhases ?? task.metadata.maxConcurrentPhases
                ?? configuration.maxConcurrentPhases,
            executionBudget: options.maxExecutionTime ?? task.metadata.maxExecutionTime?.duration
                ?? configuration.maxExecutionTime)
        try core.register(run)
        Task(executorPreference: run.executor) { await run.start() }
        return ExecutionHandle(run: run)
    }

    // MARK: Control

    /// Pauses an execution: nothing new starts (no phase, no step, no phase retry); steps in flight
    /// finish. Callable from any task. Throws unless the execution is running.
    public func pause(_ id: ExecutionID, reason: String? = nil) async throws(ExecutionError) {
        try await core.run(id).pause(reason: reason)
    }

    /// Resumes a paused execution where it stood. Throws unless it is paused.
    public func resume(_ id: ExecutionID) async throws(ExecutionError) {
        try await core.run(id).resume()
    }

    /// Aborts an execution: every step and agent query in flight is cancelled, and it ends with
    /// status `aborted` and `reason`. Returns once the abort is requested; await the result (or the
    /// `execution:aborted` event) to know it has stopped.
    public func abort(_ id: ExecutionID, reason: String) async throws(ExecutionError) {
        try core.run(id).requestStop(.aborted(reason))
    }

    /// Waits until a paused execution has no step in flight and every phase that finished is
    /// committed to the history store (or until it ends). Cancellable, so a caller can bound it.
    public func waitUntilSettled(_ id: ExecutionID) async throws {
        try await core.run(id).waitUntilSettled()
    }

    /// The executions running or paused now, oldest first.
    public func activeExecutions() -> [ActiveExecution] {
        core.runs.map { run in
            let state = run.snapshot()
            return ActiveExecution(
                id: run.id, taskID: state.taskID, taskName: state.taskName, status: state.status,
                startedAt: state.startedAt,
                runningPhases: state.phases.filter { $0.status == .running || $0.status == .paused }.map(\.name))
        }.sorted { $0.id < $1.id }
    }

    /// The state of an active execution now.
    public func state(of id: ExecutionID) throws(ExecutionError) -> ExecutionState {
        try core.run(id).snapshot()
    }

    /// The most recent executions from the history store, newest first.
    public func history(limit: Int = 20) async throws -> [ExecutionSummary] {
        try await core.history.history(limit: limit)
    }

    /// The history store.
    public var historyStore: any HistoryStore { core.history }

    // MARK: Events

    /// A new stream of every event of every execution from now on. Each access subscribes anew.
    /// A subscriber that falls `eventBufferSize` events behind loses its oldest unread events;
    /// the executor never waits for it. The stream ends when the executor shuts down.
    public var events: AsyncStream<ExecutionEvent> { core.hub.subscribe(.all) }

    /// A new stream of the events that pass `filter`.
    public func events(_ filter: EventFilter) -> AsyncStream<ExecutionEvent> {
        core.hub.subscribe(filter)
    }

    /// A new stream of the events of the given kinds and executions (`nil` for all).
    public func events(
        kinds: Set<ExecutionEvent.Kind>? = nil, executions: Set<ExecutionID>? = nil
    ) -> AsyncStream<ExecutionEvent> {
        core.hub.subscribe(EventFilter(kinds: kinds, executions: executions))
    }

    /// Refuses new executions, aborts every active one with `reason`, waits for them to end, and
    /// ends every event stream.
    public func shutdown(reason: String = "the executor is shutting down") async {
        await core.shutdown(reason: reason)
    }
}
