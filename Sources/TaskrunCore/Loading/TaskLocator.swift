#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Finds task files: by name in the tasks directory, or by path.
///
/// A reference is a **path** when it names an existing file or ends in `.md`
/// (`tasks/daily.md`, `~/work/review.md` after the shell expands it, `./draft.md`); anything
/// else is a **name**, looked up as `<tasks dir>/<name>.md`. Names stay inside the tasks
/// directory: `../secrets`, `/etc/passwd` and `a/../../b` are refused.
///
/// The tasks directory is, in order: the one passed in (the CLI's `--tasks-dir`), the
/// `TASKRUN_TASKS_DIR` environment variable, or `./tasks`.
public struct TaskLocator: Sendable {
    /// The environment variable naming the tasks directory.
    public static let environmentVariable = "TASKRUN_TASKS_DIR"
    /// The tasks directory when neither an explicit one nor the environment variable is given.
    public static let defaultDirectory = "tasks"

    /// The tasks directory as given (relative paths stay relative, for messages).
    public let tasksDirectory: String
    /// The directory relative paths are resolved against.
    public let currentDirectory: String

    /// - Parameters:
    ///   - tasksDirectory: An explicit tasks directory; wins over the environment.
    ///   - environment: Where `TASKRUN_TASKS_DIR` is read from.
    ///   - currentDirectory: What relative paths are relative to; the process's current directory
    ///     when `nil`.
    public init(
        tasksDirectory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String? = nil
    ) {
        let fromEnvironment = environment[Self.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        self.tasksDirectory = tasksDirectory ?? fromEnvironment ?? Self.defaultDirectory
        self.currentDirectory = currentDirectory ?? FileManager.default.currentDirectoryPath
    }

    /// The absolute form of `path`, relative paths taken from ``currentDirectory``.
    public func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let base = currentDirectory.hasSuffix("/") ? String(currentDirectory.dropLast()) : currentDirectory
        return path == "." ? base : "\(base)/\(path.hasPrefix("./") ? String(path.dropFirst(2)) : path)"
    }

    /// The task file `reference` means: a path or a task name (see ``TaskLocator``).
    public func locate(_ reference: String) throws(TaskLookupError) -> TaskReference {
        guard !reference.isEmpty else {
            throw TaskLookupError(.emptyName, "the task name is empty", hint: "run 'taskrun list' to see the tasks")
        }
        if reference.hasSuffix(".md") || isFile(absolute(reference)) {
            return try locatePath(reference)
        }
        return try locateName(reference)
    }

    /// Every `*.md` file directly in the tasks directory (not in subfolders such as
    /// `tasks/agents/`), sorted by id. Hidden files are skipped.
    public func taskFiles() throws(TaskLookupError) -> [TaskReference] {
        let directory = absolute(tasksDirectory)
        guard isDirectory(directory) else { throw missingDirectoryError() }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw TaskLookupError(
                .unreadable, "cannot read the tasks directory '\(tasksDirectory)': \(error)")
        }
        return
            names
            .filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") && isFile("\(directory)/\($0)") }
            .map { name in
                TaskReference(
                    id: String(name.dropLast(3)), path: joined(tasksDirectory, name),
                    absolutePath: "\(directory)/\(name)")
            }
            .sorted()
    }

    func locatePath(_ path: String) throws(TaskLookupError) -> TaskReference {
        let absolutePath = absolute(path)
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        let id = fileName.hasSuffix(".md") ? String(fileName.dropLast(3)) : fileName
        guard isFile(absolutePath) else {
            var hint = "check the path, or name a task from the tasks directory without '.md'"
            if !path.contains("/"), let task = try? locateName(id) {
                hint = "did you mean the task '\(id)' (\(task.path))? Task names are written without '.md'"
            }
            throw TaskLookupError(.fileNotFound, "no such file: '\(path)'", hint: hint)
        }
        return TaskReference(id: id, path: path, absolutePath: absolutePath)
    }

    func locateName(_ name: String) throws(TaskLookupError) -> TaskReference {
        guard let components = Self.containedComponents(of: name) else {
            throw TaskLookupError(
                .escapesTasksDirectory,
                "the task name '\(name)' points outside the tasks directory '\(tasksDirectory)'",
                hint: "name a task inside '\(tasksDirectory)' (see 'taskrun list'), or pass the path of a .md file")
        }
        let directory = absolute(tasksDirectory)
        guard isDirectory(directory) else { throw missingDirectoryError() }
        let relative = components.joined(separator: "/") + ".md"
        let absolutePath = "\(directory)/\(relative)"
        guard isFile(absolutePath) else {
            let available = (try? taskFiles().map(\.id)) ?? []
            let hint =
                Suggestion.closest(to: name, in: available).map { "did you mean '\($0)'?" }
                ?? (available.isEmpty
                    ? "'\(tasksDirectory)' has no task files; add one, or point --tasks-dir at the right folder"
                    : "run 'taskrun list' to see the tasks in '\(tasksDirectory)'")
            throw TaskLookupError(.unknownTask, "no task named '\(name)' in '\(tasksDirectory)'", hint: hint)
        }
        return TaskReference(
            id: components.last ?? name, path: joined(tasksDirectory, relative), absolutePath: absolutePath)
    }

    /// The path components of a task name once `.` and `..` are resolved, or `nil` when the
    /// name is absolute, goes above the tasks directory at any point, or names nothing.
    static func containedComponents(of name: String) -> [String]? {
        guard !name.hasPrefix("/") else { return nil }
        var components: [String] = []
        for component in name.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                guard components.popLast() != nil else { return nil }
            default: components.append(String(component))
            }
        }
        return components.isEmpty ? nil : components
    }

    func missingDirectoryError() -> TaskLookupError {
        let hint =
            tasksDirectory == Self.defaultDirectory
            ? "create it, run taskrun where it is, or choose another with --tasks-dir DIR or \(Self.environmentVariable)"
            : "check --tasks-dir or \(Self.environmentVariable)"
        let problem = isFile(absolute(tasksDirectory)) ? "is a file, not a directory" : "does not exist"
        return TaskLookupError(
            .missingTasksDirectory, "the tasks directory '\(tasksDirectory)' \(problem)", hint: hint)
    }

    func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : "\(directory)/\(name)"
    }

    func isFile(_ path: String) -> Bool {
        var isDirectory = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory
    }

    func isDirectory(_ path: String) -> Bool {
        var isDirectory = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory
    }
}
