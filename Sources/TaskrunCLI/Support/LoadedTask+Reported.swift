import TaskrunCore

extension LoadedTask {
    /// The diagnostics to show for this file, sorted by position. A file the parser could not
    /// turn into a task always has at least one error, so it never passes as clean.
    var reportedDiagnostics: [Diagnostic] {
        var diagnostics = diagnostics
        if task == nil, !diagnostics.hasErrors {
            diagnostics.append(
                .error("unreadable-task", "the file could not be read as a task", path: reference.path, at: .start))
        }
        return diagnostics.sortedByPosition()
    }
}
