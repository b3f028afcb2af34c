import Foundation
import TaskrunCore
import TaskrunExecution

extension ExecutionReport {
    /// The report as markdown: the verdict (or the answer), positions, agreement and dissent, risks,
    /// the agents consulted and per-phase timing. Sections with nothing to say are left out.
    func markdown() -> String {
        var sections: [String] = [header()]
        if let verdict { sections.append(Self.section(verdict)) }
        if let answer { sections.append("## Answer\n\n" + answer + "\n") }
        if !positions.isEmpty { sections.append(positionsSection()) }
        if !agreement.isEmpty || !dissent.isEmpty { sections.append(agreementSection()) }
        if !risks.isEmpty { sections.append("## Key risks\n\n" + Self.bullets(risks)) }
        if let verdict, !verdict.conditions.isEmpty {
            sections.append("## Conditions\n\n" + Self.bullets(verdict.conditions))
        }
        sections.append(agentsSection())
        sections.append(timingSection())
        if !warnings.isEmpty { sections.append("## Warnings\n\n" + Self.bullets(warnings)) }
        return sections.joined(separator: "\n")
    }

    func header() -> String {
        var lines = ["# \(title) (\(taskID)): \(status.rawValue) in \(Self.format(duration))"]
        let inputs = input.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.plainText)" }
        if !inputs.isEmpty { lines += ["", "Input: " + inputs.joined(separator: ", ")] }
        if let reason { lines += ["", "Reason: \(reason)"] }
        if offline {
            lines += [
                "",
                "> Computed by taskrun's offline heuristics from the bundled sample market data, not by a model. "
                    + "Not investment advice.",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func section(_ verdict: Verdict) -> String {
        var heading = "## Verdict: \(verdict.recommendation)"
        if let subject = verdict.subject { heading += " \(subject)" }
        var table = MarkdownTable(header: ["", ""])
        if let confidence = verdict.confidence { table.append(["Confidence", "\(Int(confidence.rounded()))/100"]) }
        if let size = verdict.positionSize {
            let proposed = verdict.proposedAmount.map { " of \(money($0)) proposed" } ?? ""
            table.append(["Position size", money(size) + proposed])
        }
        if let entry = verdict.entry { table.append(["Entry", entry]) }
        if let stop = verdict.stopLoss { table.append(["Stop-loss", stop]) }
        if let take = verdict.takeProfit { table.append(["Take-profit", take]) }
        if !verdict.votes.isEmpty {
            var votes = verdict.votes.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
            if let ratio = verdict.agreementRatio { votes += " (agreement \(Int((ratio * 100).rounded()))%)" }
            table.append(["Votes", votes])
        }
        var text = heading + "\n\n" + table.render()
        if !verdict.rationale.isEmpty {
            text += "\nWhy: " + verdict.rationale.joined(separator: "; ") + ".\n"
        }
        return text
    }

    func positionsSection() -> String {
        var table = MarkdownTable(header: ["Agent", "Position", "Confidence", "Said"], rightAligned: [2])
        for stance in positions {
            var position = stance.position
            if let earlier = stance.earlier { position += " (was \(earlier))" }
            table.append([
                stance.agent, position, stance.confidence.map { "\(Int($0.rounded()))" } ?? "–",
                Self.shortened(stance.point ?? "", to: 72),
            ])
        }
        var text = "## Positions\n\n"
        if verdict != nil && !nonVoting.isEmpty {
            text += "The voting members' final positions (\(nonVoting.joined(separator: ", ")) did not vote).\n\n"
        } else {
            text += "Each agent's latest stated position.\n\n"
        }
        return text + table.render()
    }

    func agreementSection() -> String {
        var text = "## Agreement and dissent\n\n"
        if !agreement.isEmpty { text += "Agreement:\n\n" + Self.bullets(agreement) }
        if !agreement.isEmpty && !dissent.isEmpty { text += "\n" }
        text += "Dissent:\n\n" + (dissent.isEmpty ? "- none\n" : Self.bullets(dissent))
        return text
    }

    func agentsSection() -> String {
        let lines = phases.filter { !$0.agents.isEmpty }.map { "- \($0.name): \($0.agents.joined(separator: ", "))" }
        return "## Agents consulted\n\n" + (lines.isEmpty ? "- none\n" : lines.joined(separator: "\n") + "\n")
    }

    func timingSection() -> String {
        var table = MarkdownTable(header: ["Phase", "Status", "Time", "Agents", "Notes"], rightAligned: [2, 3])
        for phase in phases {
            var notes: [String] = []
            if phase.attempts > 1 { notes.append("\(phase.attempts) attempts") }
            notes += phase.errors.map { Self.shortened($0, to: 60) }
            table.append([
                phase.name, phase.status.rawValue, phase.duration.map(Self.format) ?? "–",
                phase.asked == 0 ? "–" : "\(phase.answered)/\(phase.asked)", notes.joined(separator: "; "),
            ])
        }
        return "## Timing\n\n" + table.render() + "\nTotal \(Self.format(duration)) · execution \(executionID)\n"
    }

    // MARK: Formatting

    static func bullets(_ items: [String]) -> String {
        items.map { "- " + $0.split(whereSeparator: \.isNewline).joined(separator: " ") }.joined(separator: "\n") + "\n"
    }

    static func shortened(_ text: String, to limit: Int) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard line.count > limit else { return line }
        return String(line.prefix(limit - 1)).trimmingCharacters(in: .whitespaces) + "…"
    }

    /// `$7,500`, `$12.50`.
    static func money(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 {
            let digits = String(Int(value.magnitude))
            var grouped = ""
            for (offset, character) in digits.reversed().enumerated() {
                if offset > 0, offset % 3 == 0 { grouped.append(",") }
                grouped.append(character)
            }
            return (value < 0 ? "-$" : "$") + String(grouped.reversed())
        }
        return (value < 0 ? "-$" : "$") + String(format: "%.2f", value.magnitude)
    }

    /// `850ms`, `1.2s`, `2m 05s`.
    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        if milliseconds < 1000 { return "\(Int(milliseconds.rounded()))ms" }
        if milliseconds < 60_000 { return String(format: "%.1fs", milliseconds / 1000) }
        let seconds = Int((milliseconds / 1000).rounded())
        return String(format: "%dm %02ds", seconds / 60, seconds % 60)
    }
}
