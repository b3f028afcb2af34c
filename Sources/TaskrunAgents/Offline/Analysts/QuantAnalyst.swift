import TaskrunCore
import TaskrunExecution

/// Reads momentum and volatility: returns in units of their own volatility, weighted for the horizon.
enum QuantAnalyst {
    static func analyze(_ situation: OfflineSituation) -> OfflineFinding {
        guard let metrics = situation.metrics else { return .noData(situation) }
        let ticker = metrics.ticker
        let riskAdjusted = ticker.return90d / ticker.volatility90d * 2
        let volatilityTrend = ticker.volatility30d / ticker.volatility90d
        let stance = position(for: metrics.momentum, threshold: 0.35)
        // Conviction grows with the size of the signal; rising volatility makes any signal less reliable.
        var confidence = 50 + 28 * min(abs(metrics.momentum), 1.5)
        if volatilityTrend > 1.15 { confidence -= 8 }
        if stance == .neutral { confidence = 45 + 20 * (0.35 - abs(metrics.momentum)) / 0.35 }
        let direction =
            switch stance {
            case .bullish: "positive"
            case .bearish: "negative"
            case .neutral: "flat"
            }
        var points = [
            "30-day return \(OfflineFormat.signedPercent(ticker.return30d)) against \(OfflineFormat.percent(metrics.monthlyVolatility)) monthly volatility (z = \(OfflineFormat.fixed(metrics.z30, digits: 2)))",
            "90-day return \(OfflineFormat.signedPercent(ticker.return90d)), risk-adjusted \(OfflineFormat.fixed(riskAdjusted, digits: 2)) (z = \(OfflineFormat.fixed(metrics.z90, digits: 2)))",
            "volatility \(OfflineFormat.percent(ticker.volatility30d, digits: 0)) over 30 days vs \(OfflineFormat.percent(ticker.volatility90d, digits: 0)) over 90 (\(volatilityTrend > 1.05 ? "rising" : volatilityTrend < 0.95 ? "falling" : "stable"))",
            "maximum drawdown over 90 days \(OfflineFormat.percent(ticker.maxDrawdown90d))",
        ]
        if situation.isFinalStatement {
            points.insert(
                "the deciding number: momentum score \(OfflineFormat.fixed(metrics.momentum, digits: 2))", at: 0)
        }
        var risks: [String] = []
        if volatilityTrend > 1.15 { risks.append("volatility is rising, so the momentum signal is less reliable") }
        if ticker.maxDrawdown90d < -20 {
            risks.append(
                "a \(OfflineFormat.percent(ticker.maxDrawdown90d)) drawdown in 90 days shows how fast gains reverse")
        }
        if risks.isEmpty { risks.append("momentum can reverse abruptly on a volatility spike") }
        return OfflineFinding(
            headline:
                "momentum on \(metrics.symbol) is \(direction) (score \(OfflineFormat.fixed(metrics.momentum, digits: 2)) for a \(situation.inputs.timeHorizon.rawValue) horizon).",
            position: stance, confidence: confidence, keyPoints: points, risks: risks,
            data: [
                "price": .number(ticker.price),
                "momentumScore": .number(OfflineFormat.round(metrics.momentum)),
                "zScore30d": .number(OfflineFormat.round(metrics.z30)),
                "zScore90d": .number(OfflineFormat.round(metrics.z90)),
                "return30d": .number(ticker.return30d), "return90d": .number(ticker.return90d),
                "volatility30d": .number(ticker.volatility30d), "volatility90d": .number(ticker.volatility90d),
                "maxDrawdown90d": .number(ticker.maxDrawdown90d),
                "riskAdjustedReturn90d": .number(OfflineFormat.round(riskAdjusted)),
            ])
    }
}
