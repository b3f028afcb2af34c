/// A target the issue sets for a figure, and whether a measured value meets it.
enum Target: Sendable {
    case atMost(Double, String)
    case atLeast(Double, String)
    case below(Double, String)
    /// Met when the workload ran to the end.
    case completes
    /// Reported without a target.
    case none

    var text: String {
        switch self {
        case .atMost(_, let text), .atLeast(_, let text): text
        case .below(_, let text): text
        case .completes: "completes"
        case .none: "—"
        }
    }

    func verdict(_ value: Double?) -> String {
        guard let value, value.isFinite else {
            if case .none = self { return "—" }
            return "n/a"
        }
        let passed: Bool
        switch self {
        case .atMost(let limit, _): passed = value <= limit
        case .atLeast(let limit, _): passed = value >= limit
        case .below(let limit, _): passed = value < limit
        case .completes: passed = true
        case .none: return "—"
        }
        return passed ? "PASS" : "**FAIL**"
    }
}
