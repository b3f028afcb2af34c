import TaskrunCore

/// Resolves mustache names against a stack of JSON values, exactly as the renderer does: the first
/// part of a dotted name is looked up from the innermost section outwards, the rest from there.
enum TemplateLookup {
    static func child(_ name: Substring, of value: JSONValue) -> JSONValue? {
        switch value {
        case .object(let members): members[String(name)]
        case .array(let elements):
            Int(name).flatMap { $0 >= 0 && $0 < elements.count ? elements[$0] : nil }
        default: nil
        }
    }

    static func resolve(_ name: String, in stack: [JSONValue]) throws(TemplateError) -> JSONValue {
        guard let top = stack.last else { throw TemplateError("internal template error: empty context") }
        if name == "." { return top }
        let currentOnly = name.hasPrefix(".")
        let parts = name.split(separator: ".", omittingEmptySubsequences: true)
        guard let first = parts.first else { throw TemplateError("'{{\(name)}}' is not a name", path: name) }
        let frames = currentOnly ? [top] : Array(stack.reversed())
        guard var current = frames.lazy.compactMap({ child(first, of: $0) }).first else {
            let candidates = frames.flatMap { $0.objectValue.map { Array($0.keys) } ?? [] }
            throw missing(name, at: String(first), parent: nil, candidates: candidates)
        }
        var walked = String(first)
        for part in parts.dropFirst() {
            guard let next = child(part, of: current) else {
                throw missing(
                    name, at: String(part), parent: (walked, current),
                    candidates: current.objectValue.map { Array($0.keys) } ?? [])
            }
            walked += ".\(part)"
            current = next
        }
        return current
    }

    static func missing(
        _ name: String, at part: String, parent: (path: String, value: JSONValue)?, candidates: [String]
    ) -> TemplateError {
        var message = "template references '\(name)', which does not exist"
        if let parent {
            switch parent.value {
            case .object: message += ": '\(parent.path)' has no '\(part)'"
            case .array(let elements): message += ": '\(parent.path)' has \(elements.count) elements"
            default: message += ": '\(parent.path)' is a \(parent.value.typeName), not an object"
            }
        }
        if let suggestion = Suggestion.closest(to: part, in: candidates) {
            message += "; did you mean '\(suggestion)'?"
        } else if parent?.value.objectValue != nil, !candidates.isEmpty, candidates.count <= 12 {
            message += " (it has \(candidates.sorted().map { "'\($0)'" }.joined(separator: ", ")))"
        }
        return TemplateError(message, path: name)
    }

    /// Throws for the first reference in `nodes` that does not resolve in `stack`, following
    /// sections the way the renderer will: into each element of an array, into an object, not into
    /// `false`, `null` or an empty array.
    static func check(_ nodes: [TemplateNode], in stack: [JSONValue]) throws(TemplateError) {
        for node in nodes {
            switch node {
            case .variable(let name):
                _ = try resolve(name, in: stack)
            case .section(let name, let inverted, let children):
                let value = try resolve(name, in: stack)
                if inverted {
                    if isFalsy(value) { try check(children, in: stack) }
                    continue
                }
                switch value {
                case .null, .bool(false): continue
                case .bool(true): try check(children, in: stack)
                case .array(let elements):
                    for element in elements { try check(children, in: stack + [element]) }
                default: try check(children, in: stack + [value])
                }
            }
        }
    }

    static func isFalsy(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool(false): true
        case .array(let elements): elements.isEmpty
        default: false
        }
    }
}
