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
        let inputs = situation.inputs
        let metrics = situation.metrics
        let mandate = situation.snapshot.mandate
        let sizing = metrics.map { RiskSizing(metrics: $0, inputs: inputs, mandate: mandate) }
        let review = metrics.map { ComplianceOfficer.review($0, inputs: inputs, mandate: mandate) }
        // Prefer the numbers the risk manager and compliance actually gave, when their answers carry them.
        let risk = situation.latestData(role: .risk, key: "recommendedSize") ?? [:]
        let compliance = situation.latestData(role: .compliance, key: "approved") ?? [:]
        let riskSize = risk["recommendedSize"]?.doubleValue ?? sizing?.size
        let budget = risk["budgetFraction"]?.doubleValue ?? sizing?.budgetFraction ?? 0
        let stopPercent = risk["stopLossPercent"]?.doubleValue ?? sizing?.stopLossPercent
        let takePercent = risk["takeProfitPercent"]?.doubleValue ?? sizing?.takeProfitPercent
        let stopPrice = risk["stopLossPrice"]?.doubleValue ?? sizing?.stopLossPrice
        let takePrice = risk["takeProfitPrice"]?.doubleValue ?? sizing?.takeProfitPrice
        let approved = compliance["approved"]?.boolValue ?? review?.approved ?? false
        let conditions = compliance["conditions"]?.arrayValue?.compactMap(\.stringValue) ?? review?.conditions ?? []
        let failures = compliance["failures"]?.arrayValue?.compactMap(\.stringValue) ?? review?.failures ?? []
        let maxAllowed = compliance["maxAllowedSize"]?.doubleValue ?? review?.maxAllowedSize

        let score = tally.score
        let recommendation: Recommendation
        var reasons: [String] = []
        if metrics == nil {
            recommendation = .pass
            reasons.append("there is no market data for \(inputs.ticker ?? "the asset") to decide on")
        } else if tally.isEmpty {
            recommendation = .pass
            reasons.append("no committee member stated a position")
        } else if !approved {
            recommendation = .pass
            reasons.append("compliance blocks it: \(failures.joined(separator: "; "))")
        } else if score >= 0.2, budget >= 0.25 {
            recommendation = .buy
            reasons.append("the committee leans bullish (score \(OfflineFormat.fixed(score, digits: 2)))")
        } else if score >= 0.2 {
            recommendation = .hold
            reasons.append(
                "the case is positive but volatility allows only \(OfflineFormat.percent(budget * 100, digits: 0)) of the proposal"
            )
        } else if score > -0.2 {
            recommendation = .hold
            reasons.append("the committee is split (score \(OfflineFormat.fixed(score, digits: 2)))")
        } else if score <= -0.45 {
            recommendation = .sell
            reasons.append(
                "the committee is clearly bearish (score \(OfflineFormat.fixed(score, digits: 2))): reduce or avoid exposure"
            )
        } else {
            recommendation = .pass
            reasons.append("the committee leans bearish (score \(OfflineFormat.fixed(score, digits: 2)))")
        }

        // Confidence: how sure the members on the verdict's side are, discounted by disagreement.
        let side: AgentResponse.Position =
            switch recommendation {
            case .buy: .bullish
            case .sell, .pass: .bearish
            case .hold: .neutral
            }
        let backers = tally.votes.filter { $0.position == side }
        let counted = backers.isEmpty ? tally.votes : backers
        let base = counted.isEmpty ? 20 : counted.map(\.confidence).reduce(0, +) / Double(counted.count)
        var confidence = base * (0.55 + 0.45 * tally.agreementRatio)
        if !conditions.isEmpty { confidence -= 3 }
        if metrics == nil { confidence = 10 }
        confidence = confidence.clamped(5...95).rounded()

        var positionSize = 0.0
        if recommendation == .buy, let amount = inputs.amount {
            let conviction = (0.6 + score).clamped(0.6...1)
            let granularity: Double = amount >= 1000 ? 100 : 1
            let cap = min(riskSize ?? amount, maxAllowed ?? amount)
            positionSize = (cap * conviction / granularity).rounded(.down) * granularity
        }
        var entry = "none"
        if let metrics {
            let tranches = metrics.ticker.volatility30d >= 60 ? 4 : metrics.ticker.volatility30d >= 35 ? 3 : 2
            if recommendation == .buy {
                entry =
                    "scale in over \(tranches) tranches between \(OfflineFormat.money(metrics.ticker.price)) and \(OfflineFormat.money(metrics.support))"
            } else if recommendation == .hold {
                entry =
                    "no new entry; reconsider above \(OfflineFormat.money(metrics.resistance)) or near \(OfflineFormat.money(metrics.support))"
            }
        }
        var stopLoss = "n/a"
        var takeProfit = "n/a"
        if let stopPercent, let stopPrice, let takePercent, let takePrice {
            stopLoss =
                "\(OfflineFormat.signedPercent(-stopPercent)) from average entry (about \(OfflineFormat.money(stopPrice)))"
            takeProfit =
                "\(OfflineFormat.signedPercent(takePercent)) from average entry (about \(OfflineFormat.money(takePrice)))"
        }

        let majority = tally.majority ?? .neutral
        let agreement = tally.votes.filter { $0.position == majority }.compactMap { vote in
            vote.firstPoint.map { "\(vote.agent): \($0)" }
        }
        let dissent = tally.votes.filter { $0.position != majority }.compactMap { vote in
            vote.firstPoint.map { "\(vote.agent) (\(vote.position.rawValue)): \($0)" }
        }
        var seen = Set<String>()
        let keyRisks = Array(tally.votes.flatMap(\.risks).filter { seen.insert($0).inserted }.prefix(5))
        func number(_ value: Double?, _ digits: Int = 2) -> JSONValue {
            value.map { .number(OfflineFormat.round($0, digits)) } ?? .null
        }

        // The answer's data is the verdict itself, so a step `output:` and the by-key lookup of
        // `recommendation` both find it.
        let verdict: [String: JSONValue] = [
            "recommendation": .string(recommendation.rawValue),
            "confidence": .number(confidence),
            "ticker": inputs.ticker.map(JSONValue.string) ?? .null,
            "price": number(metrics?.ticker.price, 4),
            "positionSize": .number(positionSize),
            "proposedAmount": number(inputs.amount),
            "entry": .string(entry),
            "stopLoss": .string(stopLoss),
            "stopLossPercent": number(stopPercent),
            "stopLossPrice": number(stopPrice, 4),
            "takeProfit": .string(takeProfit),
            "takeProfitPercent": number(takePercent),
            "takeProfitPrice": number(takePrice, 4),
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
            points.append(
                "position \(OfflineFormat.money(positionSize))\(inputs.amount.map { " of the proposed \(OfflineFormat.money($0))" } ?? ""); \(entry)"
            )
        }
        if stopLoss != "n/a" { points.append("stop-loss \(stopLoss); take-profit \(takeProfit)") }
        points += conditions.map { "condition: \($0)" }
        let headline =
            "\(recommendation.rawValue) \(inputs.ticker ?? "the asset") with confidence \(Int(confidence))"
            + (recommendation == .buy ? ", \(OfflineFormat.money(positionSize)) position." : ".")
        return OfflineFinding(
            headline: headline, position: position(for: score, threshold: 0.2), confidence: confidence,
            keyPoints: points, risks: keyRisks,
            data: verdict,
            assumptions: inputs.assumptions)
    }

    // MARK: Answer to a question

    static func answer(_ situation: OfflineSituation) -> OfflineFinding {
        let tally = CommitteeTally(situation, votingOnly: false)
        let questionType = situation.earlierOutputs["questionType"]?.stringValue
        let urgency = situation.earlierOutputs["urgency"]?.stringValue
        let specialists = situation.earlier.filter { $0.agent != situation.agent.id }
        var sentences: [String] = []
        // The specialist whose field the question is about leads (the risk manager for action
        // questions); otherwise the most confident one does.
        let leadRole: OfflineRole? =
            switch questionType {
            case "action": .risk
            case "price-movement": .market
            case "opportunity": .fundamental
            default: nil
            }
        let leader =
            specialists.last { $0.role != nil && $0.role == leadRole }
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
            "Overall the specialists lean \(majority.rawValue) (\(tally.count(.bullish)) bullish, \(tally.count(.neutral)) neutral, \(tally.count(.bearish)) bearish)"
        )
        if let metrics = situation.metrics {
            sentences.append(
                "Watch next: \(OfflineFormat.money(metrics.support)) support, then \(OfflineFormat.money(metrics.resistance)) resistance"
            )
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
