/// One node of a document parsed for the task parser (``MarkdownDocument/compact``): the same
/// tree as ``MarkdownNode``, as plain values only, so that building, copying and freeing a node
/// is copying and freeing bytes. Its texts (literal, fence info, link destination and title) are
/// ranges of ``MarkdownDocument/literalBytes``.
package struct CompactMarkdownNode: Sendable, Equatable {
    /// ``MarkdownNode/Kind`` without its strings.
    package enum Kind: Sendable, Equatable {
        case document
        case blockQuote
        case list(ordered: Bool, start: Int, tight: Bool)
        case item
        case codeBlock(fenced: Bool)
        case htmlBlock
        case customBlock
        case paragraph
        case heading(level: Int)
        case thematicBreak
        case text
        case softBreak
        case lineBreak
        case code
        case htmlInline
        case customInline
        case emphasis
        case strong
        case link
        case image
    }

    package var kind: Kind
    package var start: MarkdownPosition
    package var end: MarkdownPosition
    /// Indices, -1 for none. 32 bits are enough: a node takes more than 64 bytes here and in cmark,
    /// so 2³¹ nodes would need far more memory than a process can have before this array is built.
    package var parentIndex: Int32
    package var firstChildIndex: Int32 = -1
    package var nextSiblingIndex: Int32 = -1
    package var subtreeEndIndex: Int32
    /// The literal (a link's or image's destination) in ``MarkdownDocument/literalBytes``; a
    /// count of -1 for kinds without one.
    /// (Full-width integers: cmark copies a reference link's destination into every link that
    /// uses it, so the texts can outgrow the source, and 32-bit offsets could wrap.)
    package var literalStart: Int
    package var literalCount: Int
    /// A code block's fence info, a link's or image's title; a count of -1 for other kinds.
    package var infoStart: Int
    package var infoCount: Int

    package init(
        kind: Kind, start: MarkdownPosition, end: MarkdownPosition, parent: Int32, subtreeEnd: Int32,
        literal: (Int, Int), info: (Int, Int)
    ) {
        self.kind = kind
        self.start = start
        self.end = end
        self.parentIndex = parent
        self.subtreeEndIndex = subtreeEnd
        (literalStart, literalCount) = literal
        (infoStart, infoCount) = info
    }

    package var parent: Int? { parentIndex >= 0 ? Int(parentIndex) : nil }
    package var firstChild: Int? { firstChildIndex >= 0 ? Int(firstChildIndex) : nil }
    package var nextSibling: Int? { nextSiblingIndex >= 0 ? Int(nextSiblingIndex) : nil }
    /// One past the index of the node's last descendant: its subtree is `index..<subtreeEnd`.
    package var subtreeEnd: Int { Int(subtreeEndIndex) }

    /// Whether the node has a literal as ``MarkdownNode/literal`` has one (a link's destination,
    /// kept in the same fields, is not one).
    package var hasLiteral: Bool {
        switch kind {
        case .codeBlock, .htmlBlock, .text, .code, .htmlInline: true
        default: false
        }
    }

    /// The heading level, for headings.
    package var headingLevel: Int? {
        if case .heading(let level) = kind { return level }
        return nil
    }

    /// The node as a ``MarkdownNode``, its texts read from `literalBytes`.
    package func markdownNode(literalBytes: [UInt8]) -> MarkdownNode {
        func text(_ start: Int, _ count: Int) -> String {
            MarkdownDocument.text(in: literalBytes, start: start, count: count)
        }
        var literal: String?
        let full: MarkdownNode.Kind
        switch kind {
        case .document: full = .document
        case .blockQuote: full = .blockQuote
        case .list(let ordered, let start, let tight): full = .list(ordered: ordered, start: start, tight: tight)
        case .item: full = .item
        case .codeBlock(let fenced): full = .codeBlock(info: text(infoStart, infoCount), fenced: fenced)
        case .htmlBlock: full = .htmlBlock
        case .customBlock: full = .customBlock
        case .paragraph: full = .paragraph
        case .heading(let level): full = .heading(level: level)
        case .thematicBreak: full = .thematicBreak
        case .text: full = .text
        case .softBreak: full = .softBreak
        case .lineBreak: full = .lineBreak
        case .code: full = .code
        case .htmlInline: full = .htmlInline
        case .customInline: full = .customInline
        case .emphasis: full = .emphasis
        case .strong: full = .strong
        case .link: full = .link(destination: text(literalStart, literalCount), title: text(infoStart, infoCount))
        case .image: full = .image(source: text(literalStart, literalCount), title: text(infoStart, infoCount))
        }
        if hasLiteral { literal = text(literalStart, literalCount) }
        return MarkdownNode(
            kind: full, literal: literal, start: start, end: end, parent: parent, firstChild: firstChild,
            nextSibling: nextSibling, subtreeEnd: subtreeEnd)
    }
}
