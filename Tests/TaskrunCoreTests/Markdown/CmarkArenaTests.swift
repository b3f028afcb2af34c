import CCmark
import CCmarkArena
import Dispatch
import Synchronization
import Testing

/// The arena cmark parses into must give the same trees as cmark's own allocator: every node and
/// buffer, in blocks that grow, buffers that grow in place or move, and one arena per thread.
@Suite struct CmarkArenaTests {
    /// cmark's XML of `source` (with source positions), parsed with the arena or cmark's allocator.
    private func xml(_ source: String, arena: Bool) throws -> String {
        var source = source
        return try source.withUTF8 { buffer in
            let memory = try #require(
                arena
                    ? taskrun_cmark_arena_begin().assumingMemoryBound(to: cmark_mem.self)
                    : cmark_get_default_mem_allocator())
            defer { if arena { taskrun_cmark_arena_end() } }
            let parser = try #require(cmark_parser_new_with_mem(CMARK_OPT_SOURCEPOS, memory))
            defer { cmark_parser_free(parser) }
            buffer.withMemoryRebound(to: CChar.self) { cmark_parser_feed(parser, $0.baseAddress, $0.count) }
            let root = try #require(cmark_parser_finish(parser))
            defer { cmark_node_free(root) }
            // The XML is allocated with the document's allocator: read it before the arena ends.
            let rendered = try #require(cmark_render_xml(root, CMARK_OPT_SOURCEPOS))
            defer { memory.pointee.free(rendered) }
            return String(cString: rendered)
        }
    }

    /// A document with every kind of block and inline, `sections` times, and one paragraph whose
    /// buffer grows to `longLine` bytes.
    private func document(sections: Int, longLine: Int = 0) -> String {
        var text = "# Title\n\n```yaml\nname: x\n```\n\n"
        for index in 0..<sections {
            text += """
                ## Phase: P\(index)
                dependsOn: P\(max(0, index - 1))
                Some *emphasis*, **strong**, `code`, [a link](https://example.com "title") and <b>html</b>.

                ### Steps
                - agent: a\(index) - prompt with {{input.x}} and é ü 日本
                  - when: input.n > \(index)
                1. ordered
                2. list

                > quoted
                > text

                    indented code

                ---

                """
        }
        if longLine > 0 { text += String(repeating: "word ", count: longLine / 5) + "\n" }
        return text
    }

    @Test func smallDocumentsMatchCmarksAllocator() throws {
        for source in ["", "plain", "# H\n", document(sections: 1), document(sections: 7)] {
            #expect(try xml(source, arena: true) == xml(source, arena: false))
        }
    }

    @Test func documentsLargerThanABlockMatchCmarksAllocator() throws {
        // 64 KB is the first block: these take several blocks, and the long line's buffer outgrows
        // every block it is in (it grows in place, then moves).
        for source in [document(sections: 400), document(sections: 3, longLine: 300_000)] {
            #expect(try xml(source, arena: true) == xml(source, arena: false))
        }
    }

    @Test func theBlockKeptAfterALargeParseServesTheNextParses() throws {
        let small = document(sections: 2)
        let expected = try xml(small, arena: false)
        // Over the 4 MiB the thread keeps, then under it, then small ones in the kept block.
        for source in [document(sections: 9_000), small, document(sections: 600), small, small] {
            let parsed = try xml(source, arena: true)
            if source == small { #expect(parsed == expected) } else { #expect(parsed.hasSuffix("</document>\n")) }
        }
    }

    @Test func threadsParseAtOnceEachInItsOwnArena() throws {
        let sources = (0..<8).map { document(sections: 20 * ($0 + 1)) }
        let expected = try sources.map { try xml($0, arena: false) }
        let matched = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 64) { iteration in
            let index = iteration % sources.count
            if (try? xml(sources[index], arena: true)) == expected[index] { matched.withLock { $0 += 1 } }
        }
        #expect(matched.withLock { $0 } == 64)
    }
}
