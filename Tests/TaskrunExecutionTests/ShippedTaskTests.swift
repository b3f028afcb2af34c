import Foundation
import TaskrunCore
import TaskrunTestSupport
import Testing

@testable import TaskrunExecution

/// The shipped task files, read by the real parser and run with offline echo agents.
@Suite(.timeLimit(.minutes(1)))
struct ShippedTaskTests {
    static let tasksDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tasks").path

    static func executor(_ agents: ScriptedAgentManager) -> TaskExecutor {
        TaskExecutor(
            configuration: .init(tasksDirectory: tasksDirectory, clock: ManualClock()), agents: agents,
            logger: quietLogger)
    }

    @Test func theInvestmentCommitteeRunsEveryPhaseInOrder() async throws {
        let agents = ScriptedAgentManager()
        let executor = Self.executor(agents)
        let log = EventLog.subscribe(to: executor)
        let result = try await executor.execute("investment-committee", input: ["ticker": "ETH", "amount": 5000])
        #expect(result.status == .completed)
        #expect(result.taskName == "Investment Committee Meeting")
        #expect(result.input["riskTolerance"] == "medium")
        #expect(
            result.phases.map(\.name) == [
                "Activation", "Analysis", "Round Table", "Debate", "Validation", "Consensus", "Verdict",
            ])
        #expect(result.phases.allSatisfy { $0.status == .completed })
        let starts = await log.of(.phaseStart).map(\.phase)
        #expect(starts == result.phases.map(\.name))
        // The Round Table is sequential: each speaker hears the ones before.
        let roundTable = agents.requests.filter { $0.phase == "Round Table" }
        #expect(roundTable.map { $0.context.phaseResponses.count } == [0, 1, 2])
        // Expression validations passed; the prose one is unverified with a warning.
        let validation = try #require(result[phase: "Validation"])
        #expect(
            validation.steps.filter { $0.type == "validation" }.map(\.status) == [
                .completed, .completed, .completed, .unverified,
            ])
        #expect(result.warnings.count == 1)
        #expect(result.finalPhase == "Verdict")
        #expect(result[phase: "Verdict"]?.outputs["finalVerdict"]?["agent"] == "committee-chair")
        #expect(agents.requests.first { $0.phase == "Analysis" }?.prompt.contains("ETH") == true)
    }

    @Test(arguments: [
        ("Why is ETH down?", ["market-analyst", "sentiment-analyst", "technical-validator"]),
        ("Should I sell BTC?", ["risk-manager", "portfolio-manager"]),
        ("Is SOL a good opportunity?", ["fundamental-analyst", "quant-analyst"]),
    ])
    func theDailyAnalysisAsksTheSpecialistsItsRulesPick(question: String, expected: [String]) async throws {
        let agents = ScriptedAgentManager()
        let result = try await Self.executor(agents).execute(
            "daily-market-analysis", input: ["question": .string(question)])
        #expect(result.status == .completed)
        #expect(Set(agents.requests.filter { $0.phase == "Rapid Analysis" }.map(\.agentID)) == Set(expected))
    }

    @Test func anUnknownTaskNameSuggestsTheClosest() async throws {
        do {
            _ = try await Self.executor(ScriptedAgentManager()).execute("investment-comittee")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasSuffix("did you mean 'investment-committee'?"))
        }
    }
}
