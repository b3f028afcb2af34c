import Foundation

/// Where the history store lives: `--store PATH`, else `$TASKRUN_STORE`, else
/// `.taskrun/history.sqlite` beside the tasks directory.
///
/// "Beside" means in the directory that contains the tasks directory, so `./tasks` stores its
/// history in `./.taskrun/history.sqlite`, next to the project's other files.
public struct StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the path was chosen, for messages.
    public enum Source: String, Sendable, Hashable {
        case option = "--store"
        case environment = "TASKRUN_STORE"
        case `default` = "default"
    }

    /// The environment variable that overrides the default location.
    public static let environmentVariable = "TASKRUN_STORE"
    /// The default path relative to the directory that holds the tasks directory.
    public static let defaultRelativePath = ".taskrun/history.sqlite"

    /// The absolute, standardized path of the database file.
    public var path: String
    public var source: Source

    public init(path: String, source: Source) {
        self.path = path
        self.source = source
    }

    /// Resolves the location.
    ///
    /// - Parameters:
    ///   - option: the value of `--store`, if given.
    ///   - environment: the process environment (`TASKRUN_STORE` is read from it; an empty value counts as unset).
    ///   - tasksDirectory: the tasks directory in use (`tasks` by default), absolute or relative to `workingDirectory`.
    ///   - workingDirectory: what relative paths are relative to.
    /// - Throws: ``StoreError/invalidLocation(_:)`` when `--store` is given but empty, or names a directory.
    public static func resolve(
        option: String?, environment: [String: String], tasksDirectory: String,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(StoreError) -> StoreLocation {
        let chosen: (String, Source)
        if let option {
            guard !option.isEmpty else { throw .invalidLocation("--store needs a file path") }
            chosen = (option, .option)
        } else if let value = environment[environmentVariable], !value.isEmpty {
            chosen = (value, .environment)
        } else {
            let tasks = absolute(tasksDirectory, in: workingDirectory)
            let parent = URL(fileURLWithPath: tasks).deletingLastPathComponent().path
            chosen = ((parent as NSString).appendingPathComponent(defaultRelativePath), .default)
        }
        let path = absolute(chosen.0, in: workingDirectory)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .invalidLocation("\(chosen.1.rawValue) names the directory '\(path)'; give the database file's path")
        }
        return StoreLocation(path: path, source: chosen.1)
    }

    public var description: String { path }

    private static func absolute(_ path: String, in directory: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let joined = expanded.hasPrefix("/") ? expanded : (directory as NSString).appendingPathComponent(expanded)
        return (joined as NSString).standardizingPath
    }
}
