/// A `key:` at the start of a line of text: the shape of settings, step types and parameters.
struct KeyValuePrefix: Sendable, Equatable {
    /// The key, without its colon.
    var key: String
    /// The key's length in scalars (the colon is right after it).
    var keyLength: Int
    /// Where the value starts: after the colon and any spaces.
    var valueOffset: Int

    /// Reads `key:` at the start of `text`, where the key is a letter or `_` followed by letters,
    /// digits, `_`, `-` or `.`, and the colon is followed by whitespace or the end of the text.
    /// `isStepType` restricts the key to what a step type looks like: a lowercase first letter,
    /// no dots (so `e.g.: ...` stays prose).
    static func parse(_ text: LocatedText, isStepType: Bool = false) -> KeyValuePrefix? {
        guard let first = text.first else { return nil }
        if isStepType {
            guard first.isASCIILowercase else { return nil }
        } else {
            guard first.isASCIILetter || first == "_" else { return nil }
        }
        var index = 1
        while index < text.count {
            let scalar = text[index]
            guard
                scalar.isASCIILetter || scalar.isASCIIDigit || scalar == "_" || scalar == "-"
                    || (scalar == "." && !isStepType)
            else {
                break
            }
            index += 1
        }
        guard index < text.count, text[index] == ":" else { return nil }
        let keyLength = index
        index += 1
        guard index == text.count || text[index].isBlank else { return nil }
        while index < text.count, text[index] == " " || text[index] == "\t" { index += 1 }
        return KeyValuePrefix(
            key: String(scalars: text.scalars.prefix(keyLength)), keyLength: keyLength, valueOffset: index)
    }
}
