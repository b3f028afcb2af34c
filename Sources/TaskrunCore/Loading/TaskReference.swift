/// A task file that lookup found: its id and where it is.
public struct TaskReference: Sendable, Hashable, Comparable {
    /// The file name without `.md`: the name `taskrun` commands take.
    public var id: String
    /// The path as shown to the user (and in diagnostics): as given on the command line, or
    /// `<tasks dir>/<id>.md`.
    public var path: String
    /// The absolute path, for reading the file.
    public var absolutePath: String

    public init(id: String, path: String, absolutePath: String) {
        self.id = id
        self.path = path
        self.absolutePath = absolutePath
    }

    public static func < (lhs: TaskReference, rhs: TaskReference) -> Bool {
        (lhs.id, lhs.path) < (rhs.id, rhs.path)
    }
}
