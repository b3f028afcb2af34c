import TaskrunCore
import TaskrunExecution

/// Weighs growth against valuation: strong growth at a cheap valuation is the best case.
enum FundamentalAnalyst {
    static func analyze(_ situation: OfflineSituation) -> OfflineFinding {
        guard let ticker = situation.ticker else { return .noData(situation) }
        let isCrypto = ticker.assetClass?.lowercased() == "crypto"
        let growthName = isCrypto ? "network activity" : "revenue"
        guard let growth = ticker.growth, let valuation = ticker.valuationPercentile else {
            return OfflineFinding(
                headline: "the snapshot has no growth or valuation figures for \(ticker.symbol), so I take no side.",
                position: .neutral, confidence: 20,
                keyPoints: ["add 'growth' and 'valuationPercentile' for \(ticker.symbol) to the snapshot"],
                risks: ["investing without a view of the fundamentals"], data: ["price": .number(ticker.price)])
        }
        let growthScore = max(-1.5, min(1.5, growth / 20))
        let valuationScore = (valuation - 50) / 50
        let score = growthScore - valuationScore
        let stance = position(for: score, threshold: 0.25)
        let confidence = 45 + 25 * min(abs(score), 1.4)
        let valuationWord = valuation >= 75 ? "rich" : valuation <= 25 ? "cheap" : "fair"
        var points = [
            "\(growthName) growth \(OfflineFormat.signedPercent(growth)) year over year",
            "valuation at the \(OfflineFormat.ordinal(valuation)) percentile of its 5-year history (\(valuationWord))",
        ]
        if let sector = ticker.sector { points.append("sector: \(sector)") }
        if situation.isFinalStatement {
            points.insert(
                "the deciding driver: \(abs(growthScore) >= abs(valuationScore) ? "\(growthName) growth" : "valuation")",
                at: 0)
        }
        var risks: [String] = []
        if valuation >= 75 { risks.append("valuation leaves little room for disappointment") }
        if growth < 0 { risks.append("\(growthName) is shrinking") }
        if risks.isEmpty { risks.append("growth slowing from \(OfflineFormat.signedPercent(growth))") }
        return OfflineFinding(
            headline:
                "\(growthName) growth of \(OfflineFormat.signedPercent(growth)) at a \(valuationWord) valuation (score \(OfflineFormat.fixed(score, digits: 2))).",
            position: stance, confidence: confidence, keyPoints: points, risks: risks,
            data: [
                "price": .number(ticker.price), "growth": .number(growth),
                "valuationPercentile": .number(valuation), "fundamentalScore": .number(OfflineFormat.round(score)),
            ])
    }
}
