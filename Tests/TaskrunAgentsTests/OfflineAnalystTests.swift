import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunAgents

/// Each offline analyst, asked directly.
@Suite struct OfflineAnalystTests {
    let snapshot: MarketSnapshot
    let backend: OfflineBackend

    init() throws {
        snapshot = try Fixtures.snapshot()
        backend = OfflineBackend(snapshot: snapshot, directory: Fixtures.directory)
    }

    func ask(
        _ agentID: String, input: [String: JSONValue] = ["ticker": "BTC", "amount": 10000, "riskTolerance": "medium"],
        earlier: [AgentReply] = [], format: AgentRequest.ResponseFormat = .structured, backend: OfflineBackend? = nil
    ) throws -> AgentResponse {
        let agent = try #require(Fixtures.directory[agentID])
        let request = Fixtures.request(
            agentID, prompt: "Analyse", input: input, phaseResponses: earlier, format: format)
        return (backend ?? self.backend).respond(to: request, agent: agent)
    }

    func reply(_ agent: String, _ position: AgentResponse.Position, _ confidence: Double, data: JSONValue? = nil)
        -> AgentReply
    {
        AgentReply(
            agent: agent, step: 0, attempt: 1,
            response: AgentResponse(
                text: "\(agent) is \(position.rawValue)", position: position, confidence: confidence,
                keyPoints: ["\(agent) point"], risks: ["\(agent) risk"], data: data))
    }

    func withBTC(_ change: (inout TickerSnapshot) -> Void) throws -> OfflineBackend {
        var changed = snapshot
        var btc = try #require(changed["BTC"])
        change(&btc)
        changed.tickers["BTC"] = btc
        return OfflineBackend(snapshot: changed, directory: Fixtures.directory)
    }

    @Test(arguments: AgentDirectoryTests.shippedAgents)
    func everyAnalystIsDeterministicStructuredAndSaysItIsOffline(agent: String) throws {
        let earlier = [reply("quant-analyst", .bullish, 70), reply("market-analyst", .bearish, 40)]
        let first = try ask(agent, earlier: earlier)
        let second = try ask(agent, earlier: earlier)
        #expect(first == second)
        #expect(first.text.contains("offline heuristics"))
        #expect(first.text.contains("not by a language model"))
        #expect(first.position != nil)
        #expect((0...100).contains(first.confidence ?? -1))
        #expect(!first.keyPoints.isEmpty || agent == "committee-chair")
        #expect(!first.risks.isEmpty)
        #expect(first.data?["source"] == "offline-heuristics")
        #expect(first.data?["ticker"] == "BTC")
    }

    @Test func theRiskManagerSizesSmallerForLowerToleranceAndHigherVolatility() throws {
        func size(_ tolerance: String, backend: OfflineBackend? = nil) throws -> Double {
            let response = try ask(
                "risk-manager", input: ["ticker": "BTC", "amount": 10000, "riskTolerance": .string(tolerance)],
                backend: backend)
            return try #require(response.data?["recommendedSize"]?.doubleValue)
        }
        let low = try size("low")
        let medium = try size("medium")
        let high = try size("high")
        #expect(low < medium && medium < high)
        #expect(high <= 10000)

        let volatile = try withBTC { $0.volatility30d = 90 }
        #expect(try size("medium", backend: volatile) < medium)

        let response = try ask("risk-manager")
        let price = try #require(snapshot["BTC"]?.price)
        let stop = try #require(response.data?["stopLossPrice"]?.doubleValue)
        let target = try #require(response.data?["takeProfitPrice"]?.doubleValue)
        #expect(stop < price && price < target)
        let lowStop = try #require(
            try ask("risk-manager", input: ["ticker": "BTC", "amount": 10000, "riskTolerance": "low"])
                .data?["stopLossPercent"]?.doubleValue)
        #expect(lowStop < (response.data?["stopLossPercent"]?.doubleValue ?? 0))
    }

    @Test func theQuantReadsMomentum() throws {
        #expect(try ask("quant-analyst").position == .bullish)
        let falling = try withBTC {
            $0.return30d = -15
            $0.return90d = -25
        }
        let response = try ask("quant-analyst", backend: falling)
        #expect(response.position == .bearish)
        #expect((response.data?["momentumScore"]?.doubleValue ?? 0) < 0)
    }

    @Test func theContrarianArguesAgainstTheMajorityItSees() throws {
        let bullish = [
            reply("quant-analyst", .bullish, 70), reply("market-analyst", .bullish, 60),
            reply("macro-strategist", .bearish, 50),
        ]
        let againstBulls = try ask("contrarian-investor", earlier: bullish)
        #expect(againstBulls.position == .bearish)
        #expect(againstBulls.data?["majority"] == "bullish")

        let bearish = [reply("quant-analyst", .bearish, 70), reply("market-analyst", .bearish, 60)]
        #expect(try ask("contrarian-investor", earlier: bearish).position == .bullish)

        // The more unanimous the crowd, the harder the pushback.
        let unanimous = try ask("contrarian-investor", earlier: bullish.dropLast())
        #expect((unanimous.confidence ?? 0) > (againstBulls.confidence ?? 0))
    }

    @Test func complianceChecksTheMandate() throws {
        let clean = try ask("compliance-officer")
        #expect(clean.data?["status"] == "approved")
        #expect(clean.position == .neutral)

        let large = try ask(
            "compliance-officer", input: ["ticker": "BTC", "amount": 250000, "riskTolerance": "medium"])
        #expect(large.data?["status"] == "approved with conditions")
        #expect(large.keyPoints.contains { $0.contains("reduce the position to at most $100,000") })

        let unsuitable = try ask(
            "compliance-officer", input: ["ticker": "SOL", "amount": 5000, "riskTolerance": "low"])
        #expect(unsuitable.data?["approved"] == false)
        #expect(unsuitable.data?["status"] == "rejected")
    }

    @Test func theValidatorFlagsInconsistentFigures() throws {
        let wrongStop = reply("risk-manager", .neutral, 60, data: ["stopLossPrice": 70000, "price": 67250])
        let stalePrice = reply("quant-analyst", .bullish, 60, data: ["price": 61000])
        let response = try ask("technical-validator", earlier: [wrongStop, stalePrice])
        let issues = response.data?["issues"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(
            issues == [
                "risk-manager: stop-loss $70,000 is not below the price",
                "quant-analyst: uses a price of $61,000, the snapshot says $67,250",
            ])
        #expect(response.data?["passed"] == false)
        let clean = try ask(
            "technical-validator", earlier: [reply("quant-analyst", .bullish, 60, data: ["price": 67250])])
        #expect(clean.data?["passed"] == true)
    }

    @Test func theChairWeighsPositionsAndConfidences() throws {
        func recommendation(
            _ earlier: [AgentReply],
            input: [String: JSONValue] = ["ticker": "BTC", "amount": 10000, "riskTolerance": "medium"]
        ) throws -> String? {
            try ask("committee-chair", input: input, earlier: earlier).data?["recommendation"]?.stringValue
        }
        let bulls = ["quant-analyst", "market-analyst", "fundamental-analyst", "macro-strategist"].map {
            reply($0, .bullish, 70)
        }
        let bears = ["quant-analyst", "market-analyst", "fundamental-analyst", "macro-strategist"].map {
            reply($0, .bearish, 70)
        }
        #expect(try recommendation(bulls) == "BUY")
        #expect(try recommendation(bears) == "SELL")
        #expect(
            try recommendation([reply("quant-analyst", .bullish, 60), reply("market-analyst", .bearish, 60)]) == "HOLD")
        // Non-voting members do not count: a bullish compliance officer changes nothing.
        #expect(try recommendation(bears + [reply("compliance-officer", .bullish, 99)]) == "SELL")
        // Compliance blocks an unsuitable proposal whatever the votes.
        #expect(try recommendation(bulls, input: ["ticker": "SOL", "amount": 5000, "riskTolerance": "low"]) == "PASS")
        #expect(try recommendation([]) == "PASS")

        let verdict = try #require(
            try ask("committee-chair", earlier: bulls + [reply("contrarian-investor", .bearish, 50)]).data)
        #expect(verdict["votes"] == ["bullish": 4, "neutral": 0, "bearish": 1])
        #expect(verdict["dissenters"] == ["contrarian-investor"])
        #expect(verdict["agreementRatio"] == 0.8)
        #expect((verdict["positionSize"]?.doubleValue ?? 0) > 0)
    }

    @Test func anUnknownTickerGivesANeutralLowConfidenceAnswerAndAPass() throws {
        let input: [String: JSONValue] = ["ticker": "XYZ", "amount": 10000, "riskTolerance": "medium"]
        let quant = try ask("quant-analyst", input: input)
        #expect(quant.position == .neutral)
        #expect((quant.confidence ?? 100) <= 10)
        #expect(quant.text.contains("no market snapshot data for XYZ"))
        let chair = try ask("committee-chair", input: input, earlier: [reply("quant-analyst", .bullish, 90)])
        #expect(chair.data?["recommendation"] == "PASS")
    }

    @Test func aReviewerJudgementCarriesPassed() throws {
        let passing = try ask("technical-validator", format: .judgement)
        #expect(passing.text.hasPrefix("PASS"))
        #expect(passing.data?["passed"] == true)
        let failedAudit = reply("technical-validator", .neutral, 70, data: ["passed": false])
        let failing = try ask("compliance-officer", earlier: [failedAudit], format: .judgement)
        #expect(failing.text.hasPrefix("FAIL"))
        #expect(failing.data?["passed"] == false)
    }

    @Test func anUnknownRoleGetsTheGeneralist() throws {
        let agent = Fixtures.agent("astrologer", role: "astrology")
        let response = backend.respond(to: Fixtures.request("astrologer"), agent: agent)
        #expect(response.position == .neutral)
        #expect(response.text.contains("no analyst for the role 'astrology'"))
    }
}
