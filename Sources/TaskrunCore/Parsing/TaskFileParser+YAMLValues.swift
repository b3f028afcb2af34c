import TaskrunYAML

/// Finds a key given twice in one YAML mapping: where the key at a position was first given.
/// A config's mappings have a handful of keys, so the earlier keys are compared in place (no
/// hashing, nothing to allocate); a mapping of more than 16 keys gets a dictionary, so a huge one
/// stays linear.
struct SeenKeys {
    private let pairs: [YAMLPair]
    /// Whether a key that is not a scalar counts as the key "" (else it is never a duplicate).
    private let nonTextAsEmpty: Bool
    private var firstIndex: [String: Int]?

    init(_ pairs: [YAMLPair], nonTextAsEmpty: Bool) {
        self.pairs = pairs
        self.nonTextAsEmpty = nonTextAsEmpty
        if pairs.count > 16 { firstIndex = [:] }
    }

    /// The earlier pair with the same key as `key`, the key of the pair at `position`; the caller
    /// asks for each position in order and skips the pairs this returns one for.
    mutating func first(_ key: String, at position: Int) -> YAMLPair? {
        if firstIndex != nil {
            if let first = firstIndex?[key] { return pairs[first] }
            firstIndex?[key] = position
            return nil
        }
        // The earliest equal key is the one recorded: any later equal one was a duplicate.
        for earlier in 0..<position {
            let text = pairs[earlier].key.scalar?.text ?? (nonTextAsEmpty ? "" : nil)
            if text == key { return pairs[earlier] }
        }
        return nil
    }
}

extension TaskFileParser {
    /// Parses YAML text, reporting a syntax error at its position in the file.
    ///
    /// - Returns: `nil` when the text is malformed (reported); `.some(nil)` when it holds no document.
    mutating func parseYAML(_ text: String, map: YAMLPositionMap, what: String) -> YAMLNode?? {
        do {
            return .some(try yamlParser.parse(text))
        } catch {
            reportYAMLError(error, in: text, map: map, what: what)
            return nil
        }
    }

    /// Checks an expression's syntax, reporting a problem at its exact position.
    mutating func checkExpression(_ text: LocatedText, what: String) {
        do {
            // Only whether it parses matters here: no tree, references or Set to build.
            try ExpressionParser.checkSyntax(text)
        } catch {
            let problem = error.located(in: text)
            self.error(
                "expression-syntax", "invalid \(what) expression: \(problem.message)", at: problem.location,
                length: problem.length, hint: problem.hint)
        }
    }

    /// A validation criterion that is meant as an expression but does not parse would silently
    /// become unverified prose at run time; warn where the expression breaks instead.
    mutating func checkValidationCriterion(_ text: LocatedText) {
        let source = text.text
        // Only a criterion that looks like an expression can be warned about: prose is never
        // parsed at all (``ValidationCriterion/likelySyntaxError`` asks the same question first).
        guard ValidationCriterion.looksLikeExpression(source) else { return }
        // Text that parses is never warned about (an expression, or a bare name, which is prose
        // but no likely error); otherwise the error is the one ``ValidationCriterion/likelySyntaxError``
        // gives, found without building a tree for the usual, valid criterion.
        let problem: ExpressionSyntaxError.Located
        do {
            try ExpressionParser.checkSyntax(text)
            return
        } catch {
            problem = error.located(in: text)
        }
        warning(
            "criterion-not-expression",
            "validation criterion looks like an expression but does not parse: \(problem.message)",
            at: problem.location, length: problem.length,
            notes: ["a criterion that does not parse is treated as prose and recorded as unverified"],
            hint: problem.hint ?? "fix the expression, or reword the criterion as plain prose")
    }

    /// A string value: any scalar's text as written. `nil` (reported) for collections; `nil`
    /// (silently) for null, which YAML uses for "no value".
    mutating func string(_ node: YAMLNode, map: YAMLPositionMap, key: String, code: String) -> String? {
        guard let scalar = node.scalar else {
            error(
                code, "'\(key)' must be text, not a \(node.kindName)", at: map.location(of: node),
                length: map.length(of: node))
            return nil
        }
        if case .null = scalar.resolved(tag: node.tag) { return nil }
        return scalar.text
    }

    /// A boolean value (`true` or `false`); anything else is reported.
    mutating func bool(_ node: YAMLNode, map: YAMLPositionMap, key: String, code: String) -> Bool? {
        if case .bool(let flag) = node.resolvedScalar { return flag }
        let shown = node.scalar.map { "'\($0.text)'" } ?? "a \(node.kindName)"
        error(
            code, "'\(key)' must be true or false, not \(shown)", at: map.location(of: node),
            length: map.length(of: node))
        return nil
    }

    /// A whole number of at least `minimum`; anything else is reported.
    mutating func integer(
        _ node: YAMLNode, map: YAMLPositionMap, key: String, minimum: Int64, code: String,
        hint: @autoclosure () -> String? = nil
    ) -> Int64? {
        var value: Int64?
        switch node.resolvedScalar {
        case .integer(let number): value = number
        case .float(let number) where number.rounded() == number && abs(number) < 9e15: value = Int64(number)
        default: break
        }
        guard let value, value >= minimum else {
            let shown = node.scalar.map { "'\($0.text)'" } ?? "a \(node.kindName)"
            let what = minimum == 0 ? "a whole number of zero or more" : "a whole number of at least \(minimum)"
            error(
                code, "'\(key)' must be \(what), not \(shown)", at: map.location(of: node),
                length: map.length(of: node),
                hint: hint())
            return nil
        }
        return value
    }

    /// A duration: a string like `30s` or `5 minutes`, or a number of milliseconds.
    mutating func duration(_ node: YAMLNode, map: YAMLPositionMap, key: String) -> TaskDuration? {
        guard let scalar = node.scalar else {
            error(
                "invalid-duration", "'\(key)' must be a duration like '30s', not a \(node.kindName)",
                at: map.location(of: node), length: map.length(of: node))
            return nil
        }
        switch scalar.resolved(tag: node.tag) {
        case .integer(let number) where number >= 0:
            return TaskDuration(milliseconds: number)
        case .float(let number) where number.isFinite && number >= 0 && number < 9e15:
            return TaskDuration(milliseconds: Int64(number.rounded()))
        default:
            break
        }
        do {
            return try TaskDuration.parse(scalar.text)
        } catch {
            invalidDuration(error, at: map.location(of: node), length: map.length(of: node))
            return nil
        }
    }

    /// Reports a duration that does not parse; the hint respells a misspelt unit when it can.
    mutating func invalidDuration(_ problem: DurationSyntaxError, at location: SourceLocation, length: Int) {
        error(
            "invalid-duration", problem.description, at: location, length: length,
            hint: TaskDuration.respelling(of: problem.text).map { "did you mean '\($0)'?" }
                ?? "write a number and a unit, like '30s', '5 minutes' or '1h30m', or a number of milliseconds")
    }

    /// A retry policy: a number of attempts, or a mapping of `maxAttempts`, `backoffMs`,
    /// `maxBackoffMs` and `jitter`.
    mutating func retryPolicy(
        _ node: YAMLNode, map: YAMLPositionMap, code: String, unknownKeyCode: String
    ) -> RetryPolicy? {
        switch node.content {
        case .scalar:
            if case .null = node.resolvedScalar { return nil }
            guard let attempts = integer(node, map: map, key: "retry", minimum: 1, code: code) else { return nil }
            return RetryPolicy(maxAttempts: Int(clamping: attempts))
        case .sequence:
            error(
                code, "'retry' must be a number of attempts or a mapping, not a sequence", at: map.location(of: node),
                length: map.length(of: node), hint: "write 'retry: 3' or 'retry: {maxAttempts: 3, backoffMs: 1000}'")
            return nil
        case .mapping(let pairs):
            var policy = RetryPolicy()
            let keys = ["maxAttempts", "backoffMs", "maxBackoffMs", "jitter"]
            var seen = SeenKeys(pairs, nonTextAsEmpty: true)
            for (position, pair) in pairs.enumerated() {
                let key = pair.key.scalar?.text ?? ""
                let keyLocation = map.location(of: pair.key)
                if let first = seen.first(key, at: position).map({ map.location(of: $0.key) }) {
                    error(
                        "duplicate-key", "'retry.\(key)' is given more than once", at: keyLocation,
                        length: map.length(of: pair.key), notes: ["first given at \(first)"])
                    continue
                }
                switch key {
                case "maxAttempts":
                    if let value = integer(pair.value, map: map, key: "retry.maxAttempts", minimum: 1, code: code) {
                        policy.maxAttempts = Int(clamping: value)
                    }
                case "backoffMs":
                    if let value = integer(
                        pair.value, map: map, key: "retry.backoffMs", minimum: 0, code: code,
                        hint: Self.millisecondsHint(key: key, pair.value))
                    {
                        policy.backoffMs = value
                    }
                case "maxBackoffMs":
                    if let value = integer(
                        pair.value, map: map, key: "retry.maxBackoffMs", minimum: 0, code: code,
                        hint: Self.millisecondsHint(key: key, pair.value))
                    {
                        policy.maxBackoffMs = value
                    }
                case "jitter":
                    switch pair.value.resolvedScalar {
                    case .bool(let flag): policy.jitter = flag ? 1 : 0
                    case .integer(let number) where number == 0 || number == 1: policy.jitter = Double(number)
                    case .float(let number) where number >= 0 && number <= 1: policy.jitter = number
                    default:
                        error(
                            code, "'retry.jitter' must be true, false or a number from 0 to 1",
                            at: map.location(of: pair.value), length: map.length(of: pair.value),
                            hint: "write the share of each wait to randomize, like 'jitter: 0.2' for 20%")
                    }
                default:
                    let suggestion = Self.suggestion(for: key, in: keys)
                    warning(
                        unknownKeyCode, "unknown retry setting '\(key)'", at: keyLocation,
                        length: map.length(of: pair.key),
                        hint: suggestion.map { "did you mean '\($0)'?" }
                            ?? "retry settings are \(keys.joined(separator: ", "))")
                }
            }
            return policy
        }
    }

    /// For a `...Ms` value written as a duration (`backoffMs: 1.5s`): the same in milliseconds.
    static func millisecondsHint(key: String, _ node: YAMLNode) -> String? {
        guard let text = node.scalar?.text, let duration = try? TaskDuration.parse(text) else { return nil }
        return "'\(key)' counts milliseconds: write '\(key): \(duration.milliseconds)'"
    }

    /// A YAML value as JSON (``JSONValue/init(yamlNode:)``), its problems reported at their
    /// position in the task file; `nil` then.
    mutating func jsonValue(_ node: YAMLNode, map: YAMLPositionMap) -> JSONValue? {
        do {
            return try JSONValue(yamlNode: node)
        } catch {
            self.error(
                error.code, error.message, at: map.location(of: error.node), length: map.length(of: error.node),
                hint: error.hint)
            return nil
        }
    }
}
