import TaskrunCore

/// Whether `TaskParser` is the real parser rather than the contract stub that returns no task.
/// Tests that read real task files are enabled by it until the parser is merged.
enum ParserAvailability {
    static let isReal: Bool = {
        let source = "# T\n\n## Phase: A\nDo it.\n"
        return TaskParser().parse(source: source, path: "t.md").task != nil
    }()
}
