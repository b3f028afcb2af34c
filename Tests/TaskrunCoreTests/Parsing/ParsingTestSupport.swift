import Testing

@testable import TaskrunCore

/// Parses inline task source as `tasks/test-task.md`.
func parseTask(_ source: String, path: String = "tasks/test-task.md") -> ParseResult {
    TaskParser().parse(source: source, path: path)
}

extension ParseResult {
    /// The diagnostics' codes, in order.
    var codes: [String] { diagnostics.map(\.code) }

    /// The diagnostics with `code`.
    func diagnostics(_ code: String) -> [Diagnostic] { diagnostics.filter { $0.code == code } }

    /// The one diagnostic with `code`, recording an issue when there is not exactly one.
    func only(_ code: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Diagnostic? {
        let found = diagnostics(code)
        #expect(found.count == 1, "expected one '\(code)' diagnostic, got \(codes)", sourceLocation: sourceLocation)
        return found.first
    }

    /// The first phase of the parsed task.
    var firstPhase: Phase? { task?.phases.first }
}

/// A minimal valid task with the given body appended after one phase header.
func phaseSource(_ body: String, name: String = "A") -> String {
    "# T\n\n## Phase: \(name)\n" + body
}

/// A location in a task file (the model's, not Swift Testing's).
func loc(_ line: Int, _ column: Int) -> TaskrunCore.SourceLocation {
    TaskrunCore.SourceLocation(line: line, column: column)
}
