import TaskrunMarkdown
import TaskrunYAML

extension TaskFileParser {
    /// The settings a phase accepts, in the paragraph under its heading or in its yaml block.
    static let phaseSettingNames = [
        "dependsOn", "parallel", "timeout", "retry", "checkpoint", "when", "continueOnFailure", "reviewer",
    ]

    /// Which settings a phase has set so far, and where, to report one set twice.
    struct SettingsState {
        /// Where each of ``phaseSettingNames`` was first set, by its index there.
        private var locations = FirstSeenLocations()
        /// Keys outside ``phaseSettingNames`` (none today; kept so that any key is recorded).
        private var others: [(key: String, location: SourceLocation)] = []

        init() {}

        func firstLocation(of key: String) -> SourceLocation? {
            guard let index = TaskFileParser.phaseSettingNames.firstIndex(of: key),
                index < FirstSeenLocations.capacity
            else {
                return others.first { $0.key == key }?.location
            }
            return locations.location(at: index)
        }

        /// Records where `key` was first set.
        mutating func note(_ key: String, at location: SourceLocation) {
            guard let index = TaskFileParser.phaseSettingNames.firstIndex(of: key),
                index < FirstSeenLocations.capacity
            else {
                others.append((key, location))
                return
            }
            locations.record(location, at: index)
        }
    }

    /// Reads `key: value` setting lines from the paragraph under a phase heading; the other lines
    /// are the phase's description.
    mutating func readSettingsParagraph(_ paragraph: Int, into phase: inout Phase, settings: inout SettingsState) {
        if readPlainSettingsParagraph(paragraph, into: &phase, settings: &settings) { return }
        readSettingsParagraphInFull(paragraph, into: &phase, settings: &settings)
    }

    /// ``readSettingsParagraph(_:into:settings:)`` for any paragraph: through its located text,
    /// reporting every problem.
    mutating func readSettingsParagraphInFull(
        _ paragraph: Int, into phase: inout Phase, settings: inout SettingsState
    ) {
        let source = paragraphSource(paragraph)
        // The description's lines: usually one, or several in a row, so a single run of the text.
        var description: (first: Range<Int>, joined: [UInt8]?)?
        for (index, lineInfo) in source.lines.enumerated() {
            let line = source.text(ofLine: index)
            if let prefix = keyPrefix(line, firstInline: lineInfo.firstInline) {
                let keyLocation = line.location
                if Self.phaseSettingNames.contains(prefix.key) {
                    let value = line.slice(prefix.valueOffset..<line.count).trimmed()
                    applyParagraphSetting(
                        prefix.key, keyLocation: keyLocation, keyLength: prefix.keyLength, value: value, to: &phase,
                        settings: &settings)
                    continue
                }
                if let suggestion = nearMissSetting(prefix.key) {
                    warning(
                        "unknown-setting", "unknown phase setting '\(prefix.key)'", at: keyLocation,
                        length: prefix.keyLength, notes: ["the line is read as part of the phase description"],
                        hint: "did you mean '\(suggestion)'?")
                }
            }
            let range = source.lines[index].range
            guard var found = description else {
                description = (range, nil)
                continue
            }
            if found.joined == nil, found.first.upperBound + 1 == range.lowerBound {
                // The next line in the text: the run grows over its `\n`.
                found.first = found.first.lowerBound..<range.upperBound
            } else {
                var joined = found.joined ?? source.text.slice(found.first).withUTF8 { Array($0) }
                joined.append(10)
                source.text.slice(range).withUTF8 { joined.append(contentsOf: $0) }
                found.joined = joined
            }
            description = found
        }
        let text: String
        if let joined = description?.joined {
            text = String(decoding: joined, as: UTF8.self).trimmingBlanks()
        } else if let run = description?.first {
            text = source.text.slice(run).trimmed().text
        } else {
            text = ""
        }
        if phase.description.isEmpty {
            phase.description = text
        } else if !text.isEmpty {
            phase.description += "\n" + text
        }
    }

    /// The usual settings paragraph, read in one pass over its bytes in the source: lines ending
    /// in a plain `\n` (each later line at its first column, no trailing blank or backslash
    /// before a break), settings that are plain `true`/`false`, durations or phase names, given
    /// once, and description lines. Anything else, or anything to report, leaves `phase` and
    /// `settings` as they were and returns `false`: the general path then reads the paragraph
    /// (tests compare the two).
    func readPlainSettingsParagraph(_ paragraph: Int, into phase: inout Phase, settings: inout SettingsState) -> Bool {
        let node = document.compact[paragraph]
        let firstLine = max(1, node.start.line)
        let lastLine = max(firstLine, node.end.line)
        let firstColumn = max(1, node.start.column)
        let lines = document.lines
        var updated = phase
        var seen = settings
        let read = withSourceBytes { utf8 -> Bool in
            // The description: one run of lines, or several runs joined by `\n`.
            var description: (run: Range<Int>, joined: [UInt8]?)?
            var inline = node.firstChild
            for line in firstLine...lastLine {
                let bytes = lines.byteRange(ofLine: line)
                var end = bytes.upperBound
                let start =
                    line == firstLine ? byteOffset(ofColumn: firstColumn, line: line, in: utf8) : bytes.lowerBound
                if line < lastLine {
                    guard lines.byteRange(ofLine: line + 1).lowerBound == end + 1, end > start, utf8[end] == 10,
                        utf8[end - 1] != 32, utf8[end - 1] != 9, utf8[end - 1] != 92
                    else { return false }
                } else {
                    while end > start, utf8[end - 1] == 32 || utf8[end - 1] == 9 { end -= 1 }
                }
                if line > firstLine {
                    guard lines.contentStartColumn(line: line) == 1 else { return false }
                }
                // The first inline node starting on this line.
                while let index = inline, document.compact[index].start.line < line {
                    inline = document.compact[index].nextSibling
                }
                let firstInline = inline.flatMap { document.compact[$0].start.line == line ? $0 : nil }
                let column = line == firstLine ? firstColumn : 1
                let text = UnsafeBufferPointer(rebasing: utf8[start..<end])
                if let (keyLength, valueOffset) = KeyValuePrefix.scan(text, isStepType: false),
                    textNodesStart(at: firstInline, withKeyBytes: UnsafeBufferPointer(rebasing: text[0..<keyLength]))
                {
                    let key = String(decoding: UnsafeBufferPointer(rebasing: text[0..<keyLength]), as: UTF8.self)
                    if Self.phaseSettingNames.contains(key) {
                        var value = (start + valueOffset)..<end
                        while value.upperBound > value.lowerBound, utf8[value.upperBound - 1].isBlankByte {
                            value = value.lowerBound..<(value.upperBound - 1)
                        }
                        guard
                            applyPlainLine(
                                key, value: value, line: line, column: column, lineStart: start, in: utf8, to: &updated,
                                seen: &seen)
                        else { return false }
                        continue
                    }
                    if nearMissSetting(key) != nil { return false }
                }
                let range = start..<end
                guard var found = description else {
                    description = (range, nil)
                    continue
                }
                if found.joined == nil, found.run.upperBound + 1 == range.lowerBound {
                    found.run = found.run.lowerBound..<range.upperBound
                } else {
                    var joined = found.joined ?? Array(utf8[found.run])
                    joined.append(10)
                    joined.append(contentsOf: utf8[range])
                    found.joined = joined
                }
                description = found
            }
            var text = ""
            if let joined = description?.joined {
                text = String(decoding: joined, as: UTF8.self).trimmingBlanks()
            } else if var run = description?.run {
                while !run.isEmpty, utf8[run.lowerBound].isBlankByte { run = (run.lowerBound + 1)..<run.upperBound }
                while !run.isEmpty, utf8[run.upperBound - 1].isBlankByte { run = run.lowerBound..<(run.upperBound - 1) }
                text = String(decoding: UnsafeBufferPointer(rebasing: utf8[run]), as: UTF8.self)
            }
            if updated.description.isEmpty {
                updated.description = text
            } else if !text.isEmpty {
                updated.description += "\n" + text
            }
            return true
        }
        guard read else { return false }
        phase = updated
        settings = seen
        return true
    }

    /// One plain setting line of ``readPlainSettingsParagraph(_:into:settings:)``: `false` when
    /// its value is not a plain one, or the setting was given before (both reported by the
    /// general path).
    private func applyPlainLine(
        _ key: String, value: Range<Int>, line: Int, column: Int, lineStart: Int, in utf8: UnsafeBufferPointer<UInt8>,
        to phase: inout Phase, seen: inout SettingsState
    ) -> Bool {
        guard !value.isEmpty else { return false }
        let location = SourceLocation(line: line, column: column)
        if key != "dependsOn" {
            guard seen.firstLocation(of: key) == nil else { return false }
        }
        // The names' columns, each counted on from the one before: counted from the line's start
        // for every name, a line of many names took time quadratic in its length.
        var countedTo = lineStart
        var countedColumn = column
        func columnOf(_ offset: Int) -> Int {
            if offset < countedTo {
                countedTo = lineStart
                countedColumn = column
            }
            for index in countedTo..<offset where utf8[index] & 0xC0 != 0x80 { countedColumn += 1 }
            countedTo = offset
            return countedColumn
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: utf8[value]), as: UTF8.self)
        switch key {
        case "dependsOn":
            let first = utf8[value.lowerBound]
            guard first != UInt8(ascii: "["), first != UInt8(ascii: "{"), first != UInt8(ascii: "\""),
                first != UInt8(ascii: "'")
            else { return false }
            var names: [PhaseDependency] = []
            var partStart = value.lowerBound
            for index in value.lowerBound...value.upperBound
            where index == value.upperBound || utf8[index] == UInt8(ascii: ",") {
                var part = partStart..<index
                while !part.isEmpty, utf8[part.lowerBound].isBlankByte {
                    part = (part.lowerBound + 1)..<part.upperBound
                }
                while !part.isEmpty, utf8[part.upperBound - 1].isBlankByte {
                    part = part.lowerBound..<(part.upperBound - 1)
                }
                guard !part.isEmpty else { return false }
                let name = String(decoding: UnsafeBufferPointer(rebasing: utf8[part]), as: UTF8.self)
                names.append(
                    PhaseDependency(name: name, location: SourceLocation(line: line, column: columnOf(part.lowerBound)))
                )
                partStart = index + 1
            }
            if phase.dependencies.isEmpty { phase.dependencies = names } else { phase.dependencies += names }
        default:
            guard Self.applyPlainValue(of: key, text, to: &phase) == true else { return false }
        }
        if seen.firstLocation(of: key) == nil { seen.note(key, at: location) }
        return true
    }

    /// A known setting a mistyped key most likely meant. Short keys need a case-only difference,
    /// so that prose like `Then: ...` is not taken for a misspelled `when:`.
    func nearMissSetting(_ key: String) -> String? {
        guard key.count <= 64, let suggestion = Self.suggestion(for: key, in: Self.phaseSettingNames) else {
            return nil
        }
        guard key.count >= 5 || key.lowercased() == suggestion.lowercased() else { return nil }
        return suggestion
    }

    /// Setting lines in a later paragraph are prose; warn, since the author surely meant a setting.
    mutating func checkMisplacedSettings(_ paragraph: Int, phase: String) {
        let source = paragraphSource(paragraph)
        for (index, lineInfo) in source.lines.enumerated() {
            let line = source.text(ofLine: index)
            guard let prefix = keyPrefix(line, firstInline: lineInfo.firstInline),
                Self.phaseSettingNames.contains(prefix.key)
            else { continue }
            warning(
                "misplaced-setting",
                "'\(prefix.key):' is not in the paragraph right under the heading of phase '\(phase)', so it is read as prose",
                at: line.location, length: prefix.keyLength,
                hint: "move it to the first paragraph under the phase heading, or into the phase's yaml block")
        }
    }

    /// Applies one `key: value` line of the settings paragraph.
    mutating func applyParagraphSetting(
        _ key: String, keyLocation: SourceLocation, keyLength: Int, value: LocatedText, to phase: inout Phase,
        settings: inout SettingsState
    ) {
        if key == "when" {
            // An expression, read as written: its quotes are string literals, not YAML quoting.
            noteSetting(key, at: keyLocation, length: keyLength, settings: &settings)
            guard !value.isEmpty else {
                error(
                    "invalid-setting", "'when' needs an expression", at: keyLocation, length: keyLength,
                    hint: "write 'when: <expression>', like 'when: input.amount > 1000'")
                return
            }
            checkExpression(value, what: "'when'")
            phase.condition = value.text
            return
        }
        let isYAML = value.first.map { $0 == "[" || $0 == "{" || $0 == "\"" || $0 == "'" } ?? false
        if !isYAML,
            applyPlainSetting(
                key, keyLocation: keyLocation, keyLength: keyLength, value: value, to: &phase,
                settings: &settings)
        {
            return
        }
        let map = YAMLPositionMap.inline(at: value.location, length: value.scalarCount)
        let node: YAMLNode
        if key == "dependsOn", !isYAML {
            // Plain text is split where it is written: the same names and positions as the
            // scalar branch of ``dependencies(_:map:)`` reads from a plain node of it.
            noteSetting(key, at: keyLocation, length: keyLength, settings: &settings)
            let names = dependencies(inText: value)
            // Adopted whole when it is the first list (appending would copy it into a new array).
            if phase.dependencies.isEmpty { phase.dependencies = names } else { phase.dependencies += names }
            return
        }
        if isYAML {
            // Flow collections (`[A, B]`, `{maxAttempts: 3}`) and quoted scalars are YAML.
            guard let parsed = parseYAML(value.text, map: map, what: "'\(key)'") else { return }
            node = parsed ?? Self.plainNode("", length: 0)
        } else {
            node = Self.plainNode(value.text, length: value.scalarCount)
        }
        applySetting(
            key, keyLocation: keyLocation, keyLength: keyLength, value: node, map: map, to: &phase, settings: &settings)
    }

    /// The usual plain values (`parallel: true`, `timeout: 3 minutes`) applied straight from the
    /// text: the values the YAML path (a plain scalar node, then ``applySetting``) gives them,
    /// without building a node. `false` for anything else, or a value that has a problem, which
    /// the YAML path then reads and reports.
    private mutating func applyPlainSetting(
        _ key: String, keyLocation: SourceLocation, keyLength: Int, value: LocatedText, to phase: inout Phase,
        settings: inout SettingsState
    ) -> Bool {
        guard Self.applyPlainValue(of: key, value.text, to: &phase) == true else { return false }
        noteSetting(key, at: keyLocation, length: keyLength, settings: &settings)
        return true
    }

    /// Sets `parallel`, `checkpoint`, `continueOnFailure` or `timeout` from `text` when it is a
    /// plain value of the setting's type: `false` when it is not (the general path reads and
    /// reports it), `nil` for any other key.
    static func applyPlainValue(of key: String, _ text: String, to phase: inout Phase) -> Bool? {
        switch key {
        case "parallel", "checkpoint", "continueOnFailure":
            guard case .bool(let flag) = YAMLScalar.resolvePlain(text) else { return false }
            switch key {
            case "parallel": phase.parallel = flag
            case "checkpoint": phase.checkpoint = flag
            default: phase.continueOnFailure = flag
            }
            return true
        case "timeout":
            guard case .string = YAMLScalar.resolvePlain(text), let duration = try? TaskDuration.parse(text) else {
                return false
            }
            phase.timeout = duration
            return true
        default:
            return nil
        }
    }

    /// A plain scalar node for text that was not parsed as YAML, spanning `length` columns of one line.
    static func plainNode(_ text: String, length: Int) -> YAMLNode {
        YAMLNode(
            .scalar(YAMLScalar(text: text, style: .plain)), start: YAMLMark(line: 1, column: 1),
            end: YAMLMark(line: 1, column: 1 + length))
    }

    /// Reads a ```` ```yaml ```` block in a phase: a mapping of the same settings.
    mutating func readSettingsBlock(_ block: Int, into phase: inout Phase, settings: inout SettingsState) {
        let node = document.compact[block]
        let map = YAMLPositionMap.block(line: node.start.line + 1, column: max(1, node.start.column))
        let what = "the yaml block of phase '\(phase.name)'"
        guard let parsed = parseYAML(document.literal(of: block) ?? "", map: map, what: what) else { return }
        guard let root = parsed else { return }
        guard let pairs = root.mapping else {
            error(
                "invalid-setting", "a phase's yaml block must be a mapping of settings, not a \(root.kindName)",
                at: map.location(of: root), length: map.length(of: root),
                hint: "write 'key: value' lines, like 'parallel: false'")
            return
        }
        for pair in pairs {
            guard let key = pair.key.scalar?.text else {
                error("invalid-setting", "setting names must be plain text", at: map.location(of: pair.key))
                continue
            }
            let keyLocation = map.location(of: pair.key)
            let keyLength = map.length(of: pair.key)
            guard Self.phaseSettingNames.contains(key) else {
                let suggestion = Self.suggestion(for: key, in: Self.phaseSettingNames)
                warning(
                    "unknown-setting", "unknown phase setting '\(key)'", at: keyLocation, length: keyLength,
                    hint: suggestion.map { "did you mean '\($0)'?" }
                        ?? "phase settings are \(Self.phaseSettingNames.joined(separator: ", "))")
                continue
            }
            if key == "when" {
                noteSetting(key, at: keyLocation, length: keyLength, settings: &settings)
                guard let text = pair.value.scalar?.text, !text.trimmingBlanks().isEmpty else {
                    error(
                        "invalid-setting", "'when' needs an expression", at: map.location(of: pair.value),
                        length: map.length(of: pair.value))
                    continue
                }
                checkExpression(scalarText(pair.value, map: map), what: "'when'")
                phase.condition = text
                continue
            }
            applySetting(
                key, keyLocation: keyLocation, keyLength: keyLength, value: pair.value, map: map, to: &phase,
                settings: &settings)
        }
    }

    /// The text of a scalar node, located: exact for plain single-line scalars, one past the
    /// opening quote for quoted ones (escapes may shift later columns).
    func scalarText(_ node: YAMLNode, map: YAMLPositionMap) -> LocatedText {
        let text = node.scalar?.text ?? ""
        var start = map.location(of: node)
        if node.scalar?.style.isQuoted == true { start.column += 1 }
        return LocatedText(text, at: start)
    }

    /// Records that `key` was set; a second time is a warning (the later value wins).
    mutating func noteSetting(_ key: String, at location: SourceLocation, length: Int, settings: inout SettingsState) {
        if let first = settings.firstLocation(of: key) {
            if key != "dependsOn" {
                warning(
                    "duplicate-setting", "'\(key)' is set more than once; the later value wins", at: location,
                    length: length, notes: ["first set at \(first)"])
            }
        } else {
            settings.note(key, at: location)
        }
    }

    /// Applies one setting, from either form.
    mutating func applySetting(
        _ key: String, keyLocation: SourceLocation, keyLength: Int, value: YAMLNode, map: YAMLPositionMap,
        to phase: inout Phase, settings: inout SettingsState
    ) {
        noteSetting(key, at: keyLocation, length: keyLength, settings: &settings)
        switch key {
        case "dependsOn":
            phase.dependencies += dependencies(value, map: map)
        case "parallel":
            if let flag = bool(value, map: map, key: key, code: "invalid-setting") { phase.parallel = flag }
        case "checkpoint":
            if let flag = bool(value, map: map, key: key, code: "invalid-setting") { phase.checkpoint = flag }
        case "continueOnFailure":
            if let flag = bool(value, map: map, key: key, code: "invalid-setting") { phase.continueOnFailure = flag }
        case "timeout":
            if let duration = duration(value, map: map, key: key) { phase.timeout = duration }
        case "retry":
            if let policy = retryPolicy(value, map: map, code: "invalid-setting", unknownKeyCode: "unknown-setting") {
                phase.retry = policy
            }
        case "reviewer":
            if let name = string(value, map: map, key: key, code: "invalid-setting") { phase.reviewer = name }
        default:
            break
        }
    }

    /// Phase names from `A`, `A, B` or `[A, B]` (or a YAML sequence), each with its position.
    mutating func dependencies(_ node: YAMLNode, map: YAMLPositionMap) -> [PhaseDependency] {
        switch node.content {
        case .sequence(let items):
            var names: [PhaseDependency] = []
            for item in items {
                guard let text = item.scalar?.text.trimmingBlanks(), !text.isEmpty else {
                    error(
                        "invalid-setting", "each 'dependsOn' entry must be a phase name", at: map.location(of: item),
                        length: map.length(of: item))
                    continue
                }
                // Inside the quotes of `"Round Table"`, so the caret underlines the name.
                names.append(PhaseDependency(name: text, location: scalarText(item, map: map).location))
            }
            return names
        case .mapping:
            error(
                "invalid-setting", "'dependsOn' must list phase names, not a mapping", at: map.location(of: node),
                length: map.length(of: node), hint: "write 'dependsOn: A, B' or 'dependsOn: [A, B]'")
            return []
        case .scalar:
            return dependencies(inText: scalarText(node, map: map))
        }
    }

    /// Phase names from the text of a plain `A` or `A, B`, each with its position.
    mutating func dependencies(inText text: LocatedText) -> [PhaseDependency] {
        if text.trimmed().isEmpty {
            error(
                "invalid-setting", "'dependsOn' needs at least one phase name", at: text.location,
                hint: "write 'dependsOn: A, B' or 'dependsOn: [A, B]'")
            return []
        }
        // The commas, found in one pass over the bytes (most lists have none).
        var commas: [Int] = []
        text.withUTF8 { bytes in
            for index in bytes.indices where bytes[index] == UInt8(ascii: ",") { commas.append(index) }
        }
        var names: [PhaseDependency] = []
        names.reserveCapacity(commas.count + 1)
        var locator = text.locator()
        var start = 0
        for position in 0...commas.count {
            let index = position < commas.count ? commas[position] : text.count
            let part = text.slice(start..<index).trimmed()
            if part.isEmpty {
                // The extra comma: the one ending this empty part, or for a trailing one, the one before it.
                let comma = index == text.count ? max(0, start - 1) : index
                error(
                    "invalid-setting", "empty phase name in 'dependsOn'", at: locator.location(at: comma),
                    hint: "remove the extra comma")
            } else {
                names.append(PhaseDependency(name: part.text, location: locator.location(at: part.offset(in: text))))
            }
            start = index + 1
        }
        return names
    }
}
