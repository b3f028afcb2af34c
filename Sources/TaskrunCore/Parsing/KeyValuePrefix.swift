/// A `key:` at the start of a line of text: the shape of settings, step types and parameters.
struct KeyValuePrefix: Sendable, Equatable {
    /// The key, without its colon.
    var key: String
    /// The key's length in scalars (the colon is right after it).
    var keyLength: Int
    /// Where the value starts: after the colon and any spaces.
    var valueOffset: Int

    /// Reads `key:` at the start of `scalars`, where the key is a letter or `_` followed by letters,
    /// digits, `_`, `-` or `.`, and the colon is followed by whitespace or the end of the text.
    /// `firstMustBeLowercase` restricts the first letter (step types are lowercase).
    static func parse(_ scalars: [Unicode.Scalar], firstMustBeLowercase: Bool = false) -> KeyValuePrefix? {
        guard let first = scalars.first else { return nil }
        if firstMustBeLowercase {
            guard first.isASCIILowercase else { return nil }
        } else {
            guard first.isASCIILetter || first == "_" else { return nil }
        }
        var index = 1
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar.isASCIILetter || scalar.isASCIIDigit || scalar == "_" || scalar == "-" || scalar == "." else {
                break
            }
            index += 1
        }
        guard index < scalars.count, scalars[index] == ":" else { return nil }
        let keyLength = index
        index += 1
        guard index == scalars.count || scalars[index].isBlank else { return nil }
        while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
        return KeyValuePrefix(
            key: String(String.UnicodeScalarView(scalars[0..<keyLength])), keyLength: keyLength, valueOffset: index)
    }
}
