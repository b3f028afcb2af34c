import Foundation
import Testing

@testable import TaskrunCore

/// The golden diagnostics corpus: broken task files under `Fixtures/Diagnostics`, each with the
/// exact text `taskrun validate NAME.md` prints for it (run in that folder) in `NAME.expected`,
/// and for some the JSON form in `NAME.expected.json`.
///
/// To regenerate the goldens after a deliberate change, run
/// `TASKRUN_UPDATE_GOLDENS=1 swift test --filter DiagnosticsCorpusTests`, then read every
/// changed golden: a wrong position or a misleading message is a bug to fix, not a truth to freeze.
@Suite struct DiagnosticsCorpusTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Diagnostics")

    /// Every fixture's name (its file name without `.md`), sorted.
    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".md") }.map { String($0.dropLast(3)) }.sorted()
    }()

    /// Fixtures that also pin the JSON form.
    static let jsonFixtures = [
        "crlf-line-endings", "cycle-three", "multibyte-before-error", "unknown-dependency", "yaml-front-matter",
    ]

    /// Every diagnostic code the parser and validator produce; each must appear in some fixture.
    static let codes: Set<String> = [
        "agent-not-listed", "agent-without-step", "criterion-not-expression", "dependency-cycle", "duplicate-config",
        "duplicate-dependency", "duplicate-key", "duplicate-parameter", "duplicate-phase", "duplicate-setting",
        "empty-list-item", "empty-phase-name", "empty-step", "expression-syntax", "heading-level", "invalid-config",
        "invalid-config-value", "invalid-duration", "invalid-parameter", "invalid-requirement",
        "invalid-requirement-default", "invalid-requirement-type", "invalid-setting", "invalid-step", "invalid-value",
        "misplaced-setting", "no-phases", "section-outside-phase", "self-dependency", "template-syntax",
        "unclosed-front-matter", "unknown-config-key", "unknown-dependency", "unknown-requirement-key",
        "unknown-section", "unknown-setting", "yaml-syntax",
    ]

    static var updating: Bool { ProcessInfo.processInfo.environment["TASKRUN_UPDATE_GOLDENS"] == "1" }

    struct Fixture {
        var name: String
        var path: String { "\(name).md" }
        var source: String
        var result: ParseResult

        init(_ name: String) throws {
            self.name = name
            let data = try Data(contentsOf: DiagnosticsCorpusTests.folder.appendingPathComponent("\(name).md"))
            source = String(decoding: data, as: UTF8.self)
            result = TaskParser().parse(source: source, path: "\(name).md")
        }

        /// What `taskrun validate NAME.md` prints: the rendered diagnostics, then the summary.
        var text: String {
            let rendered = DiagnosticRenderer().render(result.diagnostics, sources: [path: source])
            let summary = "1 task checked: \(DiagnosticRenderer.summary(of: result.diagnostics))\n"
            return rendered + (rendered.isEmpty ? "" : "\n") + summary
        }

        var json: String { DiagnosticRenderer.json(result.diagnostics, sources: [path: source]) }
    }

    /// Compares `actual` with the golden file `file`, or writes it when updating.
    static func check(_ actual: String, golden file: String, sourceLocation: Testing.SourceLocation = #_sourceLocation)
        throws
    {
        let url = folder.appendingPathComponent(file)
        if updating {
            try Data(actual.utf8).write(to: url)
            return
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record("missing golden \(file); run with TASKRUN_UPDATE_GOLDENS=1", sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        if expected != actual {
            Issue.record(
                "\(file) differs:\n\(LineDiff.unified(expected: expected, actual: actual))",
                sourceLocation: sourceLocation)
        }
    }

    @Test func theCorpusIsLargeEnough() {
        #expect(Self.names.count >= 30, "found \(Self.names.count) fixtures in \(Self.folder.path)")
    }

    @Test(arguments: names) func textMatchesTheGolden(_ name: String) throws {
        try Self.check(Fixture(name).text, golden: "\(name).expected")
    }

    @Test(arguments: jsonFixtures) func jsonMatchesTheGolden(_ name: String) throws {
        try Self.check(Fixture(name).json, golden: "\(name).expected.json")
    }

    @Test(arguments: names) func everyFixtureIsBroken(_ name: String) throws {
        let fixture = try Fixture(name)
        #expect(!fixture.result.diagnostics.isEmpty, "\(name).md produces no diagnostics")
    }

    @Test func everyCodeHasAFixture() throws {
        var covered: Set<String> = []
        for name in Self.names { covered.formUnion(try Fixture(name).result.diagnostics.map(\.code)) }
        #expect(Self.codes.subtracting(covered).sorted() == [], "codes without a fixture")
        #expect(covered.subtracting(Self.codes).sorted() == [], "codes missing from DiagnosticsCorpusTests.codes")
    }

    /// A code added to the parser or validator must be added to ``codes`` (and so get a fixture):
    /// every kebab-case string literal in their sources (and the model's YAML conversion, which
    /// reports for the parser) is a diagnostic code.
    @Test func theCodeListMatchesTheSources() throws {
        let sources = Self.folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/TaskrunCore")
        var found: Set<String> = []
        for folder in ["Parsing", "Graph", "Model"] {
            let directory = sources.appendingPathComponent(folder)
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path)
            where file.hasSuffix(".swift") {
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                found.formUnion(Self.kebabLiterals(in: text))
            }
        }
        #expect(found.subtracting(Self.codes).sorted() == [], "codes in the sources missing from the list")
        #expect(Self.codes.subtracting(found).sorted() == [], "codes in the list no source produces")
    }

    /// String literals of the form `"word-word..."` (lowercase letters and dashes).
    static func kebabLiterals(in text: String) -> Set<String> {
        var literals: Set<String> = []
        for piece in text.split(separator: "\"", omittingEmptySubsequences: false).dropFirst() {
            let scalars = piece.unicodeScalars
            guard scalars.contains("-"), scalars.first != "-", scalars.last != "-",
                scalars.allSatisfy({ ("a"..."z").contains($0) || $0 == "-" }), !piece.contains("--")
            else { continue }
            literals.insert(String(piece))
        }
        return literals
    }
}
