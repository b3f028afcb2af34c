import Foundation
import Testing

/// `taskrun validate` on the diagnostics corpus (Tests/TaskrunCoreTests/Fixtures/Diagnostics):
/// the goldens there are exactly what the command prints, and its exit status follows the
/// diagnostics, with and without `--warnings-as-errors`.
@Suite struct DiagnosticsCorpusCLITests {
    static let folder: String = {
        var components = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(2)
        return (components + ["TaskrunCoreTests", "Fixtures", "Diagnostics"]).joined(separator: "/")
    }()

    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return files.filter { $0.hasSuffix(".md") }.map { String($0.dropLast(3)) }.sorted()
    }()

    static func golden(_ file: String) -> String? {
        FileManager.default.contents(atPath: "\(folder)/\(file)").map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func theCorpusIsThere() {
        #expect(Self.names.count >= 30, "no fixtures in \(Self.folder)")
    }

    @Test(arguments: names) func textOutputIsTheGoldenAndTheStatusFollowsTheErrors(_ name: String) async throws {
        let expected = try #require(Self.golden("\(name).expected"))
        let output = await CLI.run(["validate", "\(name).md"], in: Self.folder)
        #expect(output.stdout == expected)
        #expect(output.stderr.isEmpty)
        // The summary, `1 task checked: 2 errors, 1 warning`, says which status to expect.
        let summary = expected.split(separator: "\n").last ?? ""
        #expect(output.status == (summary.contains("error") ? 1 : 0), "\(name): \(summary)")

        // Warnings alone fail the run only when they count as errors.
        let strict = await CLI.run(["validate", "\(name).md", "--warnings-as-errors"], in: Self.folder)
        #expect(strict.status == 1)
        #expect(!strict.stdout.contains(": warning: "))
    }

    @Test(arguments: ["cycle-three", "multibyte-before-error", "yaml-front-matter"])
    func jsonOutputIsTheGolden(_ name: String) async throws {
        let expected = try #require(Self.golden("\(name).expected.json"))
        let output = await CLI.run(["validate", "\(name).md", "--format", "json"], in: Self.folder)
        #expect(output.stdout == expected)
        #expect(output.status == 1)
    }

    @Test func warningsAsErrorsPromotesTheSeverityInJSON() async throws {
        let output = await CLI.run(
            ["validate", "agent-lists.md", "--format", "json", "--warnings-as-errors"], in: Self.folder)
        #expect(output.status == 1)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 4)
        #expect(array.allSatisfy { $0["severity"] as? String == "error" })

        let lenient = await CLI.run(["validate", "agent-lists.md", "--format", "json"], in: Self.folder)
        #expect(lenient.status == 0)
        let warnings = try #require(
            try JSONSerialization.jsonObject(with: Data(lenient.stdout.utf8)) as? [[String: Any]])
        #expect(warnings.allSatisfy { $0["severity"] as? String == "warning" })
    }
}
