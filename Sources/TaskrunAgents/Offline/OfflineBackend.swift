import TaskrunCore
import TaskrunExecution

/// Deterministic analysts that compute from the input and a market snapshot, one per role.
///
/// Needs no network, no model and no key, and never waits: the same request gives the same answer.
/// Each answer says plainly that it comes from offline heuristics, and carries its numbers in `data`.
/// The agent's `role` picks the analyst (see ``OfflineRole``); other roles get a generalist.
public struct OfflineBackend: AgentBackend {
    public let snapshot: MarketSnapshot
    /// Agent id to role, so the chair can tell voting members from auditors and the contrarian can
    /// find the majority. Agents missing here count as voting members.
    public let roles: [String: String]

    public init(snapshot: MarketSnapshot, roles: [String: String] = [:]) {
        self.snapshot = snapshot
        self.roles = roles
    }

    /// A backend whose roles come from the definitions of `directory`.
    public init(snapshot: MarketSnapshot, directory: AgentDirectory) {
        self.init(snapshot: snapshot, roles: directory.definitions.mapValues(\.role))
    }

    public func answer(_ request: AgentRequest, agent: AgentDefinition) async throws -> AgentResponse {
        try Task.checkCancellation()
        return respond(to: request, agent: agent)
    }

    /// The answer, synchronously.
    public func respond(to request: AgentRequest, agent: AgentDefinition) -> AgentResponse {
        var roles = roles
        roles[agent.id] = agent.role
        let situation = OfflineSituation(request: request, agent: agent, snapshot: snapshot, roles: roles)
        let finding: OfflineFinding =
            switch OfflineRole(rawValue: agent.role) {
            case .quant: QuantAnalyst.analyze(situation)
            case .risk: RiskManager.analyze(situation)
            case .market: MarketAnalyst.analyze(situation)
            case .fundamental: FundamentalAnalyst.analyze(situation)
            case .sentiment: SentimentAnalyst.analyze(situation)
            case .macro: MacroStrategist.analyze(situation)
            case .portfolio: PortfolioManager.analyze(situation)
            case .compliance: ComplianceOfficer.analyze(situation)
            case .contrarian: ContrarianInvestor.analyze(situation)
            case .validator: TechnicalValidator.analyze(situation)
            case .chair: CommitteeChair.analyze(situation)
            case nil: Generalist.analyze(situation)
            }
        var response = finding.response(agent: agent, situation: situation)
        if request.responseFormat == .judgement {
            // A reviewer's judgement: the offline heuristics cannot read prose, so they say so and pass
            // only when no earlier answer carried an audit failure.
            let failed = situation.earlier.contains { $0.response.data?["passed"]?.boolValue == false }
            response.text =
                (failed ? "FAIL" : "PASS") + " (offline heuristics cannot judge prose; "
                + (failed ? "an earlier audit found issues" : "no earlier audit found issues") + ")\n" + response.text
            var data = response.data?.objectValue ?? [:]
            data["passed"] = .bool(!failed)
            response.data = .object(data)
        }
        return response
    }
}
