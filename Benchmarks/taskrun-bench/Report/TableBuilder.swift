/// Turns the workloads' results into the rows of the table, with their targets.
struct TableBuilder {
    var outcomes: [Workload: Orchestrator.Outcome]
    var order: [Workload]

    var table: ResultTable {
        var table = ResultTable()
        for workload in order {
            guard let outcome = outcomes[workload] else { continue }
            add(workload, outcome, to: &table)
        }
        return table
    }

    private func add(_ workload: Workload, _ outcome: Orchestrator.Outcome, to table: inout ResultTable) {
        let ours = outcome.ours.map { Samples($0.samples) }
        let peer = outcome.peer.map { Samples($0.samples) }
        let unit = workload.unit
        let oursText = ours.map { Figure.samples($0, unit: unit) } ?? "not run"
        let peerText = workload.hasPeer ? (peer.map { Figure.samples($0, unit: unit) } ?? "not run") : "—"
        let rss = [outcome.ours, outcome.peer].map { $0.map { Figure.kib($0.peakRSSKiB) } ?? "—" }.joined(
            separator: " / ")
        let name = workload.title
        /// How many times more the peer takes than taskrun, from the medians.
        let ratio = ours.flatMap { ours in peer.map { $0.median / ours.median } }
        let ratioText = ratio.map { "\(Figure.number($0))x" } ?? "n/a"

        switch workload {
        case .w1, .w2:
            table.add(
                name, "overhead per phase (LangGraph: per node)", taskrun: oursText, peer: peerText,
                target: .atMost(20, "≤ 20 µs"), value: ours?.median, rss: rss)
            table.add(name, "LangGraph / taskrun", taskrun: ratioText, target: .atLeast(50, "≥ 50x"), value: ratio)
        case .w3:
            table.add(
                name, "wall time above the 140 ms ideal", taskrun: oursText, peer: peerText,
                target: .atMost(5, "≤ 5 ms"), value: ours?.median, rss: rss)
        case .w4:
            table.add(
                name, "per phase, checkpoint after each (LangGraph: per node, SQLite checkpointer)",
                taskrun: oursText, peer: peerText, target: .atMost(250, "≤ 250 µs"), value: ours?.median, rss: rss)
            table.add(name, "LangGraph / taskrun", taskrun: ratioText, target: .atLeast(20, "≥ 20x"), value: ratio)
            let size = { (result: WorkloadResult?) in
                result?.extra["db_bytes"].map { Figure.kib(Int($0 / 1024)) } ?? "n/a"
            }
            table.add(
                name, "database size after one run", taskrun: size(outcome.ours), peer: size(outcome.peer),
                value: nil)
        case .w5:
            let wall = outcome.ours?.extra["wall_files_per_s"].map { Figure.number($0) } ?? "n/a"
            table.add(
                name, "parse + validate, files per second of one core's CPU time (wall clock: \(wall))",
                taskrun: oursText, target: .atLeast(5000, "≥ 5,000 files/s"),
                value: ours?.median, rss: rss)
            let floor = outcome.ours?.extra["floor_files_per_s"]
            let floorRatio = outcome.ours?.extra["ratio_to_floor"]
            let wallRatio = outcome.ours?.extra["wall_ratio_to_floor"].map { "\(Figure.number($0))x" } ?? "n/a"
            table.add(
                name,
                "time / bare cmark + libyaml floor (\(floor.map { Figure.number($0) } ?? "n/a") files/s; wall clock: \(wallRatio))",
                taskrun: floorRatio.map { "\(Figure.number($0))x" } ?? "n/a", target: .atMost(2, "≤ 2x"),
                value: floorRatio)
            if let real = outcome.ours?.extra["real_files_per_s"],
                let realRatio = outcome.ours?.extra["real_ratio_to_floor"]
            {
                table.add(
                    name, "the same, on tasks/investment-committee.md itself",
                    taskrun: "\(Figure.number(real)) files/s, \(Figure.number(realRatio))x floor",
                    target: .atLeast(5000, "≥ 5,000 files/s"), value: real)
            }
            if let bound = outcome.ours?.extra["lower_bound_files_per_s"],
                let boundRatio = outcome.ours?.extra["lower_bound_ratio_to_floor"]
            {
                table.add(
                    name, "lower bound: the least work that builds the same model (`run W5 --part lower-bound`)",
                    taskrun: "\(Figure.number(bound)) files/s, \(Figure.number(boundRatio))x floor", value: nil)
            }
        case .w6:
            table.add(
                name, "`taskrun validate` committee (LangGraph: `import langgraph.graph`)", taskrun: oursText,
                peer: peerText, target: .atMost(30, "≤ 30 ms"), value: ours?.median, rss: rss)
        case .w7:
            table.add(
                name, "abort to last call cancelled", taskrun: oursText, peer: peerText,
                target: .atMost(50, "≤ 50 ms"), value: ours?.median, rss: rss)
        case .w8:
            table.add(
                name, "wall time, all 10,000", taskrun: oursText, peer: peerText, target: .completes,
                value: ours?.median, rss: rss)
            let perExecution = { (result: WorkloadResult?) -> String in
                guard let peak = result?.extra["rss_per_execution_kib"] else { return "n/a" }
                let inFlight = result?.extra["in_flight_per_execution_kib"].map {
                    " (in flight: \(Figure.number($0)) KiB)"
                }
                return "\(Figure.number(peak)) KiB\(inFlight ?? "")"
            }
            table.add(
                name, "peak RSS per execution (process peak − baseline) / 10,000", taskrun: perExecution(outcome.ours),
                peer: perExecution(outcome.peer),
                target: .below(20, "< 20 KB"),
                value: outcome.ours?.extra["rss_per_execution_kib"].map { $0 * 1024 / 1000 })
        }
    }
}
