/// The benchmark's workloads, as the issue defines them.
enum Workload: String, CaseIterable, Sendable {
    case w1 = "W1", w2 = "W2", w3 = "W3", w4 = "W4", w5 = "W5", w6 = "W6", w7 = "W7", w8 = "W8"

    var title: String {
        switch self {
        case .w1: "W1 chain-1000"
        case .w2: "W2 fanout-1000"
        case .w3: "W3 committee 7x5, 20 ms calls"
        case .w4: "W4 durable chain-1000"
        case .w5: "W5 parse 1,000 committee-sized files"
        case .w6: "W6 start-up (whole process)"
        case .w7: "W7 abort, 1,000 calls in flight"
        case .w8: "W8 10,000 concurrent executions"
        }
    }

    /// The unit of the headline figure in ``WorkloadResult/samples``.
    var unit: String {
        switch self {
        case .w1, .w2, .w4: "µs/phase"
        case .w3: "ms above 140 ms"
        case .w5: "files/s"
        case .w6, .w7: "ms"
        case .w8: "s wall"
        }
    }

    /// Whether a LangGraph peer runs the same workload.
    var hasPeer: Bool { self != .w5 }
}

/// Sizes of the workloads; the defaults are the issue's, tests use small ones.
struct WorkloadSizes: Sendable {
    var chain = 1000
    var fanout = 1000
    var committeePhases = 7
    var committeeAgents = 5
    var agentLatency: Duration = .milliseconds(20)
    var parseFiles = 1000
    var inFlightCalls = 1000
    var executions = 10_000
}
