import TaskrunYAML

extension TaskFileParser {
    /// What libyaml was reading when the text ran out, or ran on past its line: a quote, a `[`
    /// or a `{` that is never closed. Such errors are reported where the opening is, since
    /// libyaml only notices where the text ends (often the closing fence of the block).
    static let unclosedOpenings: [(context: String, what: String, hint: String)] = [
        ("while scanning a quoted scalar", "the quoted text", "add the closing quote"),
        ("while parsing a flow sequence", "the '['", "add ']' where the list ends"),
        ("while parsing a flow mapping", "the '{'", "add '}' where the mapping ends"),
    ]

    /// Reports a libyaml error at its position in the file, in the words a task author needs.
    mutating func reportYAMLError(_ problem: YAMLError, in text: String, map: YAMLPositionMap, what: String) {
        let location = map.location(problem.mark)
        if let context = problem.context, let contextMark = problem.contextMark,
            let opening = Self.unclosedOpenings.first(where: { $0.context == context }),
            contextMark.line != problem.mark.line || problem.mark >= Self.endMark(of: text)
        {
            error(
                "yaml-syntax", "malformed YAML in \(what): \(opening.what) is never closed",
                at: map.location(contextMark), notes: ["the YAML parser stopped at \(location): \(problem.problem)"],
                hint: opening.hint)
            return
        }
        var notes: [String] = []
        if let context = problem.context {
            // A context starting where the problem is says nothing the caret does not.
            if let contextMark = problem.contextMark, contextMark != problem.mark {
                notes.append("\(context) that starts at \(map.location(contextMark))")
            } else if problem.contextMark == nil {
                notes.append(context)
            }
        }
        var hint: String?
        if Self.scalar(at: problem.mark, in: text) == "\t" {
            hint = "YAML indents with spaces; replace the tab with spaces"
        } else if problem.problem == "mapping values are not allowed in this context" {
            hint = "check this line's indentation, or quote a value that contains ': '"
        }
        error("yaml-syntax", "malformed YAML in \(what): \(problem.problem)", at: location, notes: notes, hint: hint)
    }

    /// The mark just past the last character of `text`.
    static func endMark(of text: String) -> YAMLMark {
        var mark = YAMLMark(line: 1, column: 1)
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                mark = YAMLMark(line: mark.line + 1, column: 1)
            } else {
                mark.column += 1
            }
        }
        return mark
    }

    /// The character of `text` at `mark`, if there is one.
    static func scalar(at mark: YAMLMark, in text: String) -> Unicode.Scalar? {
        var line = 1
        var column = 1
        for scalar in text.unicodeScalars {
            if line == mark.line, column == mark.column { return scalar }
            if scalar == "\n" {
                if line == mark.line { return nil }
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return nil
    }
}
