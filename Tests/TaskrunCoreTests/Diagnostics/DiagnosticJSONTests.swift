import Foundation
import Testing

@testable import TaskrunCore

@Suite struct DiagnosticJSONTests {
    @Test func goldenDocument() {
        let diagnostics: [Diagnostic] = [
            .error(
                "unknown-dependency", "phase 'Debate' depends on unknown phase 'Analyis'", path: "tasks/c.md",
                at: SourceLocation(line: 2, column: 12), length: 7, notes: ["a \"quoted\" note"],
                hint: "did you mean 'Analysis'?"),
            .warning("agent-not-listed", "tab\there", path: "other.md", at: .start),
        ]
        let json = DiagnosticRenderer.json(diagnostics, sources: ["tasks/c.md": "# T\ndependsOn: Analyis\n"])
        #expect(
            json == """
                [
                  {
                    "severity": "error",
                    "code": "unknown-dependency",
                    "message": "phase 'Debate' depends on unknown phase 'Analyis'",
                    "path": "tasks/c.md",
                    "line": 2,
                    "column": 12,
                    "length": 7,
                    "sourceLine": "dependsOn: Analyis",
                    "notes": [
                      "a \\"quoted\\" note"
                    ],
                    "hint": "did you mean 'Analysis'?"
                  },
                  {
                    "severity": "warning",
                    "code": "agent-not-listed",
                    "message": "tab\\there",
                    "path": "other.md",
                    "line": 1,
                    "column": 1,
                    "length": 1,
                    "sourceLine": null,
                    "notes": [],
                    "hint": null
                  }
                ]

                """)
    }

    @Test func emptyDocumentAndValidJSON() throws {
        #expect(DiagnosticRenderer.json([], sources: [:]) == "[]\n")
        let tricky = Diagnostic.error(
            "c", "control \u{01} \u{7F} back\\slash é 👍", path: "p\"q.md", at: .start, notes: ["x"])
        let json = DiagnosticRenderer.json([tricky], sources: ["p\"q.md": "line\u{0}one"])
        let array = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        let first = array?.first
        #expect(first?["message"] as? String == "control \u{01} \u{7F} back\\slash é 👍")
        #expect(first?["path"] as? String == "p\"q.md")
        #expect(first?["sourceLine"] as? String == "line\u{0}one")
    }
}
