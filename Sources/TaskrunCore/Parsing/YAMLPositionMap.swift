import TaskrunYAML

/// Where a piece of YAML text sits in the task file, to turn libyaml's marks into file positions.
///
/// A fenced block's text starts on the line after the fence, indented like the fence; an inline
/// value (`retry: {maxAttempts: 3}`) starts at its column on the setting's line.
struct YAMLPositionMap: Sendable {
    /// The file line of the YAML text's first line.
    var line: Int
    /// The file column of the YAML text's first character.
    var firstLineColumn: Int
    /// The file column where the YAML text's later lines start.
    var column: Int
    /// For text that is one line of the file: its length, so that marks past its end (libyaml
    /// reports some errors on a line after the text) stay on that line.
    var singleLineLength: Int?

    /// A block whose first line is file line `line`, every line starting at `column`.
    static func block(line: Int, column: Int) -> YAMLPositionMap {
        YAMLPositionMap(line: line, firstLineColumn: column, column: column)
    }

    /// Text that starts at `location` in the file.
    static func inline(at location: SourceLocation, length: Int) -> YAMLPositionMap {
        YAMLPositionMap(line: location.line, firstLineColumn: location.column, column: 1, singleLineLength: length)
    }

    func location(_ mark: YAMLMark) -> SourceLocation {
        if let singleLineLength {
            let offset = mark.line == 1 ? min(mark.column - 1, singleLineLength) : singleLineLength
            return SourceLocation(line: line, column: firstLineColumn + max(0, offset))
        }
        return SourceLocation(
            line: line + mark.line - 1, column: (mark.line == 1 ? firstLineColumn : column) + mark.column - 1)
    }

    func location(of node: YAMLNode) -> SourceLocation { location(node.start) }

    /// How many columns a caret under `node` should span: its width on its first line.
    func length(of node: YAMLNode) -> Int {
        guard node.end.line == node.start.line else { return 1 }
        return max(1, node.end.column - node.start.column)
    }
}
