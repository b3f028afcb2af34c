/// A workload's repeated measurements of one figure.
struct Samples: Codable, Sendable {
    var values: [Double]

    init(_ values: [Double]) {
        self.values = values
    }

    var median: Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    var min: Double { values.min() ?? .nan }
    var max: Double { values.max() ?? .nan }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Runs `body` once to warm up, then `runs` times, and returns each run's wall time in seconds.
func measure(runs: Int, warmUp: Int = 1, _ body: () async throws -> Void) async rethrows -> [Double] {
    for _ in 0..<warmUp { try await body() }
    var times: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<runs {
        let start = clock.now
        try await body()
        times.append((clock.now - start).seconds)
    }
    return times
}
