import TaskrunCore
import TaskrunExecution

/// The committee's positions as a member sees them: each voting member's latest stated position.
struct CommitteeTally {
    struct Vote {
        var agent: String
        var position: AgentResponse.Position
        var confidence: Double
        var firstPoint: String?
        var risks: [String]
    }

    var votes: [Vote]

    init(_ situation: OfflineSituation, votingOnly: Bool = true) {
        votes = situation.latestPositions(votingOnly: votingOnly).compactMap { answer in
            guard let position = answer.response.position else { return nil }
            return Vote(
                agent: answer.agent, position: position,
                confidence: (answer.response.confidence ?? 50).clamped(0...100),
                firstPoint: answer.response.keyPoints.first, risks: answer.response.risks)
        }
    }

    var isEmpty: Bool { votes.isEmpty }

    /// Confidence-weighted direction, -1 (all bearish) to 1 (all bullish).
    var score: Double {
        let weight = votes.reduce(0) { $0 + max($1.confidence, 1) }
        guard weight > 0 else { return 0 }
        return votes.reduce(0) { $0 + sign(of: $1.position) * max($1.confidence, 1) } / weight
    }

    func count(_ position: AgentResponse.Position) -> Int { votes.filter { $0.position == position }.count }

    /// The position with the most votes; ties go to the one with more total confidence, then to neutral.
    var majority: AgentResponse.Position? {
        guard !votes.isEmpty else { return nil }
        let ranked = AgentResponse.Position.allCases.map { position in
            (position, count(position), votes.filter { $0.position == position }.reduce(0) { $0 + $1.confidence })
        }
        let best = ranked.max { ($0.1, $0.2) < ($1.1, $1.2) }
        guard let best else { return nil }
        let tied = ranked.filter { $0.1 == best.1 && $0.2 == best.2 }
        return tied.count > 1 ? .neutral : best.0
    }

    /// The share of votes for the majority position.
    var agreementRatio: Double {
        guard let majority, !votes.isEmpty else { return 0 }
        return Double(count(majority)) / Double(votes.count)
    }

    /// Members on the opposite side of the majority (neutral members are undecided, not dissenting).
    var dissenters: [String] {
        guard let majority, majority != .neutral else { return [] }
        return votes.filter { $0.position != majority && $0.position != .neutral }.map(\.agent)
    }

    var distribution: JSONValue {
        [
            "bullish": .number(Double(count(.bullish))), "neutral": .number(Double(count(.neutral))),
            "bearish": .number(Double(count(.bearish))),
        ]
    }

    var positions: JSONValue {
        .array(
            votes.map {
                [
                    "agent": .string($0.agent), "position": .string($0.position.rawValue),
                    "confidence": .number($0.confidence),
                ]
            })
    }
}
