import Foundation
import Synchronization
import Testing

@testable import TaskrunCore

@Suite struct ParseCacheTests {
    /// Counts parses per path and returns a task whose title is the file's first line.
    final class CountingParser: Sendable {
        let calls = Mutex<[String: Int]>([:])

        func parse(source: String, path: String) -> ParseResult {
            calls.withLock { $0[path, default: 0] += 1 }
            let title = source.split(separator: "\n").first.map(String.init)
            return ParseResult(
                task: TaskDefinition(id: "t", title: title, metadata: TaskMetadata(name: "t")), diagnostics: [])
        }

        func count(_ path: String) -> Int { calls.withLock { $0[path] ?? 0 } }
    }

    let directory: TemporaryDirectory
    let parser = CountingParser()
    let cache: ParseCache
    let locator: TaskLocator

    init() throws {
        directory = try TemporaryDirectory()
        cache = ParseCache(parse: { [parser] in parser.parse(source: $0, path: $1) })
        locator = TaskLocator(tasksDirectory: "tasks", environment: [:], currentDirectory: directory.path)
    }

    func setDate(_ path: String, _ date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }

    @Test func unchangedFilesAreParsedOnce() throws {
        try directory.write("tasks/a.md", "# A\n")
        let reference = try locator.locate("a")
        let first = try cache.load(reference)
        let second = try cache.load(reference)
        #expect(parser.count("tasks/a.md") == 1)
        #expect(first.task?.title == "# A" && second.task?.title == "# A")
        #expect(second.source == "# A\n")
        #expect(cache.count == 1)
    }

    @Test func aChangedSizeIsParsedAgain() throws {
        let path = try directory.write("tasks/a.md", "# A\n")
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        try setDate(path, date)
        let reference = try locator.locate("a")
        _ = try cache.load(reference)

        try directory.write("tasks/a.md", "# Longer\n")
        try setDate(path, date)  // same time, different size
        #expect(try cache.load(reference).task?.title == "# Longer")
        #expect(parser.count("tasks/a.md") == 2)
    }

    @Test func aChangedModificationTimeIsParsedAgain() throws {
        let path = try directory.write("tasks/a.md", "# A\n")
        try setDate(path, Date(timeIntervalSince1970: 1_700_000_000))
        let reference = try locator.locate("a")
        _ = try cache.load(reference)

        try directory.write("tasks/a.md", "# B\n")  // same size
        try setDate(path, Date(timeIntervalSince1970: 1_700_000_060))
        #expect(try cache.load(reference).task?.title == "# B")
        _ = try cache.load(reference)
        #expect(parser.count("tasks/a.md") == 2)
    }

    @Test func filesAreCachedIndependently() throws {
        try directory.write("tasks/a.md", "# A\n")
        try directory.write("tasks/b.md", "# B\n")
        for _ in 0..<3 {
            for reference in try locator.taskFiles() { _ = try cache.load(reference) }
        }
        #expect(parser.count("tasks/a.md") == 1 && parser.count("tasks/b.md") == 1)

        cache.removeAll()
        _ = try cache.load(try locator.locate("a"))
        #expect(parser.count("tasks/a.md") == 2)
    }

    @Test func aDeletedFileIsAnErrorAndForgotten() throws {
        let path = try directory.write("tasks/a.md", "# A\n")
        let reference = try locator.locate("a")
        _ = try cache.load(reference)
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: TaskLookupError.self) { try cache.load(reference) }
        #expect(cache.count == 0)
    }

    @Test func invalidUTF8IsReplacedNotFatal() throws {
        let path = "\(directory.path)/bytes.md"
        try Data([0x23, 0x20, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: path))
        let loaded = try cache.load(try locator.locate(path))
        #expect(loaded.source == "# \u{FFFD}\u{FFFD}\n")
    }

    @Test func concurrentLoadsAreSafeAndShareTheResult() async throws {
        try directory.write("tasks/a.md", "# A\n")
        let reference = try locator.locate("a")
        _ = try cache.load(reference)
        let cache = self.cache
        let titles = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<64 {
                group.addTask { try cache.load(reference).task?.title }
            }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(titles.count == 64 && titles.allSatisfy { $0 == "# A" })
        #expect(parser.count("tasks/a.md") == 1)
    }

    @Test func usesTheRealParserByDefault() throws {
        try directory.write("tasks/a.md", "# A\n")
        let loaded = try ParseCache().load(try locator.locate("a"))
        #expect(loaded.reference.id == "a")
    }
}
