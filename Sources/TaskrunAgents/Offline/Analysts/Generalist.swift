import TaskrunCore
import TaskrunExecution

/// The analyst for roles the offline backend does not know: it reports the snapshot and takes no side.
enum Generalist {
    static func analyze(_ situation: OfflineSituation) -> OfflineFinding {
        guard let metrics = situation.metrics else { return .noData(situation) }
        let ticker = metrics.ticker
        return OfflineFinding(
            headline:
                "the offline backend has no analyst for the role '\(situation.agent.role)'; here is the snapshot for \(metrics.symbol) without a view.",
            position: .neutral, confidence: 25,
            keyPoints: [
                "price \(OfflineFormat.money(ticker.price)), \(OfflineFormat.signedPercent(ticker.return30d)) over 30 days, \(OfflineFormat.signedPercent(ticker.return90d)) over 90",
                "volatility \(OfflineFormat.percent(ticker.volatility30d, digits: 0)), maximum drawdown \(OfflineFormat.percent(ticker.maxDrawdown90d))",
                "known roles: \(OfflineRole.allCases.map(\.rawValue).joined(separator: ", "))",
            ],
            risks: ["no role-specific analysis was done"],
            data: ["price": .number(ticker.price), "momentumScore": .number(OfflineFormat.round(metrics.momentum))])
    }
}
