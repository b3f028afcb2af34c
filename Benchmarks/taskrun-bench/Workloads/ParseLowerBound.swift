import CCmark
import CCmarkArena
import CLibYAML
import Foundation
import TaskrunCore
import TaskrunYAML

/// W5's lower bound (`run W5 --part lower-bound`): the least work a parser must do on top of cmark
/// and libyaml to build taskrun's model of a committee-sized file, measured to tell whether W5's
/// 5,000 files/s can be reached on a host at all.
///
/// It reads cmark's tree where it lies (no copy of it) and the config from libyaml's events (no
/// tree), makes only the model's own strings and arrays, and still does every check a valid file
/// needs: template syntax, validation expressions, durations, and the whole-task validation. It
/// knows nothing else: no positions beyond the model's, no diagnostics, no text but ASCII, no
/// markup in headings or list items, no settings but `dependsOn`, `parallel` and `timeout`. On
/// anything else it answers `nil`. The benchmark checks that its answer equals `TaskParser`'s on every file it times.
enum ParseLowerBound {
    static func parse(_ source: String, path: String) -> TaskDefinition? {
        var source = source
        source.makeContiguousUTF8()
        let text = source
        return source.withUTF8 { bytes in
            var reader = LowerBoundReader(source: text, bytes: bytes, path: path)
            return reader.read()
        }
    }
}

private struct LowerBoundReader {
    /// The source, whose slices are the model's strings (copied, not validated again).
    let source: String
    let bytes: UnsafeBufferPointer<UInt8>
    let path: String
    /// Where each line starts, and one past the last byte (so line `n` is `starts[n-1]..<starts[n]-1`).
    var starts: [Int] = []

    init(source: String, bytes: UnsafeBufferPointer<UInt8>, path: String) {
        self.source = source
        self.bytes = bytes
        self.path = path
    }

    enum Region { case preamble, phase, section }
    enum List { case steps, agents, outputs, none }

    mutating func read() -> TaskDefinition? {
        // Columns are counted in bytes, which are scalars only in ASCII text.
        guard let base = bytes.baseAddress, Self.isASCII(bytes) else { return nil }
        starts.reserveCapacity(bytes.count / 32)
        starts.append(0)
        var offset = 0
        while let found = memchr(base + offset, 10, bytes.count - offset) {
            offset = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
            starts.append(offset)
        }
        if offset < bytes.count { starts.append(bytes.count + 1) }

        let memory = taskrun_cmark_arena_begin().assumingMemoryBound(to: cmark_mem.self)
        defer { taskrun_cmark_arena_end() }
        guard let parser = cmark_parser_new_with_mem(CMARK_OPT_SOURCEPOS, memory) else { return nil }
        base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { cmark_parser_feed(parser, $0, bytes.count) }
        guard let root = cmark_parser_finish(parser) else { return nil }

        var title: String?
        var summary: ClosedRange<Int>?
        var summaryOpen = true
        var config: Config?
        var region = Region.preamble
        var phases: [Phase] = []
        var sections: [DocumentationSection] = []
        var phase: Phase?
        var list = List.none
        var settingsRead = false
        var section: (title: String, location: SourceLocation, firstLine: Int)?

        func close(before line: Int, _ reader: LowerBoundReader) {
            if let finished = phase.take() { phases.append(finished) }
            if let open = section.take() {
                sections.append(
                    DocumentationSection(
                        title: open.title, content: reader.text(lines: open.firstLine..<max(open.firstLine, line)),
                        location: open.location))
            }
        }

        var child = cmark_node_first_child(root)
        while let node = child {
            child = cmark_node_next(node)
            let type = cmark_node_get_type(node)
            let line = Int(cmark_node_get_start_line(node))
            if type == CMARK_NODE_HEADING {
                let level = cmark_node_get_heading_level(node)
                guard let text = onlyText(node) else { return nil }
                if level == 1, title == nil, region == .preamble {
                    title = String(decoding: trimmed(text), as: UTF8.self)
                    summary = nil
                    continue
                }
                if level == 3, region == .phase {
                    list = heading(text)
                    settingsRead = true
                    continue
                }
                guard level == 2 else { return nil }
                close(before: line, self)
                summaryOpen = false
                let location = SourceLocation(line: line, column: Int(cmark_node_get_start_column(node)))
                if let name = phaseName(text) {
                    phase = Phase(name: name, location: location)
                    region = .phase
                    list = .none
                    settingsRead = false
                } else {
                    let end = Int(cmark_node_get_end_line(node))
                    section = (String(decoding: trimmed(text), as: UTF8.self), location, end + 1)
                    region = .section
                }
                continue
            }
            switch region {
            case .preamble:
                if type == CMARK_NODE_CODE_BLOCK, config == nil {
                    guard let read = readConfig(node, line: line) else { return nil }
                    config = read
                    summaryOpen = false
                    continue
                }
                if summaryOpen {
                    let lower = summary?.lowerBound ?? line
                    summary = lower...max(lower, Int(cmark_node_get_end_line(node)))
                }
            case .phase:
                if type == CMARK_NODE_PARAGRAPH, !settingsRead {
                    settingsRead = true
                    guard readSettings(node, into: &phase) else { return nil }
                } else if type == CMARK_NODE_LIST {
                    guard readList(node, list, into: &phase) else { return nil }
                } else {
                    return nil
                }
            case .section:
                break
            }
        }
        close(before: starts.count, self)
        guard let config, !phases.isEmpty else { return nil }
        var id = Substring(path)
        if let slash = id.lastIndex(of: "/") { id = id[id.index(after: slash)...] }
        if id.hasSuffix(".md") { id = id.dropLast(3) }
        let metadata = TaskMetadata(
            name: config.name ?? title ?? String(id), description: config.description, version: config.version,
            maxExecutionTime: config.maxExecutionTime, retry: config.retry, maxConcurrentPhases: nil, reviewer: nil)
        let summaryText = summary.map { text(lines: $0.lowerBound..<($0.upperBound + 1)) }
        let task = TaskDefinition(
            id: String(id), title: title, summary: summaryText.flatMap { $0.isEmpty ? nil : $0 }, metadata: metadata,
            requirements: config.requirements, phases: phases, sections: sections, sourcePath: path)
        guard TaskValidator().validate(task, path: path).isEmpty else { return nil }
        return task
    }

    // MARK: - Text

    /// Whether every byte is ASCII, eight at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= raw.count {
            high |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < raw.count {
            high |= UInt64(raw[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// The bytes of a heading's or paragraph's only child, a text node; `nil` for markup.
    func onlyText(_ node: OpaquePointer) -> UnsafeBufferPointer<UInt8>? {
        guard let text = cmark_node_first_child(node), cmark_node_next(text) == nil,
            cmark_node_get_type(text) == CMARK_NODE_TEXT, let literal = cmark_node_get_literal(text)
        else { return nil }
        return literal.withMemoryRebound(to: UInt8.self, capacity: 1) {
            UnsafeBufferPointer(start: $0, count: strlen(literal))
        }
    }

    func trimmed(_ text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lower = 0
        var upper = text.count
        while lower < upper, text[lower] == 32 || text[lower] == 9 { lower += 1 }
        while upper > lower, text[upper - 1] == 32 || text[upper - 1] == 9 { upper -= 1 }
        return UnsafeBufferPointer(rebasing: text[lower..<upper])
    }

    func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == 32 || bytes[lower] == 9 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 32 || bytes[upper - 1] == 9 { upper -= 1 }
        return lower..<upper
    }

    /// The source's bytes `range`, which start and end at ASCII bytes.
    func string(_ range: Range<Int>) -> String {
        let utf8 = source.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        return String(source[lower..<utf8.index(lower, offsetBy: range.count)])
    }

    /// Line `line` (1-based) without its line break.
    func line(_ line: Int) -> Range<Int> {
        starts[line - 1]..<max(starts[line - 1], starts[line] - 1)
    }

    func isBlank(_ number: Int) -> Bool { trimmed(line(number)).isEmpty }

    /// Lines `lines` joined with `\n`, without blank lines around them.
    func text(lines: Range<Int>) -> String {
        var lower = max(1, lines.lowerBound)
        var upper = min(starts.count, lines.upperBound)
        while lower < upper, isBlank(lower) { lower += 1 }
        while upper > lower, isBlank(upper - 1) { upper -= 1 }
        guard lower < upper else { return "" }
        return string(starts[lower - 1]..<line(upper - 1).upperBound)
    }

    /// `word: value` at the start of `range`: where the key is, and the value, trimmed.
    func keyValue(_ range: Range<Int>) -> (key: Range<Int>, value: Range<Int>)? {
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index] | 0x20
            guard (byte >= 97 && byte <= 122) || (index > range.lowerBound && bytes[index] == 45) else { break }
            index += 1
        }
        guard index > range.lowerBound, index + 1 < range.upperBound, bytes[index] == 58, bytes[index + 1] == 32
        else { return nil }
        return (range.lowerBound..<index, trimmed((index + 1)..<range.upperBound))
    }

    func equal(_ range: Range<Int>, _ word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount, let base = bytes.baseAddress else { return false }
        return memcmp(base + range.lowerBound, word.utf8Start, range.count) == 0
    }

    // MARK: - Phases

    func phaseName(_ text: UnsafeBufferPointer<UInt8>) -> String? {
        guard text.count > 7, text[0] == 80, text[1] == 104, text[2] == 97, text[3] == 115, text[4] == 101,
            text[5] == 58
        else { return nil }
        return String(decoding: trimmed(UnsafeBufferPointer(rebasing: text[6...])), as: UTF8.self)
    }

    func heading(_ text: UnsafeBufferPointer<UInt8>) -> List {
        switch String(decoding: trimmed(text), as: UTF8.self) {
        case "Steps": .steps
        case "Agents": .agents
        case "Outputs": .outputs
        default: .none
        }
    }

    /// The paragraph under a phase heading: settings lines and the description.
    func readSettings(_ paragraph: OpaquePointer, into phase: inout Phase?) -> Bool {
        let first = Int(cmark_node_get_start_line(paragraph))
        let last = Int(cmark_node_get_end_line(paragraph))
        var description: Range<Int>?
        for number in first...last {
            let range = trimmed(line(number))
            guard let (key, value) = keyValue(range) else {
                description = description.map { $0.lowerBound..<range.upperBound } ?? range
                continue
            }
            if equal(key, "dependsOn") {
                var names: [PhaseDependency] = []
                var start = value.lowerBound
                for index in value.lowerBound...value.upperBound
                where index == value.upperBound || bytes[index] == 44 {
                    let name = trimmed(start..<index)
                    guard !name.isEmpty else { return false }
                    let column = name.lowerBound - starts[number - 1] + 1
                    names.append(
                        PhaseDependency(name: string(name), location: SourceLocation(line: number, column: column)))
                    start = index + 1
                }
                phase?.dependencies = names
            } else if equal(key, "parallel") {
                if equal(value, "true") {
                    phase?.parallel = true
                } else if equal(value, "false") {
                    phase?.parallel = false
                } else {
                    return false
                }
            } else if equal(key, "timeout") {
                guard let duration = try? TaskDuration.parse(string(value)) else { return false }
                phase?.timeout = duration
            } else {
                return false
            }
        }
        if let description { phase?.description = string(description) }
        return true
    }

    func readList(_ list: OpaquePointer, _ kind: List, into phase: inout Phase?) -> Bool {
        var item = cmark_node_first_child(list)
        while let current = item {
            item = cmark_node_next(current)
            guard let paragraph = cmark_node_first_child(current),
                cmark_node_get_type(paragraph) == CMARK_NODE_PARAGRAPH
            else { return false }
            switch kind {
            case .steps:
                guard var step = readStep(paragraph) else { return false }
                if let parameters = cmark_node_next(paragraph) {
                    guard cmark_node_next(parameters) == nil, cmark_node_get_type(parameters) == CMARK_NODE_LIST,
                        readParameters(parameters, into: &step)
                    else { return false }
                }
                phase?.steps.append(step)
            case .agents, .outputs:
                guard cmark_node_next(paragraph) == nil, let text = onlyText(paragraph) else { return false }
                let name = String(decoding: trimmed(text), as: UTF8.self)
                if kind == .agents { phase?.agents.append(name) } else { phase?.outputs.append(name) }
            case .none:
                return false
            }
        }
        return true
    }

    func readStep(_ paragraph: OpaquePointer) -> Step? {
        let number = Int(cmark_node_get_start_line(paragraph))
        guard Int(cmark_node_get_end_line(paragraph)) == number else { return nil }
        let column = Int(cmark_node_get_start_column(paragraph))
        let whole = trimmed((starts[number - 1] + column - 1)..<line(number).upperBound)
        var kind = StepKind.description
        var body = whole
        if let (key, value) = keyValue(whole) {
            if equal(key, "agent") || equal(key, "aggregate") {
                guard let dash = dash(in: value) else { return nil }
                let name = trimmed(value.lowerBound..<dash)
                body = trimmed((dash + 3)..<value.upperBound)
                kind = equal(key, "agent") ? .agent(id: string(name)) : .aggregate(kind: string(name))
            } else if equal(key, "validation") {
                let criterion = UnsafeBufferPointer(rebasing: bytes[value])
                if ValidationCriterion.looksLikeExpression(utf8: criterion) {
                    guard case .success = ExpressionParser.checkSyntax(utf8: criterion) else { return nil }
                }
                kind = .validation
                body = value
            } else {
                return nil
            }
        }
        guard TemplateSyntax.check(utf8: UnsafeBufferPointer(rebasing: bytes[body])).isEmpty else { return nil }
        return Step(kind: kind, text: string(body), location: SourceLocation(line: number, column: column))
    }

    func dash(in range: Range<Int>) -> Int? {
        var index = range.lowerBound
        while index + 3 <= range.upperBound {
            if bytes[index] == 32, bytes[index + 1] == 45, bytes[index + 2] == 32 { return index }
            index += 1
        }
        return nil
    }

    /// `- required: true`, `- timeout: 90s`, `- output: name` under a step.
    func readParameters(_ list: OpaquePointer, into step: inout Step) -> Bool {
        var item = cmark_node_first_child(list)
        while let current = item {
            item = cmark_node_next(current)
            guard let paragraph = cmark_node_first_child(current), cmark_node_next(paragraph) == nil,
                onlyText(paragraph) != nil
            else { return false }
            let number = Int(cmark_node_get_start_line(paragraph))
            let column = Int(cmark_node_get_start_column(paragraph))
            guard let (key, value) = keyValue(trimmed((starts[number - 1] + column - 1)..<line(number).upperBound))
            else { return false }
            if equal(key, "required") {
                guard equal(value, "true") || equal(value, "false") else { return false }
                step.parameters["required"] = .bool(equal(value, "true"))
            } else if equal(key, "timeout") {
                guard let duration = try? TaskDuration.parse(string(value)) else { return false }
                step.parameters["timeout"] = .number(Double(duration.milliseconds))
            } else if equal(key, "output") {
                step.parameters["output"] = .string(string(value))
            } else {
                return false
            }
        }
        return true
    }

    // MARK: - Config

    struct Config {
        var name: String?
        var description: String?
        var version: String?
        var maxExecutionTime: TaskDuration?
        var retry: RetryPolicy?
        var requirements: [Requirement] = []
    }

    /// The config block, read from libyaml's events: a mapping of the known keys, `retry` a
    /// mapping of numbers, `requirements` a mapping of mappings.
    func readConfig(_ block: OpaquePointer, line: Int) -> Config? {
        guard let info = cmark_node_get_fence_info(block), strcmp(info, "yaml") == 0,
            let literal = cmark_node_get_literal(block)
        else { return nil }
        let column = Int(cmark_node_get_start_column(block))
        var events = YAMLEvents(literal)
        guard events.started else { return nil }
        var config = Config()
        guard events.next() == .mappingStart else { return nil }
        while events.next() == .scalar {
            if events.scalarIs("name") {
                config.name = events.scalar()
            } else if events.scalarIs("description") {
                config.description = events.scalar()
            } else if events.scalarIs("version") {
                config.version = events.scalar()
            } else if events.scalarIs("maxExecutionTime") {
                guard let text = events.scalar(), let duration = try? TaskDuration.parse(text) else { return nil }
                config.maxExecutionTime = duration
            } else if events.scalarIs("retry") {
                guard events.next() == .mappingStart else { return nil }
                var policy = RetryPolicy()
                while events.next() == .scalar {
                    let setting =
                        events.scalarIs("maxAttempts")
                        ? 0
                        : events.scalarIs("backoffMs")
                            ? 1 : events.scalarIs("maxBackoffMs") ? 2 : events.scalarIs("jitter") ? 3 : -1
                    guard let text = events.scalar() else { return nil }
                    switch (setting, YAMLScalar.resolvePlain(text)) {
                    case (0, .integer(let value)): policy.maxAttempts = Int(value)
                    case (1, .integer(let value)): policy.backoffMs = value
                    case (2, .integer(let value)): policy.maxBackoffMs = value
                    case (3, .float(let value)): policy.jitter = value
                    default: return nil
                    }
                }
                config.retry = policy
            } else if events.scalarIs("requirements") {
                guard events.next() == .mappingStart else { return nil }
                while events.next() == .scalar {
                    let name = events.text()
                    let mark = events.mark
                    guard events.next() == .mappingStart else { return nil }
                    var requirement = Requirement(
                        name: name, type: .any,
                        location: SourceLocation(line: line + 1 + mark.line, column: column + mark.column))
                    while events.next() == .scalar {
                        if events.scalarIs("type") {
                            guard let text = events.scalar(), let type = RequirementType(rawValue: text) else {
                                return nil
                            }
                            requirement.type = type
                        } else if events.scalarIs("default") {
                            guard let text = events.scalar() else { return nil }
                            requirement.defaultValue = JSONValue(scalar: YAMLScalar.resolvePlain(text))
                        } else if events.scalarIs("description") {
                            requirement.description = events.scalar()
                        } else if events.scalarIs("enum") {
                            guard events.next() == .sequenceStart else { return nil }
                            var values: [JSONValue] = []
                            while let text = events.scalar() {
                                values.append(JSONValue(scalar: YAMLScalar.resolvePlain(text)))
                            }
                            requirement.allowedValues = values
                        } else {
                            return nil
                        }
                    }
                    if let value = requirement.defaultValue, !requirement.type.accepts(value) { return nil }
                    if let allowed = requirement.allowedValues, let value = requirement.defaultValue,
                        !allowed.contains(value)
                    {
                        return nil
                    }
                    config.requirements.append(requirement)
                }
            } else {
                return nil
            }
        }
        guard events.next() == .documentEnd, events.next() == .streamEnd else { return nil }
        return config
    }
}

/// libyaml's events of one YAML text, read one at a time.
private struct YAMLEvents: ~Copyable {
    enum Kind { case scalar, mappingStart, mappingEnd, sequenceStart, sequenceEnd, documentEnd, streamEnd, other }

    let parser: UnsafeMutablePointer<yaml_parser_t>
    let event: UnsafeMutablePointer<yaml_event_t>
    var started = false
    /// Whether `event` holds an event to delete.
    var holding = false
    /// The last event's start (0-based line and column).
    var mark = (line: 0, column: 0)

    init(_ literal: UnsafePointer<CChar>) {
        parser = .allocate(capacity: 1)
        event = .allocate(capacity: 1)
        guard yaml_parser_initialize(parser) == 1 else { return }
        literal.withMemoryRebound(to: UInt8.self, capacity: 1) {
            yaml_parser_set_input_string(parser, $0, strlen(literal))
        }
        started = next() == .other && next() == .other  // the stream's and the document's start
    }

    deinit {
        if holding { yaml_event_delete(event) }
        if started { yaml_parser_delete(parser) }
        parser.deallocate()
        event.deallocate()
    }

    mutating func next() -> Kind? {
        if holding { yaml_event_delete(event) }
        holding = false
        guard yaml_parser_parse(parser, event) == 1 else { return nil }
        holding = true
        mark = (Int(event.pointee.start_mark.line), Int(event.pointee.start_mark.column))
        switch event.pointee.type {
        case YAML_SCALAR_EVENT: return .scalar
        case YAML_MAPPING_START_EVENT: return .mappingStart
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        case YAML_SEQUENCE_START_EVENT: return .sequenceStart
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_STREAM_END_EVENT: return .streamEnd
        default: return .other
        }
    }

    /// The current scalar's text.
    func text() -> String {
        let data = event.pointee.data.scalar
        return data.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: data.length), as: UTF8.self) }
            ?? ""
    }

    /// Whether the current scalar is `word`, compared in place.
    func scalarIs(_ word: StaticString) -> Bool {
        let data = event.pointee.data.scalar
        guard data.length == word.utf8CodeUnitCount, let value = data.value else { return false }
        return memcmp(value, word.utf8Start, data.length) == 0
    }

    /// The next event's text when it is a scalar, `nil` at anything else (a collection's end).
    mutating func scalar() -> String? { next() == .scalar ? text() : nil }
}
