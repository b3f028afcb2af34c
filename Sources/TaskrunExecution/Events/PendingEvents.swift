import Foundation

/// The events a run has emitted and not yet handed to its history store, kept as plain records.
///
/// An ``ExecutionEvent`` is about 200 bytes with six optional strings: making one, copying it into
/// a buffer and destroying both (the compiler copies a value that large into place instead of
/// moving it) took more of a phase than anything else the executor does, and the in-memory store
/// then read each one field by field to pack it (Docs/performance.md, W1). A ``Record`` is the
/// same event as plain words (its strings are places in ``strings``, a string that a field repeats
/// from the event before kept once), copied with a `memcpy` and never destroyed. The in-memory
/// store packs the records themselves; every other reader gets the events
/// (``events(of:)``), equal to the ones emitted.
struct PendingEvents {
    /// An event without its execution (the run's) and with its strings as places in ``strings``
    /// (0: none, `n`: `strings[n - 1]`).
    struct Record {
        var kind: ExecutionEvent.Kind
        var sequence: UInt64
        var timestamp: Date
        var step: Int?
        var attempt: Int?
        var delay: Duration?
        var duration: Duration?
        var strings: StringPlaces
    }

    /// Where a record's strings are, by ``StringField``.
    typealias StringPlaces = PerStringField<UInt32>

    private(set) var records: [Record] = []
    /// The records' strings, and some of the strings of records already handed over (see
    /// ``removeAll()``). Kept alive here, so the words of the ones in ``last`` cannot belong to
    /// another string while they are remembered.
    private(set) var strings: [String] = []
    /// Each field's last string: its place, and its words.
    private var last = StringPlaces(0)
    private var lastWords = PerStringField(StringWords.none)

    var isEmpty: Bool { records.isEmpty }

    /// The sequence numbers of the first and the last record, read in place (`records.first`
    /// copies a whole record to read one field of it).
    var sequences: (first: UInt64, last: UInt64)? {
        records.withUnsafeBufferPointer { records in
            guard let first = records.baseAddress, !records.isEmpty else { return nil }
            return (first.pointee.sequence, first[records.count - 1].sequence)
        }
    }

    /// Adds an event; its execution is the run's.
    mutating func append(
        _ kind: ExecutionEvent.Kind, sequence: UInt64, timestamp: Date, task: String?, phase: String?, step: Int?,
        stepType: String?, agent: String?, attempt: Int?, status: String?, message: String?, delay: Duration?,
        duration: Duration?
    ) {
        var places = StringPlaces(0)
        if let task { places.task = place(task, .task) }
        if let phase { places.phase = place(phase, .phase) }
        if let stepType { places.stepType = place(stepType, .stepType) }
        if let agent { places.agent = place(agent, .agent) }
        if let status { places.status = place(status, .status) }
        if let message { places.message = place(message, .message) }
        records.append(
            Record(
                kind: kind, sequence: sequence, timestamp: timestamp, step: step, attempt: attempt, delay: delay,
                duration: duration, strings: places))
    }

    /// The place of `string` in ``strings``: the field's last one when it is the same string
    /// (compared by its words: no hashing, no reference counting), else a new one.
    private mutating func place(_ string: String, _ field: StringField) -> UInt32 {
        let words = StringWords(of: string)
        let known = last[field]
        if known != 0, lastWords[field] == words { return known }
        strings.append(string)
        let place = UInt32(strings.count)
        last[field] = place
        lastWords[field] = words
        return place
    }

    /// The string at `place` (0: `nil`).
    func string(at place: UInt32) -> String? {
        place == 0 ? nil : strings[Int(place) - 1]
    }

    /// The events, as ``ExecutionEvent`` values of execution `id`.
    func events(of id: ExecutionID) -> [ExecutionEvent] {
        records.map { record in
            ExecutionEvent(
                kind: record.kind, executionID: id, sequence: record.sequence, timestamp: record.timestamp,
                task: string(at: record.strings.task), phase: string(at: record.strings.phase), step: record.step,
                stepType: string(at: record.strings.stepType), agent: string(at: record.strings.agent),
                attempt: record.attempt, status: string(at: record.strings.status),
                message: string(at: record.strings.message), delay: record.delay, duration: record.duration)
        }
    }

    /// Empties the buffer, keeping its room for the next events. The strings stay, each field's
    /// last one with them, until there are more than ``keptStrings``: the next phase's events
    /// mostly repeat them (the step type, the agent, the status), and then find them by their
    /// words instead of adding, retaining and later releasing them again (Docs/performance.md, W1).
    mutating func removeAll() {
        records.removeAll(keepingCapacity: true)
        if strings.count > Self.keptStrings {
            strings.removeAll(keepingCapacity: true)
            last = StringPlaces(0)
        }
    }

    /// How many strings ``removeAll()`` keeps for the next events.
    static let keptStrings = 32
}

/// A value per ``StringField``, inline (no array to allocate or check).
struct PerStringField<Value> {
    var task: Value
    var phase: Value
    var stepType: Value
    var agent: Value
    var status: Value
    var message: Value

    /// `value` for every field.
    init(_ value: Value) {
        (task, phase, stepType, agent, status, message) = (value, value, value, value, value, value)
    }

    subscript(field: StringField) -> Value {
        get {
            switch field {
            case .task: task
            case .phase: phase
            case .stepType: stepType
            case .agent: agent
            case .status: status
            case .message: message
            }
        }
        set {
            switch field {
            case .task: task = newValue
            case .phase: phase = newValue
            case .stepType: stepType = newValue
            case .agent: agent = newValue
            case .status: status = newValue
            case .message: message = newValue
            }
        }
    }
}

extension PerStringField: Sendable where Value: Sendable {}

/// The string fields of an event, in the order ``CompactEventLog`` writes them.
enum StringField: Int, CaseIterable {
    case task, phase, stepType, agent, status, message
}

/// A string's stored words: two equal ones are the same string (the same storage object, or the
/// same small string held inline), as long as the string they were read from is alive.
struct StringWords: Equatable {
    var low: UInt64
    var high: UInt64

    static let none = StringWords(low: 0, high: 0)

    /// The words of the `String?` stored at `offset` from `base`, read without copying the string
    /// (a copy retains it and releases it again).
    init(_ base: UnsafeRawPointer, offset: Int) {
        self = base.loadUnaligned(fromByteOffset: offset, as: StringWords.self)
    }

    init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    init(of string: String) {
        self = withUnsafeBytes(of: string) { $0.loadUnaligned(as: StringWords.self) }
    }
}
