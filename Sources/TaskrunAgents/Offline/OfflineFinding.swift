import TaskrunCore
import TaskrunExecution

/// What an offline analyst concluded, before it is written up as a response.
struct OfflineFinding {
    var headline: String
    var position: AgentResponse.Position
    /// 0...100.
    var confidence: Double
    var keyPoints: [String] = []
    var risks: [String] = []
    var data: [String: JSONValue] = [:]
    /// What the analyst assumed for inputs it needed and did not get (see ``OfflineInputs/assumptions``).
    var assumptions: [String] = []

    /// The response: text that says where it comes from, and every number in `data`.
    func response(agent: AgentDefinition, situation: OfflineSituation) -> AgentResponse {
        var data = data
        data["source"] = "offline-heuristics"
        data["role"] = .string(agent.role)
        if let ticker = situation.inputs.ticker { data["ticker"] = .string(ticker) }
        if !assumptions.isEmpty { data["assumptions"] = .array(assumptions.map(JSONValue.string)) }
        let confidence = confidence.clamped(0...100).rounded()
        var text = "[offline heuristics] \(agent.name)"
        if let title = agent.title { text += ", \(title)" }
        text += ": \(headline)"
        if !keyPoints.isEmpty { text += "\n" + keyPoints.map { "- \($0)" }.joined(separator: "\n") }
        if !risks.isEmpty { text += "\nRisks: " + risks.joined(separator: "; ") + "." }
        if !assumptions.isEmpty { text += "\nAssumed: " + assumptions.joined(separator: "; ") + "." }
        text += "\nPosition: \(position.rawValue), confidence \(Int(confidence))."
        text += " Computed by taskrun's offline heuristics from the market snapshot, not by a language model."
        return AgentResponse(
            text: text, position: position, confidence: confidence, keyPoints: keyPoints, risks: risks,
            data: .object(data))
    }

    /// The answer when the snapshot has no data for the ticker: neutral, barely confident, and saying why.
    static func noData(_ situation: OfflineSituation) -> OfflineFinding {
        let ticker = situation.inputs.ticker ?? "the asset"
        let known = situation.snapshot.tickers.keys.sorted().joined(separator: ", ")
        return OfflineFinding(
            headline: "no market snapshot data for \(ticker), so there is nothing to compute from.",
            position: .neutral, confidence: 10,
            keyPoints: ["the snapshot covers \(known.isEmpty ? "no tickers" : known)"],
            risks: ["deciding on \(ticker) without data"],
            data: ["snapshotAvailable": false])
    }
}

/// Maps a signed score onto a position, with a neutral band of `threshold` around zero.
func position(for score: Double, threshold: Double) -> AgentResponse.Position {
    score >= threshold ? .bullish : score <= -threshold ? .bearish : .neutral
}

/// +1, 0, -1 for bullish, neutral, bearish.
func sign(of position: AgentResponse.Position) -> Double {
    switch position {
    case .bullish: 1
    case .neutral: 0
    case .bearish: -1
    }
}
