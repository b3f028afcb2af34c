/// A `key:` at the start of a line of text: the shape of settings, step types and parameters.
struct KeyValuePrefix: Sendable, Equatable {
    /// The key, without its colon.
    var key: String
    /// The key's length in scalars, and in bytes: keys are ASCII (the colon is right after it).
    var keyLength: Int
    /// Where the value starts, in bytes of the text: after the colon and any spaces.
    var valueOffset: Int

    /// Reads `key:` at the start of `text`, where the key is a letter or `_` followed by letters,
    /// digits, `_`, `-` or `.`, and the colon is followed by whitespace or the end of the text.
    /// `isStepType` restricts the key to what a step type looks like: a lowercase first letter,
    /// no dots (so `e.g.: ...` stays prose).
    static func parse(_ text: LocatedText, isStepType: Bool = false) -> KeyValuePrefix? {
        text.withUTF8 { bytes in
            guard let (keyLength, valueOffset) = scan(bytes, isStepType: isStepType) else { return nil }
            let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<keyLength]), as: UTF8.self)
            return KeyValuePrefix(key: key, keyLength: keyLength, valueOffset: valueOffset)
        }
    }

    /// ``parse(_:isStepType:)`` of UTF-8 bytes, without making the key a string: the key's length
    /// and where the value starts. A key is ASCII, so its length in bytes is its length in
    /// scalars, and a non-ASCII byte ends it as a non-ASCII scalar did.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, isStepType: Bool) -> (keyLength: Int, valueOffset: Int)? {
        guard let first = bytes.first else { return nil }
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 97 && (byte | 0x20) <= 122 }
        if isStepType {
            guard first >= 97, first <= 122 else { return nil }
        } else {
            guard isLetter(first) || first == 95 else { return nil }
        }
        var index = 1
        while index < bytes.count {
            let byte = bytes[index]
            guard
                isLetter(byte) || (byte >= 48 && byte <= 57) || byte == 95 || byte == 45 || (byte == 46 && !isStepType)
            else {
                break
            }
            index += 1
        }
        guard index < bytes.count, bytes[index] == 58 else { return nil }
        let keyLength = index
        index += 1
        guard index == bytes.count || bytes[index].isBlankByte else { return nil }
        while index < bytes.count, bytes[index] == 32 || bytes[index] == 9 { index += 1 }
        return (keyLength, index)
    }
}
