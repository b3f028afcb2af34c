/// A parsed markdown document: every node in a flat array, in document order, plus the source lines.
public struct MarkdownDocument: Sendable {
    /// All nodes in pre-order; `nodes[0]` is the document node. Empty in a document parsed with
    /// lazy literals (see ``MarkdownParser/parse(_:lazyLiterals:)``), whose nodes the subscript
    /// builds when asked.
    public let nodes: [MarkdownNode]
    /// The source the document was parsed from, split into lines.
    public let lines: MarkdownSourceLines

    /// All nodes in pre-order as plain values, their texts in ``literalBytes``: what every reading
    /// of the document below goes through, whichever way it was parsed.
    @usableFromInline
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
        return Self.text(in: literalBytes, start: compact[index].literalStart, count: compact[index].literalCount)
    }

    /// A code block's fence info ("" for other kinds).
    package func fenceInfo(of index: Int) -> String {
        guard case .codeBlock = compact[index].kind else { return "" }
        return Self.text(in: literalBytes, start: compact[index].infoStart, count: compact[index].infoCount)
    }

    /// Calls `body` with the UTF-8 of the node's literal (empty when it has none), without
    /// making a `String` of it.
    package func withLiteralUTF8<Result>(of index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let count = compact[index].hasLiteral ? max(0, compact[index].literalCount) : 0
        let start = compact[index].literalStart
        return literalBytes.withUnsafeBufferPointer {
            body(UnsafeBufferPointer(rebasing: $0[start..<(start + count)]))
        }
    }

    /// The text at `start` of `literalBytes` ("" for a count of 0 or the -1 of "none").
    package static func text(in literalBytes: [UInt8], start: Int, count: Int) -> String {
        guard count > 0 else { return "" }
        return literalBytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[start..<(start + count)]), as: UTF8.self)
        }
    }

    /// The index of the document node.
    public var rootIndex: Int { 0 }

    /// The node at `index` (built from its compact form in a document parsed with lazy literals).
    public subscript(index: Int) -> MarkdownNode {
        nodes.isEmpty ? compact[index].markdownNode(literalBytes: literalBytes) : nodes[index]
    }

    /// The children of the node at `index`, in order.
    @inlinable
    public func children(of index: Int) -> Children {
        Children(nodes: compact, first: compact[index].firstChildIndex)
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
    public struct Children: Sequence, IteratorProtocol, Sendable {
        @usableFromInline let nodes: [CompactMarkdownNode]
        @usableFromInline var upcoming: Int32

        @inlinable
        init(nodes: [CompactMarkdownNode], first: Int32) {
            self.nodes = nodes
            self.upcoming = first
        }

        @inlinable
        public mutating func next() -> Int? {
            guard upcoming >= 0 else { return nil }
            let current = Int(upcoming)
            upcoming = nodes[current].nextSiblingIndex
            return current
        }
    }
}
