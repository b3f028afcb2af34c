import TaskrunCore

/// A step's value or a phase's result as the executor keeps it: a plain value, or an agent's reply
/// whose view (a nine-key `JSONValue` object) is made when something reads it.
///
/// The built-in agent step's value, and the result of a phase whose one response it is, are that
/// reply's view. Kept as the view, each finished phase held a hashed dictionary of about 700 bytes
/// for it, most of the memory a finished phase keeps (Docs/performance.md, W1 and W8); kept as the
/// reply, it holds one box of the reply's fields. Everything that reads the value (templates,
/// expressions, outputs, `Codable`, equality) reads the same view as before, made from the same
/// reply by the same code.
enum ResultValue: Sendable {
    case plain(JSONValue?)
    case reply(ReplyViewSource)

    /// The value as everything outside the executor sees it.
    var json: JSONValue? {
        switch self {
        case .plain(let value): value
        case .reply(let source): source.reply.view
        }
    }

    /// Member `name` of the value, without making the reply's whole view when it is one.
    subscript(member name: String) -> JSONValue? {
        switch self {
        case .plain(let value): value?[name]
        case .reply(let source): source.reply.viewMember(name)
        }
    }

    var isNil: Bool {
        if case .plain(nil) = self { return true }
        return false
    }
}

extension ResultValue: Hashable {
    static func == (lhs: ResultValue, rhs: ResultValue) -> Bool {
        if case .reply(let left) = lhs, case .reply(let right) = rhs, left === right { return true }
        return lhs.json == rhs.json
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(json)
    }
}

/// An agent reply whose view is a step's value: one shared box, so copies of the step (in the
/// phase's result, the run's journal, the store) share it.
final class ReplyViewSource: Sendable {
    let reply: AgentReply

    init(_ reply: AgentReply) {
        self.reply = reply
    }
}
