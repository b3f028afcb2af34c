import TaskrunMarkdown
import Testing

@Suite struct MarkdownParserTests {
    /// The (kind, start) of every node, in document order.
    func outline(_ document: MarkdownDocument) -> [(MarkdownNode.Kind, MarkdownPosition)] {
        document.nodes.map { ($0.kind, $0.start) }
    }

    func pos(_ line: Int, _ column: Int) -> MarkdownPosition { MarkdownPosition(line: line, column: column) }

    @Test func buildsTreeWithPositions() throws {
        let document = MarkdownParser.parse("# Title\n\n## Phase: A\ntext *em* `code`\n\n- item\n  - nested\n")
        let top = Array(document.children(of: document.rootIndex))
        #expect(
            top.map { document[$0].kind } == [
                .heading(level: 1), .heading(level: 2), .paragraph,
                .list(ordered: false, start: 0, tight: true),
            ])
        #expect(document.plainText(of: top[1]) == "Phase: A")
        #expect(document[top[2]].start == pos(4, 1))
        let inlines = Array(document.children(of: top[2]))
        #expect(inlines.map { document[$0].kind } == [.text, .emphasis, .text, .code])
        #expect(document[inlines[1]].start == pos(4, 6))
        #expect(document[inlines[3]].literal == "code")
        // cmark places a code span at its content, after the backtick.
        #expect(document[inlines[3]].start == pos(4, 12))
        let item = try #require(document[top[3]].firstChild)
        #expect(document[item].kind == .item)
        let itemChildren = Array(document.children(of: item))
        #expect(itemChildren.map { document[$0].kind } == [.paragraph, .list(ordered: false, start: 0, tight: true)])
        #expect(document[itemChildren[0]].start == pos(6, 3))
        // Subtrees are contiguous ranges.
        #expect(document[top[3]].subtreeEnd == document.nodes.count)
        for (index, node) in document.nodes.enumerated() {
            if let parent = node.parent {
                #expect(parent < index && document[parent].subtreeEnd >= node.subtreeEnd)
            }
        }
    }

    @Test func codeBlocksKeepInfoAndLiteral() {
        let document = MarkdownParser.parse("```yaml title\na: 1\n```\n\n    indented\n\n~~~\nx\n~~~\n")
        let blocks = Array(document.children(of: document.rootIndex)).map { document[$0] }
        #expect(
            blocks.map(\.kind) == [
                .codeBlock(info: "yaml title", fenced: true), .codeBlock(info: "", fenced: false),
                .codeBlock(info: "", fenced: true),
            ])
        #expect(blocks[0].literal == "a: 1\n")
        #expect(blocks[0].start == pos(1, 1))
        #expect(blocks[0].end.line == 3)
    }

    @Test func columnsCountUnicodeScalars() throws {
        let document = MarkdownParser.parse("étoile: ü *x*\n")
        let paragraph = try #require(document[document.rootIndex].firstChild)
        let inlines = Array(document.children(of: paragraph))
        #expect(document[inlines[0]].start == pos(1, 1))
        #expect(document[inlines[0]].end == pos(1, 10))
        #expect(document[inlines[1]].start == pos(1, 11))
    }

    /// cmark measures continuation-line columns from the paragraph's first line; the layer re-anchors them.
    @Test func continuationLinesHaveTrueColumns() throws {
        let source = "- agent: x\n      more text\n\n> a\n> b `c`\nlazy\n\nfirst\n  second\n"
        let document = MarkdownParser.parse(source)
        let texts = document.nodes.filter { $0.kind == .text || $0.kind == .code }
        let found = texts.map { ($0.literal ?? "", $0.start) }
        #expect(found.map(\.0) == ["agent: x", "more text", "a", "b ", "c", "lazy", "first", "second"])
        #expect(
            found.map(\.1) == [pos(1, 3), pos(2, 7), pos(4, 3), pos(5, 3), pos(5, 6), pos(6, 1), pos(8, 1), pos(9, 3)])
    }

    @Test func multiLineCodeSpansKeepLineNumbers() {
        let document = MarkdownParser.parse("x `a\nb` c\nd\n")
        let texts = document.nodes.filter { $0.kind == .text }
        #expect(texts.map(\.start) == [pos(1, 1), pos(2, 3), pos(3, 1)])
    }

    @Test func sourceLinesHandleAllLineEndings() {
        let lines = MarkdownSourceLines("a\r\nbé\rc\n")
        #expect(lines.count == 4)
        #expect(lines.text(ofLine: 1) == "a")
        #expect(lines.text(ofLine: 2) == "bé")
        #expect(lines.text(ofLine: 3) == "c")
        #expect(lines.text(ofLine: 4) == "")
        #expect(lines.text(ofLine: 9) == "")
        #expect(lines.scalarColumn(line: 2, byteColumn: 3) == 2)
        #expect(lines.scalarColumn(line: 2, byteColumn: 4) == 3)
        #expect(lines.contentStartColumn(line: 1) == 1)
    }

    @Test func plainASCIISourcesGetTheSameLinesAsOthers() {
        // An all-ASCII source without carriage returns takes a shorter way to its line table; a
        // non-ASCII character (or a carriage return) anywhere sends the source the general way.
        for ending in ["", "\n", "é", "\r\n"] {
            let lines = MarkdownSourceLines("a\n  > bc\n\nlast" + ending)
            #expect(lines.count == (ending == "\n" || ending == "\r\n" ? 5 : 4))
            #expect(lines.text(ofLine: 1) == "a")
            #expect(lines.text(ofLine: 2) == "  > bc")
            #expect(lines.text(ofLine: 3) == "")
            #expect(lines.text(ofLine: 4) == "last" + (ending == "é" ? "é" : ""))
            #expect(lines.contentStartColumn(line: 2) == 5)
            #expect(lines.contentStartColumn(line: 3) == nil)
            #expect(lines.scalarColumn(line: 2, byteColumn: 6) == 6)
            #expect(lines.byteCount(ofLine: 2) == 6)
        }
    }

    /// The whole source is checked for non-ASCII bytes in wide blocks and then a few at a time:
    /// a non-ASCII character is found wherever it falls (either half of a block, the tail).
    @Test func aNonASCIICharacterAnywhereIsFound() {
        for offset in 0...100 {
            let ascii = String(repeating: "a", count: 100)
            let text = ascii.prefix(offset) + "é" + ascii.dropFirst(offset)
            let lines = MarkdownSourceLines("# T\n" + text + "\nend\n")
            #expect(!lines.isASCII(line: 2))
            #expect(lines.isASCII(line: 3))
            // The line's 102 bytes are 101 characters.
            #expect(lines.scalarColumn(line: 2, byteColumn: 102) == 101)
        }
        #expect(MarkdownSourceLines(String(repeating: "ab\n", count: 50)).isASCII(line: 10))
    }

    @Test func crlfSourcesParseWithTheSameLines() {
        let document = MarkdownParser.parse("# T\r\n\r\n## B\r\ntext\r\n")
        let top = Array(document.children(of: document.rootIndex)).map { document[$0].start.line }
        #expect(top == [1, 3, 4])
    }

    @Test func emptyAndHostileInputs() {
        #expect(MarkdownParser.parse("").nodes.count == 1)
        let quotes = MarkdownParser.parse(String(repeating: ">", count: 20_000) + " deep\n")
        #expect(quotes.nodes.count > 20_000)
        let lists = MarkdownParser.parse(
            (0..<500).map { String(repeating: "  ", count: $0) + "- x" }.joined(separator: "\n"))
        #expect(lists.nodes.count > 500)
        let emphasis = MarkdownParser.parse(String(repeating: "*a ", count: 50_000))
        #expect(!emphasis.nodes.isEmpty)
        let long = MarkdownParser.parse(String(repeating: "é `x` ", count: 50_000))
        #expect(long.nodes.last?.start.column ?? 0 > 200_000)
        let nul = MarkdownParser.parse("a\u{0}b\n")
        #expect(nul.nodes.count == 3)
    }

    /// A document with far more nodes per byte than a task file (the parser then builds its node
    /// array again, larger) has the same links a walk of parents gives.
    @Test func linksAgreeWithParentsInADenseDocument() {
        let source = String(repeating: "- *a* `b`\n  > c\n", count: 40)
        let lazy = MarkdownParser.parse(source, lazyLiterals: true)
        let rebuilt = MarkdownDocument(
            compact: lazy.compact, lines: lazy.lines, literalBytes: lazy.literalBytes, eager: true)
        for document in [MarkdownParser.parse(source), rebuilt] {
            #expect(document.nodes.count > source.utf8.count / 4)
            for index in document.nodes.indices {
                let children = Array(document.children(of: index))
                let expected = document.nodes.indices.filter { document.nodes[$0].parent == index }
                #expect(children == expected)
                #expect(document.nodes[index].firstChild == expected.first)
                let end = document.nodes[index].subtreeEnd
                #expect(end > index && end <= document.nodes.count)
                #expect(document.nodes[index..<end].dropFirst().allSatisfy { ($0.parent ?? -1) >= index })
            }
            #expect(document.plainText(of: 0).hasPrefix("a bc"))
        }
    }

    /// The walk follows cmark's links: containers without children (an empty heading, block quote
    /// and list item) end where they start, and leaving a nested list ends every level at once.
    @Test func emptyContainersAndDeepEndsKeepTheirPlaces() {
        let source = "#\n\n>\n\n-\n- a\n  - b\n    - c\n\n# end\n"
        for document in [MarkdownParser.parse(source), MarkdownParser.parse(source, lazyLiterals: true)] {
            let list = CompactMarkdownNode.Kind.list(ordered: false, start: 0, tight: true)
            #expect(
                document.compact.map(\.kind) == [
                    .document, .heading(level: 1), .blockQuote, list, .item, .item, .paragraph, .text, list,
                    .item, .paragraph, .text, list, .item, .paragraph, .text, .heading(level: 1), .text,
                ])
            #expect(
                document.compact.map(\.parent) == [nil, 0, 0, 0, 3, 3, 5, 6, 5, 8, 9, 10, 9, 12, 13, 14, 0, 16])
            #expect(
                document.compact.map(\.subtreeEnd) == [
                    18, 2, 3, 16, 5, 16, 8, 8, 16, 16, 12, 12, 16, 16, 16, 16, 18, 18,
                ])
            #expect(Array(document.children(of: 0)) == [1, 2, 3, 16])
            #expect(
                document.compact.map(\.firstChild) == [
                    1, nil, nil, 4, nil, 6, 7, nil, 9, 10, 11, nil, 13, 14, 15, nil, 17, nil,
                ])
            #expect(document.plainText(of: 16) == "end")
        }
    }

    /// A reference link's destination is copied into every link that uses it, so the texts can
    /// outgrow the source (the parser then copies the tree again with more room for them).
    @Test func textsLongerThanTheSourceAreKept() {
        let destination = "https://example.com/" + String(repeating: "d", count: 300)
        let source = String(repeating: "[x][r] ", count: 200) + "\n\n[r]: " + destination + "\n"
        let document = MarkdownParser.parse(source, lazyLiterals: true)
        let links = document.compact.filter { $0.kind == .link }
        #expect(links.count == 200)
        #expect(document.literalBytes.count > source.utf8.count)
        for link in links {
            let bytes = document.literalBytes
            #expect(MarkdownDocument.text(in: bytes, start: link.literalStart, count: link.literalCount) == destination)
        }
        let eager = MarkdownParser.parse(source).nodes
        #expect(eager.filter { $0.kind == .link(destination: destination, title: "") }.count == 200)
    }

    /// Blocks far larger than cmark's usual allocations (a long code block, a long paragraph) come
    /// out whole, in one parse and the next.
    @Test func longBlocksComeOutWhole() {
        let code = (0..<20_000).map { "line \($0) of the block" }.joined(separator: "\n") + "\n"
        let words = (0..<20_000).map { "w\($0)" }.joined(separator: " ")
        let source = "# Big\n\n```text\n" + code + "```\n\n" + words + "\n"
        for _ in 0..<2 {
            let document = MarkdownParser.parse(source)
            let kinds = Array(document.children(of: 0)).map { document[$0].kind }
            #expect(kinds == [.heading(level: 1), .codeBlock(info: "text", fenced: true), .paragraph])
            let block = Array(document.children(of: 0))[1]
            #expect(document[block].literal == code)
            #expect(document.plainText(of: Array(document.children(of: 0))[2]) == words)
        }
    }

    /// cmark parses into memory of the calling thread, reused by its next parse: parses one after
    /// another and on many threads at once give the same trees.
    @Test func parsesInARowAndAtOnceAgree() async {
        let sources = (0..<24).map { index in
            "# Task \(index)\n\n## Phase: P\(index)\n\n"
                + String(repeating: "- agent: a\(index) - *do* `it` [now](http://x/\(index))\n", count: index * 7 + 1)
                + "\n```yaml\nkey: \(String(repeating: "v", count: index * 900))\n```\n"
        }
        let expected = sources.map { MarkdownParser.parse($0).nodes }
        for (index, source) in sources.enumerated().reversed() {
            #expect(MarkdownParser.parse(source).nodes == expected[index])
        }
        let concurrent = await withTaskGroup(of: (Int, [MarkdownNode]).self) { group in
            for round in 0..<4 {
                for (index, source) in sources.enumerated() where (index + round) % 2 == 0 {
                    group.addTask { (index, MarkdownParser.parse(source).nodes) }
                }
            }
            var results: [(Int, [MarkdownNode])] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(concurrent.count == 48)
        for (index, nodes) in concurrent {
            #expect(nodes == expected[index])
        }
    }

    /// With lazy literals the tree is the same, as plain nodes; literals are read from the document.
    @Test func lazyLiteralsReadAsEagerOnes() {
        let source =
            "# Tïtle `code` <b>x</b>\n\n- agent: é - *em* `a\nb` text\\\n  more &amp; more\n\n```yaml {x}\nk: v\n```\n\n"
            + "[link](http://x \"t\") ![img](y) a\u{0}b\n\n    indented\n\n<div>\nhtml\n</div>\n"
        let eager = MarkdownParser.parse(source)
        let lazy = MarkdownParser.parse(source, lazyLiterals: true)
        #expect(lazy.nodes.isEmpty)
        let rebuilt = lazy.compact.map { $0.markdownNode(literalBytes: lazy.literalBytes) }
        #expect(rebuilt == eager.nodes)
        #expect(eager.nodes.map(\.start) == lazy.compact.map(\.start))
        #expect(eager.nodes.map(\.end) == lazy.compact.map(\.end))
        #expect(eager.nodes.map(\.subtreeEnd) == lazy.compact.map(\.subtreeEnd))
        #expect(eager.nodes.map(\.parent) == lazy.compact.map(\.parent))
        #expect(eager.nodes.map(\.firstChild) == lazy.compact.map(\.firstChild))
        #expect(eager.nodes.map(\.nextSibling) == lazy.compact.map(\.nextSibling))
        #expect(Array(lazy.children(of: 0)) == Array(eager.children(of: 0)))
        for index in eager.nodes.indices {
            #expect(eager.literal(of: index) == eager.nodes[index].literal)
            #expect(lazy.literal(of: index) == eager.nodes[index].literal)
            let bytes = lazy.withLiteralUTF8(of: index) { Array($0) }
            #expect(bytes == Array((eager.nodes[index].literal ?? "").utf8))
            #expect(lazy.plainText(of: index) == eager.plainText(of: index))
            if case .codeBlock(let info, _) = eager.nodes[index].kind {
                #expect(lazy.fenceInfo(of: index) == info)
            }
        }
    }
}
