import TaskrunCore

/// A step's value or a phase's result as the executor keeps it: a plain value, or an agent's reply
/// whose view (a nine-key `JSONValue` object) is made when something reads it.
///
/// The built-in agent step's value, and the result of a phase whose one response it is, are that
/// reply's view. Kept as the view, each finished phase held a hashed dictionary of about 700 bytes
/// for it, most of the memory a finished phase keeps (Docs/performance.md, W1 and W8); kept as the
/// reply, it holds a reference to the reply's box, the very box the phase's `responses` hold.
/// Everything that reads the value (templates, expressions, outputs, `Codable`, equality) reads the
/// same view as before, made from the same reply by the same code.
enum ResultValue: Sendable {
    case plain(JSONValue?)
    case reply(AgentReply)

    /// The value as everything outside the executor sees it.
    var json: JSONValue? {
        switch self {
        case .plain(let value): value
        case .reply(let reply): reply.view
        }
    }

    /// Member `name` of the value, without making the reply's whole view when it is one.
    subscript(member name: String) -> JSONValue? {
        switch self {
        case .plain(let value): value?[name]
        case .reply(let reply): reply.viewMember(name)
        }
    }

    var isNil: Bool {
        if case .plain(nil) = self { return true }
        return false
    }
}

extension ResultValue: Hashable {
    // By view: a reply and the plain view of an equal reply are the same value to everything outside.
    static func == (lhs: ResultValue, rhs: ResultValue) -> Bool {
        if case .reply(let left) = lhs, case .reply(let right) = rhs, left.isIdentical(to: right) { return true }
        return lhs.json == rhs.json
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(json)
    }
}
