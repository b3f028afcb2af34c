/// Why YAML text could not be read: libyaml's own description of the problem and where it is,
/// or one of this layer's limits (nesting depth, aliases, several documents).
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong (`mapping values are not allowed in this context`).
    public var problem: String
    /// Where the problem is.
    public var mark: YAMLMark
    /// What libyaml was doing when it found the problem (`while parsing a block mapping`).
    public var context: String?
    /// Where that context started.
    public var contextMark: YAMLMark?

    public init(problem: String, mark: YAMLMark, context: String? = nil, contextMark: YAMLMark? = nil) {
        self.problem = problem
        self.mark = mark
        self.context = context
        self.contextMark = contextMark
    }

    public var description: String {
        var text = "\(mark): \(problem)"
        if let context {
            text += " (\(context)"
            if let contextMark { text += " at \(contextMark)" }
            text += ")"
        }
        return text
    }
}
