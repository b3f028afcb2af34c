/// A position in YAML text, as libyaml reports it but 1-based: line and column both start at 1.
///
/// Columns count Unicode scalars (libyaml counts characters, not bytes), so a mark maps onto a
/// markdown file's columns by adding the offset of the text it was read from.
public struct YAMLMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: YAMLMark, rhs: YAMLMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}
