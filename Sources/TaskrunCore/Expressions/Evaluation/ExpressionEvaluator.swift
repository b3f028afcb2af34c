/// Walks a syntax tree and computes its value over `JSONValue`s.
///
/// Evaluation allocates only where the result itself needs storage (string concatenation,
/// array literals, `keys()`): looking up paths, comparing and combining numbers and booleans
/// work on the values in place. Error messages, which do need text, are built only when an
/// error is thrown.
struct ExpressionEvaluator {
    let variables: [String: JSONValue]
    let source: String
    /// Collects the values of observable sub-expressions for `explain`; `nil` when not explaining.
    let recorder: ExplanationRecorder?
    /// False while evaluating the first argument of `default()`, whose "does not exist" errors
    /// are caught: their messages (sorted key lists, suggestions) would be built for nothing.
    var describesMissingValues = true

    typealias Failure = ExpressionEvaluationError

    /// Evaluates `node` and records its value when it is a path or a call.
    func evaluate(_ node: ExpressionNode) throws(Failure) -> JSONValue {
        let value = try evaluateUnrecorded(node)
        if let recorder, node.isObservable {
            recorder.record(text(node.range), value)
        }
        return value
    }

    /// The source's UTF-8 bytes `range` (node ranges are UTF-8 offsets).
    func text(_ range: Range<Int>) -> String {
        let utf8 = source.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let upper = utf8.index(lower, offsetBy: range.count)
        return String(decoding: utf8[lower..<upper], as: UTF8.self)
    }

    func evaluateUnrecorded(_ node: ExpressionNode) throws(Failure) -> JSONValue {
        switch node.kind {
        case .literal(let value):
            return value
        case .array(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements {
                values.append(try evaluate(element))
            }
            return .array(values)
        case .name(let name):
            guard let value = variables[name] else { throw unknownName(name) }
            return value
        case .access(let base, let accessors):
            return try access(base: base, accessors: accessors)
        case .call(let function, let arguments, let pattern):
            return try call(function, arguments: arguments, pattern: pattern)
        case .negate(let operand):
            let value = try evaluate(operand)
            guard case .number(let number) = value else {
                throw Failure(message: "'-' needs a number, \(but(operand, is: value))")
            }
            return .number(-number)
        case .not(let operand):
            return .bool(!(try boolean(operand, operator: "not")))
        case .and(let operands):
            for operand in operands where !(try boolean(operand, operator: "and")) {
                return .bool(false)
            }
            return .bool(true)
        case .or(let operands):
            for operand in operands where try boolean(operand, operator: "or") {
                return .bool(true)
            }
            return .bool(false)
        case .arithmetic(let first, let rest):
            var value = try evaluate(first)
            for step in rest {
                let operand = try evaluate(step.operand)
                value = try arithmetic(
                    step.operator, value, operand, expression: first.range.lowerBound..<step.end)
            }
            return value
        case .comparison(let comparison, let left, let right):
            return .bool(try compare(comparison, try evaluate(left), try evaluate(right)))
        }
    }

    private func boolean(_ operand: ExpressionNode, operator name: String) throws(Failure) -> Bool {
        let value = try evaluate(operand)
        guard case .bool(let flag) = value else {
            let sides = name == "not" ? "" : " on both sides"
            throw Failure(message: "'\(name)' needs true or false\(sides), \(but(operand, is: value))")
        }
        return flag
    }

    /// `but 'x.y' is string "a"`, or `got string "a"` when the operand is a literal, since
    /// quoting a literal would only repeat the value.
    private func but(_ operand: ExpressionNode, is value: JSONValue) -> String {
        if case .literal = operand.kind { return "got \(value.typedDescription)" }
        return "but '\(text(operand.range))' is \(value.typedDescription)"
    }

    private func unknownName(_ name: String) -> Failure {
        guard !variables.isEmpty else {
            return missing("'\(name)' does not exist; no variables are available")
        }
        return missing(Self.missingMessage(path: name, key: name, keys: variables.keys))
    }

    /// A "does not exist" error, with its message built only when someone will read it.
    func missing(_ message: @autoclosure () -> String) -> Failure {
        Failure(missing: describesMissingValues ? message() : "")
    }

    /// `'a.b' does not exist; did you mean 'c'? available: c, d`, with the list kept short.
    static func missingMessage(
        path: String, key: String, keys: Dictionary<String, JSONValue>.Keys, detail: String = ""
    ) -> String {
        var message = "'\(path)' does not exist\(detail); "
        if let suggestion = Suggestion.closest(to: key, in: keys) {
            message += "did you mean '\(suggestion)'? "
        }
        let sorted = keys.sorted()
        let shown = 20
        message += "available: " + sorted.prefix(shown).joined(separator: ", ")
        if sorted.count > shown { message += ", and \(sorted.count - shown) more" }
        return message
    }
}

/// Remembers the first value seen for each observable sub-expression, in evaluation order.
final class ExplanationRecorder {
    private(set) var observations: [ExpressionExplanation.Observation] = []
    private var seen: Set<String> = []

    func record(_ expression: String, _ value: JSONValue) {
        guard seen.insert(expression).inserted else { return }
        observations.append(ExpressionExplanation.Observation(expression: expression, value: value))
    }
}
