extension ExpressionSyntaxError {
    /// An expression error as a diagnostic in a task file shows it.
    struct Located {
        var message: String
        /// The advice the expression parser appends to some messages (`; did you mean 'len'?`).
        var hint: String?
        var location: SourceLocation
        /// The offending token's length: a name, a quoted string, or one character.
        var length: Int
    }

    /// Advice the expression parser appends to a message after `; `, which reads better as a hint.
    static let adviceOpenings = ["did you mean ", "use ", "write ", "combine ", "the functions are "]

    /// This error placed in `text`, the expression as written in the file.
    func located(in text: LocatedText) -> Located {
        let offset = max(0, min(self.offset, text.count))
        var message = message(in: text)
        var hint: String?
        if let separator = message.firstRange(of: "; "),
            Self.adviceOpenings.contains(where: { message[separator.upperBound...].hasPrefix($0) })
        {
            hint = String(message[separator.upperBound...])
            message = String(message[..<separator.lowerBound])
        }
        return Located(
            message: message, hint: hint, location: text.location(at: offset),
            length: Self.tokenLength(at: offset, in: text))
    }

    /// The length of the token at `offset`: a name (`lenght`), a quoted string up to its closing
    /// quote on the same line, or one character.
    static func tokenLength(at offset: Int, in text: LocatedText) -> Int {
        guard offset < text.count else { return 1 }
        let first = text[offset]
        var end = offset + 1
        if first.isASCIILetter || first == "_" {
            while end < text.count, text[end].isASCIILetter || text[end].isASCIIDigit || text[end] == "_" { end += 1 }
        } else if first == "\"" || first == "'" {
            while end < text.count, text[end] != first, text[end] != "\n" { end += 1 }
            if end < text.count, text[end] == first { end += 1 }
        }
        return end - offset
    }

    /// The message with places named by column. The expression parser names other places by
    /// their offset in the expression (`expected ')' to close '(' at offset 26`), which means
    /// nothing to someone reading a file: such a place becomes a column (`at column 33`, or
    /// `at 16:33` on another line), and disappears when it is where the caret already points.
    func message(in text: LocatedText) -> String {
        let marker = " at offset "
        var message = self.message
        while let range = message.firstRange(of: marker) {
            let digits = message[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
            guard let offset = Int(digits) else { break }
            let place = text.location(at: max(0, min(offset, text.count)))
            let here = text.location(at: max(0, min(self.offset, text.count)))
            var lower = range.lowerBound
            let replacement: String
            if place == here {
                // "unterminated string starting at offset 4" at offset 4: the caret says it.
                if message[..<lower].hasSuffix(" starting") {
                    lower = message.index(lower, offsetBy: -" starting".count)
                }
                replacement = ""
            } else if place.line == here.line {
                replacement = " at column \(place.column)"
            } else {
                replacement = " at \(place)"
            }
            message.replaceSubrange(lower..<digits.endIndex, with: replacement)
        }
        return message
    }
}
