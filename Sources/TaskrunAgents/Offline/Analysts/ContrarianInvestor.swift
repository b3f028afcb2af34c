import TaskrunCore
import TaskrunExecution

/// Argues against the majority of the earlier answers it sees, with the numbers the majority underweights.
enum ContrarianInvestor {
    static func analyze(_ situation: OfflineSituation) -> OfflineFinding {
        guard let metrics = situation.metrics else { return .noData(situation) }
        let ticker = metrics.ticker
        let tally = CommitteeTally(situation)
        // Without earlier views, the crowd is what the price says: fade the momentum.
        let crowd: AgentResponse.Position = tally.majority ?? position(for: metrics.momentum, threshold: 0.35)
        let stance: AgentResponse.Position =
            switch crowd {
            case .bullish: .bearish
            case .bearish: .bullish
            case .neutral: position(for: -metrics.momentum, threshold: 0.7)
            }
        var points: [String] = []
        var risks: [String] = []
        switch stance {
        case .bearish:
            points.append(
                "a \(OfflineFormat.percent(ticker.maxDrawdown90d)) drawdown in 90 days says the rally is fragile")
            points.append(
                "\(OfflineFormat.percent(ticker.volatility30d, digits: 0)) volatility: one bad month is a \(OfflineFormat.signedPercent(-1.645 * metrics.monthlyVolatility)) move"
            )
            if let valuation = ticker.valuationPercentile, valuation >= 60 {
                points.append("valuation at the \(OfflineFormat.ordinal(valuation)) percentile prices in good news")
            }
            if let crowding = ticker.crowding, crowding >= 60 {
                points.append("crowding \(Int(crowding.rounded()))/100: everyone who wanted in is in")
            }
            if metrics.rangePosition > 0.7 {
                points.append(
                    "buying at \(OfflineFormat.percent(metrics.rangePosition * 100, digits: 0)) of the range means buying near resistance"
                )
            }
            risks.append("if momentum persists, staying out costs the upside")
        case .bullish:
            points.append(
                "price at \(OfflineFormat.percent(metrics.rangePosition * 100, digits: 0)) of its 90-day range: much of the bad news is in the price"
            )
            if let valuation = ticker.valuationPercentile, valuation <= 50 {
                points.append("valuation at the \(OfflineFormat.ordinal(valuation)) percentile is undemanding")
            }
            if let news = ticker.newsSentiment, news < 0 {
                points.append("negative news tone \(OfflineFormat.fixed(news, digits: 2)) is when entries are cheapest")
            }
            if ticker.return90d > 0 {
                points.append(
                    "the 90-day return is still \(OfflineFormat.signedPercent(ticker.return90d)): the longer trend has not broken"
                )
            }
            risks.append("catching a falling knife if support at \(OfflineFormat.money(metrics.support)) breaks")
        case .neutral:
            points.append("there is no strong majority to fade; the numbers cut both ways")
            risks.append("a quiet consensus can still be wrong")
        }
        // The stronger and more unanimous the crowd, the more I push back; strong data against me tempers it.
        let dataAgainst =
            crowd == .neutral ? 0 : min(abs(metrics.momentum), 1.5) * (sign(of: crowd) * metrics.momentum > 0 ? 1 : 0)
        let confidence = (35 + 35 * tally.agreementRatio - 10 * dataAgainst).clamped(20...80)
        let dissents = crowd != .neutral && stance != crowd
        if situation.isFinalStatement {
            points.insert(dissents ? "I dissent from the \(crowd.rawValue) majority" : "I do not dissent", at: 0)
        }
        let crowdText =
            tally.isEmpty
            ? "the price action" : "the \(crowd.rawValue) majority (\(tally.count(crowd)) of \(tally.votes.count))"
        return OfflineFinding(
            headline: stance == .neutral
                ? "no crowd to fade on \(metrics.symbol); I stay neutral."
                : "I argue \(stance.rawValue) on \(metrics.symbol) against \(crowdText).",
            position: stance, confidence: confidence, keyPoints: points, risks: risks,
            data: [
                "price": .number(ticker.price), "majority": .string(crowd.rawValue),
                "majorityShare": .number(OfflineFormat.round(tally.agreementRatio)), "dissents": .bool(dissents),
                "membersSeen": .number(Double(tally.votes.count)),
            ])
    }
}
