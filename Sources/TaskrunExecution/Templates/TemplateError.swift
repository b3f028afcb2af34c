/// A template that cannot be rendered: bad syntax, or a reference to something that does not exist.
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// The missing path (`phases.analysis.outputs.verdict`), for reference errors.
    public var path: String?

    public init(_ message: String, path: String? = nil) {
        self.message = message
        self.path = path
    }

    public var description: String { message }
}
