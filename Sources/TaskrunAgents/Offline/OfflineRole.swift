/// The roles the offline backend has an analyst for. An agent's `role:` picks one; any other role gets
/// a generalist that reports the snapshot without taking a side.
public enum OfflineRole: String, Sendable, Hashable, CaseIterable {
    case quant, risk, market, fundamental, sentiment, macro, portfolio, compliance, contrarian, validator, chair

    /// Whether the role's position counts in the committee's vote. Compliance, the validator and the
    /// chair audit and decide; they do not vote.
    public var votes: Bool {
        switch self {
        case .compliance, .validator, .chair: false
        default: true
        }
    }
}
