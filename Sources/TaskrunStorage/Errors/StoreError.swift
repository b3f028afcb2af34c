/// Why the history store could not do what it was asked, worded for the person at the terminal.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The store's path is unusable.
    case invalidLocation(String)
    /// The database could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// The file was written by a newer taskrun whose schema this one does not know.
    case newerSchema(path: String, unknownMigrations: [String])
    /// No execution has this id (or id prefix).
    case unknownExecution(String)
    /// More than one execution starts with this id prefix.
    case ambiguousExecution(String, candidates: [String])
    /// A stored value could not be read back.
    case corruptRecord(what: String, reason: String)

    public var description: String {
        switch self {
        case .invalidLocation(let message):
            "invalid history store location: \(message)"
        case .cannotOpen(let path, let reason):
            "cannot open the history store '\(path)': \(reason)"
        case .newerSchema(let path, let unknown):
            "the history store '\(path)' was written by a newer taskrun (schema \(unknown.joined(separator: ", "))); "
                + "upgrade taskrun or use another store with --store"
        case .unknownExecution(let id):
            "no execution '\(id)' in the history store (see taskrun history)"
        case .ambiguousExecution(let prefix, let candidates):
            "'\(prefix)' matches several executions: \(candidates.joined(separator: ", ")); give more of the id"
        case .corruptRecord(let what, let reason):
            "the history store holds an unreadable \(what): \(reason)"
        }
    }
}
