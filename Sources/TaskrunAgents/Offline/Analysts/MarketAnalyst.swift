import TaskrunCore
import TaskrunExecution

/// Reads the market structure: trend, where the price sits in its range, liquidity and the levels that matter.
enum MarketAnalyst {
    static func analyze(_ situation: OfflineSituation) -> OfflineFinding {
        guard let metrics = situation.metrics else { return .noData(situation) }
        let ticker = metrics.ticker
        let trend =
            ticker.return30d > 0 && ticker.return90d > 0
            ? "up" : ticker.return30d < 0 && ticker.return90d < 0 ? "down" : "mixed"
        var score = 0.5 * max(-1, min(1, metrics.z30)) + (metrics.rangePosition - 0.5)
        let volumeRatio =
            situation.inputs.volume.map { $0 / max(ticker.averageVolume30d ?? ticker.volume24h, 1) }
            ?? metrics.volumeRatio
        let confirmed = (volumeRatio ?? 1) >= 1.2
        var points = [
            "trend \(trend): \(OfflineFormat.signedPercent(ticker.return30d)) over 30 days, \(OfflineFormat.signedPercent(ticker.return90d)) over 90",
            "price \(OfflineFormat.money(ticker.price)) sits at \(OfflineFormat.percent(metrics.rangePosition * 100, digits: 0)) of its 90-day range (\(OfflineFormat.money(metrics.low))-\(OfflineFormat.money(metrics.high)))",
            "support near \(OfflineFormat.money(metrics.support)), resistance near \(OfflineFormat.money(metrics.resistance))",
        ]
        if let volumeRatio {
            points.append(
                "volume \(OfflineFormat.fixed(volumeRatio, digits: 2))x its 30-day average (\(confirmed ? "confirms the move" : "no confirmation"))"
            )
        }
        if let change = situation.inputs.priceChange {
            let sigma = change / metrics.dailyVolatility
            points.insert(
                "today's \(OfflineFormat.signedPercent(change)) is a \(OfflineFormat.fixed(abs(sigma), digits: 1))-sigma day for \(metrics.symbol)\(abs(sigma) >= 1.5 ? ", unusually large" : ", within normal noise")",
                at: 0)
            score += max(-0.5, min(0.5, sigma / 4))
        }
        if situation.isFinalStatement {
            points.insert(
                "the level that would change my mind: \(OfflineFormat.money(score >= 0 ? metrics.support : metrics.resistance))",
                at: 0)
        }
        let stance = position(for: score, threshold: 0.2)
        let confidence = 45 + 30 * min(abs(score), 1) + (confirmed ? 8 : 0)
        var risks: [String] = []
        if metrics.rangePosition > 0.85 { risks.append("price is pressing the top of its range, close to resistance") }
        if metrics.rangePosition < 0.15 { risks.append("price is near its 90-day low; a break opens the way lower") }
        if let volumeRatio, volumeRatio < 0.8 { risks.append("thin volume makes the move easy to reverse") }
        risks.append("a break below support at \(OfflineFormat.money(metrics.support))")
        var data: [String: JSONValue] = [
            "price": .number(ticker.price), "trend": .string(trend),
            "rangePosition": .number(OfflineFormat.round(metrics.rangePosition)),
            "support": .number(OfflineFormat.round(metrics.support, 4)),
            "resistance": .number(OfflineFormat.round(metrics.resistance, 4)),
            "high90d": .number(OfflineFormat.round(metrics.high, 4)),
            "low90d": .number(OfflineFormat.round(metrics.low, 4)),
            "structureScore": .number(OfflineFormat.round(score)),
        ]
        if let volumeRatio { data["volumeRatio"] = .number(OfflineFormat.round(volumeRatio)) }
        let structure =
            "\(metrics.symbol) is in a\(trend == "up" ? "n" : "") \(trend) trend at \(OfflineFormat.percent(metrics.rangePosition * 100, digits: 0)) of its range; support \(OfflineFormat.money(metrics.support)), resistance \(OfflineFormat.money(metrics.resistance))."
        // Asked about today's move, lead with the move itself.
        let moveFirst = situation.inputs.question != nil && situation.inputs.priceChange != nil
        return OfflineFinding(
            headline: moveFirst ? "\(points[0]); \(structure)" : structure,
            position: stance, confidence: confidence, keyPoints: points, risks: risks, data: data)
    }
}
