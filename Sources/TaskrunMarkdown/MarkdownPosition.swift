/// A position in markdown source: 1-based line and column, columns in Unicode scalars.
///
/// cmark reports byte columns; this layer converts them so a position lines up with the
/// character an editor shows. A column of 0 means cmark reported none (empty nodes).
public struct MarkdownPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: MarkdownPosition, rhs: MarkdownPosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}
