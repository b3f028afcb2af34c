extension ExpressionSyntaxError {
    /// The message as a diagnostic in a task file shows it. The expression parser names other
    /// places by their offset in the expression (`expected ')' to close '(' at offset 26`), which
    /// means nothing to someone reading a file: such a place becomes a column (`at column 33`, or
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
