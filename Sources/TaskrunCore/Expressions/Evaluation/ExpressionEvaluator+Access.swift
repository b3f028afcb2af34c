extension ExpressionEvaluator {
    /// Member accesses and subscripts, left to right. Errors name the path as written up to the
    /// failing step, and for a missing key list the keys that do exist.
    func access(base: ExpressionNode, accessors: [ExpressionAccessor]) throws(Failure) -> JSONValue {
        // The chain as a whole is what `explain` reports, so its base is not recorded.
        var value = try evaluateUnrecorded(base)
        let start = base.range.lowerBound
        var containerEnd = base.range.upperBound
        for accessor in accessors {
            switch accessor.kind {
            case .member(let name):
                value = try member(name, of: value, container: start..<containerEnd, path: start..<accessor.end)
            case .index(let indexNode):
                let index = try evaluate(indexNode)
                var isLiteral = false
                if case .literal = indexNode.kind { isLiteral = true }
                value = try element(
                    index, of: value, container: start..<containerEnd, path: start..<accessor.end,
                    showIndex: !isLiteral)
            }
            containerEnd = accessor.end
        }
        return value
    }

    private func member(
        _ name: String, of value: JSONValue, container: Range<Int>, path: Range<Int>
    ) throws(Failure) -> JSONValue {
        switch value {
        case .object(let members):
            if let found = members[name] { return found }
            throw missingKey(name, in: members, container: container, path: path, showKey: false)
        case .null:
            throw missing("cannot read '\(name)' of '\(text(container))', which is null")
        default:
            throw Failure(
                message: "cannot read '\(name)' of '\(text(container))', which is \(value.expressionTypeWithArticle) "
                    + "(\(value.compactDescription(limit: 40))), not an object")
        }
    }

    private func element(
        _ index: JSONValue, of value: JSONValue, container: Range<Int>, path: Range<Int>,
        showIndex: Bool
    ) throws(Failure) -> JSONValue {
        switch value {
        case .array(let elements):
            guard case .number(let number) = index, number.rounded() == number, Swift.abs(number) < 1e15 else {
                throw Failure(
                    message: "cannot index '\(text(container))', an array, with \(index.typedDescription); "
                        + "use an integer index")
            }
            let position = Int(number)  // safe: integral and well inside Int's range
            let resolved = position < 0 ? elements.count + position : position
            guard elements.indices.contains(resolved) else {
                throw missing(
                    Self.outOfRangeMessage(
                        path: text(path), index: showIndex ? position : nil, count: elements.count))
            }
            return elements[resolved]
        case .object(let members):
            guard case .string(let key) = index else {
                throw Failure(
                    message: "cannot index '\(text(container))', an object, with \(index.typedDescription); "
                        + "use a string key")
            }
            if let found = members[key] { return found }
            throw missingKey(key, in: members, container: container, path: path, showKey: showIndex)
        case .null:
            throw missing("cannot index '\(text(container))', which is null")
        default:
            throw Failure(
                message: "cannot index '\(text(container))', which is \(value.expressionTypeWithArticle) "
                    + "(\(value.compactDescription(limit: 40))); only arrays and objects can be indexed")
        }
    }

    private static func outOfRangeMessage(path: String, index: Int?, count: Int) -> String {
        let detail = index.map { " (index \($0))" } ?? ""
        let size = count == 0 ? "the array is empty" : "the array has \(count) element\(count == 1 ? "" : "s")"
        return "'\(path)' does not exist\(detail); \(size)"
    }

    private func missingKey(
        _ key: String, in members: [String: JSONValue], container: Range<Int>,
        path: Range<Int>, showKey: Bool
    ) -> Failure {
        guard describesMissingValues else { return missing("") }
        let detail = showKey ? " (key \(JSONValue.string(key).compactDescription(limit: 40)))" : ""
        guard !members.isEmpty else {
            return missing("'\(text(path))' does not exist\(detail); '\(text(container))' is an empty object")
        }
        return missing(Self.missingMessage(path: text(path), key: key, keys: members.keys, detail: detail))
    }
}
