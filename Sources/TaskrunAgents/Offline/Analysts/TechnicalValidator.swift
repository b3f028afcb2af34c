import TaskrunCore
import TaskrunExecution

/// Audits the committee's numbers against the snapshot, and reads the technical picture.
enum TechnicalValidator {
    static func analyze(_ situation: OfflineSituation) -> OfflineFinding {
        guard let metrics = situation.metrics else { return .noData(situation) }
        let ticker = metrics.ticker
        let issues = audit(situation, metrics: metrics)
        let audited = situation.earlier.count

        // The technical read: the size of today's move in sigmas, and whether volume backs it.
        let change = situation.inputs.priceChange
        let sigma = change.map { $0 / metrics.dailyVolatility }
        let volumeRatio =
            situation.inputs.volume.map { $0 / max(ticker.averageVolume30d ?? ticker.volume24h, 1) }
            ?? metrics.volumeRatio
        let confirmed = (volumeRatio ?? 1) >= 1.2
        var technical = (metrics.rangePosition - 0.5) + 0.3 * max(-1, min(1, metrics.z30))
        if let sigma { technical += max(-0.6, min(0.6, sigma / 3)) * (confirmed ? 1 : 0.5) }
        let stance = position(for: technical, threshold: 0.2)

        var points: [String] = []
        if audited > 0 {
            points.append(
                issues.isEmpty
                    ? "audited \(audited) earlier answers: figures consistent with the snapshot"
                    : "audited \(audited) earlier answers: \(issues.count) issue\(issues.count == 1 ? "" : "s") to correct"
            )
            points += issues
        }
        if let change, let sigma {
            let broke =
                change < 0
                ? "support near \(OfflineFormat.money(metrics.support))"
                : "resistance near \(OfflineFormat.money(metrics.resistance))"
            points.append(
                "a \(OfflineFormat.signedPercent(change)) move is \(OfflineFormat.fixed(abs(sigma), digits: 1)) sigma; \(abs(sigma) >= 1 ? "it tests \(broke)" : "no key level in play")"
            )
        }
        points.append(
            "price at \(OfflineFormat.percent(metrics.rangePosition * 100, digits: 0)) of its 90-day range; support \(OfflineFormat.money(metrics.support)), resistance \(OfflineFormat.money(metrics.resistance))"
        )
        if let volumeRatio {
            points.append(
                "volume \(OfflineFormat.fixed(volumeRatio, digits: 2))x average: \(confirmed ? "confirms" : "does not confirm") the move"
            )
        }
        let confidence = audited > 0 ? (issues.isEmpty ? 85 : 70) : 45 + 30 * min(abs(technical), 1)
        var data: [String: JSONValue] = [
            "price": .number(ticker.price), "answersAudited": .number(Double(audited)),
            "issues": .array(issues.map(JSONValue.string)), "passed": .bool(issues.isEmpty),
            "technicalScore": .number(OfflineFormat.round(technical)),
            "support": .number(OfflineFormat.round(metrics.support, 4)),
            "resistance": .number(OfflineFormat.round(metrics.resistance, 4)),
        ]
        if let sigma { data["moveSigma"] = .number(OfflineFormat.round(sigma)) }
        if let volumeRatio { data["volumeRatio"] = .number(OfflineFormat.round(volumeRatio)) }
        let moveFirst = audited == 0 && situation.inputs.question != nil && change != nil
        let headline =
            moveFirst
            ? "technically \(stance.rawValue) on \(metrics.symbol): \(points[0])."
            : audited > 0
                ? (issues.isEmpty
                    ? "the committee's figures check out against the snapshot (\(audited) answers audited)."
                    : "\(issues.count) issue\(issues.count == 1 ? "" : "s") must be corrected before the vote.")
                : "technically \(stance.rawValue) on \(metrics.symbol) at \(OfflineFormat.percent(metrics.rangePosition * 100, digits: 0)) of its range."
        return OfflineFinding(
            headline: headline, position: stance, confidence: confidence, keyPoints: points,
            risks: issues.isEmpty
                ? ["a break of \(OfflineFormat.money(metrics.support)) invalidates the technical picture"] : issues,
            data: data)
    }

    /// Inconsistencies in earlier answers: missing or out-of-range confidences, stale prices, broken levels.
    static func audit(_ situation: OfflineSituation, metrics: TickerMetrics) -> [String] {
        var issues: [String] = []
        let price = metrics.ticker.price
        for answer in situation.earlier {
            let response = answer.response
            if let confidence = response.confidence, !(0...100).contains(confidence) {
                issues.append("\(answer.agent): confidence \(confidence) is outside 0-100")
            }
            if response.position != nil, response.confidence == nil {
                issues.append("\(answer.agent): a position without a confidence")
            }
            guard let data = response.data?.objectValue else { continue }
            if let quoted = data["price"]?.doubleValue, abs(quoted - price) / price > 0.005 {
                issues.append(
                    "\(answer.agent): uses a price of \(OfflineFormat.money(quoted)), the snapshot says \(OfflineFormat.money(price))"
                )
            }
            if let stop = data["stopLossPrice"]?.doubleValue, stop >= price {
                issues.append("\(answer.agent): stop-loss \(OfflineFormat.money(stop)) is not below the price")
            }
            if let target = data["takeProfitPrice"]?.doubleValue, target <= price {
                issues.append("\(answer.agent): take-profit \(OfflineFormat.money(target)) is not above the price")
            }
            if let size = data["recommendedSize"]?.doubleValue, let amount = situation.inputs.amount, size > amount {
                issues.append(
                    "\(answer.agent): recommends \(OfflineFormat.money(size)), more than the proposed \(OfflineFormat.money(amount))"
                )
            }
        }
        var seen = Set<String>()
        return issues.filter { seen.insert($0).inserted }
    }
}
