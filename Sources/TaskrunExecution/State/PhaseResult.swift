import Foundation
import TaskrunCore

/// What one phase of an execution did, so far or in the end.
///
/// A value type whose arrays and result live in one shared, copy-on-write box: the
/// executor, its journal, its store and the result each keep a copy of every phase, and a copy
/// is then one reference counted instead of six (each an atomic operation; Docs/performance.md,
/// W1). The name and the scalars stay inline: writing them never copies the box, and a phase
/// that holds nothing yet shares one empty box.
public struct PhaseResult: Sendable {
    /// The fields that are references, shared by copies until one of them writes.
    ///
    /// Mutated only through ``PhaseResult``'s accessors, after `isKnownUniquelyReferenced` has made
    /// the box this value's own (``mutableStorage``): a box that another copy (another task's
    /// snapshot) can see is never written, so sharing it across tasks is safe.
    private final class Storage: CopyOnWriteBox, @unchecked Sendable {
        // Unchecked: every access goes through `PhaseResult`, whose own exclusivity the compiler
        // checks statically; the dynamic checks cost more than the writes.
        @exclusivity(unchecked) var steps: [StepResult]
        @exclusivity(unchecked) var responses: Replies
        @exclusivity(unchecked) var outputs: [String: JSONValue]
        @exclusivity(unchecked) var errors: [String]
        @exclusivity(unchecked) var result: ResultValue

        /// The box of a phase that holds nothing yet, shared by every such phase: an execution's
        /// pending phases allocate no box of their own until they start.
        static let empty = Storage(steps: [], responses: .list([]), outputs: [:], errors: [], result: .plain(nil))

        init(
            steps: [StepResult], responses: Replies, outputs: [String: JSONValue], errors: [String],
            result: ResultValue
        ) {
            self.steps = steps
            self.responses = responses
            self.outputs = outputs
            self.errors = errors
            self.result = result
        }

        func copy() -> Storage {
            Storage(steps: steps, responses: responses, outputs: outputs, errors: errors, result: result)
        }
    }

    private var storage: Storage
    public var name: String
    /// How many times the phase was started (phase-level retries included).
    public var attempts: Int
    public var startedAt: Date?
    public var finishedAt: Date?
    // Last: after the optional dates' tags it takes no padding of its own, so a phase is 64 bytes
    // in the arrays that keep it (the run's list, its journal, the store) instead of 72.
    public var status: PhaseStatus

    /// The box, made this value's own first.
    private var mutableStorage: Storage {
        mutating get { uniqueBox(&storage) }
    }

    /// The steps of the latest attempt.
    public var steps: [StepResult] {
        get { storage.steps }
        _modify { yield &mutableStorage.steps }
    }

    /// The successful agent answers of the latest attempt, in step order.
    public var responses: [AgentReply] {
        get { storage.responses.array }
        set { mutableStorage.responses = Replies(newValue) }
        _modify {
            let box = mutableStorage
            var array = box.responses.array
            // The box lets go of the array while it is written, so that the write copies nothing.
            box.responses = .list([])
            defer { box.responses = Replies(array) }
            yield &array
        }
    }

    /// ``responses`` as the box keeps them, without making an array of a phase's one answer.
    var storedResponses: Replies {
        storage.responses
    }

    /// Records `reply` among the answers, after those of its step and the steps before it (the
    /// answers stay in step order when concurrent steps answer out of order).
    mutating func record(_ reply: AgentReply) {
        let box = mutableStorage
        if box.responses.isEmpty {
            box.responses = .one(reply)
            return
        }
        var array = box.responses.array
        box.responses = .list([])
        let position = array.lastIndex { $0.step <= reply.step }.map { $0 + 1 } ?? 0
        array.insert(reply, at: position)
        box.responses = .list(array)
    }

    /// The phase's `### Outputs`, filled when the phase ends (see `Docs/execution.md`).
    public var outputs: [String: JSONValue] {
        get { storage.outputs }
        _modify { yield &mutableStorage.outputs }
    }

    /// Every error of every attempt, oldest first (`attempt 1: ...` when the phase was retried).
    public var errors: [String] {
        get { storage.errors }
        _modify { yield &mutableStorage.errors }
    }

    /// The phase's result: its last aggregate, else its last custom or classify step's value, else its
    /// agent responses, else its description texts.
    public var result: JSONValue? {
        get { storage.result.json }
        set { mutableStorage.result = .plain(newValue) }
    }

    /// ``result`` as the executor keeps it: usually its one agent step's reply (see ``ResultValue``).
    var storedResult: ResultValue {
        get { storage.result }
        _modify { yield &mutableStorage.result }
    }

    public init(
        name: String, status: PhaseStatus = .pending, attempts: Int = 0, startedAt: Date? = nil,
        finishedAt: Date? = nil, steps: [StepResult] = [], responses: [AgentReply] = [],
        outputs: [String: JSONValue] = [:], errors: [String] = [], result: JSONValue? = nil
    ) {
        storage =
            steps.isEmpty && responses.isEmpty && outputs.isEmpty && errors.isEmpty && result == nil
            ? .empty
            : Storage(
                steps: steps, responses: Replies(responses), outputs: outputs, errors: errors, result: .plain(result))
        self.name = name
        self.status = status
        self.attempts = attempts
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// Whether this is `PhaseResult(name: name)`: a phase that has not started and holds nothing.
    var isUntouched: Bool {
        status == .pending && attempts == 0 && startedAt == nil && finishedAt == nil && storage.steps.isEmpty
            && storage.responses.isEmpty && storage.outputs.isEmpty && storage.errors.isEmpty && storage.result.isNil
    }

    /// How long the phase ran, all attempts together, once it has finished.
    public var duration: Duration? {
        guard let startedAt, let finishedAt else { return nil }
        return .milliseconds(exactly: finishedAt.timeIntervalSince(startedAt) * 1000)
    }

    /// Moves the phase to `status`, or throws when the state machine does not allow it.
    public mutating func transition(to next: PhaseStatus) throws(StateTransitionError) {
        guard status.canTransition(to: next) else {
            throw StateTransitionError(subject: "phase '\(name)'", from: status.rawValue, to: next.rawValue)
        }
        status = next
    }
}

// Written out because the fields are in a box: equal boxes are equal without comparing their contents.
extension PhaseResult: Hashable {
    public static func == (lhs: PhaseResult, rhs: PhaseResult) -> Bool {
        guard
            lhs.name == rhs.name, lhs.status == rhs.status, lhs.attempts == rhs.attempts,
            lhs.startedAt == rhs.startedAt,
            lhs.finishedAt == rhs.finishedAt
        else { return false }
        if lhs.storage === rhs.storage { return true }
        return lhs.steps == rhs.steps && lhs.storedResponses.elementsEqual(rhs.storedResponses)
            && lhs.outputs == rhs.outputs && lhs.errors == rhs.errors && lhs.storedResult == rhs.storedResult
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(status)
        hasher.combine(attempts)
        hasher.combine(startedAt)
        hasher.combine(finishedAt)
        hasher.combine(steps)
        // As `[AgentReply]` hashes: its count, then its elements.
        hasher.combine(storedResponses.count)
        for reply in storedResponses { hasher.combine(reply) }
        hasher.combine(outputs)
        hasher.combine(errors)
        hasher.combine(storedResult)
    }
}

// Written out because ``result`` is kept as a ``ResultValue``: the same keys, in the same order, with
// the same present-or-absent rule as the synthesized conformance it replaces, so stored results
// encode byte for byte as before.
extension PhaseResult: Codable {
    private enum CodingKeys: String, CodingKey {
        case name, status, attempts, startedAt, finishedAt, steps, responses, outputs, errors, result
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name),
            status: try container.decode(PhaseStatus.self, forKey: .status),
            attempts: try container.decode(Int.self, forKey: .attempts),
            startedAt: try container.decodeIfPresent(Date.self, forKey: .startedAt),
            finishedAt: try container.decodeIfPresent(Date.self, forKey: .finishedAt),
            steps: try container.decode([StepResult].self, forKey: .steps),
            responses: try container.decode([AgentReply].self, forKey: .responses),
            outputs: try container.decode([String: JSONValue].self, forKey: .outputs),
            errors: try container.decode([String].self, forKey: .errors),
            result: try container.decodeIfPresent(JSONValue.self, forKey: .result))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encodeIfPresent(startedAt, forKey: .startedAt)
        try container.encodeIfPresent(finishedAt, forKey: .finishedAt)
        try container.encode(steps, forKey: .steps)
        try container.encode(responses, forKey: .responses)
        try container.encode(outputs, forKey: .outputs)
        try container.encode(errors, forKey: .errors)
        try container.encodeIfPresent(result, forKey: .result)
    }
}

/// A phase's answers as its box keeps them: most phases have one, kept without an array (an
/// array of one is an allocation of its own that every finished phase kept; Docs/performance.md, W1).
enum Replies: Sendable, RandomAccessCollection {
    case one(AgentReply)
    case list([AgentReply])

    init(_ array: [AgentReply]) {
        self = array.count == 1 ? .one(array[0]) : .list(array)
    }

    /// The answers as an array (a new one for a single answer).
    var array: [AgentReply] {
        switch self {
        case .one(let reply): [reply]
        case .list(let list): list
        }
    }

    /// The answer, when there is exactly one.
    var only: AgentReply? {
        switch self {
        case .one(let reply): reply
        case .list(let list): list.count == 1 ? list[0] : nil
        }
    }

    var startIndex: Int { 0 }

    var endIndex: Int {
        switch self {
        case .one: 1
        case .list(let list): list.count
        }
    }

    subscript(position: Int) -> AgentReply {
        switch self {
        case .one(let reply):
            precondition(position == 0, "index out of range")
            return reply
        case .list(let list):
            return list[position]
        }
    }
}
