import TaskrunCore

/// Something that stops a task from starting: an unknown step type, a `when:` that does not parse,
/// a template that names a phase that is not a dependency.
public struct PreflightProblem: Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var phase: String?
    /// The step's index in the phase's effective step list.
    public var step: Int?
    public var location: SourceLocation?
    /// A guess at the fix (`did you mean 'aggregate'?`).
    public var hint: String?

    public init(
        _ message: String, phase: String? = nil, step: Int? = nil, location: SourceLocation? = nil,
        hint: String? = nil
    ) {
        self.message = message
        self.phase = phase
        self.step = step
        self.location = location
        self.hint = hint
    }

    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        if let phase { text += "phase '\(phase)'" + (step.map { ", step \($0)" } ?? "") + ": " }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }

    /// The problem as a diagnostic of the file at `path`.
    public func diagnostic(path: String) -> Diagnostic {
        .error("executor-preflight", message, path: path, at: location ?? .start, hint: hint)
    }
}
