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
/// One pass over the cmark AST reads the title, the config (a ```` ```yaml ```` block before the
/// first phase, or front matter), the `## Phase: Name` sections with their settings, steps, agents,
/// outputs and dependencies, and the other level-2 sections as documentation. Every problem is
/// reported with its position; ``TaskValidator`` then adds the whole-task checks (duplicate
/// names, unknown dependencies, cycles, agent lists).
public struct TaskParser: Sendable {
    public init() {}

    /// Parses `source`, the text of the file at `path`. The task id is the file name without `.md`.
    ///
    /// Always returns a task (possibly with no phases) along with the diagnostics, sorted by position.
    public func parse(source: String, path: String) -> ParseResult {
        var parser = TaskFileParser(source: source, path: path)
        let task = parser.parse()
        let diagnostics = parser.diagnostics + TaskValidator().validate(task, path: path, spans: parser.nameSpans)
        return ParseResult(task: task, diagnostics: diagnostics.sortedByPosition())
    }
}
