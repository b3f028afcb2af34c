/// What one workload run (a child process of the bench, or a peer script) prints as JSON.
///
/// `samples` holds the workload's headline figure, one per measured run, in the unit of the
/// workload's ``Workload/unit``; `extra` holds the figures beside it (database size, RSS per
/// execution, the parse floor).
struct WorkloadResult: Codable, Sendable {
    var workload: String
    var samples: [Double]
    var peakRSSKiB: Int
    var extra: [String: Double]
    var note: String?

    enum CodingKeys: String, CodingKey {
        case workload, samples, extra, note
        case peakRSSKiB = "peak_rss_kib"
    }

    init(workload: String, samples: [Double], peakRSSKiB: Int, extra: [String: Double] = [:], note: String? = nil) {
        self.workload = workload
        self.samples = samples
        self.peakRSSKiB = peakRSSKiB
        self.extra = extra
        self.note = note
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        workload = try container.decode(String.self, forKey: .workload)
        samples = try container.decode([Double].self, forKey: .samples)
        peakRSSKiB = try container.decode(Int.self, forKey: .peakRSSKiB)
        extra = try container.decodeIfPresent([String: Double].self, forKey: .extra) ?? [:]
        note = try container.decodeIfPresent(String.self, forKey: .note)
    }
}
