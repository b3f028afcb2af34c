import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Parsed task files, kept until the file changes, for processes that load tasks again and again.
///
/// An entry is keyed by the file's path and remembers the modification time and size it was
/// parsed at; loading a file whose time and size are unchanged returns the stored result
/// without reading it again. Safe to use from any number of tasks at once.
///
/// Two loads of the same changed file that race may both parse it; the results are the same,
/// and the later one is kept. Parsing outside the lock keeps loads of different files parallel.
public final class ParseCache: Sendable {
    /// Parses the text of a file; the second argument is the path to report in diagnostics.
    public typealias Parse = @Sendable (_ source: String, _ path: String) -> ParseResult

    struct Key: Hashable {
        var absolutePath: String
        /// Diagnostics name the file as the user did, so each spelling is its own entry.
        var displayPath: String
    }

    struct Stamp: Hashable {
        var modificationDate: Date
        var size: UInt64
    }

    struct Entry {
        var stamp: Stamp
        var loaded: LoadedTask
    }

    private let parse: Parse
    private let entries = Mutex<[Key: Entry]>([:])

    /// A cache that parses with `parser`.
    public convenience init(parser: TaskParser = TaskParser()) {
        self.init(parse: { source, path in parser.parse(source: source, path: path) })
    }

    /// A cache that parses with `parse` (tests count calls through it).
    public init(parse: @escaping Parse) {
        self.parse = parse
    }

    /// The parsed file `reference`, parsed again only if its modification time or size changed
    /// since the last load.
    public func load(_ reference: TaskReference) throws(TaskLookupError) -> LoadedTask {
        let key = Key(absolutePath: reference.absolutePath, displayPath: reference.path)
        // Stat before reading: a change after this point has a newer stamp and is seen next time.
        guard let stamp = Self.stamp(of: reference.absolutePath) else {
            entries.withLock { _ = $0.removeValue(forKey: key) }
            throw TaskLookupError(.unreadable, "cannot read '\(reference.path)': no such file")
        }
        if let entry = entries.withLock({ $0[key] }), entry.stamp == stamp {
            return entry.loaded
        }
        guard let data = FileManager.default.contents(atPath: reference.absolutePath) else {
            entries.withLock { _ = $0.removeValue(forKey: key) }
            throw TaskLookupError(
                .unreadable, "cannot read '\(reference.path)'", hint: "check that the file is readable")
        }
        let source = String(decoding: data, as: UTF8.self)
        let loaded = LoadedTask(reference: reference, source: source, result: parse(source, reference.path))
        entries.withLock { $0[key] = Entry(stamp: stamp, loaded: loaded) }
        return loaded
    }

    /// How many files are cached.
    public var count: Int {
        entries.withLock { $0.count }
    }

    /// Forgets every file, so the next loads parse again.
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    /// The modification time and size of the file at `path`, or `nil` when there is no such file.
    static func stamp(of path: String) -> Stamp? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let date = attributes[.modificationDate] as? Date
        else { return nil }
        let size: UInt64? =
            switch attributes[.size] {
            case let value as UInt: UInt64(value)
            case let value as UInt64: value
            case let value as Int: UInt64(clamping: value)
            default: nil
            }
        guard let size else { return nil }
        return Stamp(modificationDate: date, size: size)
    }
}
