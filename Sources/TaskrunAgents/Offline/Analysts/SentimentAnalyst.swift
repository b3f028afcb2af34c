import Foundation
import TaskrunCore
import TaskrunExecution

/// Reads news and social tone, and treats a crowded long side as a headwind.
enum SentimentAnalyst {
    static func analyze(_ situation: OfflineSituation) -> OfflineFinding {
        guard let metrics = situation.metrics else { return .noData(situation) }
        let ticker = metrics.ticker
        guard let news = ticker.newsSentiment, let social = ticker.socialSentiment else {
            return OfflineFinding(
                headline: "the snapshot has no sentiment figures for \(ticker.symbol), so I take no side.",
                position: .neutral, confidence: 20,
                keyPoints: ["add 'newsSentiment' and 'socialSentiment' for \(ticker.symbol) to the snapshot"],
                risks: ["positioning is unknown"], data: ["price": .number(ticker.price)])
        }
        let tone = (news + social) / 2
        let crowding = ticker.crowding ?? 50
        // A crowded long side means fewer buyers left and more forced sellers on a dip.
        let adjusted = tone - (crowding - 50) / 100
        let stance = position(for: adjusted, threshold: 0.12)
        let confidence = 45 + 35 * min(abs(adjusted) / 0.6, 1)
        let wind = crowding >= 65 ? "a headwind" : crowding <= 35 ? "a tailwind" : "neutral"
        var points = [
            "news tone \(OfflineFormat.fixed(news, digits: 2)), social tone \(OfflineFormat.fixed(social, digits: 2)) on a -1 to 1 scale",
            "crowding \(Int(crowding.rounded()))/100: positioning is \(wind)",
        ]
        if let change = situation.inputs.priceChange, change < 0 {
            let mood =
                ticker.return30d > 5
                ? "profit taking after a \(OfflineFormat.signedPercent(ticker.return30d)) month"
                : news < -0.1
                    ? "fear driven by negative news"
                    : crowding >= 65 ? "a flush of crowded longs" : "a shift in the story"
            points.insert("today's \(OfflineFormat.signedPercent(change)) reads as \(mood)", at: 0)
        } else if let change = situation.inputs.priceChange, change > 0 {
            points.insert(
                "today's \(OfflineFormat.signedPercent(change)) reads as \(crowding >= 65 ? "chasing by a crowded long side" : "fresh buying")",
                at: 0)
        }
        if situation.isFinalStatement { points.insert("positioning is \(wind)", at: 0) }
        var risks: [String] = []
        if crowding >= 65 { risks.append("crowded positioning: long liquidations can cascade on a dip") }
        if tone < -0.2 { risks.append("negative news flow can persist") }
        if risks.isEmpty { risks.append("sentiment turns faster than fundamentals") }
        var data: [String: JSONValue] = [
            "price": .number(ticker.price), "newsSentiment": .number(news), "socialSentiment": .number(social),
            "crowding": .number(crowding), "sentimentScore": .number(OfflineFormat.round(adjusted)),
            "positioning": .string(wind.replacingOccurrences(of: "a ", with: "")),
        ]
        if ticker.crowding == nil { data["crowdingAssumed"] = true }
        let summary =
            "tone \(OfflineFormat.fixed(tone, digits: 2)) with crowding \(Int(crowding.rounded()))/100; positioning is \(wind)."
        return OfflineFinding(
            headline: situation.inputs.priceChange != nil && situation.inputs.question != nil
                ? "\(points[0]); \(summary)" : summary,
            position: stance, confidence: confidence, keyPoints: points, risks: risks, data: data)
    }
}
