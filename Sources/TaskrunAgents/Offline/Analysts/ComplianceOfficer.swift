import TaskrunCore
import TaskrunExecution

/// Checks the proposal against the mandate: concentration, liquidity, suitability and drawdown.
enum ComplianceOfficer {
    struct Review {
        var conditions: [String] = []
        var failures: [String] = []
        var checks: [String: JSONValue] = [:]
        var maxAllowedSize: Double?

        var approved: Bool { failures.isEmpty }
        var status: String {
            !failures.isEmpty ? "rejected" : conditions.isEmpty ? "approved" : "approved with conditions"
        }
    }

    static func review(_ metrics: TickerMetrics, inputs: OfflineInputs, mandate: Mandate) -> Review {
        let ticker = metrics.ticker
        let tolerance = inputs.riskTolerance
        var review = Review()
        let limit = mandate.maxPosition(tolerance)
        if let amount = inputs.amount {
            if amount <= limit {
                review.checks["concentration"] = "pass"
            } else {
                review.checks["concentration"] = "condition"
                review.conditions.append(
                    "reduce the position to at most \(OfflineFormat.money(limit)), the \(tolerance.rawValue)-risk single-position limit"
                )
            }
            // A position should trade in well under a tenth of a percent of a day's volume.
            let liquidityLimit = ticker.volume24h * 0.001
            if amount <= liquidityLimit {
                review.checks["liquidity"] = "pass"
            } else {
                let days = Int((amount / max(liquidityLimit, 1)).rounded(.up))
                review.checks["liquidity"] = "condition"
                review.conditions.append("execute over at least \(days) days to stay under 0.1% of daily volume")
            }
            review.maxAllowedSize = min(amount, limit)
        }
        let target = mandate.targetVolatility(tolerance)
        if ticker.volatility30d <= target * 1.5 {
            review.checks["suitability"] = "pass"
        } else if ticker.volatility30d <= target * 2.5 {
            review.checks["suitability"] = "condition"
            review.conditions.append(
                "size no larger than the risk manager's volatility-scaled size: \(OfflineFormat.percent(ticker.volatility30d, digits: 0)) volatility exceeds the \(tolerance.rawValue)-risk target of \(OfflineFormat.percent(target, digits: 0))"
            )
        } else {
            review.checks["suitability"] = "fail"
            review.failures.append(
                "\(OfflineFormat.percent(ticker.volatility30d, digits: 0)) volatility is unsuitable for a \(tolerance.rawValue)-risk mandate (more than 2.5 times its \(OfflineFormat.percent(target, digits: 0)) target)"
            )
        }
        let drawdownLimit = mandate.maxDrawdown(tolerance)
        if abs(ticker.maxDrawdown90d) <= drawdownLimit {
            review.checks["drawdown"] = "pass"
        } else {
            review.checks["drawdown"] = "condition"
            review.conditions.append(
                "a stop-loss is mandatory: the 90-day drawdown of \(OfflineFormat.percent(ticker.maxDrawdown90d)) exceeds the \(OfflineFormat.percent(drawdownLimit, digits: 0)) limit"
            )
        }
        return review
    }

    static func analyze(_ situation: OfflineSituation) -> OfflineFinding {
        guard let metrics = situation.metrics else { return .noData(situation) }
        let review = review(metrics, inputs: situation.inputs, mandate: situation.snapshot.mandate)
        var points = review.checks.keys.sorted().map { "\($0): \(review.checks[$0]?.stringValue ?? "")" }
        points += review.conditions.map { "condition: \($0)" }
        points += review.failures.map { "blocked: \($0)" }
        if situation.inputs.amount == nil { points.append("no amount given: concentration and liquidity not checked") }
        // Compliance does not vote on direction: it states neutral, confident in its own finding.
        let confidence: Double = review.approved ? (review.conditions.isEmpty ? 90 : 80) : 88
        var data: [String: JSONValue] = [
            "approved": .bool(review.approved), "status": .string(review.status),
            "conditions": .array(review.conditions.map(JSONValue.string)),
            "failures": .array(review.failures.map(JSONValue.string)), "checks": .object(review.checks),
            "price": .number(metrics.ticker.price),
        ]
        if let size = review.maxAllowedSize { data["maxAllowedSize"] = .number(size) }
        return OfflineFinding(
            headline: "\(review.status) for a \(situation.inputs.riskTolerance.rawValue)-risk mandate"
                + (review.conditions.isEmpty
                    ? "." : " (\(review.conditions.count) condition\(review.conditions.count == 1 ? "" : "s")).")
                + (review.failures.isEmpty ? "" : " Blocked: \(review.failures.joined(separator: "; "))."),
            position: .neutral, confidence: confidence, keyPoints: points,
            risks: review.failures
                + (review.conditions.isEmpty ? ["limits must be re-checked if the size changes"] : []),
            data: data, assumptions: situation.inputs.assumptions)
    }
}
