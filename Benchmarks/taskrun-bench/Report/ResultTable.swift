import Foundation

/// The one markdown table `make bench` prints.
struct ResultTable {
    struct Row {
        var workload: String
        var figure: String
        var taskrun: String
        var peer: String
        var target: Target
        var value: Double?
        var rss: String
    }

    var rows: [Row] = []

    mutating func add(
        _ workload: String, _ figure: String, taskrun: String, peer: String = "—", target: Target = .none,
        value: Double?, rss: String = ""
    ) {
        rows.append(
            Row(
                workload: workload, figure: figure, taskrun: taskrun, peer: peer, target: target, value: value, rss: rss
            ))
    }

    var markdown: String {
        var text =
            "| Workload | Figure | taskrun median (min–max) | LangGraph median (min–max) | Target | Result | Peak RSS taskrun / LangGraph |\n"
        text += "|---|---|---|---|---|---|---|\n"
        for row in rows {
            let cells = [
                row.workload, row.figure, row.taskrun, row.peer, row.target.text, row.target.verdict(row.value),
                row.rss,
            ]
            text += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return text
    }
}

/// Number formatting for the table: a few significant digits, thousands separated.
enum Figure {
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        let magnitude = abs(value)
        let digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
        let formatted = String(format: "%.\(digits)f", value)
        guard magnitude >= 10_000 else { return formatted }
        let parts = formatted.split(separator: ".", maxSplits: 1)
        var integer = String(parts[0])  // safe: String(format:) of a finite number has digits
        let negative = integer.hasPrefix("-")
        if negative { integer.removeFirst() }
        var grouped = ""
        for (offset, character) in integer.reversed().enumerated() {
            if offset > 0, offset % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return (negative ? "-" : "") + String(grouped.reversed()) + (parts.count > 1 ? "." + parts[1] : "")
    }

    static func samples(_ samples: Samples, unit: String) -> String {
        "\(number(samples.median)) \(unit) (\(number(samples.min))–\(number(samples.max)))"
    }

    static func kib(_ value: Int) -> String {
        value >= 10 * 1024 ? "\(number(Double(value) / 1024)) MiB" : "\(value) KiB"
    }
}
