import Foundation
import TaskrunCore

extension TaskExecutor {
    /// Reads and parses the task `name`: `<tasksDirectory>/<name>.md`, or `name` itself when it ends
    /// in `.md`. Refuses a file with error diagnostics.
    public func loadTask(_ name: String) throws(ExecutionError) -> TaskDefinition {
        let directory = configuration.tasksDirectory
        let path = name.hasSuffix(".md") ? name : "\(directory)/\(name).md"
        guard let data = FileManager.default.contents(atPath: path) else {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
                .filter { $0.hasSuffix(".md") }.map { String($0.dropLast(3)) }
            throw .taskNotFound(name: name, directory: directory, suggestion: Suggestion.closest(to: name, in: names))
        }
        let result = TaskParser().parse(source: String(decoding: data, as: UTF8.self), path: path)
        guard let task = result.task, !result.hasErrors else {
            var diagnostics = result.diagnostics
            if diagnostics.isEmpty {
                diagnostics = [.error("unreadable-task", "the file could not be read as a task", path: path, at: .start)]
            }
            throw .invalidTask(path: path, diagnostics: diagnostics)
        }
        return task
    }
}
