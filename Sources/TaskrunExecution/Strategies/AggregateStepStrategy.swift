import TaskrunCore

/// `aggregate: <kind> - <note>`: combines the phase's answers. A barrier: it runs after every step
/// before it. Kinds other than these three go to the strategy registered under the kind's name;
/// a kind with no such strategy is a preflight error.
///
/// - `responses`: the answers in step order.
/// - `consensus`: when answers carry a `position`, the vote and its measures (see
///   `Docs/execution.md`); otherwise the collected texts.
/// - `summary`: counts, durations and failures of the phases so far and of this phase.
public struct AggregateStepStrategy: StepStrategy {
    public init() {}

    public func preflight(_ step: Step, in phase: Phase, task: TaskDefinition) -> [PreflightProblem] {
        guard case .aggregate(let kind) = step.kind else { return [] }
        guard !ExecutionPlan.builtInAggregateKinds.contains(kind) else { return [] }
        return [
            PreflightProblem(
                "unknown aggregate kind '\(kind)'",
                hint: Suggestion.closest(to: kind, in: ExecutionPlan.builtInAggregateKinds).map {
                    "did you mean '\($0)'?"
                }
                    ?? "use responses, consensus or summary, or register a step strategy named '\(kind)'")
        ]
    }

    public func run(_ step: Step, in phase: Phase, context: StepContext) async throws -> StepOutput {
        guard case .aggregate(let kind) = step.kind else {
            throw StepFailure("the aggregate strategy ran a '\(step.kind.typeName)' step", isRetryable: false)
        }
        switch kind {
        case "responses": return StepOutput(.array(context.responses.map(\.view)))
        case "consensus": return StepOutput(Consensus.tally(context.responses, note: step.text))
        case "summary": return StepOutput(Self.summary(context: context, note: step.text))
        default: throw StepFailure("unknown aggregate kind '\(kind)'", isRetryable: false)
        }
    }

    static func summary(context: StepContext, note: String) -> JSONValue {
        var phases = context.earlierPhases
        phases.append(context.currentPhase)
        var rows: [JSONValue] = []
        var asked = 0
        var answered = 0
        var failures: [JSONValue] = []
        var totalMs = 0.0
        for phase in phases {
            let agentSteps = phase.steps.filter { $0.agent != nil && $0.type == "agent" }
            let phaseAsked = agentSteps.filter {
                $0.status != .pending && $0.status != .skipped && $0.status != .running
            }.count
            let phaseAnswered = agentSteps.filter { $0.status == .completed }.count
            asked += phaseAsked
            answered += phaseAnswered
            for step in phase.steps where step.status.isFailure || step.status == .aborted {
                failures.append([
                    "phase": .string(phase.name), "step": .number(Double(step.index)), "type": .string(step.type),
                    "agent": step.agent.map(JSONValue.string) ?? .null, "status": .string(step.status.rawValue),
                    "error": step.error.map(JSONValue.string) ?? .null,
                ])
            }
            let milliseconds = phase.duration?.milliseconds
            totalMs += milliseconds ?? 0
            rows.append([
                "name": .string(phase.name), "status": .string(phase.status.rawValue),
                "attempts": .number(Double(phase.attempts)),
                "durationMs": milliseconds.map(JSONValue.number) ?? .null,
                "agentsAsked": .number(Double(phaseAsked)), "agentsAnswered": .number(Double(phaseAnswered)),
            ])
        }
        func count(_ status: PhaseStatus) -> JSONValue {
            .number(Double(phases.filter { $0.status == status }.count))
        }
        return [
            "note": .string(note),
            "phases": .array(rows),
            "phasesCompleted": count(.completed),
            "phasesSkipped": count(.skipped),
            "phasesFailed": .number(Double(phases.filter { $0.status == .failed || $0.status == .timeout }.count)),
            "agentsAsked": .number(Double(asked)),
            "agentsAnswered": .number(Double(answered)),
            "failures": .number(Double(failures.count)),
            "failedSteps": .array(failures),
            "totalPhaseDurationMs": .number(totalMs),
        ]
    }
}

/// The `consensus` aggregate.
enum Consensus {
    static let order: [AgentResponse.Position] = [.bullish, .neutral, .bearish]

    /// With positions: `votes` (count per position), `majority`, `agreementRatio` (majority votes /
    /// voters), `averageConfidence` (over voters that gave one), `weightedConfidence` (the
    /// majority's average confidence × the agreement ratio), `score` (Σ sign × confidence / voters,
    /// −100...100 with bullish +1, neutral 0, bearish −1, confidence 50 when missing), `dissenters`,
    /// `abstained` (answers without a position), `positions`. Without any position: `texts`.
    static func tally(_ replies: [AgentReply], note: String) -> JSONValue {
        let voters = replies.filter { $0.response.position != nil }
        guard !voters.isEmpty else {
            return [
                "kind": "consensus", "note": .string(note), "voters": 0,
                "texts": .array(replies.map { ["agent": .string($0.agent), "text": .string($0.response.text)] }),
            ]
        }
        var votes: [AgentResponse.Position: Int] = [:]
        var confidenceSum: [AgentResponse.Position: Double] = [:]
        var confidenceCount: [AgentResponse.Position: Int] = [:]
        var score = 0.0
        for voter in voters {
            guard let position = voter.response.position else { continue }
            votes[position, default: 0] += 1
            let confidence = voter.response.confidence.map { min(max($0, 0), 100) }
            if let confidence {
                confidenceSum[position, default: 0] += confidence
                confidenceCount[position, default: 0] += 1
            }
            let sign: Double = position == .bullish ? 1 : position == .bearish ? -1 : 0
            score += sign * (confidence ?? 50)
        }
        // Most votes; then most total confidence; a tie that remains is neutral.
        let ranked = order.sorted {
            (votes[$0] ?? 0, confidenceSum[$0] ?? 0) > (votes[$1] ?? 0, confidenceSum[$1] ?? 0)
        }
        var majority = ranked[0]
        if ranked.count > 1,
            (votes[ranked[0]] ?? 0, confidenceSum[ranked[0]] ?? 0) == (
                votes[ranked[1]] ?? 0, confidenceSum[ranked[1]] ?? 0
            )
        {
            majority = .neutral
        }
        let agreement = Double(votes[majority] ?? 0) / Double(voters.count)
        let majorityConfidence = confidenceCount[majority].map { (confidenceSum[majority] ?? 0) / Double($0) }
        let allCount = confidenceCount.values.reduce(0, +)
        let averageConfidence = allCount > 0 ? confidenceSum.values.reduce(0, +) / Double(allCount) : nil
        return [
            "kind": "consensus",
            "note": .string(note),
            "voters": .number(Double(voters.count)),
            "votes": .object(
                Dictionary(uniqueKeysWithValues: order.map { ($0.rawValue, JSONValue.number(Double(votes[$0] ?? 0))) })),
            "majority": .string(majority.rawValue),
            "agreementRatio": .number(agreement),
            "averageConfidence": averageConfidence.map(JSONValue.number) ?? .null,
            "weightedConfidence": majorityConfidence.map { .number($0 * agreement) } ?? .null,
            "score": .number(score / Double(voters.count)),
            "dissenters": .array(voters.filter { $0.response.position != majority }.map { .string($0.agent) }),
            "abstained": .array(replies.filter { $0.response.position == nil }.map { .string($0.agent) }),
            "positions": .array(
                voters.map {
                    [
                        "agent": .string($0.agent), "position": .string($0.response.position?.rawValue ?? ""),
                        "confidence": $0.response.confidence.map(JSONValue.number) ?? .null,
                    ]
                }),
        ]
    }
}
