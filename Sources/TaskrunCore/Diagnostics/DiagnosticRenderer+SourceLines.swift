extension DiagnosticRenderer {
    /// The lines of a file, by 1-based number, without their line breaks (`\n` or `\r\n`).
    public struct SourceLines: Sendable {
        private let lines: [Substring]

        public init(_ text: String) {
            // Split on scalars: as a `Character`, "\r\n" is one grapheme and never equals "\n".
            lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                Substring(line.last == "\r" ? line.dropLast() : line)
            }
        }

        /// The number of lines; a final line break does not start another line.
        public var count: Int {
            lines.last?.isEmpty == true ? lines.count - 1 : lines.count
        }

        /// Line `number` (1-based), or `nil` when the file has no such line.
        public subscript(number: Int) -> Substring? {
            guard number >= 1, number <= count else { return nil }
            return lines[number - 1]
        }
    }
}
