import Mustache
import TaskrunCore

/// Presents JSON values to swift-mustache: objects and arrays answer member lookups without
/// reflection, arrays iterate in sections, scalars render as people write them (`10000`, not
/// `10000.0`), and arrays and objects render as compact JSON.
enum TemplateValue {
    static func wrap(_ value: JSONValue) -> Any {
        switch value {
        // Sections test `Bool` by type, so booleans go in as booleans.
        case .bool(let flag): flag
        case .array(let elements): TemplateArray(elements: elements)
        case .object(let members): TemplateObject(members: members)
        case .null, .number, .string: TemplateScalar(value: value)
        }
    }
}

struct TemplateObject: MustacheParent, MustacheCustomRenderable {
    let members: [String: JSONValue]

    func child(named name: String) -> Any? {
        members[name].map(TemplateValue.wrap)
    }

    var renderText: String { JSONValue.object(members).compactJSON }
    var isNull: Bool { false }
}

struct TemplateArray: MustacheSequence, MustacheParent, MustacheCustomRenderable {
    let elements: [JSONValue]

    func makeIterator() -> IndexingIterator<[Any]> {
        elements.map(TemplateValue.wrap).makeIterator()
    }

    func child(named name: String) -> Any? {
        guard let index = Int(name), index >= 0, index < elements.count else { return nil }
        return TemplateValue.wrap(elements[index])
    }

    var renderText: String { JSONValue.array(elements).compactJSON }
    var isNull: Bool { false }
}

struct TemplateScalar: MustacheParent, MustacheCustomRenderable {
    let value: JSONValue

    /// Scalars have no members; answering here keeps mustache from reflecting on this wrapper.
    func child(named name: String) -> Any? { nil }

    var renderText: String { value.plainText }
    var isNull: Bool { value == .null }
}

/// A template compiled once (at preflight) and rendered for every step that uses it.
struct CompiledTemplate: Sendable {
    let source: String
    /// `nil` when the text has no tags: rendering returns it unchanged.
    private let template: MustacheTemplate?
    let nodes: [TemplateNode]

    init(_ source: String) throws(TemplateError) {
        self.source = source
        guard source.contains("{{") else {
            template = nil
            nodes = []
            return
        }
        nodes = try TemplateScanner.scan(source)
        do {
            // Prompts are text, not HTML: nothing is escaped.
            template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + source)
        } catch {
            throw TemplateError("invalid template: \(error)")
        }
    }

    var hasTags: Bool { template != nil }

    /// Renders over `variables`; a reference to anything missing throws, naming the path.
    func render(_ variables: [String: JSONValue]) throws(TemplateError) -> String {
        guard let template else { return source }
        let root = JSONValue.object(variables)
        try TemplateLookup.check(nodes, in: [root])
        return template.render(TemplateObject(members: variables))
    }
}
