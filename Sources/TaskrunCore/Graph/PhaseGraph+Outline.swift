extension PhaseGraph {
    /// A terminal view of the graph by levels: which phases can run together, what each waits
    /// for, how its agent steps run, and the critical path. Ends with a line break.
    ///
    /// ```text
    /// Investment Committee Meeting: 4 phases in 3 levels
    ///
    /// Level 1
    ///   * Activation
    /// Level 2: 2 phases run in parallel
    ///   * Analysis     after Activation   6 agents in parallel
    ///     Research     after Activation   2 agents one after another
    /// Level 3
    ///   * Verdict      after Analysis, Research
    ///
    /// * critical path (3 phases): Activation -> Analysis -> Verdict
    /// ```
    ///
    /// Phases on or behind a dependency cycle have no level; they are listed last, under
    /// "Not schedulable".
    public func outline(title: String) -> String {
        let critical = Set(criticalPath)
        let nameWidth = phases.map { $0.name.count }.max() ?? 0
        let afterTexts = phases.indices.map { index in
            dependencyIndices[index].isEmpty ? "" : "after " + names(dependencyIndices[index]).joined(separator: ", ")
        }
        let afterWidth = afterTexts.map(\.count).max() ?? 0

        func row(_ index: Int) -> String {
            let mark = critical.contains(index) ? "*" : " "
            var columns = [pad(phases[index].name, nameWidth), pad(afterTexts[index], afterWidth)]
            columns.append(Self.agentMode(of: phases[index]))
            let text = columns.joined(separator: "   ")
            return "  \(mark) " + String(text.reversed().drop { $0 == " " }.reversed())
        }

        let phaseCount = phases.count == 1 ? "1 phase" : "\(phases.count) phases"
        let levelCount = levels.count == 1 ? "1 level" : "\(levels.count) levels"
        var lines = ["\(title): \(phaseCount) in \(levelCount)", ""]
        for (number, level) in levels.enumerated() {
            lines.append("Level \(number + 1)" + (level.count > 1 ? ": \(level.count) phases run in parallel" : ""))
            lines += level.map(row)
        }
        let unscheduled = phases.indices.filter { level(of: $0) == nil }
        if !unscheduled.isEmpty {
            lines.append("Not schedulable (on or behind a dependency cycle)")
            lines += unscheduled.map(row)
        }
        if !criticalPath.isEmpty {
            let count = criticalPath.count == 1 ? "1 phase" : "\(criticalPath.count) phases"
            lines += ["", "* critical path (\(count)): " + names(criticalPath).joined(separator: " -> ")]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// How a phase's agent steps run, for the outline: `3 agents in parallel`,
    /// `2 agents one after another`, or empty for a phase without agent steps.
    static func agentMode(of phase: Phase) -> String {
        let count = phase.steps.count { $0.agentID != nil }
        guard count > 0 else { return "" }
        let agents = count == 1 ? "1 agent" : "\(count) agents"
        if count == 1 { return agents }
        return agents + (phase.runsAgentsInParallel ? " in parallel" : " one after another")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
