import TaskrunCore

/// A generated task file that did not parse cleanly: a bug in the generator, reported, never run.
struct InvalidBenchTask: Error, CustomStringConvertible {
    var path: String
    var diagnostics: [Diagnostic]

    var description: String {
        "generated task '\(path)' has errors: "
            + diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }.joined(separator: "; ")
    }
}

enum BenchTask {
    /// Parses a generated task file through the real parser and validator.
    static func parse(_ source: String, path: String) throws -> TaskDefinition {
        let result = TaskParser().parse(source: source, path: path)
        guard let task = result.task, !result.hasErrors else {
            throw InvalidBenchTask(path: path, diagnostics: result.diagnostics.filter { $0.severity == .error })
        }
        return task
    }
}
