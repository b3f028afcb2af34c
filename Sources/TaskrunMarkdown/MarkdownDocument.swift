/// A parsed markdown document: every node in a flat array, in document order, plus the source lines.
public struct MarkdownDocument: Sendable {
    /// All nodes in pre-order; `nodes[0]` is the document node.
    public let nodes: [MarkdownNode]
    /// The source the document was parsed from, split into lines.
    public let lines: MarkdownSourceLines

    /// The literals of text, inline code and inline HTML nodes, one after another, when the
    /// document was parsed with lazy literals (see ``MarkdownParser/parse(_:lazyLiterals:)``).
    package let literalBytes: [UInt8]

    public init(nodes: [MarkdownNode], lines: MarkdownSourceLines) {
        self.init(nodes: nodes, lines: lines, literalBytes: [])
    }

    package init(nodes: [MarkdownNode], lines: MarkdownSourceLines, literalBytes: [UInt8]) {
        self.nodes = nodes
        self.lines = lines
        self.literalBytes = literalBytes
    }

    /// The node's literal, whether it was stored in the node or, with lazy literals, in
    /// ``literalBytes``.
    package func literal(of index: Int) -> String? {
        if let literal = nodes[index].literal { return literal }
        let count = Int(nodes[index].literalCount)
        guard count >= 0 else { return nil }
        let start = Int(nodes[index].literalStart)
        return literalBytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[start..<(start + count)]), as: UTF8.self)
        }
    }

    /// Calls `body` with the UTF-8 of the node's literal (empty when it has none), without
    /// making a `String` of a lazy one.
    package func withLiteralUTF8<Result>(of index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let count = Int(nodes[index].literalCount)
        if count >= 0 {
            let start = Int(nodes[index].literalStart)
            return literalBytes.withUnsafeBufferPointer {
                body(UnsafeBufferPointer(rebasing: $0[start..<(start + count)]))
            }
        }
        var literal = nodes[index].literal ?? ""
        return literal.withUTF8(body)
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
        if let only = nodes[index].firstChild, nodes[only].nextSibling == nil, case .text = nodes[only].kind,
            nodes[only].subtreeEnd == nodes[index].subtreeEnd
        {
            return literal(of: only) ?? ""
        }
        var text = ""
        var position = index
        while position < nodes[index].subtreeEnd {
            switch nodes[position].kind {
            case .text, .code: text += literal(of: position) ?? ""
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
