/// One node of a parsed markdown document.
///
/// Nodes live in ``MarkdownDocument/nodes`` in document (pre-order) order and refer to each other
/// by index, so a deeply nested document is a flat array: nothing recursive to build, walk or free.
public struct MarkdownNode: Sendable, Hashable {
    /// What the node is, with the attributes cmark gives each kind.
    public enum Kind: Sendable, Hashable {
        case document
        case blockQuote
        case list(ordered: Bool, start: Int, tight: Bool)
        case item
        /// A fenced (```` ``` ````/`~~~`) or indented code block; `info` is the fence's info string.
        case codeBlock(info: String, fenced: Bool)
        case htmlBlock
        case customBlock
        case paragraph
        case heading(level: Int)
        case thematicBreak
        case text
        case softBreak
        case lineBreak
        /// Inline code (a code span).
        case code
        case htmlInline
        case customInline
        case emphasis
        case strong
        case link(destination: String, title: String)
        case image(source: String, title: String)

        /// Whether the kind is an inline (inside a paragraph or heading) rather than a block.
        public var isInline: Bool {
            switch self {
            case .text, .softBreak, .lineBreak, .code, .htmlInline, .customInline, .emphasis, .strong, .link,
                .image:
                true
            default: false
            }
        }
    }

    public var kind: Kind
    /// The node's own text: for text, inline code, code blocks and HTML; `nil` for other kinds.
    public var literal: String?
    /// Where the node starts.
    public var start: MarkdownPosition
    /// Where the node ends: the position of its last character (inclusive, as cmark reports it).
    public var end: MarkdownPosition
    /// The parent's index; `nil` for the document.
    public var parent: Int?
    /// The first child's index, if any.
    public var firstChild: Int?
    /// The next sibling's index, if any.
    public var nextSibling: Int?
    /// One past the index of the node's last descendant: its subtree is `index..<subtreeEnd`.
    public var subtreeEnd: Int

    public init(
        kind: Kind, literal: String? = nil, start: MarkdownPosition, end: MarkdownPosition, parent: Int? = nil,
        firstChild: Int? = nil, nextSibling: Int? = nil, subtreeEnd: Int
    ) {
        self.kind = kind
        self.literal = literal
        self.start = start
        self.end = end
        self.parent = parent
        self.firstChild = firstChild
        self.nextSibling = nextSibling
        self.subtreeEnd = subtreeEnd
    }

    /// The heading level, for headings.
    public var headingLevel: Int? {
        if case .heading(let level) = kind { return level }
        return nil
    }
}
