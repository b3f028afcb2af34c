extension DiagnosticRenderer {
    /// The diagnostics as a JSON array for editors and CI, one object per diagnostic, with a
    /// stable shape and key order:
    ///
    /// ```json
    /// [
    ///   {
    ///     "severity": "error",
    ///     "code": "unknown-dependency",
    ///     "message": "phase 'Debate' depends on unknown phase 'Analyis'",
    ///     "path": "tasks/committee.md",
    ///     "line": 14,
    ///     "column": 12,
    ///     "length": 7,
    ///     "sourceLine": "dependsOn: Analyis",
    ///     "notes": [],
    ///     "hint": "did you mean 'Analysis'?"
    ///   }
    /// ]
    /// ```
    ///
    /// Every key is always present: `sourceLine` and `hint` are `null` when unknown or absent.
    /// `line` and `column` are 1-based; `column` and `length` count Unicode scalars.
    /// The document ends with a line break.
    public static func json(_ diagnostics: [Diagnostic], sources: [String: String]) -> String {
        var files: [String: SourceLines] = [:]
        // The line last escaped: diagnostics come sorted, and several on one long line escaped it
        // again for each.
        var last: (path: String, line: Int, json: String)?
        let objects = diagnostics.map { diagnostic in
            let json: String
            if let last, last.path == diagnostic.path, last.line == diagnostic.location.line {
                json = last.json
            } else {
                json = line(of: diagnostic, sources: sources, cache: &files).map(jsonString) ?? "null"
                last = (diagnostic.path, diagnostic.location.line, json)
            }
            return jsonObject(diagnostic, sourceLineJSON: json, indent: "  ")
        }
        return objects.isEmpty ? "[]\n" : "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    /// One diagnostic as a JSON object whose lines are indented by `indent`.
    public static func jsonObject(_ diagnostic: Diagnostic, sourceLine: String?, indent: String = "") -> String {
        jsonObject(diagnostic, sourceLineJSON: sourceLine.map(jsonString) ?? "null", indent: indent)
    }

    /// ``jsonObject(_:sourceLine:indent:)`` with the source line already a JSON value.
    private static func jsonObject(_ diagnostic: Diagnostic, sourceLineJSON: String, indent: String) -> String {
        let notes =
            diagnostic.notes.isEmpty
            ? "[]"
            : "[\n" + diagnostic.notes.map { "\(indent)    \(jsonString($0))" }.joined(separator: ",\n")
                + "\n\(indent)  ]"
        let fields: [(String, String)] = [
            ("severity", jsonString(diagnostic.severity.rawValue)),
            ("code", jsonString(diagnostic.code)),
            ("message", jsonString(diagnostic.message)),
            ("path", jsonString(diagnostic.path)),
            ("line", String(diagnostic.location.line)),
            ("column", String(diagnostic.location.column)),
            ("length", String(diagnostic.length)),
            ("sourceLine", sourceLineJSON),
            ("notes", notes),
            ("hint", diagnostic.hint.map(jsonString) ?? "null"),
        ]
        let body = fields.map { "\(indent)  \(jsonString($0.0)): \($0.1)" }.joined(separator: ",\n")
        return "\(indent){\n\(body)\n\(indent)}"
    }

    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped,
    /// everything else as UTF-8.
    public static func jsonString(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }
}
