import TaskrunCore

extension TaskExecutor {
    /// Finds and parses the task `name` with the shared ``TaskLocator`` rules: a name is looked up
    /// as `<tasksDirectory>/<name>.md`, a path ending in `.md` (or naming a file) is read as is.
    /// Parsed files are cached until they change. Refuses a file with error diagnostics.
    public func loadTask(_ name: String) throws(ExecutionError) -> TaskDefinition {
        try loadTaskFile(name).task
    }

    /// Like ``loadTask(_:)``, also returning the file's text and where it was found (for
    /// diagnostics with source lines).
    /// - Parameter locator: How to find it; by default, names are looked up in
    ///   `configuration.tasksDirectory` and paths are relative to the process's directory.
    public func loadTaskFile(
        _ name: String, locator: TaskLocator? = nil
    ) throws(ExecutionError) -> (task: TaskDefinition, loaded: LoadedTask) {
        let locator = locator ?? TaskLocator(tasksDirectory: configuration.tasksDirectory)
        let loaded: LoadedTask
        do {
            loaded = try core.parseCache.load(try locator.locate(name))
        } catch {
            throw .taskNotFound(error)
        }
        guard let task = loaded.task, !loaded.result.hasErrors else {
            var diagnostics = loaded.diagnostics
            if !diagnostics.hasErrors {
                diagnostics.append(
                    .error(
                        "unreadable-task", "the file could not be read as a task", path: loaded.reference.path,
                        at: .start))
            }
            throw .invalidTask(path: loaded.reference.path, diagnostics: diagnostics)
        }
        return (task, loaded)
    }
}
