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
        // parser itself), so it must live at a fixed address: a temporary allocation (on the
        // stack, where it fits) that outlives every libyaml call below.
        let result = withUnsafeTemporaryAllocation(of: yaml_parser_t.self, capacity: 1) { parsers in
            withUnsafeTemporaryAllocation(of: yaml_event_t.self, capacity: 1) { events in
                Result { () throws(YAMLError) -> YAMLNode? in
                    guard let parser = parsers.baseAddress, let event = events.baseAddress else {
                        throw YAMLError(problem: "out of memory", mark: YAMLMark(line: 1, column: 1))
                    }
                    return try parse(buffer, parser: parser, event: event)
                }
            }
        }
        return try result.get()
    }

    private func parse(
        _ buffer: UnsafeBufferPointer<UInt8>, parser: UnsafeMutablePointer<yaml_parser_t>,
        event: UnsafeMutablePointer<yaml_event_t>
    ) throws(YAMLError) -> YAMLNode? {
        guard yaml_parser_initialize(parser) == 1 else {
            throw YAMLError(problem: "out of memory", mark: YAMLMark(line: 1, column: 1))
        }
        defer { yaml_parser_delete(parser) }
        // An empty buffer may have no base address; libyaml needs a valid pointer either way.
        if let base = buffer.baseAddress, buffer.count > 0 {
            yaml_parser_set_input_string(parser, base, buffer.count)
            return try run(parser, event: event, input: buffer)
        }
        var empty: UInt8 = 0
        return try withUnsafeMutablePointer(to: &empty) { (base) throws(YAMLError) -> YAMLNode? in
            yaml_parser_set_input_string(parser, base, 0)
            return try run(parser, event: event, input: UnsafeBufferPointer(start: base, count: 0))
        }
    }

    /// The collections being built: every finished node not yet in its collection sits on one
    /// stack (`pending`), a mapping's as key, value, key, value; each open collection remembers
    /// where its nodes start. A collection's array is made once, at its end, at its exact size,
    /// instead of growing one array per collection node by node.
    private struct TreeState {
        /// Optional so that a collection takes its nodes out (no copy, no retain and release).
        var pending: [YAMLNode?] = []
        var frames: [Frame] = []
        var root: YAMLNode?

        /// Takes `node` (consumed: moved into place, not copied and then destroyed).
        mutating func attach(_ node: consuming YAMLNode) {
            if frames.isEmpty {
                root = node
            } else {
                pending.append(node)
            }
        }

        /// Ends the innermost collection and attaches it to its parent (or makes it the root).
        mutating func close(end: YAMLMark) -> Bool {
            guard let frame = frames.popLast() else { return false }
            let first = frame.firstPending
            let count = pending.count - first
            let content: YAMLNode.Content
            if frame.isMapping {
                // libyaml always gives a key its value (an empty scalar when none is written).
                var pairs: [YAMLPair] = []
                pairs.reserveCapacity(count / 2)
                var index = first
                while index + 1 < pending.count {
                    if let key = pending[index].take(), let value = pending[index + 1].take() {
                        pairs.append(YAMLPair(key: key, value: value))
                    }
                    index += 2
                }
                content = .mapping(pairs)
            } else {
                var items: [YAMLNode] = []
                items.reserveCapacity(count)
                for index in first..<pending.count {
                    if let item = pending[index].take() { items.append(item) }
                }
                content = .sequence(items)
            }
            pending.removeLast(count)
            attach(YAMLNode(content, tag: frame.tag, start: frame.start, end: end))
            return true
        }
    }

    /// A collection being built: its kind, tag, start, and where its nodes start in `pending`.
    private struct Frame {
        var isMapping: Bool
        var tag: String?
        var start: YAMLMark
        var firstPending: Int
    }

    private func run(
        _ parser: UnsafeMutablePointer<yaml_parser_t>, event: UnsafeMutablePointer<yaml_event_t>,
        input: UnsafeBufferPointer<UInt8>
    ) throws(YAMLError) -> YAMLNode? {
        var tree = TreeState()
        // Room for a config's nodes and nesting: one allocation each instead of growing.
        tree.pending.reserveCapacity(32)
        tree.frames.reserveCapacity(8)
        var documents = 0

        while true {
            guard yaml_parser_parse(parser, event) == 1 else {
                throw Self.error(from: parser.pointee, input: input)
            }
            defer { yaml_event_delete(event) }
            let start = Self.mark(event.pointee.start_mark)
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
                let end = Self.mark(event.pointee.end_mark)
                tree.attach(YAMLNode(.scalar(YAMLScalar(text: text, style: style)), tag: tag, start: start, end: end))
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard tree.frames.count < maxDepth else {
                    throw YAMLError(problem: "nesting is deeper than \(maxDepth) levels", mark: start)
                }
                let isMapping = event.pointee.type == YAML_MAPPING_START_EVENT
                let tagPointer =
                    isMapping ? event.pointee.data.mapping_start.tag : event.pointee.data.sequence_start.tag
                tree.frames.append(
                    Frame(
                        isMapping: isMapping, tag: tagPointer.map { String(cString: $0) }, start: start,
                        firstPending: tree.pending.count))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard tree.close(end: Self.mark(event.pointee.end_mark)) else {
                    throw YAMLError(problem: "unbalanced collection end", mark: start)
                }
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
