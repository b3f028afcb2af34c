import TaskrunMarkdown
import TaskrunYAML

extension TaskFileParser {
    /// Parameters whose meaning taskrun knows; each may be given once.
    static let knownStepParameters: Set<String> = ["when", "required", "timeout", "retry"]

    /// The nested `key: value` bullets under a step, typed: scalars by the YAML core schema, a key
    /// given more than once collecting its values into an array, in order.
    mutating func stepParameters(item: Int, after paragraph: Int, kind: StepKind) -> [String: JSONValue] {
        // Most steps are one paragraph: nothing after it, no parameters.
        guard document.compact[paragraph].nextSibling != nil else { return [:] }
        let isClassify = kind == .custom(type: "classify")
        // Parameter values are scalars, so an `.array` here is a key's collected values.
        var values: [String: JSONValue] = [:]
        // Where each known parameter was first given, by its index in `knownStepParameterNames`.
        var firstSeen = FirstSeenLocations()
        func collect(_ value: JSONValue, under key: String) {
            switch values[key] {
            case nil: values[key] = value
            case .array(var collected)?:
                values[key] = nil
                collected.append(value)
                values[key] = .array(collected)
            case let single?: values[key] = .array([single, value])
            }
        }
        for child in document.children(of: item) where child != paragraph {
            guard case .list = document.compact[child].kind else { continue }
            if values.isEmpty {
                var bullets = 0
                for _ in document.children(of: child) { bullets += 1 }
                values.reserveCapacity(bullets)
            }
            for bullet in document.children(of: child) {
                if let (key, keyLocation, typed) = plainParameter(bullet, isClassify: isClassify) {
                    let known = Self.knownStepParameterIndex(key)
                    if reportRepeated(key, at: keyLocation, known: known, firstSeen: firstSeen) { continue }
                    if let known { firstSeen.record(keyLocation, at: known) }
                    collect(typed, under: key)
                    continue
                }
                guard let (key, keyLocation, value) = parameter(bullet) else { continue }
                let known = Self.knownStepParameterIndex(key)
                if reportRepeated(key, at: keyLocation, known: known, firstSeen: firstSeen) { continue }
                if isClassify, key == "rule" {
                    checkClassifyRule(value, keyLocation: keyLocation)
                    collect(.string(value.text), under: key)
                    continue
                }
                guard let typed = parameterValue(key: key, keyLocation: keyLocation, value: value) else { continue }
                if let known { firstSeen.record(keyLocation, at: known) }
                collect(typed, under: key)
            }
        }
        return values
    }

    /// Reports `key` when it is a known parameter (its index `known`) given before; returns whether it was.
    private mutating func reportRepeated(
        _ key: String, at location: SourceLocation, known: Int?, firstSeen: FirstSeenLocations
    ) -> Bool {
        guard let known, let first = firstSeen.location(at: known) else { return false }
        error(
            "duplicate-parameter", "step parameter '\(key)' is given more than once", at: location,
            length: key.count, notes: ["first given at \(first)"])
        return true
    }

    /// The index of a parameter taskrun knows in ``knownStepParameters`` order (`when`,
    /// `required`, `timeout`, `retry`), without hashing the key.
    static func knownStepParameterIndex(_ key: String) -> Int? {
        switch key {
        case "when": 0
        case "required": 1
        case "timeout": 2
        case "retry": 3
        default: nil
        }
    }

    /// The usual parameter bullet, read in one pass over its bytes: one line `key: value` whose
    /// value is valid for its key (a `when:` expression that parses, `required: true`, a
    /// duration, a number of attempts, a plain scalar). `nil` for anything else, or anything to
    /// report, which ``parameter(_:)`` and ``parameterValue(key:keyLocation:value:)`` then read
    /// (tests compare the two).
    func plainParameter(_ bullet: Int, isClassify: Bool) -> (String, SourceLocation, JSONValue)? {
        guard let (line, column, firstInline) = oneLineParagraph(of: bullet, alone: true) else { return nil }
        return withSourceBytes { utf8 -> (String, SourceLocation, JSONValue)? in
            let lower = byteOffset(ofColumn: column, line: line, in: utf8)
            var upper = max(lower, document.lines.byteRange(ofLine: line).upperBound)
            while upper > lower, utf8[upper - 1] == 32 || utf8[upper - 1] == 9 { upper -= 1 }
            let text = UnsafeBufferPointer(rebasing: utf8[lower..<upper])
            guard let (keyLength, valueOffset) = KeyValuePrefix.scan(text, isStepType: false),
                textNodesStart(at: firstInline, withKeyBytes: UnsafeBufferPointer(rebasing: text[0..<keyLength]))
            else { return nil }
            var value = (lower + valueOffset)..<upper
            while !value.isEmpty, utf8[value.upperBound - 1].isBlankByte {
                value = value.lowerBound..<(value.upperBound - 1)
            }
            guard !value.isEmpty else { return nil }
            let key = String(decoding: UnsafeBufferPointer(rebasing: text[0..<keyLength]), as: UTF8.self)
            let valueBytes = UnsafeBufferPointer(rebasing: utf8[value])
            let valueText = String(decoding: valueBytes, as: UTF8.self)
            let typed: JSONValue
            switch key {
            case "when":
                guard case .success = ExpressionParser.checkSyntax(utf8: valueBytes) else { return nil }
                typed = .string(valueText)
            case "required":
                guard case .bool(let flag) = YAMLScalar.resolvePlain(valueText) else { return nil }
                typed = .bool(flag)
            case "timeout":
                guard let duration = try? TaskDuration.parse(valueText) else { return nil }
                typed = .number(Double(duration.milliseconds))
            case "retry":
                guard case .integer(let attempts) = YAMLScalar.resolvePlain(valueText), attempts >= 1 else {
                    return nil
                }
                typed = .number(Double(attempts))
            case "rule" where isClassify:
                return nil
            default:
                let first = utf8[value.lowerBound]
                guard first != UInt8(ascii: "\""), first != UInt8(ascii: "'") else { return nil }
                switch YAMLScalar.resolvePlain(valueText) {
                case .null: typed = .null
                case .bool(let flag): typed = .bool(flag)
                case .integer(let number): typed = .number(Double(number))
                case .float(let number): typed = number.isFinite ? .number(number) : .string(valueText)
                case .string: typed = .string(valueText)
                }
            }
            return (key, SourceLocation(line: line, column: column), typed)
        }
    }

    /// One nested bullet as `key: value`, or `nil` (reported) when it is not one.
    mutating func parameter(_ bullet: Int) -> (String, SourceLocation, LocatedText)? {
        let node = document.compact[bullet]
        guard let paragraph = node.firstChild, case .paragraph = document.compact[paragraph].kind else {
            warning(
                "invalid-parameter", "empty parameter bullet is ignored", at: location(node.start),
                hint: "write parameters as '- key: value'")
            return nil
        }
        let source = paragraphSource(paragraph)
        guard let firstLine = source.lines.first,
            let prefix = keyPrefix(source.text(ofLine: 0), firstInline: firstLine.firstInline)
        else {
            warning(
                "invalid-parameter", "nested bullet under a step is not a 'key: value' parameter; it is ignored",
                at: location(document.compact[paragraph].start),
                hint: "write parameters as '- key: value', like '- when: input.amount > 1000'")
            return nil
        }
        if let nested = document.compact[paragraph].nextSibling {
            warning(
                "invalid-parameter", "content under a parameter bullet is ignored",
                at: location(document.compact[nested].start),
                hint: "a parameter is a single '- key: value' bullet")
        }
        let text = source.text
        let value = text.slice(prefix.valueOffset..<text.count).trimmed()
        return (prefix.key, text.location, value)
    }

    /// A parameter's typed value, checked for the parameters taskrun knows. `nil` when invalid (reported).
    mutating func parameterValue(key: String, keyLocation: SourceLocation, value: LocatedText) -> JSONValue? {
        let valueLocation = value.isEmpty ? keyLocation : value.location
        let length = value.caretLength(0..<value.count)
        switch key {
        case "when":
            guard !value.isEmpty else {
                error(
                    "invalid-parameter", "'when' needs an expression", at: keyLocation, length: key.count,
                    hint: "write '- when: <expression>', like '- when: input.amount > 1000'")
                return nil
            }
            checkExpression(value, what: "'when'")
            return .string(value.text)
        case "required":
            guard case .bool(let flag) = YAMLScalar.resolvePlain(value.text) else {
                error(
                    "invalid-parameter", "'required' must be true or false, not '\(value.text)'", at: valueLocation,
                    length: length)
                return nil
            }
            return .bool(flag)
        case "timeout":
            do {
                return .number(Double(try TaskDuration.parse(value.text).milliseconds))
            } catch {
                invalidDuration(error, at: valueLocation, length: length)
                return nil
            }
        case "retry":
            guard case .integer(let attempts) = YAMLScalar.resolvePlain(value.text), attempts >= 1 else {
                error(
                    "invalid-parameter", "'retry' must be a number of attempts of at least 1, not '\(value.text)'",
                    at: valueLocation, length: length, hint: "write '- retry: 3'")
                return nil
            }
            return .number(Double(attempts))
        default:
            return scalarValue(value)
        }
    }

    /// A parameter value typed like a YAML scalar: quoted text is a string (unquoted), plain text
    /// `true`/`3`/`null` is typed, anything else is the text as written.
    private func scalarValue(_ value: LocatedText) -> JSONValue {
        let text = value.text
        if let first = value.first, first == "\"" || first == "'" {
            // Only a value that is exactly one quoted scalar is unquoted; `"a" or "b"` stays text.
            if let node = try? yamlParser.parse(text), let scalar = node.scalar, scalar.style.isQuoted {
                return .string(scalar.text)
            }
            return .string(text)
        }
        switch YAMLScalar.resolvePlain(text) {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .integer(let number): return .number(Double(number))
        case .float(let number): return number.isFinite ? .number(number) : .string(text)
        case .string: return .string(text)
        }
    }

    /// `rule: <label> when <expression>`.
    private mutating func checkClassifyRule(_ value: LocatedText, keyLocation: SourceLocation) {
        let hint =
            "write '- rule: <label> when <expression>', like '- rule: action when contains(lower(input.question), \"buy\")'"
        guard let separator = Self.whenWord(in: value) else {
            error(
                "invalid-parameter", "classify rule needs ' when <expression>' after its label",
                at: value.isEmpty ? keyLocation : value.location, length: value.caretLength(0..<value.count), hint: hint
            )
            return
        }
        let label = value.slice(0..<separator).trimmed()
        let expression = value.slice((separator + 4)..<value.count).trimmed()
        if label.isEmpty {
            error(
                "invalid-parameter", "classify rule has no label before 'when'", at: value.location(at: separator),
                length: 4, hint: hint)
        }
        if expression.isEmpty {
            error(
                "invalid-parameter", "classify rule has no expression after 'when'",
                at: value.location(at: separator), length: 4, hint: hint)
        } else {
            checkExpression(expression, what: "classify rule")
        }
    }

    /// The offset of the first `when` written as a word (between blanks or the ends) in `value`.
    static func whenWord(in value: LocatedText) -> Int? {
        let word: [UInt8] = Array("when".utf8)
        var from = 0
        while let index = value.firstIndex(of: word, from: from) {
            let before = index == 0 || value.byte(at: index - 1).isBlankByte
            let after = index + 4 == value.count || value.byte(at: index + 4).isBlankByte
            if before, after { return index }
            from = index + 1
        }
        return nil
    }

    /// `classify: <output> - <note>` needs one or more `rule: <label> when <expression>` parameters.
    mutating func checkClassifyStep(_ step: Step, text: LocatedText) {
        let output = text.firstIndex(of: Self.dashSeparator).map { text.slice(0..<$0).trimmed() } ?? text
        if output.isEmpty || output.containsBlank {
            error(
                "invalid-step", "classify step needs an output name before ' - '", at: text.location,
                length: text.caretLength(0..<text.count),
                hint: "write 'classify: <outputName> - <note>', like 'classify: questionType - Classify the question'")
        }
        let hasRules: Bool
        switch step.parameters["rule"] {
        case .string?, .array?: hasRules = true
        default: hasRules = false
        }
        if !hasRules {
            error(
                "invalid-step", "classify step has no 'rule' parameters", at: step.location, length: 8,
                hint: "add rules as nested bullets: '- rule: <label> when <expression>'")
        }
    }
}
