/// A problem found in a task file, reported the way a compiler reports one:
/// `path:line:col: error: message`, the source line, a caret, then notes and a hint.
public struct Diagnostic: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Hashable, Codable, Comparable {
        case error, warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .error && rhs == .warning
        }
    }

    public var severity: Severity
    /// A stable identifier for the kind of problem (`unknown-dependency`, `dependency-cycle`, ...),
    /// for tools that filter or count diagnostics.
    public var code: String
    public var message: String
    /// The file the problem is in, as the user named it.
    public var path: String
    public var location: SourceLocation
    /// How many characters the problem spans from `location`; the renderer underlines them.
    public var length: Int
    /// Extra facts (`note: cycle is Analysis -> Debate -> Analysis`).
    public var notes: [String]
    /// A guess at the fix (`did you mean 'Analysis'?`).
    public var hint: String?

    public init(
        severity: Severity, code: String, message: String, path: String, location: SourceLocation,
        length: Int = 1, notes: [String] = [], hint: String? = nil
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.path = path
        self.location = location
        self.length = length
        self.notes = notes
        self.hint = hint
    }

    public static func error(
        _ code: String, _ message: String, path: String, at location: SourceLocation, length: Int = 1,
        notes: [String] = [], hint: String? = nil
    ) -> Diagnostic {
        Diagnostic(
            severity: .error, code: code, message: message, path: path, location: location, length: length,
            notes: notes, hint: hint)
    }

    public static func warning(
        _ code: String, _ message: String, path: String, at location: SourceLocation, length: Int = 1,
        notes: [String] = [], hint: String? = nil
    ) -> Diagnostic {
        Diagnostic(
            severity: .warning, code: code, message: message, path: path, location: location, length: length,
            notes: notes, hint: hint)
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// The diagnostics in a stable order: by file, position, then severity and message.
    public func sortedByPosition() -> [Diagnostic] {
        sorted {
            ($0.path, $0.location.line, $0.location.column, $0.severity == .error ? 0 : 1, $0.message)
                < ($1.path, $1.location.line, $1.location.column, $1.severity == .error ? 0 : 1, $1.message)
        }
    }
}
