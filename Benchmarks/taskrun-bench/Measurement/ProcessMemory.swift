import Foundation

/// This process's memory, as Linux reports it in `/proc/self/status`.
enum ProcessMemory {
    /// Peak resident set size (VmHWM) in KiB.
    static var peakKiB: Int { field("VmHWM:") ?? maxRSSFromRusage }

    /// Resident set size now (VmRSS) in KiB.
    static var currentKiB: Int { field("VmRSS:") ?? 0 }

    private static var maxRSSFromRusage: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }

    private static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            return Int(line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }
}
