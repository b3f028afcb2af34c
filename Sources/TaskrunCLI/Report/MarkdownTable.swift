/// A GitHub-flavoured markdown table whose columns are padded, so it reads well as raw text on a
/// terminal and renders as a table anywhere markdown is shown.
struct MarkdownTable {
    var header: [String]
    var rows: [[String]] = []
    /// Columns aligned to the right (numbers).
    var rightAligned: Set<Int> = []

    init(header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    mutating func append(_ cells: [String]) {
        rows.append(cells)
    }

    /// The table, one line per row, ending with a line break.
    func render() -> String {
        let cleaned = rows.map { row in header.indices.map { $0 < row.count ? Self.cell(row[$0]) : "" } }
        let titles = header.map(Self.cell)
        var widths = titles.map { max($0.count, 3) }
        for row in cleaned {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }
            return "| " + padded.joined(separator: " | ") + " |"
        }
        let rule = widths.enumerated().map { column, width in
            rightAligned.contains(column)
                ? String(repeating: "-", count: width - 1) + ":" : String(repeating: "-", count: width)
        }
        let lines = [line(titles), "| " + rule.joined(separator: " | ") + " |"] + cleaned.map(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A cell on one line, with pipes escaped so they cannot split the row.
    static func cell(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ").replacingOccurrences(of: "|", with: "\\|")
    }
}
