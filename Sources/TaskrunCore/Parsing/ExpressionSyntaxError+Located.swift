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

    /// This error placed in `text`, the expression as written in the file (its ``offset`` counts
    /// scalars; the text's offsets are bytes).
    func located(in text: LocatedText) -> Located {
        let offset = text.byteOffset(ofScalar: max(0, self.offset))
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

    /// The length in scalars of the token at byte `offset`: a name (`lenght`), a quoted string up
    /// to its closing quote on the same line, or one character.
    static func tokenLength(at offset: Int, in text: LocatedText) -> Int {
        guard offset < text.count else { return 1 }
        return text.withUTF8 { bytes in
            let first = bytes[offset]
            func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 97 && (byte | 0x20) <= 122 }
            var end = offset + 1
            var scalars = 1
            if isLetter(first) || first == 95 {
                func continues(_ byte: UInt8) -> Bool { isLetter(byte) || (byte >= 48 && byte <= 57) || byte == 95 }
                while end < bytes.count, continues(bytes[end]) {
                    end += 1
                    scalars += 1
                }
            } else if first == 34 || first == 39 {
                while end < bytes.count, bytes[end] != first, bytes[end] != 10 {
                    if bytes[end] & 0xC0 != 0x80 { scalars += 1 }
                    end += 1
                }
                if end < bytes.count, bytes[end] == first { scalars += 1 }
            }
            return scalars
        }
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
            let place = text.location(atScalar: max(0, offset))
            let here = text.location(atScalar: max(0, self.offset))
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
