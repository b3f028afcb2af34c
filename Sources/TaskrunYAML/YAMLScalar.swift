/// The text of a YAML scalar and how it was written.
public struct YAMLScalar: Sendable, Hashable {
    /// How a scalar was written; only plain scalars are typed by the core schema.
    public enum Style: Sendable, Hashable {
        case plain
        case singleQuoted
        case doubleQuoted
        /// `|` block scalar.
        case literal
        /// `>` block scalar.
        case folded

        /// Whether the scalar was written in quotes.
        public var isQuoted: Bool { self == .singleQuoted || self == .doubleQuoted }
    }

    /// The scalar's value as text, after YAML unescaping and folding.
    public var text: String
    public var style: Style

    public init(text: String, style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// A scalar's typed value under the YAML 1.2 core schema.
public enum YAMLScalarValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// An integer that fits in 64 bits (`3`, `-7`, `0x1F`, `0o17`).
    case integer(Int64)
    /// Any other number, including integers too large for 64 bits, `.inf` and `.nan`.
    case float(Double)
    case string(String)
}
