import CLibYAML

/// Reads YAML text into a ``YAMLNode`` tree with libyaml's event parser.
///
/// This is the only code in taskrun that talks to libyaml. It is hardened for hostile input:
/// nesting deeper than ``maxDepth`` is an error (the tree and everything that walks it stay
/// shallow), aliases are rejected (so no "billion laughs" expansion), and libyaml's state is
/// always freed.
public struct YAMLParser: Sendable {
    /// The deepest nesting of sequences and mappings accepted.
    public var maxDepth: Int

    public init(maxDepth: Int = 256) {
        self.maxDepth = maxDepth
    }

    /// Parses `text`, which must hold at most one YAML document.
    ///
    /// - Returns: the document's root node, or `nil` when the text holds no document
    ///   (it is empty or only comments).
    public func parse(_ text: String) throws(YAMLError) -> YAMLNode? {
        var text = text
        let result: Result<YAMLNode?, YAMLError> = text.withUTF8 { buffer in
            Result { () throws(YAMLError) -> YAMLNode? in try parse(buffer) }
        }
        return try result.get()
    }

    private func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(YAMLError) -> YAMLNode? {
        // libyaml keeps pointers into the parser struct (its read handler data points at the
        // parser itself), so it must live at a fixed address: allocate it rather than use a var.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw YAMLError(problem: "out of memory", mark: YAMLMark(line: 1, column: 1))
        }
        defer { yaml_parser_delete(parser) }
        // An empty buffer may have no base address; libyaml needs a valid pointer either way.
        let empty: [UInt8] = [0]
        if let base = buffer.baseAddress, buffer.count > 0 {
            yaml_parser_set_input_string(parser, base, buffer.count)
            return try run(parser, input: buffer)
        }
        return try empty.withUnsafeBufferPointer { (emptyBuffer) throws(YAMLError) -> YAMLNode? in
            guard let base = emptyBuffer.baseAddress else { return nil }  // safe: a one-element array
            yaml_parser_set_input_string(parser, base, 0)
            return try run(parser, input: UnsafeBufferPointer(start: base, count: 0))
        }
    }

    /// The collections being built, innermost last, and the finished root.
    private struct TreeState {
        var stack: [Frame] = []
        var root: YAMLNode?

        mutating func attach(_ node: YAMLNode) {
            guard !stack.isEmpty else {
                root = node
                return
            }
            let top = stack.count - 1
            if stack[top].isMapping {
                // Taken out rather than copied and then cleared: no retain/release of the key's
                // strings and arrays per pair.
                var key: YAMLNode?
                swap(&key, &stack[top].pendingKey)
                if let key {
                    stack[top].pairs.append(YAMLPair(key: key, value: node))
                } else {
                    stack[top].pendingKey = node
                }
            } else {
                stack[top].items.append(node)
            }
        }
    }

    /// A collection being built: its items (sequence) or pairs (mapping) so far.
    private struct Frame {
        var isMapping: Bool
        var tag: String?
        var start: YAMLMark
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
    }

    private func run(
        _ parser: UnsafeMutablePointer<yaml_parser_t>, input: UnsafeBufferPointer<UInt8>
    ) throws(YAMLError) -> YAMLNode? {
        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer { event.deallocate() }
        var tree = TreeState()
        var documents = 0

        while true {
            guard yaml_parser_parse(parser, event) == 1 else {
                throw Self.error(from: parser.pointee, input: input)
            }
            defer { yaml_event_delete(event) }
            let start = Self.mark(event.pointee.start_mark)
            let end = Self.mark(event.pointee.end_mark)
            switch event.pointee.type {
            case YAML_STREAM_END_EVENT:
                return tree.root
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    throw YAMLError(problem: "expected a single YAML document, found another one", mark: start)
                }
            case YAML_ALIAS_EVENT:
                throw YAMLError(problem: "aliases (*name) are not supported; write the value out", mark: start)
            case YAML_SCALAR_EVENT:
                let data = event.pointee.data.scalar
                let text = Self.string(data.value, length: data.length)
                let style: YAMLScalar.Style =
                    switch data.style {
                    case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
                    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
                    case YAML_LITERAL_SCALAR_STYLE: .literal
                    case YAML_FOLDED_SCALAR_STYLE: .folded
                    default: .plain
                    }
                let tag = data.tag.map { String(cString: $0) }
                tree.attach(YAMLNode(.scalar(YAMLScalar(text: text, style: style)), tag: tag, start: start, end: end))
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard tree.stack.count < maxDepth else {
                    throw YAMLError(problem: "nesting is deeper than \(maxDepth) levels", mark: start)
                }
                let isMapping = event.pointee.type == YAML_MAPPING_START_EVENT
                let tagPointer =
                    isMapping ? event.pointee.data.mapping_start.tag : event.pointee.data.sequence_start.tag
                tree.stack.append(
                    Frame(isMapping: isMapping, tag: tagPointer.map { String(cString: $0) }, start: start))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = tree.stack.popLast() else {
                    throw YAMLError(problem: "unbalanced collection end", mark: start)
                }
                let content: YAMLNode.Content = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
                tree.attach(YAMLNode(content, tag: frame.tag, start: frame.start, end: end))
            default:
                break
            }
        }
    }

    private static func mark(_ mark: yaml_mark_t) -> YAMLMark {
        YAMLMark(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private static func error(from parser: yaml_parser_t, input: UnsafeBufferPointer<UInt8>) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        switch parser.error {
        case YAML_READER_ERROR:
            // Reader errors (bad encoding, control characters) carry a byte offset, not a mark.
            var detail = problem
            if parser.problem_value >= 0 {
                let hex = String(parser.problem_value, radix: 16, uppercase: true)
                detail += " (#x\(hex))"
            }
            return YAMLError(problem: detail, mark: mark(ofByte: parser.problem_offset, in: input))
        case YAML_MEMORY_ERROR:
            return YAMLError(problem: "out of memory", mark: YAMLMark(line: 1, column: 1))
        default:
            let context = parser.context.map { String(cString: $0) }
            return YAMLError(
                problem: problem, mark: mark(parser.problem_mark), context: context,
                contextMark: context == nil ? nil : mark(parser.context_mark))
        }
    }

    /// The line and column (in Unicode scalars) of byte `offset` in `input`.
    private static func mark(ofByte offset: Int, in input: UnsafeBufferPointer<UInt8>) -> YAMLMark {
        var line = 1
        var column = 1
        var index = 0
        let limit = min(offset, input.count)
        while index < limit {
            let byte = input[index]
            if byte == 10 {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return YAMLMark(line: line, column: column)
    }
}
