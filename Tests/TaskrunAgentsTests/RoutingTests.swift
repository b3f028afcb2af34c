import TaskrunCore
import TaskrunExecution
import TaskrunTestSupport
import Testing

@testable import TaskrunAgents

/// A backend that answers with its own name.
struct NamedBackend: AgentBackend {
    var name: String
    func answer(_ request: AgentRequest, agent: AgentDefinition) async throws -> AgentResponse {
        AgentResponse(text: name)
    }
}

/// A hung query fails its test after the time limit instead of hanging the run.
@Suite(.timeLimit(.minutes(1))) struct RoutingTests {
    let backends: [String: any AgentBackend] = [
        "offline": NamedBackend(name: "offline"), "openai": NamedBackend(name: "openai"),
        "command": NamedBackend(name: "command"),
    ]

    func manager(_ agents: [AgentDefinition], override: String? = nil) -> RoutingAgentManager {
        RoutingAgentManager(
            directory: AgentDirectory(definitions: agents), backends: backends, override: override,
            limiter: AgentConcurrencyLimiter())
    }

    @Test func theRunOverrideBeatsTheAgentFileWhichBeatsTheDefault() async throws {
        let pinned = Fixtures.agent("pinned", backend: "command")
        let plain = Fixtures.agent("plain")
        let byFile = manager([pinned, plain])
        #expect(try await byFile.query(Fixtures.request("pinned")).text == "command")
        #expect(try await byFile.query(Fixtures.request("plain")).text == "offline")
        let overridden = manager([pinned, plain], override: "openai")
        #expect(try await overridden.query(Fixtures.request("pinned")).text == "openai")
        #expect(try await overridden.query(Fixtures.request("plain")).text == "openai")
    }

    @Test func undefinedAgentsAndMissingBackendsAreClearErrors() async {
        let manager = RoutingAgentManager(
            directory: AgentDirectory(definitions: [Fixtures.agent("x", backend: "mine")]),
            backends: ["offline": NamedBackend(name: "offline")], limiter: AgentConcurrencyLimiter())
        await #expect(throws: AgentError.undefinedAgent("nobody")) {
            try await manager.query(Fixtures.request("nobody"))
        }
        await #expect(throws: AgentError.unknownBackend(name: "mine", agent: "x", known: ["offline"])) {
            try await manager.query(Fixtures.request("x"))
        }
    }

    @Test func configurationErrorsAreNotWorthRetrying() {
        #expect(!AgentError.undefinedAgent("x").isRetryable)
        #expect(!AgentError.misconfigured(agent: "x", message: "no model").isRetryable)
        #expect(!AgentError.httpStatus(agent: "x", status: 401, message: "").isRetryable)
        #expect(AgentError.httpStatus(agent: "x", status: 429, message: "").isRetryable)
        #expect(AgentError.timedOut(agent: "x", after: .seconds(1), detail: nil).isRetryable)
    }

    /// Regression: the executor used to retry an undefined agent through the task's whole retry policy.
    @Test func theExecutorDoesNotRetryAnUndefinedAgent() async throws {
        let executor = TaskExecutor(agents: manager([Fixtures.agent("known")]))
        let source = """
            # Retry

            ```yaml
            retry: {maxAttempts: 4, backoffMs: 0}
            ```

            ## Phase: Ask
            ### Steps
            - agent: nobody - hello
            """
        let task = try #require(TaskParser().parse(source: source, path: "retry.md").task)
        let result = try await executor.execute(task)
        // One attempt (a missing definition is not retried), and the manager's error names the
        // agent already: the step's error is that message, not "agent 'nobody' failed: agent 'nobody' …".
        #expect(result.phases[0].steps[0].error == AgentError.undefinedAgent("nobody").description)
    }

    @Test func theOverrideComesFromTheFlagThenTheEnvironment() throws {
        #expect(try AgentBackendSelection.override(flag: nil, environment: [:]) == nil)
        #expect(try AgentBackendSelection.override(flag: nil, environment: ["TASKRUN_AGENTS": " openai "]) == "openai")
        #expect(
            try AgentBackendSelection.override(flag: "command", environment: ["TASKRUN_AGENTS": "openai"]) == "command")
        #expect(try AgentBackendSelection.override(flag: nil, environment: ["TASKRUN_AGENTS": ""]) == nil)
        #expect(throws: AgentBackendSelection.InvalidBackend.self) {
            try AgentBackendSelection.override(flag: "gpt", environment: [:])
        }
        do {
            _ = try AgentBackendSelection.override(flag: nil, environment: ["TASKRUN_AGENTS": "ofline"])
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "TASKRUN_AGENTS must be one of offline, openai, command, got 'ofline'")
        }
    }

    @Test func theStandardSetupLoadsTheShippedFiles() throws {
        let setup = try RoutingAgentManager.standard(tasksDirectory: Fixtures.tasksDirectory, environment: [:])
        #expect(setup.diagnostics.isEmpty)
        #expect(setup.manager.directory.definitions.count == 11)
        #expect(Set(setup.manager.backends.keys) == Set(AgentBackendName.builtIn))
        #expect(throws: AgentError.self) {
            try RoutingAgentManager.standard(
                tasksDirectory: Fixtures.tasksDirectory, environment: ["TASKRUN_AGENT_COMMAND": "python3 agent.py"])
        }
        let empty = try RoutingAgentManager.standard(tasksDirectory: "/nonexistent-taskrun-dir", environment: [:])
        #expect(empty.diagnostics.map(\.code) == ["snapshot-missing"])
    }

    @Test func aTimeoutFailsTheQueryAndCancelsTheBackend() async throws {
        let clock = ManualClock()
        let backend = GateBackend()
        let manager = RoutingAgentManager(
            directory: AgentDirectory(definitions: [Fixtures.agent(timeout: .seconds(3))]), backends: ["gate": backend],
            defaultBackend: "gate", limiter: AgentConcurrencyLimiter(), clock: clock)
        let query = Task { try await manager.query(Fixtures.request()) }
        var started = backend.started.makeAsyncIterator()
        _ = await started.next()
        await awaitEvent("the timeout", while: query) { await clock.waitForSleeper(.seconds(3)) }
        var cancelled = backend.cancelled.makeAsyncIterator()
        clock.advance(by: .seconds(3))
        // The timeout cancels the backend's answer; only then may it finish (opening the gate before
        // would race the answer against the timer).
        _ = await cancelled.next()
        backend.openOne()
        await #expect(throws: AgentError.timedOut(agent: "test-agent", after: .seconds(3), detail: nil)) {
            try await query.value
        }
    }
}
