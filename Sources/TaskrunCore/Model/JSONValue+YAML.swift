import TaskrunYAML

/// Why a YAML document could not be read as a ``JSONValue``.
public struct YAMLValueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier: `yaml-syntax`, `invalid-value` or `duplicate-key`.
    public var code: String
    public var message: String
    /// Where the problem is in the YAML text (1-based).
    public var location: SourceLocation
    public var hint: String?

    public var description: String { "\(location): \(message)" }
}

extension JSONValue {
    /// Reads a YAML document as JSON: scalars typed by the YAML 1.2 core schema (`true`, `3`,
    /// `null`, quoted text), sequences as arrays, mappings as objects. An empty document is `null`.
    ///
    /// Non-finite numbers, duplicate keys and non-text keys are errors, never silently dropped.
    public init(yaml text: String) throws(YAMLValueError) {
        let node: YAMLNode?
        do {
            node = try YAMLParser().parse(text)
        } catch {
            throw YAMLValueError(
                code: "yaml-syntax", message: error.problem,
                location: SourceLocation(line: error.mark.line, column: error.mark.column))
        }
        guard let node else {
            self = .null
            return
        }
        do {
            self = try JSONValue(yamlNode: node)
        } catch {
            throw YAMLValueError(
                code: error.code, message: error.message,
                location: SourceLocation(line: error.node.start.line, column: error.node.start.column),
                hint: error.hint)
        }
    }

    /// A resolved YAML scalar as JSON (integers as numbers; a non-finite number as it is).
    package init(scalar value: YAMLScalarValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let number): self = .number(Double(number))
        case .float(let number): self = .number(number)
        case .string(let text): self = .string(text)
        }
    }

    /// A problem converting one node, with the node so callers can place it in their own file.
    struct YAMLNodeError: Error {
        var code: String
        var message: String
        var hint: String?
        var node: YAMLNode
    }

    /// The conversion of ``init(yaml:)``, from an already parsed node.
    init(yamlNode node: YAMLNode) throws(YAMLNodeError) {
        switch node.content {
        case .scalar:
            switch node.resolvedScalar {
            case .null, nil: self = .null
            case .bool(let flag): self = .bool(flag)
            case .integer(let number): self = .number(Double(number))
            case .float(let number):
                guard number.isFinite else {
                    throw YAMLNodeError(
                        code: "invalid-value", message: "'\(node.scalar?.text ?? "")' is not a finite number",
                        hint: "quote it to use it as text", node: node)
                }
                self = .number(number)
            case .string(let text): self = .string(text)
            }
        case .sequence(let items):
            var values: [JSONValue] = []
            values.reserveCapacity(items.count)
            for item in items {
                values.append(try JSONValue(yamlNode: item))
            }
            self = .array(values)
        case .mapping(let pairs):
            var object: [String: JSONValue] = [:]
            for pair in pairs {
                guard let key = pair.key.scalar?.text else {
                    throw YAMLNodeError(code: "invalid-value", message: "mapping keys must be text", node: pair.key)
                }
                guard object[key] == nil else {
                    throw YAMLNodeError(
                        code: "duplicate-key", message: "key '\(key)' is given more than once", node: pair.key)
                }
                object[key] = try JSONValue(yamlNode: pair.value)
            }
            self = .object(object)
        }
    }
}
