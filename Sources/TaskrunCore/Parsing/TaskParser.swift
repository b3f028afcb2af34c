/// The result of parsing one task file: the definition when the file could be read into one,
/// and every diagnostic found, sorted by position.
public struct ParseResult: Sendable {
    /// The parsed task. Present whenever the file had enough structure to build one, even
    /// with errors, so tools can show as much as possible; check `diagnostics.hasErrors`.
    public var task: TaskDefinition?
    public var diagnostics: [Diagnostic]

    public init(task: TaskDefinition?, diagnostics: [Diagnostic]) {
        self.task = task
        self.diagnostics = diagnostics
    }

    public var hasErrors: Bool { diagnostics.hasErrors }
}

/// Reads task markdown into a ``TaskDefinition`` and validates it.
///
/// STUB: the parser issue fills this in (cmark AST walk, libyaml config, validation).
public struct TaskParser: Sendable {
    public init() {}

    /// Parses `source`, the text of the file at `path`. The task id is the file name without `.md`.
    public func parse(source: String, path: String) -> ParseResult {
        ParseResult(task: nil, diagnostics: [])
    }
}
