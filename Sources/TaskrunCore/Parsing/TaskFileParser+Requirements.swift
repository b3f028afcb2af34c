import TaskrunYAML

extension TaskFileParser {
    static let requirementKeys = ["type", "default", "description", "enum", "optional", "secret"]

    /// Type names people commonly write for the ones taskrun uses.
    static let requirementTypeAliases: [String: RequirementType] = [
        "str": .string, "text": .string, "int": .integer, "long": .integer, "bool": .boolean, "float": .number,
        "double": .number, "decimal": .number, "list": .array, "dict": .object, "map": .object, "hash": .object,
    ]

    /// The `requirements:` mapping: each input's name and its type, or a mapping describing it.
    mutating func requirements(_ node: YAMLNode, map: YAMLPositionMap) -> [Requirement] {
        switch node.content {
        case .scalar:
            if case .null = node.resolvedScalar { return [] }
            fallthrough
        case .sequence:
            error(
                "invalid-config-value", "'requirements' must be a mapping of input names to types",
                at: map.location(of: node), length: map.length(of: node),
                hint: "write one 'name: type' line per input, like 'ticker: string'")
            return []
        case .mapping(let pairs):
            var result: [Requirement] = []
            var seen = SeenKeys(pairs, nonTextAsEmpty: false)
            for (position, pair) in pairs.enumerated() {
                let location = map.location(of: pair.key)
                guard let name = pair.key.scalar?.text, !name.isEmpty else {
                    error("invalid-requirement", "requirement names must be plain text", at: location)
                    continue
                }
                if let first = seen.first(name, at: position).map({ map.location(of: $0.key) }) {
                    error(
                        "duplicate-key", "requirement '\(name)' is declared more than once", at: location,
                        length: map.length(of: pair.key), notes: ["first declared at \(first)"])
                    continue
                }
                if let requirement = requirement(name: name, at: location, pair.value, map: map) {
                    result.append(requirement)
                }
            }
            return result
        }
    }

    private mutating func requirement(
        name: String, at location: SourceLocation, _ node: YAMLNode, map: YAMLPositionMap
    ) -> Requirement? {
        switch node.content {
        case .scalar(let scalar):
            if case .null = node.resolvedScalar {
                error(
                    "invalid-requirement", "requirement '\(name)' needs a type", at: location, length: name.count,
                    hint: "write '\(name): string' (or number, integer, boolean, object, array, any)")
                return nil
            }
            guard let type = requirementType(scalar.text, node: node, map: map) else { return nil }
            return Requirement(name: name, type: type, location: location)
        case .sequence(let items):
            // `[string]` is meant as "a list of strings"; `[low, high]` as the allowed values.
            let listOfType = items.count == 1 && items[0].scalar.map { Self.isTypeName($0.text) } == true
            error(
                "invalid-requirement", "requirement '\(name)' must be a type name or a mapping, not a sequence",
                at: map.location(of: node), length: map.length(of: node),
                hint: listOfType
                    ? "for a list, write '\(name): array'"
                    : "to allow only some values, write '\(name): {type: string, enum: [a, b]}'")
            return nil
        case .mapping(let pairs):
            var typeNode: YAMLNode?
            var defaultNode: YAMLNode?
            var enumNode: YAMLNode?
            var requirement = Requirement(name: name, type: .any, location: location)
            var seen = SeenKeys(pairs, nonTextAsEmpty: true)
            for (position, pair) in pairs.enumerated() {
                let key = pair.key.scalar?.text ?? ""
                if let first = seen.first(key, at: position).map({ map.location(of: $0.key) }) {
                    error(
                        "duplicate-key", "'\(key)' is given more than once for requirement '\(name)'",
                        at: map.location(of: pair.key), length: map.length(of: pair.key),
                        notes: ["first given at \(first)"])
                    continue
                }
                switch key {
                case "type": typeNode = pair.value
                case "default": defaultNode = pair.value
                case "enum": enumNode = pair.value
                case "description":
                    requirement.description = string(
                        pair.value, map: map, key: "description", code: "invalid-requirement")
                case "optional":
                    if let flag = bool(pair.value, map: map, key: "optional", code: "invalid-requirement") {
                        requirement.isOptional = flag
                    }
                case "secret":
                    if let flag = bool(pair.value, map: map, key: "secret", code: "invalid-requirement") {
                        requirement.isSecret = flag
                    }
                default:
                    let suggestion = Self.suggestion(for: key, in: Self.requirementKeys)
                    warning(
                        "unknown-requirement-key", "unknown key '\(key)' in requirement '\(name)'",
                        at: map.location(of: pair.key), length: map.length(of: pair.key),
                        hint: suggestion.map { "did you mean '\($0)'?" }
                            ?? "requirement keys are \(Self.requirementKeys.joined(separator: ", "))")
                }
            }
            var defaultValue: JSONValue?
            if let defaultNode { defaultValue = jsonValue(defaultNode, map: map) }
            if let typeNode {
                guard let text = typeNode.scalar?.text, !text.isEmpty else {
                    error(
                        "invalid-requirement-type", "the type of requirement '\(name)' must be a type name",
                        at: map.location(of: typeNode), length: map.length(of: typeNode),
                        hint: "use string, number, integer, boolean, object, array or any")
                    return nil
                }
                guard let type = requirementType(text, node: typeNode, map: map) else { return nil }
                requirement.type = type
            } else if let defaultValue, let inferred = Self.inferredType(of: defaultValue) {
                requirement.type = inferred
            } else {
                error(
                    "invalid-requirement", "requirement '\(name)' needs a 'type'", at: location, length: name.count,
                    hint: "add 'type: string' (or number, integer, boolean, object, array, any)")
                return nil
            }
            if let defaultNode, let defaultValue {
                if requirement.type.accepts(defaultValue) {
                    requirement.defaultValue = defaultValue
                } else {
                    // A quoted `"10000"` for a number: the quotes made it text.
                    var hint: String?
                    if let scalar = defaultNode.scalar, scalar.style.isQuoted,
                        requirement.type.accepts(JSONValue(scalar: YAMLScalar.resolvePlain(scalar.text)))
                    {
                        hint = "remove the quotes: 'default: \(scalar.text)'"
                    }
                    error(
                        "invalid-requirement-default",
                        "the default of requirement '\(name)' is \(Self.describe(defaultValue)), not \(Self.article(requirement.type)) \(requirement.type.rawValue)",
                        at: map.location(of: defaultNode), length: map.length(of: defaultNode), hint: hint)
                }
            }
            if let enumNode {
                requirement.allowedValues = allowedValues(enumNode, requirement: requirement, map: map)
                if let allowed = requirement.allowedValues, let value = requirement.defaultValue,
                    !allowed.contains(value), let defaultNode
                {
                    error(
                        "invalid-requirement-default",
                        "the default of requirement '\(name)' is not one of its allowed values",
                        at: map.location(of: defaultNode), length: map.length(of: defaultNode),
                        notes: ["allowed: \(allowed.map(Self.describe).joined(separator: ", "))"])
                }
            }
            return requirement
        }
    }

    /// The `enum:` list, each value checked against the requirement's type.
    private mutating func allowedValues(
        _ node: YAMLNode, requirement: Requirement, map: YAMLPositionMap
    ) -> [JSONValue]? {
        guard let items = node.sequence, !items.isEmpty else {
            error(
                "invalid-requirement", "'enum' of requirement '\(requirement.name)' must be a non-empty list",
                at: map.location(of: node), length: map.length(of: node), hint: "write 'enum: [low, medium, high]'")
            return nil
        }
        var values: [JSONValue] = []
        for item in items {
            guard let value = jsonValue(item, map: map) else { continue }
            if requirement.type.accepts(value) {
                values.append(value)
            } else {
                error(
                    "invalid-requirement",
                    "allowed value \(Self.describe(value)) of requirement '\(requirement.name)' is not \(Self.article(requirement.type)) \(requirement.type.rawValue)",
                    at: map.location(of: item), length: map.length(of: item))
            }
        }
        return values.isEmpty ? nil : values
    }

    /// Whether `text` names a type, or is a common name for one (`str`, `int`).
    static func isTypeName(_ text: String) -> Bool {
        RequirementType(rawValue: text) != nil || requirementTypeAliases[text.lowercased()] != nil
    }

    /// Reads a type name, with a hint for common mistakes (`str`, `int`, `bool`, `float`).
    private mutating func requirementType(_ text: String, node: YAMLNode, map: YAMLPositionMap) -> RequirementType? {
        if let type = RequirementType(rawValue: text) { return type }
        let hint: String
        if let alias = Self.requirementTypeAliases[text.lowercased()] {
            hint = "use '\(alias.rawValue)'"
        } else if let suggestion = Self.suggestion(for: text, in: RequirementType.allCases.map(\.rawValue)) {
            hint = "did you mean '\(suggestion)'?"
        } else {
            hint = "use string, number, integer, boolean, object, array or any"
        }
        error(
            "invalid-requirement-type", "unknown requirement type '\(text)'", at: map.location(of: node),
            length: map.length(of: node), hint: hint)
        return nil
    }

    private static func inferredType(of value: JSONValue) -> RequirementType? {
        switch value {
        case .null: nil
        case .bool: .boolean
        case .number: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }

    private static func article(_ type: RequirementType) -> String {
        switch type {
        case .integer, .object, .array, .any: "an"
        default: "a"
        }
    }

    /// A value as a message shows it: strings quoted, others as JSON-ish text with their type.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): "\(flag)"
        case .number(let number):
            number.rounded() == number && abs(number) < 1e15 ? "\(Int64(number))" : "\(number)"
        case .string(let text): "'\(text)'"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
