extension DiagnosticRenderer {
    /// How many terminal cells `character` takes: 2 for wide characters (CJK ideographs, kana,
    /// hangul, fullwidth forms, emoji), 0 for marks and format characters that combine with the
    /// character before them, 1 otherwise. The caret line pads with this width so that the caret
    /// sits under the right character after `市场` or `📈`, as terminals draw them.
    static func displayWidth(of character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.properties.isEmojiPresentation || isWide(first) || scalars.contains("\u{FE0F}") { return 2 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: return 1
        }
    }

    /// The display width of `scalars` taken as text, character by character.
    static func displayWidth(of scalars: ArraySlice<Unicode.Scalar>) -> Int {
        // ASCII alone is one cell a scalar, as the character-by-character count below finds:
        // no grapheme joins two ASCII scalars once the line has no line break.
        if scalars.allSatisfy(\.isASCII) { return scalars.count }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars)
        return String(text).reduce(0) { $0 + displayWidth(of: $1) }
    }

    /// East Asian Wide and Fullwidth blocks (Unicode's EastAsianWidth W and F), in ranges.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60,
        0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    private static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        guard value >= 0x1100 else { return false }
        return wideRanges.contains { $0.contains(value) }
    }
}
