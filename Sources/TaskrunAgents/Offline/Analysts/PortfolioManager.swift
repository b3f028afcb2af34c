import TaskrunCore
import TaskrunExecution

/// Looks at the proposal from the book's side: what the committee concluded, fit, sizing and timing.
enum PortfolioManager {
    static func analyze(_ situation: OfflineSituation) -> OfflineFinding {
        guard let metrics = situation.metrics else { return .noData(situation) }
        let ticker = metrics.ticker
        let tally = CommitteeTally(situation)
        let sizing = RiskSizing(metrics: metrics, inputs: situation.inputs, mandate: situation.snapshot.mandate)
        let beta = ticker.beta ?? 1
        // Without the committee's views yet, lean on the numbers the book cares about: momentum per unit of risk.
        let committee = tally.isEmpty ? max(-1, min(1, metrics.momentum / 1.5)) : tally.score
        // High beta adds to the equity risk the book already carries; it needs a stronger case.
        let fitPenalty = beta > 1.3 ? 0.1 : 0
        let lean = committee - fitPenalty
        let stance = position(for: lean, threshold: 0.15)
        let confidence = 45 + 35 * min(abs(lean), 1) + (tally.isEmpty ? -5 : 10 * tally.agreementRatio)
        let tranches = ticker.volatility30d >= 60 ? 4 : ticker.volatility30d >= 35 ? 3 : 2
        var points = [
            tally.isEmpty
                ? "no committee views yet; momentum per unit of risk gives \(OfflineFormat.fixed(committee, digits: 2))"
                : "the committee so far scores \(OfflineFormat.fixed(committee, digits: 2)) (\(tally.count(.bullish)) bullish, \(tally.count(.neutral)) neutral, \(tally.count(.bearish)) bearish)",
            "build \(sizing.sizeText) in \(tranches) tranches between \(OfflineFormat.money(ticker.price)) and \(OfflineFormat.money(metrics.support))",
            "beta \(OfflineFormat.fixed(beta, digits: 2)) to equities: \(beta > 1.3 ? "it adds to the risk the book already has" : beta < 0.7 ? "it diversifies the book" : "a moderate fit with the book")",
        ]
        if situation.inputs.question != nil {
            points.insert(
                stance == .bearish
                    ? "act now: reduce toward \(sizing.sizeText) rather than wait"
                    : "no need to act today; wait for \(OfflineFormat.money(metrics.support)) to add or \(OfflineFormat.money(sizing.stopLossPrice)) to cut",
                at: 0)
        }
        var risks = ["correlation with the rest of the book rises in a sell-off"]
        if beta > 1.3 { risks.append("high beta: a broad equity drawdown hits this position harder") }
        let summary =
            "\(stance == .bullish ? "add" : stance == .bearish ? "do not add" : "wait on") \(metrics.symbol): committee score \(OfflineFormat.fixed(committee, digits: 2)), size \(sizing.sizeText) in \(tranches) tranches."
        return OfflineFinding(
            headline: situation.inputs.question != nil ? "\(points[0]); \(summary)" : summary,
            position: stance, confidence: confidence, keyPoints: points, risks: risks,
            data: [
                "price": .number(ticker.price), "committeeScore": .number(OfflineFormat.round(committee)),
                "proposedSize": sizing.size.map(JSONValue.number) ?? .null, "tranches": .number(Double(tranches)),
                "beta": .number(beta),
            ], assumptions: situation.inputs.assumptions)
    }
}
