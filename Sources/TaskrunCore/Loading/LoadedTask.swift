/// A task file as read and parsed: its text (for source lines in diagnostics) and the result.
public struct LoadedTask: Sendable {
    /// Which file this is.
    public var reference: TaskReference
    /// The file's text. Bytes that are not UTF-8 are replaced with U+FFFD.
    public var source: String
    public var result: ParseResult

    public init(reference: TaskReference, source: String, result: ParseResult) {
        self.reference = reference
        self.source = source
        self.result = result
    }

    /// The parsed task, when the file had enough structure for one.
    public var task: TaskDefinition? { result.task }
    /// Everything the parser and validator found, sorted by position.
    public var diagnostics: [Diagnostic] { result.diagnostics }
}
