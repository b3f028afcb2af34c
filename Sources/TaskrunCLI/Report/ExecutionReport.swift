import Foundation
import TaskrunCore
import TaskrunExecution

/// What a person wants to know at the end of a run, read from its ``ExecutionResult``.
///
/// Nothing here is specific to one task: a verdict is any object with a `recommendation` among the
/// final phase's outputs, answers or result; positions are whatever the agents' responses state.
/// The investment committee gets its verdict, stop-loss and take-profit; other tasks get their
/// answer, the agents that were consulted and the same positions, risks and timing.
struct ExecutionReport: Sendable {
    /// A `recommendation` and the numbers that come with it.
    struct Verdict: Sendable {
        var recommendation: String
        var subject: String?
        var confidence: Double?
        var positionSize: Double?
        var proposedAmount: Double?
        var entry: String?
        var stopLoss: String?
        var takeProfit: String?
        /// Bullish, neutral and bearish vote counts, when the verdict tallied them.
        var votes: [(String, Int)]
        var agreementRatio: Double?
        var conditions: [String]
        var rationale: [String]
    }

    /// One agent's latest stated position.
    struct Stance: Sendable {
        var agent: String
        var phase: String
        var position: String
        var confidence: Double?
        var point: String?
        /// The position the agent stated first, when it changed since.
        var earlier: String?
    }

    /// One line of the timing table.
    struct PhaseLine: Sendable {
        var name: String
        var status: PhaseStatus
        var duration: Duration?
        var answered: Int
        var asked: Int
        var attempts: Int
        var errors: [String]
        /// The agents that answered, in step order.
        var agents: [String]
    }

    var title: String
    var taskID: String
    var executionID: String
    var status: ExecutionStatus
    var reason: String?
    var duration: Duration
    var input: [String: JSONValue]
    var verdict: Verdict?
    /// The final phase's answer when there is no verdict.
    var answer: String?
    var positions: [Stance]
    /// Agents that stated a position but are not among the verdict's votes.
    var nonVoting: [String]
    var agreement: [String]
    var dissent: [String]
    var risks: [String]
    var phases: [PhaseLine]
    var warnings: [String]
    /// Whether any answer says it comes from offline heuristics rather than a model.
    var offline: Bool

    init(_ result: ExecutionResult) {
        title = result.taskName
        taskID = result.taskID
        executionID = result.executionID.description
        status = result.status
        reason = result.reason
        duration = result.duration
        input = result.input
        warnings = result.warnings
        let replies = result.phases.flatMap { phase in phase.responses.map { (phase: phase.name, reply: $0) } }
        offline = replies.contains {
            $0.reply.response.data?["source"]?.stringValue == "offline-heuristics"
                || $0.reply.response.text.hasPrefix("[offline heuristics]")
        }
        phases = result.phases.map(Self.line)
        let final = result.finalPhase.flatMap { result[phase: $0] }
        let verdictData = Self.verdictObject(in: final, result: result)
        verdict = verdictData.map(Self.verdict)
        answer = verdict == nil ? Self.answer(in: final, result: result) : nil
        let stances = Self.stances(replies)
        let voting = verdictData.flatMap { Self.votes($0["positions"], stances: stances) } ?? stances
        positions = voting
        nonVoting = stances.map(\.agent).filter { agent in !voting.contains { $0.agent == agent } }
        let majority = Self.majority(of: positions)
        agreement =
            verdictData.flatMap { Self.strings($0["pointsOfAgreement"]) }
            ?? Self.agreement(positions, majority: majority)
        dissent =
            verdictData.flatMap { Self.strings($0["pointsOfDissent"]) } ?? Self.dissent(positions, majority: majority)
        var seen = Set<String>()
        let verdictRisks = verdictData.flatMap { Self.strings($0["keyRisks"]) } ?? []
        let allRisks = verdictRisks + replies.flatMap(\.reply.response.risks)
        risks = Array(allRisks.filter { seen.insert($0).inserted }.prefix(6))
    }

    // MARK: Reading the result

    /// The first object with a `recommendation` among the final phase's outputs, its answers' data and
    /// the execution's final result.
    static func verdictObject(in final: PhaseResult?, result: ExecutionResult) -> [String: JSONValue]? {
        var candidates: [JSONValue] = []
        if let final {
            candidates += final.outputs.sorted { $0.key < $1.key }.map(\.value)
            candidates += final.responses.reversed().compactMap(\.response.data)
        }
        candidates += [result.finalResult].compactMap { $0 }
        return candidates.lazy.compactMap(\.objectValue).first { $0["recommendation"]?.stringValue != nil }
    }

    static func verdict(_ object: [String: JSONValue]) -> Verdict {
        let votes = ["bullish", "neutral", "bearish"].compactMap { name in
            object["votes"]?[name]?.doubleValue.map { (name, Int($0)) }
        }
        return Verdict(
            recommendation: object["recommendation"]?.stringValue?.uppercased() ?? "?",
            subject: object["ticker"]?.stringValue, confidence: object["confidence"]?.doubleValue,
            positionSize: object["positionSize"]?.doubleValue, proposedAmount: object["proposedAmount"]?.doubleValue,
            entry: text(object["entry"]), stopLoss: text(object["stopLoss"]), takeProfit: text(object["takeProfit"]),
            votes: votes, agreementRatio: object["agreementRatio"]?.doubleValue,
            conditions: strings(object["conditions"]) ?? [], rationale: strings(object["rationale"]) ?? [])
    }

    /// An `answer` in the final phase's answers, else its last answer's text, else the final result as text.
    static func answer(in final: PhaseResult?, result: ExecutionResult) -> String? {
        if let final {
            for reply in final.responses.reversed() {
                if let answer = reply.response.data?["answer"]?.stringValue { return answer }
            }
            if let last = final.responses.last { return last.response.text }
            for (_, value) in final.outputs.sorted(by: { $0.key < $1.key }) {
                if let answer = value["answer"]?.stringValue { return answer }
            }
        }
        return result.finalResult.map { $0["text"]?.stringValue ?? $0.plainText }
    }

    static func line(_ phase: PhaseResult) -> PhaseLine {
        let agentSteps = phase.steps.filter { $0.type == "agent" && $0.status != .skipped && $0.status != .pending }
        var agents: [String] = []
        for reply in phase.responses where !agents.contains(reply.agent) { agents.append(reply.agent) }
        return PhaseLine(
            name: phase.name, status: phase.status, duration: phase.duration,
            answered: agentSteps.filter { $0.status == .completed || $0.status == .unverified }.count,
            asked: agentSteps.count, attempts: phase.attempts, errors: phase.errors, agents: agents)
    }

    /// Each agent's latest position, in the order the agents first spoke.
    static func stances(_ replies: [(phase: String, reply: AgentReply)]) -> [Stance] {
        var stances: [Stance] = []
        for (phase, reply) in replies {
            guard let position = reply.response.position?.rawValue else { continue }
            let point = reply.response.keyPoints.first
            if let index = stances.firstIndex(where: { $0.agent == reply.agent }) {
                let first = stances[index].earlier ?? stances[index].position
                stances[index] = Stance(
                    agent: reply.agent, phase: phase, position: position, confidence: reply.response.confidence,
                    point: point ?? stances[index].point, earlier: first == position ? nil : first)
            } else {
                stances.append(
                    Stance(
                        agent: reply.agent, phase: phase, position: position,
                        confidence: reply.response.confidence, point: point))
            }
        }
        return stances
    }

    /// The verdict's own `positions` (`agent`, `position`, `confidence`), with what each agent said.
    static func votes(_ value: JSONValue?, stances: [Stance]) -> [Stance]? {
        guard let array = value?.arrayValue, !array.isEmpty else { return nil }
        let votes = array.compactMap { vote -> Stance? in
            guard let agent = vote["agent"]?.stringValue, let position = vote["position"]?.stringValue else {
                return nil
            }
            let stance = stances.first { $0.agent == agent }
            return Stance(
                agent: agent, phase: stance?.phase ?? "", position: position,
                confidence: vote["confidence"]?.doubleValue ?? stance?.confidence, point: stance?.point,
                earlier: stance?.earlier)
        }
        return votes.isEmpty ? nil : votes
    }

    /// The position most agents hold; `nil` when nobody stated one or the top two tie.
    static func majority(of stances: [Stance]) -> String? {
        let counts = Dictionary(grouping: stances, by: \.position).mapValues(\.count)
        let ranked = counts.sorted { $0.value > $1.value }
        guard let top = ranked.first else { return nil }
        if ranked.count > 1, ranked[1].value == top.value { return nil }
        return top.key
    }

    static func agreement(_ stances: [Stance], majority: String?) -> [String] {
        guard let majority else { return [] }
        let backers = stances.filter { $0.position == majority }
        return [
            "\(backers.count) of \(stances.count) agents are \(majority): \(backers.map(\.agent).joined(separator: ", "))"
        ]
    }

    static func dissent(_ stances: [Stance], majority: String?) -> [String] {
        stances.filter { $0.position != (majority ?? "") }.map { stance in
            "\(stance.agent) (\(stance.position))" + (stance.point.map { ": \($0)" } ?? "")
        }
    }

    static func strings(_ value: JSONValue?) -> [String]? {
        value?.arrayValue?.compactMap(\.stringValue)
    }

    /// A present, meaningful text (`n/a` and `none` count as absent).
    static func text(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty, text != "n/a", text != "none" else { return nil }
        return text
    }
}
