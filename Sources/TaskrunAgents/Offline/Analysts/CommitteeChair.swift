import TaskrunCore
import TaskrunExecution

/// Weighs the voting members' positions and confidences into the verdict, or answers a quick question
/// from the specialists' findings.
enum CommitteeChair {
    /// BUY, HOLD, SELL or PASS.
    enum Recommendation: String {
        case buy = "BUY", hold = "HOLD", sell = "SELL", pass = "PASS"
    }

    static func analyze(_ situation: OfflineSituation) -> OfflineFinding {
        if situation.inputs.question != nil { return answer(situation) }
        return verdict(situation)
    }

    // MARK: Verdict

    static func verdict(_ situation: OfflineSituation) -> OfflineFinding {
        let tally = CommitteeTally(situation)
        guard let metrics = situation.metrics else {
            var finding = OfflineFinding.noData(situation)
            finding.headline = "PASS: " + finding.headline
            finding.data["finalVerdict"] = ["recommendation": "PASS", "confidence": 10, "positionSize": 0]
            return finding
        }
        let ticker = metrics.ticker
        let inputs = situation.inputs
        let mandate = situation.snapshot.mandate
        let sizing = RiskSizing(metrics: metrics, inputs: inputs, mandate: mandate)
        let review = ComplianceOfficer.review(metrics, inputs: inputs, mandate: mandate)
        // Prefer the numbers the risk manager and compliance actually gave, when their answers carry them.
        let riskData = situation.latestData(role: .risk, key: "recommendedSize")
        let complianceData = situation.latestData(role: .compliance, key: "approved")
        let riskSize = riskData?["recommendedSize"]?.doubleValue ?? sizing.size
        let stopPercent = riskData?["stopLossPercent"]?.doubleValue ?? sizing.stopLossPercent
        let takePercent = riskData?["takeProfitPercent"]?.doubleValue ?? sizing.takeProfitPercent
        let approved = complianceData?["approved"]?.boolValue ?? review.approved
        let conditions = complianceData?["conditions"]?.arrayValue?.compactMap(\.stringValue) ?? review.conditions
        let failures = complianceData?["failures"]?.arrayValue?.compactMap(\.stringValue) ?? review.failures
        let maxAllowed = complianceData?["maxAllowedSize"]?.doubleValue ?? review.maxAllowedSize

        let score = tally.isEmpty ? 0 : tally.score
        let fraction = inputs.amount.flatMap { amount in riskSize.map { $0 / amount } } ?? sizing.fraction
        let recommendation: Recommendation
        var reasons: [String] = []
        if tally.isEmpty {
            recommendation = .pass
            reasons.append("no committee member stated a position")
        } else if !approved {
            recommendation = .pass
            reasons.append("compliance blocks it: \(failures.joined(separator: "; "))")
        } else if score >= 0.2, fraction >= 0.25 {
            recommendation = .buy
            reasons.append("the committee leans bullish (score \(OfflineFormat.fixed(score, digits: 2)))")
        } else if score >= 0.2 {
            recommendation = .hold
            reasons.append("the case is positive but the risk budget allows only \(OfflineFormat.percent(fraction * 100, digits: 0)) of the proposal")
        } else if score > -0.2 {
            recommendation = .hold
            reasons.append("the committee is split (score \(OfflineFormat.fixed(score, digits: 2)))")
        } else if score <= -0.45 {
            recommendation = .sell
            reasons.append("the committee is clearly bearish (score \(OfflineFormat.fixed(score, digits: 2))): reduce or avoid exposure")
        } else {
            recommendation = .pass
            reasons.append("the committee leans bearish (score \(OfflineFormat.fixed(score, digits: 2)))")
        }

        // Confidence: how sure the members on the verdict's side are, discounted by disagreement.
        let side: AgentResponse.Position =
            switch recommendation {
            case .buy: .bullish
            case .sell, .pass: tally.isEmpty ? .neutral : .bearish
            case .hold: .neutral
            }
        let backers = tally.votes.filter { $0.position == side }
        let base =
            (backers.isEmpty ? tally.votes : backers).map(\.confidence).reduce(0, +)
            / Double(max(1, (backers.isEmpty ? tally.votes : backers).count))
        var confidence = (tally.isEmpty ? 20 : base) * (0.55 + 0.45 * tally.agreementRatio)
        if !conditions.isEmpty { confidence -= 3 }
        confidence = confidence.clamped(5...95).rounded()

        var positionSize = 0.0
        if recommendation == .buy, let amount = inputs.amount {
            let conviction = (0.6 + score).clamped(0.6...1)
            let granularity: Double = amount >= 1000 ? 100 : 1
            let cap = min(riskSize ?? amount, maxAllowed ?? amount)
            positionSize = (cap * conviction / granularity).rounded(.down) * granularity
        }
        let tranches = ticker.volatility30d >= 60 ? 4 : ticker.volatility30d >= 35 ? 3 : 2
        let stopPrice = ticker.price * (1 - stopPercent / 100)
        let takePrice = ticker.price * (1 + takePercent / 100)
        let entry =
            recommendation == .buy
            ? "scale in over \(tranches) tranches between \(OfflineFormat.money(ticker.price)) and \(OfflineFormat.money(metrics.support))"
            : recommendation == .hold
                ? "no new entry; reconsider above \(OfflineFormat.money(metrics.resistance)) or near \(OfflineFormat.money(metrics.support))"
                : "none"
        let stopLoss = "\(OfflineFormat.signedPercent(-stopPercent)) from average entry (about \(OfflineFormat.money(stopPrice)))"
        let takeProfit = "\(OfflineFormat.signedPercent(takePercent)) from average entry (about \(OfflineFormat.money(takePrice)))"

        let majority = tally.majority ?? .neutral
        let agreement = tally.votes.filter { $0.position == majority }.compactMap { vote in
            vote.firstPoint.map { "\(vote.agent): \($0)" }
        }
        let dissent = tally.votes.filter { $0.position != majority }.compactMap { vote in
            vote.firstPoint.map { "\(vote.agent) (\(vote.position.rawValue)): \($0)" }
        }
        var seen = Set<String>()
        let keyRisks = tally.votes.flatMap(\.risks).filter { seen.insert($0).inserted }.prefix(5)

        let verdict: JSONValue = [
            "recommendation": .string(recommendation.rawValue),
            "confidence": .number(confidence),
            "ticker": .string(ticker.symbol),
            "price": .number(ticker.price),
            "positionSize": .number(positionSize),
            "proposedAmount": inputs.amount.map(JSONValue.number) ?? .null,
            "entry": .string(entry),
            "stopLoss": .string(stopLoss),
            "stopLossPercent": .number(OfflineFormat.round(stopPercent)),
            "stopLossPrice": .number(OfflineFormat.round(stopPrice, 4)),
            "takeProfit": .string(takeProfit),
            "takeProfitPercent": .number(OfflineFormat.round(takePercent)),
            "takeProfitPrice": .number(OfflineFormat.round(takePrice, 4)),
            "score": .number(OfflineFormat.round(score)),
            "votes": tally.distribution,
            "positions": tally.positions,
            "agreementRatio": .number(OfflineFormat.round(tally.agreementRatio)),
            "dissenters": .array(tally.dissenters.map(JSONValue.string)),
            "pointsOfAgreement": .array(agreement.prefix(4).map(JSONValue.string)),
            "pointsOfDissent": .array(dissent.prefix(4).map(JSONValue.string)),
            "keyRisks": .array(keyRisks.map(JSONValue.string)),
            "conditions": .array((conditions + failures).map(JSONValue.string)),
            "rationale": .array(reasons.map(JSONValue.string)),
            "source": "offline-heuristics",
        ]
        var points = reasons
        points.append(
            "votes: \(tally.count(.bullish)) bullish, \(tally.count(.neutral)) neutral, \(tally.count(.bearish)) bearish; agreement \(OfflineFormat.percent(tally.agreementRatio * 100, digits: 0))"
                + (tally.dissenters.isEmpty ? "" : "; dissent: \(tally.dissenters.joined(separator: ", "))"))
        if recommendation == .buy {
            points.append("position \(OfflineFormat.money(positionSize))\(inputs.amount.map { " of the proposed \(OfflineFormat.money($0))" } ?? ""); \(entry)")
        }
        points.append("stop-loss \(stopLoss); take-profit \(takeProfit)")
        points += conditions.map { "condition: \($0)" }
        let headline =
            "\(recommendation.rawValue) \(ticker.symbol) with confidence \(Int(confidence))"
            + (recommendation == .buy ? ", \(OfflineFormat.money(positionSize)) position." : ".")
        return OfflineFinding(
            headline: headline, position: position(for: score, threshold: 0.2), confidence: confidence, keyPoints: points,
            risks: Array(keyRisks),
            data: ["finalVerdict": verdict, "recommendation": .string(recommendation.rawValue)])
    }

    // MARK: Answer to a question

    static func answer(_ situation: OfflineSituation) -> OfflineFinding {
        let tally = CommitteeTally(situation, votingOnly: false)
        let questionType = situation.earlierOutputs["questionType"]?.stringValue
        let urgency = situation.earlierOutputs["urgency"]?.stringValue
        let specialists = situation.earlier.filter { $0.agent != situation.agent.id }
        var sentences: [String] = []
        // For action questions the risk manager leads; otherwise the most confident specialist does.
        let leader =
            (questionType == "action" ? specialists.last { $0.role == .risk } : nil)
            ?? specialists.max { ($0.response.confidence ?? 0) < ($1.response.confidence ?? 0) }
        if let leader {
            sentences.append("\(leader.agent) leads: \(headline(of: leader.response))")
        }
        for other in specialists where other.agent != leader?.agent {
            guard sentences.count < 3 else { break }
            sentences.append("\(other.agent): \(headline(of: other.response))")
        }
        if specialists.isEmpty {
            sentences.append("No specialist answered, so there is no finding to report")
        }
        let majority = tally.majority ?? .neutral
        sentences.append(
            "Overall the specialists lean \(majority.rawValue) (\(tally.count(.bullish)) bullish, \(tally.count(.neutral)) neutral, \(tally.count(.bearish)) bearish)")
        if let metrics = situation.metrics {
            sentences.append(
                "Watch next: \(OfflineFormat.money(metrics.support)) support, then \(OfflineFormat.money(metrics.resistance)) resistance")
        }
        let text = sentences.prefix(5).map { $0.hasSuffix(".") ? $0 : $0 + "." }.joined(separator: " ")
        return OfflineFinding(
            headline: text, position: majority, confidence: tally.isEmpty ? 20 : (40 + 40 * tally.agreementRatio),
            keyPoints: [], risks: Array(specialists.flatMap(\.response.risks).prefix(3)),
            data: [
                "answer": .string(text),
                "questionType": questionType.map(JSONValue.string) ?? .null,
                "urgency": urgency.map(JSONValue.string) ?? .null,
                "specialists": .array(specialists.map { .string($0.agent) }),
                "lean": .string(majority.rawValue),
            ])
    }

    /// The first line of an answer without its offline label and speaker: the headline.
    static func headline(of response: AgentResponse) -> String {
        var line = response.text.split(separator: "\n").first.map(String.init) ?? response.text
        if line.hasPrefix("[offline heuristics] "), let colon = line.firstIndex(of: ":") {
            line = String(line[line.index(after: colon)...]).trimmingWhitespace()
        }
        return line
    }
}
