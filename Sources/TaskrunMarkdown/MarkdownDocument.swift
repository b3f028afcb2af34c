/// A parsed markdown document: every node in a flat array, in document order, plus the source lines.
public struct MarkdownDocument: Sendable {
    /// All nodes in pre-order; `nodes[0]` is the document node.
    public let nodes: [MarkdownNode]
    /// The source the document was parsed from, split into lines.
    public let lines: MarkdownSourceLines

    public init(nodes: [MarkdownNode], lines: MarkdownSourceLines) {
        self.nodes = nodes
        self.lines = lines
    }

    /// The index of the document node.
    public var rootIndex: Int { 0 }

    @inlinable
    public subscript(index: Int) -> MarkdownNode { nodes[index] }

    /// The children of the node at `index`, in order.
    @inlinable
    public func children(of index: Int) -> Children {
        Children(nodes: nodes, first: nodes[index].firstChild)
    }

    /// The text a reader sees in the node's subtree: text and inline code literals, a space for
    /// each soft break and a newline for each hard break. Markup is dropped.
    public func plainText(of index: Int) -> String {
        // Most headings and list items are one text node: no concatenation needed.
        if let only = nodes[index].firstChild, nodes[only].nextSibling == nil, nodes[only].kind == .text,
            nodes[only].subtreeEnd == nodes[index].subtreeEnd
        {
            return nodes[only].literal ?? ""
        }
        var text = ""
        var position = index
        while position < nodes[index].subtreeEnd {
            let node = nodes[position]
            switch node.kind {
            case .text, .code: text += node.literal ?? ""
            case .softBreak: text += " "
            case .lineBreak: text += "\n"
            default: break
            }
            position += 1
        }
        return text
    }

    /// The children of one node, following sibling links.
    public struct Children: Sequence, Sendable {
        @usableFromInline let nodes: [MarkdownNode]
        @usableFromInline let first: Int?

        @inlinable
        init(nodes: [MarkdownNode], first: Int?) {
            self.nodes = nodes
            self.first = first
        }

        @inlinable
        public func makeIterator() -> Iterator {
            Iterator(nodes: nodes, upcoming: first)
        }

        public struct Iterator: IteratorProtocol, Sendable {
            @usableFromInline let nodes: [MarkdownNode]
            @usableFromInline var upcoming: Int?

            @inlinable
            init(nodes: [MarkdownNode], upcoming: Int?) {
                self.nodes = nodes
                self.upcoming = upcoming
            }

            @inlinable
            public mutating func next() -> Int? {
                guard let current = upcoming else { return nil }
                upcoming = nodes[current].nextSibling
                return current
            }
        }
    }
}
