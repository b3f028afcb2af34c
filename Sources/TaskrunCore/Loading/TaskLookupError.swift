/// Why a task could not be found or read, with what to do about it.
public struct TaskLookupError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// A task name that would lead out of the tasks directory (`../x`, `/etc/x`).
        case escapesTasksDirectory
        /// No `<name>.md` in the tasks directory.
        case unknownTask
        /// A path (ending in `.md`) that names no file.
        case fileNotFound
        /// The tasks directory does not exist or is not a directory.
        case missingTasksDirectory
        /// The file exists but could not be read.
        case unreadable
        /// An empty task name.
        case emptyName
    }

    public var kind: Kind
    /// What went wrong, in one sentence.
    public var message: String
    /// What to do about it (`did you mean 'investment-committee'?`, `run 'taskrun list' ...`).
    public var hint: String?

    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    /// The message, and the hint on a second line.
    public var description: String {
        message + (hint.map { "\nhint: \($0)" } ?? "")
    }
}
