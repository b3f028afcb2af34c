import Foundation
import TaskrunCore

/// The risk manager's arithmetic: how big a position the volatility and the risk tolerance allow,
/// and where the stop-loss and take-profit go. Other analysts reuse it so their numbers agree.
struct RiskSizing {
    let tolerance: RiskTolerance
    let amount: Double?
    /// The share of the proposed amount the position gets, after the mandate's cap, 0...1.
    let fraction: Double
    /// The share volatility, drawdown and horizon allow, before the mandate's cap, 0...1.
    let budgetFraction: Double
    let volatilityScale: Double
    let drawdownScale: Double
    let horizonFactor: Double
    /// The recommended position in dollars, after the mandate's cap; `nil` without an amount.
    let size: Double?
    let cappedByMandate: Bool
    let stopLossPercent: Double
    let takeProfitPercent: Double
    let stopLossPrice: Double
    let takeProfitPrice: Double
    /// One-month 95% value at risk of the recommended size.
    let valueAtRisk: Double?
    /// The loss if the worst 90-day drawdown repeats or a 1-in-100 month comes, whichever is worse.
    let stressLoss: Double?
    let lossAtStop: Double?

    init(metrics: TickerMetrics, inputs: OfflineInputs, mandate: Mandate) {
        let ticker = metrics.ticker
        tolerance = inputs.riskTolerance
        amount = inputs.amount
        volatilityScale = min(1, mandate.targetVolatility(tolerance) / ticker.volatility30d)
        drawdownScale = min(1, mandate.maxDrawdown(tolerance) / max(abs(ticker.maxDrawdown90d), 0.1))
        horizonFactor =
            switch inputs.timeHorizon {
            case .short: 0.85
            case .medium, .long: 1
            }
        var fraction = min(volatilityScale, drawdownScale) * horizonFactor
        budgetFraction = fraction
        if let amount {
            let raw = amount * fraction
            let cap = mandate.maxPosition(tolerance)
            cappedByMandate = raw > cap
            let granularity: Double = amount >= 1000 ? 100 : 1
            let sized = (min(raw, cap) / granularity).rounded(.down) * granularity
            size = sized
            fraction = sized / amount
        } else {
            cappedByMandate = false
            size = nil
        }
        self.fraction = fraction
        let stopMultiple =
            switch tolerance {
            case .low: 0.6
            case .medium: 0.9
            case .high: 1.2
            }
        stopLossPercent = (stopMultiple * metrics.monthlyVolatility).clamped(3...max(3, mandate.maxDrawdown(tolerance)))
        let rewardRatio =
            switch inputs.timeHorizon {
            case .short: 1.8
            case .medium: 2.2
            case .long: 2.8
            }
        let stop = stopLossPercent
        takeProfitPercent = stop * rewardRatio
        stopLossPrice = ticker.price * (1 - stop / 100)
        takeProfitPrice = ticker.price * (1 + stop * rewardRatio / 100)
        let monthly = metrics.monthlyVolatility
        let sized = size
        valueAtRisk = sized.map { $0 * 1.645 * monthly / 100 }
        let stressPercent = max(abs(ticker.maxDrawdown90d), 2.33 * monthly)
        stressLoss = sized.map { $0 * stressPercent / 100 }
        lossAtStop = sized.map { $0 * stop / 100 }
    }

    var data: [String: JSONValue] {
        var data: [String: JSONValue] = [
            "riskTolerance": .string(tolerance.rawValue),
            "sizeFraction": .number(OfflineFormat.round(fraction, 3)),
            "budgetFraction": .number(OfflineFormat.round(budgetFraction, 3)),
            "volatilityScale": .number(OfflineFormat.round(volatilityScale, 3)),
            "drawdownScale": .number(OfflineFormat.round(drawdownScale, 3)),
            "stopLossPercent": .number(OfflineFormat.round(stopLossPercent)),
            "takeProfitPercent": .number(OfflineFormat.round(takeProfitPercent)),
            "stopLossPrice": .number(OfflineFormat.round(stopLossPrice, 4)),
            "takeProfitPrice": .number(OfflineFormat.round(takeProfitPrice, 4)),
            "cappedByMandate": .bool(cappedByMandate),
        ]
        if let amount { data["proposedAmount"] = .number(amount) }
        if let size { data["recommendedSize"] = .number(size) }
        if let valueAtRisk { data["valueAtRisk95"] = .number(OfflineFormat.round(valueAtRisk, 0)) }
        if let stressLoss { data["stressLoss"] = .number(OfflineFormat.round(stressLoss, 0)) }
        if let lossAtStop { data["lossAtStop"] = .number(OfflineFormat.round(lossAtStop, 0)) }
        return data
    }

    /// `$7,500 (75% of $10,000)` or `75% of the position` without an amount.
    var sizeText: String {
        if let size, let amount {
            return
                "\(OfflineFormat.money(size)) (\(OfflineFormat.percent(fraction * 100, digits: 0)) of \(OfflineFormat.money(amount)))"
        }
        return "\(OfflineFormat.percent(fraction * 100, digits: 0)) of the position"
    }
}
