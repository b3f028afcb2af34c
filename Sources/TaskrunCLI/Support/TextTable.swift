/// A plain-text table with aligned columns, for terminal listings.
struct TextTable {
    enum Row {
        /// One value per column.
        case cells([String])
        /// A first cell, then free text across the remaining columns (for broken entries).
        case note(String, String)
    }

    var header: [String]
    var rows: [Row] = []
    /// Columns whose values are aligned to the right (numbers).
    var rightAligned: Set<Int> = []

    init(header: [String]) {
        self.header = header
    }

    /// The table, columns separated by two spaces, without trailing spaces; ends with a line break.
    func render() -> String {
        var widths = header.map(\.count)
        for case .cells(let cells) in rows {
            for (column, cell) in cells.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        for case .note(let first, _) in rows {
            widths[0] = max(widths[0], first.count)
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { column, cell in
                let width = column < widths.count ? widths[column] : cell.count
                let fill = String(repeating: " ", count: max(0, width - cell.count))
                return rightAligned.contains(column) ? fill + cell : cell + fill
            }
            return String(padded.joined(separator: "  ").reversed().drop { $0 == " " }.reversed())
        }
        var lines = [line(header)]
        for row in rows {
            switch row {
            case .cells(let cells): lines.append(line(cells))
            case .note(let first, let text): lines.append(line([first, text]))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
