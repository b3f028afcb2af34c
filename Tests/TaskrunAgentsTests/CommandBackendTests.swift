import Foundation
import TaskrunCore
import TaskrunExecution
import TaskrunTestSupport
import Testing

@testable import TaskrunAgents

/// The command backend against real child processes.
/// A hung query fails its test after the time limit instead of hanging the run.
@Suite(.timeLimit(.minutes(1))) struct CommandBackendTests {
    func agent(_ script: String, timeout: TaskDuration? = nil) -> AgentDefinition {
        Fixtures.agent(timeout: timeout, command: ["/bin/sh", "-c", script])
    }

    @Test func aJSONReplyIsParsed() async throws {
        let script =
            #"cat > /dev/null; printf '%s' '{"text": "hold off", "position": "bearish", "confidence": 40, "risks": ["gap down"]}'"#
        let response = try await CommandBackend().answer(Fixtures.request(), agent: agent(script))
        #expect(response.text == "hold off")
        #expect(response.position == .bearish)
        #expect(response.confidence == 40)
        #expect(response.risks == ["gap down"])
    }

    @Test func theQueryArrivesAsJSONOnStdin() async throws {
        // The child answers with fields it read from the query, so the test sees what it received.
        let script = #"""
            query=$(cat)
            case "$query" in
              *'"id":"test-agent"'*'"prompt":"Size the BTC position"'*) echo "got prompt and agent" ;;
              *) echo "missing fields: $query" ;;
            esac
            """#
        let response = try await CommandBackend().answer(
            Fixtures.request(prompt: "Size the BTC position"), agent: agent(script))
        #expect(response.text == "got prompt and agent")
    }

    @Test func aTextReplyIsTheText() async throws {
        let response = try await CommandBackend().answer(
            Fixtures.request(), agent: agent("echo 'BTC looks stretched.'"))
        #expect(response.text == "BTC looks stretched.")
        #expect(response.position == nil)
    }

    @Test func aNonZeroExitFailsWithStderr() async throws {
        let error = await #expect(throws: AgentError.self) {
            try await CommandBackend().answer(
                Fixtures.request(), agent: agent("echo partial; echo 'model not loaded' >&2; exit 3"))
        }
        #expect(
            error
                == .commandFailed(
                    agent: "test-agent", message: "'/bin/sh' exited with status 3", stderr: "model not loaded"))
    }

    @Test func aLargeQueryIsWrittenWithoutBlockingAndAChildThatIgnoresStdinIsFine() async throws {
        let prompt = String(repeating: "x", count: 300_000)
        let counted = try await CommandBackend().answer(Fixtures.request(prompt: prompt), agent: agent("wc -c"))
        #expect((Int(counted.text.trimmingWhitespace()) ?? 0) > 300_000)
        let ignored = try await CommandBackend().answer(Fixtures.request(prompt: prompt), agent: agent("echo done"))
        #expect(ignored.text == "done")
    }

    @Test func aMissingProgramOrCommandIsAClearError() async throws {
        let notFound = await #expect(throws: AgentError.self) {
            try await CommandBackend().answer(
                Fixtures.request(), agent: Fixtures.agent(command: ["taskrun-no-such-agent-program"]))
        }
        #expect("\(notFound.map { "\($0)" } ?? "")".contains("'taskrun-no-such-agent-program' was not found on PATH"))
        let noCommand = await #expect(throws: AgentError.self) {
            try await CommandBackend().answer(Fixtures.request(), agent: Fixtures.agent())
        }
        #expect("\(noCommand.map { "\($0)" } ?? "")".contains("TASKRUN_AGENT_COMMAND"))
    }

    @Test func theTimeoutSendsSIGTERMThenSIGKILLToAProcessThatIgnoresSIGTERM() async throws {
        let fifo = try FIFOLines()
        var lines = fifo.lines.makeAsyncIterator()
        let clock = ManualClock()
        let script = """
            trap 'echo term >&3' TERM
            exec 3>"\(fifo.path)"
            echo ready >&3
            while :; do sleep 1 & wait $!; done
            """
        let agent = agent(script, timeout: .seconds(5))
        let manager = RoutingAgentManager(
            directory: AgentDirectory(definitions: [agent]),
            backends: [AgentBackendName.command: CommandBackend(gracePeriod: .seconds(2), clock: clock)],
            defaultBackend: AgentBackendName.command, limiter: AgentConcurrencyLimiter(), clock: clock)
        let query = Task { try await manager.query(Fixtures.request()) }

        #expect(await lines.next() == "ready")
        await awaitEvent("the timeout", while: query) { await clock.waitForSleeper(.seconds(5)) }
        clock.advance(by: .seconds(5))
        #expect(await lines.next() == "term")
        await awaitEvent("the grace period", while: query) { await clock.waitForSleeper(.seconds(2)) }
        clock.advance(by: .seconds(2))

        let error = await #expect(throws: AgentError.self) { try await query.value }
        guard case .timedOut(agent: "test-agent", after: .seconds(5), let detail?)? = error else {
            Issue.record("expected a timeout with detail, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("sent SIGTERM, then SIGKILL"))
        #expect(detail.contains("ended by signal \(SIGKILL)"))
    }

    @Test func abortSendsSIGTERMAndAProcessThatHonoursItNeedsNoSIGKILL() async throws {
        let fifo = try FIFOLines()
        var lines = fifo.lines.makeAsyncIterator()
        let clock = ManualClock()
        let script = """
            exec 3>"\(fifo.path)"
            echo ready >&3
            while :; do sleep 1 & wait $!; done
            """
        let backend = CommandBackend(gracePeriod: .seconds(2), clock: clock)
        let query = Task { try await backend.answer(Fixtures.request(), agent: agent(script)) }
        #expect(await lines.next() == "ready")

        query.cancel()

        let error = await #expect(throws: AgentError.self) { try await query.value }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("sent SIGTERM; it ended by signal \(SIGTERM)"))
        #expect(!text.contains("SIGKILL"))
    }

    #if os(Linux)
        @Test func theChildStartsWithNoSignalIgnoredOrBlocked() async throws {
            // taskrun ignores SIGPIPE (see ChildProcess), `taskrun run` ignores SIGTERM and SIGINT (it
            // handles them through dispatch sources), and Swift concurrency's threads block most
            // signals: none of that may reach the child, or our SIGTERM would never stop it. The
            // process-wide dispositions are read, not changed: other tests rely on them.
            let response = try await CommandBackend().answer(
                Fixtures.request(), agent: agent("exec cat /proc/self/status"))
            // Signals 1 to 31 only: glibc reserves 32 and 33 for itself and manages them on its own.
            func standardSignals(_ field: String) -> UInt64? {
                let line = response.text.split(separator: "\n").first { $0.hasPrefix(field + ":") }
                return line.flatMap { UInt64(String($0.dropFirst(field.count + 1)).trimmingWhitespace(), radix: 16) }
                    .map { $0 & 0x7FFF_FFFF }
            }
            #expect(standardSignals("SigIgn") == 0)
            #expect(standardSignals("SigBlk") == 0)
        }
    #endif

    @Test func theChildGetsOnlyItsThreeStandardStreams() async throws {
        let response = try await CommandBackend().answer(Fixtures.request(), agent: agent("exec ls /proc/self/fd"))
        #expect(response.text == "0\n1\n2\n3")  // 3 is the directory ls is listing
    }

    @Test func theEnvironmentVariableIsAnArgvArray() throws {
        #expect(try CommandBackend.command(fromEnvironment: [:]) == nil)
        #expect(
            try CommandBackend.command(fromEnvironment: ["TASKRUN_AGENT_COMMAND": #"["python3", "agent.py", "--json"]"#]
            )
                == ["python3", "agent.py", "--json"])
        #expect(
            try CommandBackend.command(fromEnvironment: ["TASKRUN_AGENT_COMMAND": "/usr/local/bin/agent"]) == [
                "/usr/local/bin/agent"
            ])
        #expect(throws: AgentError.self) {
            try CommandBackend.command(fromEnvironment: ["TASKRUN_AGENT_COMMAND": "python3 agent.py"])
        }
        #expect(throws: AgentError.self) {
            try CommandBackend.command(fromEnvironment: ["TASKRUN_AGENT_COMMAND": "[1, 2]"])
        }
    }
}
