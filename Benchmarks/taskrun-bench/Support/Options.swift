import Foundation

/// The command line of `taskrun-bench`, read by hand to keep the bench free of dependencies.
///
/// ```
/// taskrun-bench [--runs N] [--only W1,W3] [--no-peers] [--python PATH] [--peers DIR]
///               [--taskrun PATH] [--task FILE] [--json FILE]
/// taskrun-bench run W1 [--runs N] [--size N]        # one workload in this process; prints its JSON result
/// taskrun-bench run W5 --part markdown               # one stage of the parse against the floor, for profiling
/// ```
struct Options {
    var childWorkload: Workload?
    var runs = 5
    var only: [Workload] = Workload.allCases
    var peers = true
    var python = "Benchmarks/.venv/bin/python"
    var peerDirectory = "Benchmarks/peers"
    var taskrun: String?
    var task = "tasks/investment-committee.md"
    var json: String?
    /// Overrides the workload's main size (phases, files, calls, executions) for profiling runs.
    var size: Int?
    /// The stage of W5's parse timed against the floor (`run W5 --part markdown`), for profiling.
    var parsePart = ParseWorkload.Part.task

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    init(_ arguments: [String]) throws {
        var remaining = arguments[...]
        if remaining.first == "run" {
            remaining.removeFirst()
            guard let name = remaining.popFirst(), let workload = Workload(rawValue: name.uppercased()) else {
                throw UsageError(description: "run needs a workload, W1 to W8")
            }
            childWorkload = workload
        }
        while let argument = remaining.popFirst() {
            func value() throws -> String {
                guard let value = remaining.popFirst() else {
                    throw UsageError(description: "\(argument) needs a value")
                }
                return value
            }
            switch argument {
            case "--runs":
                let text = try value()
                guard let runs = Int(text), runs >= 1 else {
                    throw UsageError(description: "--runs must be ≥ 1, got '\(text)'")
                }
                self.runs = runs
            case "--only":
                only = try value().split(separator: ",").map { name in
                    guard let workload = Workload(rawValue: name.uppercased()) else {
                        throw UsageError(description: "unknown workload '\(name)'; the workloads are W1 to W8")
                    }
                    return workload
                }
            case "--no-peers": peers = false
            case "--python": python = try value()
            case "--peers": peerDirectory = try value()
            case "--taskrun": taskrun = try value()
            case "--task": task = try value()
            case "--json": json = try value()
            case "--size":
                let text = try value()
                guard let size = Int(text), size >= 1 else {
                    throw UsageError(description: "--size must be ≥ 1, got '\(text)'")
                }
                self.size = size
            case "--part":
                let text = try value()
                guard let part = ParseWorkload.Part(rawValue: text) else {
                    let parts = ParseWorkload.Part.allCases.map(\.rawValue).joined(separator: ", ")
                    throw UsageError(description: "--part must be one of \(parts), got '\(text)'")
                }
                guard childWorkload == .w5 else {
                    throw UsageError(description: "--part times a stage of W5's parse: use it with 'run W5'")
                }
                parsePart = part
            case "-h", "--help":
                throw UsageError(
                    description:
                        "usage: taskrun-bench [--runs N] [--only W1,W3] [--no-peers] [--python PATH] [--peers DIR] [--taskrun PATH] [--task FILE] [--json FILE]\n       taskrun-bench run W1...W8 [--runs N] [--size N] [--part task|markdown|cmark|yaml|yaml-events|libraries]"
                )
            default: throw UsageError(description: "unknown argument '\(argument)'")
            }
        }
    }
}
