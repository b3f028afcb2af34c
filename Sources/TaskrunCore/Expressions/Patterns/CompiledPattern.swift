import Synchronization

/// A compiled regular expression for `matches(text, pattern)`: taskrun's own linear-time matcher
/// (``PatternParser``, ``PatternProgram``), never a backtracking engine.
///
/// Immutable after `init`, so it is shared across tasks freely.
final class CompiledPattern: Sendable {
    let pattern: String
    private let program: PatternProgram

    /// Compiles `pattern`; the error message says what is wrong, without our prefix.
    init(_ pattern: String) throws(PatternError) {
        self.pattern = pattern
        program = try PatternProgram(PatternParser.parse(pattern))
    }

    /// Whether the pattern matches anywhere in `text`.
    ///
    /// - Throws: ``PatternError`` when the task is cancelled while matching a long text.
    func matches(_ text: String) throws(PatternError) -> Bool {
        try program.matches(text)
    }

    // MARK: - Cache for patterns only known at evaluation time

    private static let cacheLimit = 128
    private static let cache = Mutex<[String: CompiledPattern]>([:])

    /// The compiled form of `pattern`, compiling it at most once while it stays cached. The
    /// cache is bounded: when full it is emptied, which keeps memory flat for expressions that
    /// build patterns from ever-changing data.
    static func cached(_ pattern: String) throws(PatternError) -> CompiledPattern {
        if let hit = cache.withLock({ $0[pattern] }) { return hit }
        let compiled = try CompiledPattern(pattern)
        cache.withLock { entries in
            if entries.count >= cacheLimit { entries.removeAll(keepingCapacity: true) }
            entries[pattern] = compiled
        }
        return compiled
    }
}

/// Why a pattern cannot be compiled, or why matching stopped.
struct PatternError: Error, Sendable {
    var message: String
}
