import TaskrunCore
import TaskrunExecution

/// Sizes the position from volatility, drawdown and the risk tolerance, and sets stop-loss and take-profit.
enum RiskManager {
    static func analyze(_ situation: OfflineSituation) -> OfflineFinding {
        guard let metrics = situation.metrics else { return .noData(situation) }
        let ticker = metrics.ticker
        let sizing = RiskSizing(metrics: metrics, inputs: situation.inputs, mandate: situation.snapshot.mandate)
        let tolerance = situation.inputs.riskTolerance
        // The risk view: the more of the proposal the risk budget carries, the better the risk fits.
        var stance: AgentResponse.Position =
            sizing.fraction >= 0.75 ? .bullish : sizing.fraction >= 0.4 ? .neutral : .bearish
        if stance == .bullish, ticker.return90d < -15 { stance = .neutral }
        let confidence = 55 + 35 * min(abs(sizing.fraction - 0.575) / 0.425, 1)
        var points = [
            "recommended size \(sizing.sizeText) at \(tolerance.rawValue) risk tolerance",
            "volatility \(OfflineFormat.percent(ticker.volatility30d, digits: 0)) against a \(OfflineFormat.percent(situation.snapshot.mandate.targetVolatility(tolerance), digits: 0)) target scales the size by \(OfflineFormat.fixed(sizing.volatilityScale, digits: 2)); the \(OfflineFormat.percent(ticker.maxDrawdown90d)) drawdown against a \(OfflineFormat.percent(situation.snapshot.mandate.maxDrawdown(tolerance), digits: 0)) limit by \(OfflineFormat.fixed(sizing.drawdownScale, digits: 2))",
            "stop-loss \(OfflineFormat.signedPercent(-sizing.stopLossPercent)) at \(OfflineFormat.money(sizing.stopLossPrice)), take-profit \(OfflineFormat.signedPercent(sizing.takeProfitPercent)) at \(OfflineFormat.money(sizing.takeProfitPrice))",
        ]
        if let valueAtRisk = sizing.valueAtRisk, let stress = sizing.stressLoss {
            points.append(
                "one-month 95% value at risk \(OfflineFormat.money(valueAtRisk)); the stress case (the worst 90-day fall again, or a 1-in-100 month) costs \(OfflineFormat.money(stress))"
            )
        }
        if situation.inputs.question != nil, let change = situation.inputs.priceChange {
            let keep = min(1, sizing.fraction)
            points.insert(
                "after a \(OfflineFormat.signedPercent(change)) day, keep about \(OfflineFormat.percent(keep * 100, digits: 0)) of the position with the stop at \(OfflineFormat.money(sizing.stopLossPrice))",
                at: 0)
        }
        var risks = ["a gap through the stop-loss at \(OfflineFormat.money(sizing.stopLossPrice))"]
        if sizing.cappedByMandate {
            risks.append(
                "the proposal exceeds the \(OfflineFormat.money(situation.snapshot.mandate.maxPosition(tolerance))) single-position limit"
            )
        }
        if sizing.fraction < 0.4 {
            risks.append("volatility is too high for a \(tolerance.rawValue) risk mandate at full size")
        }
        let summary =
            "size \(sizing.sizeText); stop \(OfflineFormat.signedPercent(-sizing.stopLossPercent)), target \(OfflineFormat.signedPercent(sizing.takeProfitPercent))."
        let actionFirst = situation.inputs.question != nil && situation.inputs.priceChange != nil
        return OfflineFinding(
            headline: actionFirst
                ? "\(points[0]); downside to the stop \(OfflineFormat.signedPercent(-sizing.stopLossPercent))."
                : summary,
            position: stance, confidence: confidence, keyPoints: points, risks: risks,
            data: sizing.data.merging(["price": .number(ticker.price)]) { current, _ in current },
            assumptions: situation.inputs.assumptions)
    }
}
