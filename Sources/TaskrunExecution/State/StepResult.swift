import Foundation
import TaskrunCore

/// What one step of a phase did.
///
/// A value type whose strings, collections and value live in one shared, copy-on-write box, like
/// ``PhaseResult``'s: a copy of a step is one reference counted instead of six. The scalars stay
/// inline: writing them never copies the box.
public struct StepResult: Sendable {
    /// The fields that are references, shared by copies until one of them writes.
    ///
    /// Mutated only through ``StepResult``'s accessors, after `isKnownUniquelyReferenced` has made
    /// the box this value's own (``mutableStorage``): a box that another copy can see is never
    /// written, so sharing it across tasks is safe.
    private final class Storage: CopyOnWriteBox, @unchecked Sendable {
        // Unchecked: every access goes through `StepResult`, whose own exclusivity the compiler
        // checks statically; the dynamic checks cost more than the writes.
        @exclusivity(unchecked) var type: String
        @exclusivity(unchecked) var agent: String?
        @exclusivity(unchecked) var value: ResultValue
        @exclusivity(unchecked) var outputs: [String: JSONValue]
        @exclusivity(unchecked) var error: String?
        @exclusivity(unchecked) var warnings: [String]

        init(
            type: String, agent: String?, value: ResultValue, outputs: [String: JSONValue], error: String?,
            warnings: [String]
        ) {
            self.type = type
            self.agent = agent
            self.value = value
            self.outputs = outputs
            self.error = error
            self.warnings = warnings
        }

        func copy() -> Storage {
            Storage(type: type, agent: agent, value: value, outputs: outputs, error: error, warnings: warnings)
        }
    }

    private var storage: Storage
    /// The step's position in the phase's effective step list (listed agents without steps first,
    /// then the `### Steps` bullets in order).
    public var index: Int
    /// How many times the step ran (retries included); agent query attempts are counted in events.
    public var attempts: Int
    public var startedAt: Date?
    public var finishedAt: Date?
    // Last: after the optional dates' tags it takes no padding of its own, so a step is 56 bytes
    // in its phase's array instead of 64.
    public var status: StepStatus

    /// The box, made this value's own first.
    private var mutableStorage: Storage {
        mutating get { uniqueBox(&storage) }
    }

    /// The strategy that ran it: `agent`, `validation`, `aggregate`, `wait`, `description`, `classify`, ...
    public var type: String {
        get { storage.type }
        set { mutableStorage.type = newValue }
    }

    /// The agent an agent step queried.
    public var agent: String? {
        get { storage.agent }
        set { mutableStorage.agent = newValue }
    }

    /// The strategy's result: an agent's response, an aggregate, a classification, a validation report.
    public var value: JSONValue? {
        get { storage.value.json }
        set { mutableStorage.value = .plain(newValue) }
    }

    /// ``value`` as the executor keeps it: an agent step's reply rather than its view (see ``ResultValue``).
    var storedValue: ResultValue {
        get { storage.value }
        _modify { yield &mutableStorage.value }
    }

    /// Phase outputs this step set explicitly (a `classify` step's label, a step's `output:` parameter).
    public var outputs: [String: JSONValue] {
        get { storage.outputs }
        _modify { yield &mutableStorage.outputs }
    }

    public var error: String? {
        get { storage.error }
        set { mutableStorage.error = newValue }
    }

    public var warnings: [String] {
        get { storage.warnings }
        _modify { yield &mutableStorage.warnings }
    }

    public init(
        index: Int, type: String, agent: String? = nil, status: StepStatus = .pending, value: JSONValue? = nil,
        outputs: [String: JSONValue] = [:], error: String? = nil, warnings: [String] = [], attempts: Int = 0,
        startedAt: Date? = nil, finishedAt: Date? = nil
    ) {
        storage = Storage(
            type: type, agent: agent, value: .plain(value), outputs: outputs, error: error, warnings: warnings)
        self.index = index
        self.status = status
        self.attempts = attempts
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// How long the step ran, once it has finished.
    public var duration: Duration? {
        guard let startedAt, let finishedAt else { return nil }
        return .milliseconds(exactly: finishedAt.timeIntervalSince(startedAt) * 1000)
    }

    /// Moves the step to `status`, or throws when the state machine does not allow it.
    public mutating func transition(to next: StepStatus) throws(StateTransitionError) {
        guard status.canTransition(to: next) else {
            throw StateTransitionError(subject: "step \(index)", from: status.rawValue, to: next.rawValue)
        }
        status = next
    }
}

// Written out because the fields are in a box: equal boxes are equal without comparing their contents.
extension StepResult: Hashable {
    public static func == (lhs: StepResult, rhs: StepResult) -> Bool {
        guard
            lhs.index == rhs.index, lhs.status == rhs.status, lhs.attempts == rhs.attempts,
            lhs.startedAt == rhs.startedAt, lhs.finishedAt == rhs.finishedAt
        else { return false }
        if lhs.storage === rhs.storage { return true }
        return lhs.type == rhs.type && lhs.agent == rhs.agent && lhs.storedValue == rhs.storedValue
            && lhs.outputs == rhs.outputs && lhs.error == rhs.error && lhs.warnings == rhs.warnings
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(index)
        hasher.combine(type)
        hasher.combine(agent)
        hasher.combine(status)
        hasher.combine(storedValue)
        hasher.combine(outputs)
        hasher.combine(error)
        hasher.combine(warnings)
        hasher.combine(attempts)
        hasher.combine(startedAt)
        hasher.combine(finishedAt)
    }
}

// Written out because ``value`` is kept as a ``ResultValue``: the same keys, in the same order, with
// the same present-or-absent rule as the synthesized conformance it replaces, so stored results
// encode byte for byte as before.
extension StepResult: Codable {
    private enum CodingKeys: String, CodingKey {
        case index, type, agent, status, value, outputs, error, warnings, attempts, startedAt, finishedAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            index: try container.decode(Int.self, forKey: .index),
            type: try container.decode(String.self, forKey: .type),
            agent: try container.decodeIfPresent(String.self, forKey: .agent),
            status: try container.decode(StepStatus.self, forKey: .status),
            value: try container.decodeIfPresent(JSONValue.self, forKey: .value),
            outputs: try container.decode([String: JSONValue].self, forKey: .outputs),
            error: try container.decodeIfPresent(String.self, forKey: .error),
            warnings: try container.decode([String].self, forKey: .warnings),
            attempts: try container.decode(Int.self, forKey: .attempts),
            startedAt: try container.decodeIfPresent(Date.self, forKey: .startedAt),
            finishedAt: try container.decodeIfPresent(Date.self, forKey: .finishedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(agent, forKey: .agent)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(value, forKey: .value)
        try container.encode(outputs, forKey: .outputs)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(attempts, forKey: .attempts)
        try container.encodeIfPresent(startedAt, forKey: .startedAt)
        try container.encodeIfPresent(finishedAt, forKey: .finishedAt)
    }
}
