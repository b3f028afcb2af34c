import TaskrunCore
import TaskrunExecution

/// Places the asset in the macro picture: rates, liquidity, the dollar and risk appetite, amplified by beta.
enum MacroStrategist {
    static func analyze(_ situation: OfflineSituation) -> OfflineFinding {
        guard let ticker = situation.ticker else { return .noData(situation) }
        guard let macro = situation.snapshot.macro else {
            return OfflineFinding(
                headline: "the snapshot has no macro section, so I take no side on \(ticker.symbol).",
                position: .neutral, confidence: 20, keyPoints: ["add a 'macro' section to the snapshot"],
                risks: ["the macro backdrop is unknown"], data: ["price": .number(ticker.price)])
        }
        var backdrop = 0.0
        var points: [String] = []
        if let appetite = macro.riskAppetite {
            backdrop += 0.4 * appetite
            points.append(
                "risk appetite \(OfflineFormat.fixed(appetite, digits: 2)) (\(appetite >= 0 ? "risk-on" : "risk-off"))")
        }
        switch macro.rateTrend {
        case "easing": backdrop += 0.25
        case "tightening": backdrop -= 0.25
        default: break
        }
        switch macro.liquidity {
        case "improving": backdrop += 0.2
        case "tightening": backdrop -= 0.2
        default: break
        }
        if let rates = macro.rateTrend, let liquidity = macro.liquidity {
            points.append("rates \(rates), liquidity \(liquidity)")
        }
        if let dollar = macro.dollarTrend30d {
            backdrop -= max(-0.2, min(0.2, dollar * 0.05))
            points.append(
                "dollar \(OfflineFormat.signedPercent(dollar)) over 30 days (\(dollar > 0 ? "a headwind" : "a tailwind") for risk assets)"
            )
        }
        if let vix = macro.vix {
            backdrop -= max(-0.15, min(0.3, (vix - 18) / 40))
            points.append("VIX \(OfflineFormat.fixed(vix, digits: 1))")
        }
        let beta = ticker.beta ?? 1
        let exposure = backdrop * min(max(beta, 0.3), 2)
        let stance = position(for: exposure, threshold: 0.15)
        let horizonWeight: Double =
            switch situation.inputs.timeHorizon {
            case .short: 0.8
            case .medium: 1
            case .long: 1.15
            }
        let confidence = (45 + 30 * min(abs(exposure), 1)) * horizonWeight
        points.append(
            "beta \(OfflineFormat.fixed(beta, digits: 2)) turns a backdrop of \(OfflineFormat.fixed(backdrop, digits: 2)) into an exposure of \(OfflineFormat.fixed(exposure, digits: 2))"
        )
        let worry =
            macro.rateTrend == "tightening"
            ? "tighter policy draining liquidity"
            : (macro.vix ?? 0) >= 25
                ? "a volatility shock in risk assets"
                : (macro.dollarTrend30d ?? 0) > 1 ? "a strengthening dollar" : "a risk-off turn in equities"
        if situation.isFinalStatement { points.insert("the macro risk that worries me most: \(worry)", at: 0) }
        if let change = situation.inputs.priceChange, abs(change) >= 2 {
            let explains = backdrop < 0 && change < 0 || backdrop > 0 && change > 0
            points.insert(
                explains
                    ? "the macro backdrop is consistent with today's \(OfflineFormat.signedPercent(change))"
                    : "nothing in the macro backdrop explains today's \(OfflineFormat.signedPercent(change)); look at asset-specific flows",
                at: 0)
        }
        let summary =
            "the macro backdrop scores \(OfflineFormat.fixed(backdrop, digits: 2)); with beta \(OfflineFormat.fixed(beta, digits: 2)) \(ticker.symbol) is \(stance == .bullish ? "helped" : stance == .bearish ? "hurt" : "barely moved") by it."
        let moveFirst = situation.inputs.question != nil && (situation.inputs.priceChange.map { abs($0) >= 2 } ?? false)
        return OfflineFinding(
            headline: moveFirst ? "\(points[0]); \(summary)" : summary,
            position: stance, confidence: confidence, keyPoints: points, risks: [worry],
            data: [
                "price": .number(ticker.price), "macroBackdrop": .number(OfflineFormat.round(backdrop)),
                "beta": .number(beta), "macroExposure": .number(OfflineFormat.round(exposure)),
            ])
    }
}
