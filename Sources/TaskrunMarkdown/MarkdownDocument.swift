/// A parsed markdown document: every node in a flat array, in document order, plus the source lines.
public struct MarkdownDocument: Sendable {
    /// All nodes in pre-order; `nodes[0]` is the document node. Empty in a document parsed with
    /// lazy literals (see ``MarkdownParser/parse(_:lazyLiterals:)``), which is read through
    /// ``compact`` only.
    public let nodes: [MarkdownNode]
    /// The source the document was parsed from, split into lines.
    public let lines: MarkdownSourceLines

    /// All nodes in pre-order as plain values, their texts in ``literalBytes``: what every reading
    /// of the document below goes through, whichever way it was parsed.
    package let compact: [CompactMarkdownNode]
    /// The texts of the ``compact`` nodes, one after another.
    package let literalBytes: [UInt8]

    /// A document of `compact` nodes; with `eager`, ``nodes`` holds the same tree as
    /// ``MarkdownNode``s too.
    package init(compact: [CompactMarkdownNode], lines: MarkdownSourceLines, literalBytes: [UInt8], eager: Bool) {
        self.nodes = eager ? compact.map { $0.markdownNode(literalBytes: literalBytes) } : []
        self.lines = lines
        self.compact = compact
        self.literalBytes = literalBytes
    }

    /// The node's literal (`nil` for kinds without one).
    package func literal(of index: Int) -> String? {
        guard compact[index].hasLiteral else { return nil }
        return withLiteralUTF8(of: index) { String(decoding: $0, as: UTF8.self) }
    }

    /// A code block's fence info ("" for other kinds).
    package func fenceInfo(of index: Int) -> String {
        guard case .codeBlock = compact[index].kind else { return "" }
        let start = Int(compact[index].infoStart)
        let count = Int(compact[index].infoCount)
        guard count > 0 else { return "" }
        return literalBytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[start..<(start + count)]), as: UTF8.self)
        }
    }

    /// Calls `body` with the UTF-8 of the node's literal (empty when it has none), without
    /// making a `String` of it.
    package func withLiteralUTF8<Result>(of index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let count = compact[index].hasLiteral ? max(0, Int(compact[index].literalCount)) : 0
        let start = Int(compact[index].literalStart)
        return literalBytes.withUnsafeBufferPointer {
            body(UnsafeBufferPointer(rebasing: $0[start..<(start + count)]))
        }
    }

    /// The children of the compact node at `index`, in order.
    package func compactChildren(of index: Int) -> CompactChildren {
        CompactChildren(nodes: compact, first: compact[index].firstChildIndex)
    }

    /// The children of one compact node, following sibling links.
    package struct CompactChildren: Sequence, IteratorProtocol {
        let nodes: [CompactMarkdownNode]
        var upcoming: Int32

        init(nodes: [CompactMarkdownNode], first: Int32) {
            self.nodes = nodes
            self.upcoming = first
        }

        package mutating func next() -> Int? {
            guard upcoming >= 0 else { return nil }
            let current = Int(upcoming)
            upcoming = nodes[current].nextSiblingIndex
            return current
        }
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
        let node = compact[index]
        if let only = node.firstChild, compact[only].nextSiblingIndex < 0, case .text = compact[only].kind,
            compact[only].subtreeEndIndex == node.subtreeEndIndex
        {
            return literal(of: only) ?? ""
        }
        var text = ""
        for position in index..<node.subtreeEnd {
            switch compact[position].kind {
            case .text, .code: text += literal(of: position) ?? ""
            case .softBreak: text += " "
            case .lineBreak: text += "\n"
            default: break
            }
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
