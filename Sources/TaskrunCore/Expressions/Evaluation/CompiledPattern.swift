import Synchronization

/// A compiled regular expression for `matches(text, pattern)`.
///
/// `Regex` is not `Sendable` in the standard library because its output type parameter may
/// carry arbitrary values. Sharing this wrapper across tasks is nevertheless safe:
/// - `regex` is a `let` and is never mutated after `init`;
/// - only matching is ever performed on it, and its match results are local to each call;
/// - the one piece of lazily initialised state inside `Regex` (its lowered program) is
///   published with an atomic compare-and-swap by the standard library, and `init` forces that
///   lowering before the value is shared, so concurrent matches only read.
final class CompiledPattern: @unchecked Sendable {
    let pattern: String
    private let regex: Regex<AnyRegexOutput>

    /// Compiles `pattern`; the error message is the regex parser's, without our prefix.
    init(_ pattern: String) throws(PatternError) {
        self.pattern = pattern
        do {
            regex = try Regex(pattern)
        } catch {
            throw PatternError(message: "\(error)")
        }
        // Lower the program now, before any other thread can see this instance.
        _ = try? regex.firstMatch(in: "")
    }

    /// Whether the pattern matches anywhere in `text`.
    func matches(_ text: String) throws(PatternError) -> Bool {
        do {
            return try regex.firstMatch(in: text) != nil
        } catch {
            throw PatternError(message: "\(error)")
        }
    }

    struct PatternError: Error {
        var message: String
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
