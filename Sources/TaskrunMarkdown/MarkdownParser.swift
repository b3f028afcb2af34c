import CCmark
import CCmarkArena

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses CommonMark with libcmark into a ``MarkdownDocument``.
///
/// This is the only code in taskrun that talks to cmark. The cmark tree is copied into Swift
/// values in one pass of cmark's (non-recursive) iterator and freed before `parse` returns.
public enum MarkdownParser {
    /// Parses `source` as CommonMark.
    public static func parse(_ source: String) -> MarkdownDocument {
        parse(source, lazyLiterals: false)
    }

    /// Parses `source` as CommonMark. With `lazyLiterals`, the document holds its nodes as
    /// ``CompactMarkdownNode``s (``MarkdownDocument/compact``; `nodes` is empty): plain values,
    /// with every literal, fence info, link destination and title in one byte buffer of the
    /// document instead of a `String` each. Read literals with ``MarkdownDocument/literal(of:)``
    /// or ``MarkdownDocument/withLiteralUTF8(of:_:)``. A task file has hundreds of nodes and the
    /// task parser reads few of their literals; plain nodes are copied and freed for nothing.
    package static func parse(_ source: String, lazyLiterals: Bool) -> MarkdownDocument {
        let lines = MarkdownSourceLines(source)
        // cmark allocates the tree in this thread's arena, and it is all released at once below:
        // nothing of it outlives this function.
        let memory = taskrun_cmark_arena_begin().assumingMemoryBound(to: cmark_mem.self)
        defer { taskrun_cmark_arena_end() }
        var copy = source
        let root: OpaquePointer? = copy.withUTF8 { buffer in
            // SOURCEPOS keeps inline line numbers right across multi-line code spans and HTML.
            guard let parser = cmark_parser_new_with_mem(CMARK_OPT_SOURCEPOS, memory) else { return nil }
            buffer.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress, chars.count > 0 {
                    cmark_parser_feed(parser, base, chars.count)
                }
            }
            return cmark_parser_finish(parser)
        }
        guard let root else {
            let document = CompactMarkdownNode(
                code: .document, detail: 0, listStart: 0, start: MarkdownPosition(line: 1, column: 1),
                end: MarkdownPosition(line: 1, column: 0), parent: -1, subtreeEnd: 1, textOffset: 0,
                literalCount: -1, infoCount: -1)
            return MarkdownDocument(compact: [document], lines: lines, literalBytes: [], eager: !lazyLiterals)
        }
        // About one node per 25 bytes in task files (the committee: 429 in 11.7 KB). Not more:
        // freeing a needlessly large array (55 KB at one per 12 bytes) leaves glibc a free chunk of
        // 64 KB or more, on which it consolidates its free lists and trims the heap: that cost W5
        // about 6%. The texts are about as long as the source (a reference link's destination,
        // copied into every link that uses it, can make them longer).
        var nodeCapacity = source.utf8.count / 24 + 8
        var textCapacity = source.utf8.count + 64
        while true {
            let built = TreeBuilder.build(root, lines: lines, nodeCapacity: nodeCapacity, textCapacity: textCapacity)
            switch built {
            case .complete(let nodes, let literalBytes):
                return MarkdownDocument(compact: nodes, lines: lines, literalBytes: literalBytes, eager: !lazyLiterals)
            case .needsNodes: nodeCapacity *= 2
            case .needsText(let bytes): textCapacity = max(textCapacity * 2, bytes)
            }
        }
    }
}

/// Copies a cmark tree into a flat array of plain nodes, converting positions on the way.
///
/// The nodes and texts are written straight into the storage of the two arrays the document
/// keeps, made at a capacity guessed from the source's size: no per-node `append` (a uniqueness
/// and capacity check each), no stack of open nodes (the open container's parent is in its node)
/// and no second pass for the links. When a guess is short, the walk stops and starts again with
/// more room (the cmark tree is still there): rare, and still linear in all.
private struct TreeBuilder {
    /// What one walk made.
    enum Built {
        case complete(nodes: [CompactMarkdownNode], literalBytes: [UInt8])
        /// The nodes did not fit.
        case needsNodes
        /// The texts did not fit; at least this many bytes are needed.
        case needsText(Int)
    }

    let lines: MarkdownSourceLines
    let nodes: UnsafeMutablePointer<CompactMarkdownNode>
    let nodeCapacity: Int
    var count = 0
    /// Every literal (and fence info, link destination and title), one after another.
    let text: UnsafeMutablePointer<UInt8>
    let textCapacity: Int
    var textCount = 0
    /// Set when a text did not fit: the bytes needed (more than `textCapacity`).
    var textNeeded = 0
    /// The innermost open container, -1 before the document.
    var current = -1
    /// The node that last ended (a leaf when entered, a container at its exit): the previous
    /// sibling of the next node entered, when that has the same parent.
    var lastClosed = -1
    /// The paragraph or heading whose inlines are being read: its first line and byte column.
    var leafStart: (line: Int, byteColumn: Int)?
    /// Per-line corrections of cmark's inline byte columns, for the current paragraph.
    var correctionLine = 0
    var correction = 0
    /// The last byte-to-scalar conversion, so that columns along one long line convert in linear time.
    var cacheLine = 0
    var cacheByte = 0
    var cacheScalar = 0

    private init(
        lines: MarkdownSourceLines, nodes: UnsafeMutablePointer<CompactMarkdownNode>, nodeCapacity: Int,
        text: UnsafeMutablePointer<UInt8>, textCapacity: Int
    ) {
        self.lines = lines
        self.nodes = nodes
        self.nodeCapacity = nodeCapacity
        self.text = text
        self.textCapacity = textCapacity
    }

    /// Copies the tree at `root` into arrays of (at least) the given capacities, or says which was short.
    static func build(_ root: OpaquePointer, lines: MarkdownSourceLines, nodeCapacity: Int, textCapacity: Int)
        -> Built
    {
        var outcome = Built.needsNodes
        var nodes: [CompactMarkdownNode] = []
        let literalBytes = [UInt8](unsafeUninitializedCapacity: max(1, textCapacity)) { textBuffer, textCount in
            nodes = [CompactMarkdownNode](unsafeUninitializedCapacity: max(1, nodeCapacity)) { buffer, count in
                guard let base = buffer.baseAddress, let textBase = textBuffer.baseAddress else { return }
                var builder = TreeBuilder(
                    lines: lines, nodes: base, nodeCapacity: buffer.count, text: textBase,
                    textCapacity: textBuffer.count)
                let complete = builder.walk(root)
                // Every node written so far is initialized (plain values: nothing to release).
                count = builder.count
                textCount = builder.textCount
                if complete {
                    outcome = .complete(nodes: [], literalBytes: [])
                } else if builder.textNeeded > 0 {
                    outcome = .needsText(builder.textNeeded)
                }
            }
        }
        guard case .complete = outcome else { return outcome }
        return .complete(nodes: nodes, literalBytes: literalBytes)
    }

    /// Walks the tree in pre-order; `false` when the nodes or texts outgrew their room.
    ///
    /// It follows the nodes' own links (first child, next sibling, parent) rather than a
    /// `cmark_iter`: the iterator's step does more than a link's read, and a committee-sized file
    /// is about 400 nodes and 230 container exits.
    private mutating func walk(_ root: OpaquePointer) -> Bool {
        var node = root
        while true {
            guard count < nodeCapacity else { return false }
            let isLeaf = enter(node)
            guard textNeeded == 0 else { return false }
            if !isLeaf {
                if let child = cmark_node_first_child(node) {
                    node = child
                    continue
                }
                exit()  // an empty container
            }
            // On to the next sibling of this node or of its nearest ancestor that has one,
            // ending each container left on the way up.
            var done = node
            while true {
                if done == root { return true }
                if let sibling = cmark_node_next(done) {
                    node = sibling
                    break
                }
                guard let parent = cmark_node_parent(done) else { return true }
                exit()
                done = parent
            }
        }
    }

    /// Appends a NUL-terminated cmark string (which holds no NUL, as for `String(cString:)`; none
    /// is the empty string) to the texts, and returns its byte count.
    private mutating func store(_ pointer: UnsafePointer<CChar>?) -> Int {
        guard let pointer else { return 0 }
        let length = strlen(pointer)
        guard length <= textCapacity - textCount else {
            textNeeded = max(textNeeded, textCount + length + 1)
            return 0
        }
        UnsafeMutableRawPointer(text + textCount).copyMemory(from: pointer, byteCount: length)
        textCount += length
        return length
    }

    private static func isLeaf(_ type: cmark_node_type) -> Bool {
        switch type {
        case CMARK_NODE_HTML_BLOCK, CMARK_NODE_THEMATIC_BREAK, CMARK_NODE_CODE_BLOCK, CMARK_NODE_TEXT,
            CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK, CMARK_NODE_CODE, CMARK_NODE_HTML_INLINE:
            true
        default: false
        }
    }

    /// Writes `node` and says whether it is a leaf (a container stays open until its `exit()`).
    private mutating func enter(_ node: OpaquePointer) -> Bool {
        let type = cmark_node_get_type(node)
        let isInline = type.rawValue >= CMARK_NODE_FIRST_INLINE.rawValue
        let startLine = Int(cmark_node_get_start_line(node))
        let startByte = Int(cmark_node_get_start_column(node))
        let endLine = Int(cmark_node_get_end_line(node))
        let endByte = Int(cmark_node_get_end_column(node))
        // The literal first, the info right after it (see ``CompactMarkdownNode``).
        let textOffset = textCount
        var literal = -1
        var info = -1
        var detail: UInt8 = 0
        var listStart: Int32 = 0
        let code: CompactMarkdownNode.Code
        switch type {
        case CMARK_NODE_DOCUMENT: code = .document
        case CMARK_NODE_BLOCK_QUOTE: code = .blockQuote
        case CMARK_NODE_LIST:
            code = .list
            listStart = Int32(clamping: cmark_node_get_list_start(node))
            let ordered: UInt8 = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST ? 1 : 0
            detail = ordered | (cmark_node_get_list_tight(node) != 0 ? 2 : 0)
        case CMARK_NODE_ITEM: code = .item
        case CMARK_NODE_CODE_BLOCK:
            let marker = lines.byte(line: startLine, byteColumn: startByte)
            code = .codeBlock
            detail = marker == 96 || marker == 126 ? 1 : 0
            literal = store(cmark_node_get_literal(node))
            info = store(cmark_node_get_fence_info(node))
        case CMARK_NODE_HTML_BLOCK:
            code = .htmlBlock
            literal = store(cmark_node_get_literal(node))
        case CMARK_NODE_PARAGRAPH: code = .paragraph
        case CMARK_NODE_HEADING:
            code = .heading
            detail = UInt8(clamping: cmark_node_get_heading_level(node))
        case CMARK_NODE_THEMATIC_BREAK: code = .thematicBreak
        case CMARK_NODE_TEXT:
            code = .text
            literal = store(cmark_node_get_literal(node))
        case CMARK_NODE_SOFTBREAK: code = .softBreak
        case CMARK_NODE_LINEBREAK: code = .lineBreak
        case CMARK_NODE_CODE:
            code = .code
            literal = store(cmark_node_get_literal(node))
        case CMARK_NODE_HTML_INLINE:
            code = .htmlInline
            literal = store(cmark_node_get_literal(node))
        case CMARK_NODE_EMPH: code = .emphasis
        case CMARK_NODE_STRONG: code = .strong
        case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
            // The destination is kept as the literal, the title as the info.
            code = type == CMARK_NODE_LINK ? .link : .image
            literal = store(cmark_node_get_url(node))
            info = store(cmark_node_get_title(node))
        case CMARK_NODE_CUSTOM_INLINE: code = .customInline
        default: code = .customBlock
        }

        let start: MarkdownPosition
        let end: MarkdownPosition
        if isInline {
            start = inlinePosition(line: startLine, byteColumn: startByte)
            end = inlinePosition(line: endLine, byteColumn: endByte)
        } else {
            if type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING {
                leafStart = (startLine, startByte)
                correctionLine = 0
            }
            start = position(line: startLine, byteColumn: startByte)
            end = position(line: endLine, byteColumn: endByte)
        }

        let index = count
        (nodes + index).initialize(
            to: CompactMarkdownNode(
                code: code, detail: detail, listStart: listStart, start: start, end: end,
                parent: Int32(truncatingIfNeeded: current), subtreeEnd: Int32(truncatingIfNeeded: index + 1),
                textOffset: textOffset, literalCount: literal, infoCount: info))
        count = index + 1
        // In pre-order, the node that ended last is this one's previous sibling if they share a parent.
        if lastClosed >= 0, Int(nodes[lastClosed].parentIndex) == current {
            nodes[lastClosed].nextSiblingIndex = Int32(truncatingIfNeeded: index)
        }
        if Self.isLeaf(type) {
            lastClosed = index
            return true
        }
        current = index
        return false
    }

    /// Ends the innermost open container: its subtree ends here, and its first child (if any) is
    /// the node right after it.
    private mutating func exit() {
        guard current >= 0 else { return }
        let top = current
        nodes[top].subtreeEndIndex = Int32(truncatingIfNeeded: count)
        nodes[top].firstChildIndex = count > top + 1 ? Int32(truncatingIfNeeded: top + 1) : -1
        // The node's kind is already at hand: no call into cmark for it.
        if nodes[top].isParagraphOrHeading { leafStart = nil }
        lastClosed = top
        current = Int(nodes[top].parentIndex)
    }

    /// An inline's position. cmark measures columns on a paragraph's continuation lines from the
    /// paragraph's own start column, as if each line were indented like the first, which is wrong
    /// for lazy, blockquote and extra-indented lines; this re-anchors them where the line's text starts.
    private mutating func inlinePosition(line: Int, byteColumn: Int) -> MarkdownPosition {
        guard let leafStart, line > leafStart.line, byteColumn > 0 else {
            return position(line: line, byteColumn: byteColumn)
        }
        if line != correctionLine {
            correctionLine = line
            correction = (lines.contentStartByteColumn(line: line) ?? leafStart.byteColumn) - leafStart.byteColumn
        }
        return position(line: line, byteColumn: byteColumn + correction)
    }

    /// Converts a byte column to a scalar column, continuing from the previous conversion when it
    /// was earlier on the same line.
    @inline(__always)
    private mutating func position(line: Int, byteColumn: Int) -> MarkdownPosition {
        // On an ASCII line (every line of most sources) byte and scalar columns agree.
        guard line >= 1, line <= lines.count, byteColumn > 0, !lines.isASCII(index: line - 1) else {
            return MarkdownPosition(line: line, column: byteColumn)
        }
        return scalarPosition(line: line, byteColumn: byteColumn)
    }

    /// ``position(line:byteColumn:)`` on a line that is not ASCII.
    @inline(never)
    private mutating func scalarPosition(line: Int, byteColumn: Int) -> MarkdownPosition {
        let lineStart = lines.starts[line - 1]
        let lineEnd = lines.ends[line - 1]
        var fromByte = 0
        var scalars = 0
        if cacheLine == line, cacheByte <= byteColumn {
            fromByte = cacheByte
            scalars = cacheScalar
        }
        let from = min(lineStart + fromByte, lineEnd)
        let to = min(lineStart + byteColumn, lineEnd)
        scalars += lines.countScalarStarts(from: from, to: to)
        let beyond = max(0, lineStart + byteColumn - max(lineEnd, from))
        cacheLine = line
        cacheByte = byteColumn
        cacheScalar = scalars
        return MarkdownPosition(line: line, column: scalars + beyond)
    }
}
