import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunAgents

/// The shipped tasks, run by the real executor with the shipped agents on the offline backend.
/// A hung query fails its test after the time limit instead of hanging the run.
@Suite(.timeLimit(.minutes(1))) struct CommitteeEndToEndTests {
    func number(_ verdict: [String: JSONValue], _ key: String) -> Double {
        verdict[key]?.doubleValue ?? .nan
    }

    @Test func theCommitteeRunsOnItsDefaultsToAVerdict() async throws {
        let result = try await CommitteeRun.run("investment-committee")
        #expect(result.status == .completed)
        #expect(result.phases.map(\.status) == Array(repeating: .completed, count: 7))
        #expect(result.phases.flatMap(\.errors).isEmpty)
        let verdict = try #require(result[phase: "Verdict"]?.outputs["finalVerdict"]?["data"]?.objectValue)
        #expect(verdict["recommendation"] == "BUY")
        let price = number(verdict, "price")
        #expect(number(verdict, "stopLossPrice") < price && price < number(verdict, "takeProfitPrice"))
        #expect(number(verdict, "positionSize") > 0 && number(verdict, "positionSize") <= 10000)
        #expect(verdict["votes"]?.objectValue?.values.compactMap(\.doubleValue).reduce(0, +) == 8)
        #expect(verdict["dissenters"] == ["contrarian-investor"])
        #expect(verdict["positions"]?.arrayValue?.count == 8)
        #expect((verdict["keyRisks"]?.arrayValue?.count ?? 0) > 0)
    }

    @Test func theSameInputGivesTheSameVerdict() async throws {
        let first = try await CommitteeRun.verdict(["ticker": "NVDA"])
        let second = try await CommitteeRun.verdict(["ticker": "NVDA"])
        #expect(first == second)
    }

    @Test func lowerRiskToleranceMeansASmallerPositionAndATighterStop() async throws {
        let low = try await CommitteeRun.verdict(["riskTolerance": "low"])
        let medium = try await CommitteeRun.verdict(["riskTolerance": "medium"])
        let high = try await CommitteeRun.verdict(["riskTolerance": "high"])
        #expect(number(low, "positionSize") < number(medium, "positionSize"))
        #expect(number(medium, "positionSize") < number(high, "positionSize"))
        #expect(number(low, "stopLossPercent") < number(medium, "stopLossPercent"))
        #expect(number(low, "confidence") <= number(high, "confidence"))
    }

    @Test func aLargerAmountHitsTheMandateAndGetsAProportionallySmallerPosition() async throws {
        let normal = try await CommitteeRun.verdict(["amount": 10000])
        let huge = try await CommitteeRun.verdict(["amount": 1_000_000])
        #expect(huge["recommendation"] == "BUY")
        #expect(number(huge, "positionSize") <= 100_000)
        #expect(number(huge, "positionSize") / 1_000_000 < number(normal, "positionSize") / 10000)
        #expect(
            (huge["conditions"]?.arrayValue ?? []).contains { $0.stringValue?.contains("at most $100,000") == true })
    }

    @Test func theIssueExampleChangesTheVerdictTheWayItsInputsSay() async throws {
        let verdict = try await CommitteeRun.verdict(["ticker": "ETH", "amount": 5000, "riskTolerance": "low"])
        // ETH's volatility is more than 2.5 times the low-risk target: compliance blocks it.
        #expect(verdict["recommendation"] == "PASS")
        #expect(number(verdict, "positionSize") == 0)
        let rationale = verdict["rationale"]?.arrayValue?.first?.stringValue ?? ""
        #expect(rationale.contains("compliance blocks it"))
    }

    @Test func aWorseSnapshotTurnsTheVerdictAndHigherVolatilityShrinksThePosition() async throws {
        var snapshot = try Fixtures.snapshot()
        let base = try await CommitteeRun.verdict([:], snapshot: snapshot)

        var volatile = snapshot
        volatile.tickers["BTC"]?.volatility30d = 70
        let shaken = try await CommitteeRun.verdict([:], snapshot: volatile)
        #expect(number(shaken, "positionSize") < number(base, "positionSize"))

        snapshot.tickers["BTC"]?.return30d = -14
        snapshot.tickers["BTC"]?.return90d = -22
        snapshot.tickers["BTC"]?.maxDrawdown90d = -30
        snapshot.tickers["BTC"]?.newsSentiment = -0.5
        snapshot.tickers["BTC"]?.socialSentiment = -0.4
        snapshot.tickers["BTC"]?.growth = -5
        let falling = try await CommitteeRun.verdict([:], snapshot: snapshot)
        #expect(base["recommendation"] == "BUY")
        #expect(falling["recommendation"] != "BUY")
        #expect(number(falling, "score") < number(base, "score"))
        #expect(number(falling, "positionSize") == 0)
    }

    static func agentsAsked(_ result: ExecutionResult) -> [String] {
        result[phase: "Rapid Analysis"]?.responses.map(\.agent) ?? []
    }

    @Test func aPriceMovementQuestionActivatesTheMarketSentimentAndTechnicalAnalysts() async throws {
        let result = try await CommitteeRun.run(
            "daily-market-analysis", input: ["question": "Why is ETH down?", "ticker": "ETH", "priceChange": -3.1])
        #expect(result.status == .completed)
        #expect(result[phase: "Question Classification"]?.outputs["questionType"] == "price-movement")
        #expect(Self.agentsAsked(result).sorted() == ["market-analyst", "sentiment-analyst", "technical-validator"])
        let answer = result[phase: "Answer Synthesis"]?.outputs["answer"]?.stringValue ?? ""
        #expect(answer.hasPrefix("market-analyst leads: today's -3.1% is a"))

        let urgent = try await CommitteeRun.run(
            "daily-market-analysis", input: ["question": "Why is ETH down?", "ticker": "ETH", "priceChange": -6.5])
        #expect(Self.agentsAsked(urgent).contains("macro-strategist"))
    }

    @Test func anActionQuestionIsLedByTheRiskManager() async throws {
        let result = try await CommitteeRun.run("daily-market-analysis", input: ["question": "Should I sell BTC?"])
        #expect(result[phase: "Question Classification"]?.outputs["questionType"] == "action")
        #expect(Self.agentsAsked(result).sorted() == ["portfolio-manager", "risk-manager"])
        let answer = result[phase: "Answer Synthesis"]?.outputs["answer"]?.stringValue ?? ""
        #expect(answer.hasPrefix("risk-manager leads: after a -3.4% day, keep about"))
        #expect(answer.contains("Watch next:"))
    }
}
