/// One node of a document parsed for the task parser (``MarkdownDocument/compact``): the same
/// tree as ``MarkdownNode``, as plain values only, so that building, copying and freeing a node
/// is copying and freeing bytes. Its texts (literal, fence info, link destination and title) are
/// ranges of ``MarkdownDocument/literalBytes``.
@usableFromInline
package struct CompactMarkdownNode: Sendable, Equatable {
    /// ``MarkdownNode/Kind`` without its strings.
    @usableFromInline
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

    // Stored in 56 bytes (the enum, full-width positions and offsets took about 100): a task
    // file has about one node per dozen bytes, and the array of a larger node was big enough for
    // the allocator to hand back and fault in fresh pages for every file. cmark's lines, columns,
    // list starts and literal lengths are C `int`s, so 32 bits hold them.
    @usableFromInline var startLine: Int32
    @usableFromInline var startColumn: Int32
    @usableFromInline var endLine: Int32
    @usableFromInline var endColumn: Int32
    /// Indices, -1 for none. 32 bits are enough: a node takes more than 50 bytes here and in cmark,
    /// so 2³¹ nodes would need far more memory than a process can have before this array is built.
    @usableFromInline package var parentIndex: Int32
    @usableFromInline package var firstChildIndex: Int32 = -1
    @usableFromInline package var nextSiblingIndex: Int32 = -1
    @usableFromInline package var subtreeEndIndex: Int32
    /// Where the literal (a link's or image's destination) starts in ``MarkdownDocument/literalBytes``;
    /// the info follows it. (Full width: cmark copies a reference link's destination into every
    /// link that uses it, so the texts can outgrow the source, and 32-bit offsets could wrap.)
    @usableFromInline var textOffset: Int
    /// The literal's and the info's byte counts, -1 for none.
    @usableFromInline var literalLength: Int32
    @usableFromInline var infoLength: Int32
    /// A list's start number.
    @usableFromInline var listStart: Int32
    /// The kind's case (``Code``) and its flags: a heading's level, whether a code block is
    /// fenced, whether a list is ordered (bit 0) and tight (bit 1).
    @usableFromInline var code: Code
    @usableFromInline var detail: UInt8

    @usableFromInline enum Code: UInt8, Sendable {
        case document, blockQuote, list, item, codeBlock, htmlBlock, customBlock, paragraph, heading
        case thematicBreak, text, softBreak, lineBreak, code, htmlInline, customInline, emphasis, strong
        case link, image
    }

    /// A node of the kind `code` with its flags `detail` and `listStart`, as the tree builder makes
    /// them straight from cmark's node types (no ``Kind`` built and taken apart per node). Its
    /// texts are at `textOffset` of ``MarkdownDocument/literalBytes``: first its literal
    /// (`literalCount` bytes, -1 for none), right after it its info (`infoCount`, -1 for none).
    @inlinable
    init(
        code: Code, detail: UInt8, listStart: Int32, start: MarkdownPosition, end: MarkdownPosition, parent: Int32,
        subtreeEnd: Int32, textOffset: Int, literalCount: Int, infoCount: Int
    ) {
        startLine = Int32(clamping: start.line)
        startColumn = Int32(clamping: start.column)
        endLine = Int32(clamping: end.line)
        endColumn = Int32(clamping: end.column)
        parentIndex = parent
        subtreeEndIndex = subtreeEnd
        self.textOffset = textOffset
        literalLength = Int32(clamping: literalCount)
        infoLength = Int32(clamping: infoCount)
        self.listStart = listStart
        self.code = code
        self.detail = detail
    }

    package var kind: Kind {
        switch code {
        case .document: .document
        case .blockQuote: .blockQuote
        case .list: .list(ordered: detail & 1 != 0, start: Int(listStart), tight: detail & 2 != 0)
        case .item: .item
        case .codeBlock: .codeBlock(fenced: detail != 0)
        case .htmlBlock: .htmlBlock
        case .customBlock: .customBlock
        case .paragraph: .paragraph
        case .heading: .heading(level: Int(detail))
        case .thematicBreak: .thematicBreak
        case .text: .text
        case .softBreak: .softBreak
        case .lineBreak: .lineBreak
        case .code: .code
        case .htmlInline: .htmlInline
        case .customInline: .customInline
        case .emphasis: .emphasis
        case .strong: .strong
        case .link: .link
        case .image: .image
        }
    }

    @inlinable
    package var start: MarkdownPosition { MarkdownPosition(line: Int(startLine), column: Int(startColumn)) }
    @inlinable
    package var end: MarkdownPosition { MarkdownPosition(line: Int(endLine), column: Int(endColumn)) }

    /// The literal (a link's or image's destination) in ``MarkdownDocument/literalBytes``; a
    /// count of -1 for kinds without one.
    @inlinable
    package var literalStart: Int { textOffset }
    @inlinable
    package var literalCount: Int { Int(literalLength) }
    /// A code block's fence info, a link's or image's title; a count of -1 for other kinds.
    @inlinable
    package var infoStart: Int { textOffset + max(0, Int(literalLength)) }
    @inlinable
    package var infoCount: Int { Int(infoLength) }

    @inlinable
    package var parent: Int? { parentIndex >= 0 ? Int(parentIndex) : nil }
    @inlinable
    package var firstChild: Int? { firstChildIndex >= 0 ? Int(firstChildIndex) : nil }
    @inlinable
    package var nextSibling: Int? { nextSiblingIndex >= 0 ? Int(nextSiblingIndex) : nil }
    /// One past the index of the node's last descendant: its subtree is `index..<subtreeEnd`.
    @inlinable
    package var subtreeEnd: Int { Int(subtreeEndIndex) }

    /// Whether the node has a literal as ``MarkdownNode/literal`` has one (a link's destination,
    /// kept in the same fields, is not one).
    @inlinable
    package var hasLiteral: Bool {
        switch code {
        case .codeBlock, .htmlBlock, .text, .code, .htmlInline: true
        default: false
        }
    }

    /// The heading level, for headings.
    @inlinable
    package var headingLevel: Int? {
        code == .heading ? Int(detail) : nil
    }

    /// Whether the node is a text node (without making its ``kind``).
    @inlinable
    package var isText: Bool { code == .text }

    /// Whether the node is a paragraph or a heading (without making its ``kind``).
    var isParagraphOrHeading: Bool { code == .paragraph || code == .heading }

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
