extension ExpressionEvaluator {
    /// `+ - * / %`. `+` also joins two strings or two arrays; everything else needs numbers.
    func arithmetic(
        _ operation: ArithmeticOperator, _ left: JSONValue, _ right: JSONValue, expression: Range<Int>
    ) throws(Failure) -> JSONValue {
        switch (left, right) {
        case (.number(let a), .number(let b)):
            let result: Double
            switch operation {
            case .add: result = a + b
            case .subtract: result = a - b
            case .multiply: result = a * b
            case .divide, .remainder:
                guard b != 0 else { throw Failure(message: "division by zero in '\(text(expression))'") }
                result = operation == .divide ? a / b : a.truncatingRemainder(dividingBy: b)
            }
            guard result.isFinite else {
                throw Failure(message: "the result of '\(text(expression))' is too large to represent")
            }
            return .number(result)
        case (.string(let a), .string(let b)) where operation == .add:
            return .string(a + b)
        case (.array(let a), .array(let b)) where operation == .add:
            return .array(a + b)
        default:
            if operation == .add {
                throw Failure(
                    message: "cannot add \(left.typedDescription) and \(right.typedDescription); "
                        + "'+' needs two numbers, two strings or two arrays")
            }
            throw Failure(
                message: "'\(operation.rawValue)' needs two numbers, got \(left.typedDescription) "
                    + "and \(right.typedDescription)")
        }
    }

    /// `== != < <= > >= in` and `not in`.
    func compare(_ comparison: ComparisonOperator, _ left: JSONValue, _ right: JSONValue) throws(Failure) -> Bool {
        switch comparison {
        case .equal: return left == right
        case .notEqual: return left != right
        case .in, .notIn:
            let found = try membership(
                left, in: right, operator: "'\(comparison.rawValue)'", containerSide: "on the right",
                elementSide: "on the left")
            return comparison == .in ? found : !found
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            switch (left, right) {
            case (.number(let a), .number(let b)):
                return Self.order(comparison, a, b)
            case (.string(let a), .string(let b)):
                return Self.order(comparison, a, b)
            default:
                throw Failure(
                    message: "cannot compare \(left.typedDescription) and \(right.typedDescription) with "
                        + "'\(comparison.rawValue)'; both sides must be numbers or both strings")
            }
        }
    }

    private static func order<T: Comparable>(_ comparison: ComparisonOperator, _ a: T, _ b: T) -> Bool {
        switch comparison {
        case .less: a < b
        case .lessOrEqual: a <= b
        case .greater: a > b
        default: a >= b
        }
    }

    /// Substring, element or key membership, shared by `in` and `contains()`.
    func membership(
        _ element: JSONValue, in container: JSONValue, operator name: String, containerSide: String,
        elementSide: String
    ) throws(Failure) -> Bool {
        switch container {
        case .string(let text):
            guard case .string(let part) = element else {
                throw Failure(
                    message: "\(name) with a string \(containerSide) needs a string \(elementSide), "
                        + "got \(element.typedDescription)")
            }
            return part.isEmpty || text.contains(part)
        case .array(let elements):
            return elements.contains(element)
        case .object(let members):
            guard case .string(let key) = element else {
                throw Failure(
                    message: "\(name) with an object \(containerSide) needs a string key \(elementSide), "
                        + "got \(element.typedDescription)")
            }
            return members[key] != nil
        default:
            throw Failure(
                message:
                    "\(name) needs a string, an array or an object \(containerSide), got \(container.typedDescription)")
        }
    }
}
