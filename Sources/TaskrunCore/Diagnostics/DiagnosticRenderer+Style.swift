extension DiagnosticRenderer {
    /// The ANSI styles the renderer uses, close to the ones clang and swiftc use.
    enum Style: String {
        case bold = "1"
        case boldRed = "1;31"
        case boldGreen = "1;32"
        case boldMagenta = "1;35"
        case boldCyan = "1;36"
    }

    /// `text` wrapped in the escapes for `style` when colours are on; `text` unchanged otherwise.
    func paint(_ text: String, _ style: Style) -> String {
        guard usesColor, !text.isEmpty else { return text }
        return "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m"
    }
}
