import Foundation

/// The parts of a template that read the context: what the reference check walks.
indirect enum TemplateNode: Sendable, Hashable {
    /// `{{name}}`, `{{{name}}}` or `{{&name}}`.
    case variable(String)
    /// `{{#name}}...{{/name}}`, or `{{^name}}...{{/name}}` when `inverted`.
    case section(String, inverted: Bool, children: [TemplateNode])

    var name: String {
        switch self {
        case .variable(let name), .section(let name, _, _): name
        }
    }
}

/// Reads the tags of a mustache template. Only the subset taskrun documents is accepted:
/// variables, sections, inverted sections and comments. Partials, blocks, delimiter changes,
/// pragmas and lambdas-with-arguments are refused with a clear error rather than rendered as nothing.
enum TemplateScanner {
    static func scan(_ source: String) throws(TemplateError) -> [TemplateNode] {
        var stack: [(name: String, inverted: Bool, children: [TemplateNode])] = [("", false, [])]
        var rest = source[...]
        while let open = rest.range(of: "{{") {
            let afterOpen = rest[open.upperBound...]
            let isTriple = afterOpen.hasPrefix("{")
            let closer = isTriple ? "}}}" : "}}"
            let contentStart = isTriple ? afterOpen.index(after: afterOpen.startIndex) : afterOpen.startIndex
            guard let close = rest[contentStart...].range(of: closer) else {
                throw TemplateError("unclosed tag '{{' in template")
            }
            let content = rest[contentStart..<close.lowerBound]
            rest = rest[close.upperBound...]
            let sigil = content.first
            let body = String(content.dropFirst()).trimmingWhitespace()
            if isTriple {
                try append(.variable(try checkedName(String(content).trimmingWhitespace())), to: &stack)
                continue
            }
            switch sigil {
            case "!":
                continue
            case "#", "^":
                stack.append((try checkedName(body), sigil == "^", []))
            case "/":
                guard stack.count > 1, let open = stack.last else {
                    throw TemplateError("closing tag '{{/\(body)}}' has no open section")
                }
                guard open.name == body else {
                    throw TemplateError(
                        "closing tag '{{/\(body)}}' does not match the open section '{{#\(open.name)}}'")
                }
                stack.removeLast()
                try append(.section(open.name, inverted: open.inverted, children: open.children), to: &stack)
            case "&":
                try append(.variable(try checkedName(body)), to: &stack)
            case ">", "<", "$":
                throw TemplateError("partials and blocks ('{{\(content)}}') are not supported in task templates")
            case "=":
                throw TemplateError("changing delimiters ('{{\(content)}}') is not supported in task templates")
            case "%":
                throw TemplateError("pragmas ('{{\(content)}}') are not supported in task templates")
            default:
                try append(.variable(try checkedName(String(content).trimmingWhitespace())), to: &stack)
            }
        }
        guard stack.count == 1, let root = stack.first else {
            throw TemplateError("section '{{#\(stack.last?.name ?? "")}}' is never closed")
        }
        return root.children
    }

    private static func append(
        _ node: TemplateNode, to stack: inout [(name: String, inverted: Bool, children: [TemplateNode])]
    ) throws(TemplateError) {
        guard !stack.isEmpty else { throw TemplateError("internal template error") }
        stack[stack.count - 1].children.append(node)
    }

    private static func checkedName(_ name: String) throws(TemplateError) -> String {
        guard !name.isEmpty else { throw TemplateError("empty tag '{{}}' in template") }
        if name.contains("(") || name.contains(")") {
            throw TemplateError("'{{\(name)}}': template functions are not supported; compute the value in a step")
        }
        if name.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            throw TemplateError(
                "'{{\(name)}}' is not a name; names are dotted paths like 'input.ticker' or 'phases.roundTable.status'")
        }
        return name
    }
}
