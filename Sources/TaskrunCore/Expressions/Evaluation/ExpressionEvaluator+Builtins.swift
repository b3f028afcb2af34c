extension ExpressionEvaluator {
    /// Calls a built-in. The parser has checked the arity, so the argument positions used
    /// below always exist (each index is within `function.arity`).
    func call(
        _ function: BuiltinFunction, arguments: [ExpressionNode], pattern: CompiledPattern?
    ) throws(Failure) -> JSONValue {
        switch function {
        case .len:
            let value = try argument(arguments[0])
            switch value {
            case .string(let text): return .number(Double(text.count))
            case .array(let elements): return .number(Double(elements.count))
            case .object(let members): return .number(Double(members.count))
            default: throw typeError(function, needs: "a string, an array or an object", got: value)
            }
        case .lower:
            return .string(try string(arguments[0], of: function).lowercased())
        case .upper:
            return .string(try string(arguments[0], of: function).uppercased())
        case .trim:
            var text = Substring(try string(arguments[0], of: function))
            while text.first?.isWhitespace == true { text.removeFirst() }
            while text.last?.isWhitespace == true { text.removeLast() }
            return .string(String(text))
        case .contains:
            let container = try argument(arguments[0])
            let element = try argument(arguments[1])
            return .bool(
                try membership(
                    element, in: container, operator: "contains()", containerSide: "as its first argument",
                    elementSide: "as its second argument"))
        case .startsWith, .endsWith:
            let text = try string(arguments[0], of: function, position: 0)
            let affix = try string(arguments[1], of: function, position: 1)
            return .bool(function == .startsWith ? text.hasPrefix(affix) : text.hasSuffix(affix))
        case .matches:
            return .bool(try matches(arguments, pattern: pattern))
        case .min, .max:
            return try extreme(function, arguments: arguments)
        case .sum, .avg:
            let elements = try array(arguments[0], of: function)
            var total = 0.0
            for (position, element) in elements.enumerated() {
                guard case .number(let number) = element else {
                    throw Failure(
                        message: "\(function)() needs an array of numbers, but element \(position) is "
                            + element.typedDescription)
                }
                total += number
            }
            guard total.isFinite else {
                throw Failure(message: "the result of \(function)() is too large to represent")
            }
            if function == .sum { return .number(total) }
            guard !elements.isEmpty else { throw Failure(message: "avg() of an empty array") }
            return .number(total / Double(elements.count))
        case .abs:
            return .number(Swift.abs(try number(arguments[0], of: function)))
        case .round:
            return .number(try round(arguments))
        case .keys, .values:
            let members = try object(arguments[0], of: function)
            let keys = members.keys.sorted()
            if function == .keys { return .array(keys.map(JSONValue.string)) }
            return .array(keys.compactMap { members[$0] })
        case .has:
            let members = try object(arguments[0], of: function, position: 0)
            let key = try string(arguments[1], of: function, position: 1)
            return .bool(members[key] != nil)
        case .any, .all:
            let elements = try array(arguments[0], of: function)
            var result = function == .all
            for (position, element) in elements.enumerated() {
                guard case .bool(let flag) = element else {
                    throw Failure(
                        message: "\(function)() needs an array of booleans, but element \(position) is "
                            + element.typedDescription)
                }
                if function == .any ? flag : !flag { result = function == .any }
            }
            return .bool(result)
        case .number:
            return .number(try convertToNumber(try argument(arguments[0])))
        case .string:
            let value = try argument(arguments[0])
            if case .string = value { return value }
            return .string(value.compactDescription(limit: nil))
        case .default:
            return try fallback(arguments)
        }
    }

    // MARK: - Arguments

    /// Evaluates an argument. A path argument is recorded for `explain` when it is a scalar;
    /// arrays and objects are summarised by the call itself.
    private func argument(_ node: ExpressionNode) throws(Failure) -> JSONValue {
        let value = try evaluateUnrecorded(node)
        if let recorder, node.isObservable {
            switch value {
            case .array, .object: break
            default: recorder.record(text(node.range), value)
            }
        }
        return value
    }

    private func typeError(
        _ function: BuiltinFunction, needs: String, position: Int? = nil, got value: JSONValue
    ) -> Failure {
        let role = position.map { $0 == 0 ? " as its first argument" : " as its second argument" } ?? ""
        return Failure(message: "\(function)() needs \(needs)\(role), got \(value.typedDescription)")
    }

    private func string(
        _ node: ExpressionNode, of function: BuiltinFunction, position: Int? = nil
    ) throws(Failure) -> String {
        let value = try argument(node)
        guard case .string(let text) = value else {
            throw typeError(function, needs: "a string", position: position, got: value)
        }
        return text
    }

    private func number(
        _ node: ExpressionNode, of function: BuiltinFunction, position: Int? = nil
    ) throws(Failure) -> Double {
        let value = try argument(node)
        guard case .number(let number) = value else {
            throw typeError(function, needs: "a number", position: position, got: value)
        }
        return number
    }

    private func array(_ node: ExpressionNode, of function: BuiltinFunction) throws(Failure) -> [JSONValue] {
        let value = try argument(node)
        guard case .array(let elements) = value else { throw typeError(function, needs: "an array", got: value) }
        return elements
    }

    private func object(
        _ node: ExpressionNode, of function: BuiltinFunction, position: Int? = nil
    ) throws(Failure) -> [String: JSONValue] {
        let value = try argument(node)
        guard case .object(let members) = value else {
            throw typeError(function, needs: "an object", position: position, got: value)
        }
        return members
    }

    // MARK: - Functions with more to them

    private func matches(_ arguments: [ExpressionNode], pattern: CompiledPattern?) throws(Failure) -> Bool {
        let text = try string(arguments[0], of: .matches, position: 0)
        let compiled: CompiledPattern
        if let pattern {
            compiled = pattern
        } else {
            let source = try string(arguments[1], of: .matches, position: 1)
            do {
                compiled = try CompiledPattern.cached(source)
            } catch {
                throw Failure(
                    message: "invalid regular expression \(JSONValue.string(source).compactDescription(limit: 40)): "
                        + error.message)
            }
        }
        do {
            return try compiled.matches(text)
        } catch {
            throw Failure(message: "matches() failed: \(error.message)")
        }
    }

    /// `min`/`max` of one array argument or of several arguments; all numbers or all strings.
    private func extreme(_ function: BuiltinFunction, arguments: [ExpressionNode]) throws(Failure) -> JSONValue {
        var values: [JSONValue]
        if arguments.count == 1 {
            let value = try argument(arguments[0])
            guard case .array(let elements) = value else {
                throw typeError(function, needs: "an array (or two or more arguments)", got: value)
            }
            values = elements
        } else {
            values = []
            values.reserveCapacity(arguments.count)
            for node in arguments {
                values.append(try argument(node))
            }
        }
        guard var best = values.first else { throw Failure(message: "\(function)() of an empty array") }
        switch best {
        case .number, .string: break
        default: throw typeError(function, needs: "numbers or strings", got: best)
        }
        let wantsSmaller = function == .min
        for value in values {
            switch (best, value) {
            case (.number(let current), .number(let candidate)):
                if wantsSmaller ? candidate < current : candidate > current { best = value }
            case (.string(let current), .string(let candidate)):
                if wantsSmaller ? candidate < current : candidate > current { best = value }
            default:
                throw Failure(
                    message: "\(function)() needs all numbers or all strings, got \(best.typedDescription) "
                        + "and \(value.typedDescription)")
            }
        }
        return best
    }

    private func round(_ arguments: [ExpressionNode]) throws(Failure) -> Double {
        let value = try number(arguments[0], of: .round, position: arguments.count == 2 ? 0 : nil)
        var digits = 0
        if arguments.count == 2 {
            let requested = try argument(arguments[1])
            guard case .number(let count) = requested, count.rounded() == count, (0...15).contains(count) else {
                throw typeError(.round, needs: "a whole number of digits from 0 to 15", position: 1, got: requested)
            }
            digits = Int(count)  // safe: integral, 0...15
        }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = value * scale
        // Beyond 2^53 every double is already integral: nothing to round.
        guard scaled.isFinite, Swift.abs(scaled) < 9e15 else { return value }
        return scaled.rounded(.toNearestOrAwayFromZero) / scale
    }

    /// `number(x)`: numbers as they are, strings in plain decimal notation (`"42"`, `"-1.5"`,
    /// `"2e3"`, surrounding whitespace ignored). Nothing else converts.
    private func convertToNumber(_ value: JSONValue) throws(Failure) -> Double {
        switch value {
        case .number(let number):
            return number
        case .string(let text):
            let trimmed = text.unicodeScalars.drop { $0.properties.isWhitespace }
            var scalars = Substring.UnicodeScalarView(trimmed)
            while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
            let isDecimal = !scalars.isEmpty && scalars.allSatisfy { "0123456789+-.eE".unicodeScalars.contains($0) }
            guard isDecimal, let number = Double(String(scalars)), number.isFinite else {
                throw Failure(message: "number() cannot convert \(value.typedDescription) to a number")
            }
            return number
        default:
            throw typeError(.number, needs: "a string or a number", got: value)
        }
    }

    /// `default(a, b)`: `b` when `a` is null or does not exist; any other error in `a` stands.
    private func fallback(_ arguments: [ExpressionNode]) throws(Failure) -> JSONValue {
        var quiet = self
        quiet.describesMissingValues = false
        let first: JSONValue
        do {
            first = try quiet.argument(arguments[0])
        } catch {
            guard error.isMissingValue else { throw error }
            return try argument(arguments[1])
        }
        if case .null = first { return try argument(arguments[1]) }
        return first
    }
}
