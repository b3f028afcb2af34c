import Foundation

/// An event log packed into bytes, as ``InMemoryHistoryStore`` keeps it.
///
/// An ``ExecutionEvent`` is about 200 bytes inline, most of it optional fields a kind leaves
/// empty, and a store that keeps thousands of executions was mostly event logs, kept as the
/// arrays the writes brought (Docs/performance.md, W1 and W8). Here each event takes a kind byte,
/// a field mask, varints for the numbers and an index into one table of the log's distinct
/// strings: about 20 bytes. Decoding gives back equal events (dates by their bit pattern,
/// durations by their exact components), in the order they were appended.
struct CompactEventLog: Sendable {
    /// Full chunks of the log, oldest first; ``bytes`` is the one being written. A long log grows
    /// by chunks instead of doubling one array: doubling copied the whole log at every step, and
    /// each copy (and the trim when the log is sealed) was fresh memory to fault in
    /// (Docs/performance.md, W1). An event never spans two chunks.
    private var chunks: [[UInt8]] = []
    private var bytes: [UInt8] = []
    private var strings: [String] = []
    private(set) var count = 0
    /// The execution of the first event: the others are written without their id when it is the same.
    private var executionID: ExecutionID?
    private var previousSequence: UInt64 = 0
    private var previousTime: UInt64 = 0
    /// What speeds up appending; dropped by ``seal()`` for a log that is done, rebuilt if it grows again.
    private var index: StringIndex?

    /// Which optional fields an event has, one bit each, in the order they are written.
    private enum Field {
        static let task: UInt16 = 1 << 0
        static let phase: UInt16 = 1 << 1
        static let step: UInt16 = 1 << 2
        static let stepType: UInt16 = 1 << 3
        static let agent: UInt16 = 1 << 4
        static let attempt: UInt16 = 1 << 5
        static let status: UInt16 = 1 << 6
        static let message: UInt16 = 1 << 7
        static let delay: UInt16 = 1 << 8
        static let duration: UInt16 = 1 << 9
        /// The event belongs to another execution than the log's first event (never, from the
        /// executor; kept exact all the same).
        static let otherExecution: UInt16 = 1 << 10
    }

    private static let kinds = ExecutionEvent.Kind.allCases

    /// A chunk being written moves to ``chunks`` once it holds this much and the next bytes do not
    /// fit; until then it grows as an array does (a short log, as most are, is one small array).
    private static let chunkBytes = 16 * 1024

    init() {}

    init(_ events: [ExecutionEvent]) {
        append(events)
    }

    /// The bytes the log holds, for tests of its size.
    var byteCount: Int { chunks.reduce(bytes.count) { $0 + $1.count } }

    /// Adds `events` after the ones already in the log.
    mutating func append(_ events: [ExecutionEvent]) {
        guard let first = events.first?.executionID else { return }
        let executionID = self.executionID ?? first
        self.executionID = executionID
        // Through pointers, not `for event in events` or `events[position]`: both copied every
        // 200-byte event (retaining its strings) and destroyed the copy.
        events.withUnsafeBufferPointer { events in
            guard let first = events.baseAddress else { return }
            pack(events.count, executionID: executionID) { EventPointer(first + $0) }
        }
    }

    /// Adds the events of `pending`, of execution `executionID`, after the ones already in the
    /// log: the same bytes as ``append(_:)`` of ``PendingEvents/events(of:)``, without making them.
    mutating func append(_ pending: PendingEvents, executionID: ExecutionID) {
        guard !pending.isEmpty else { return }
        let logExecution = self.executionID ?? executionID
        self.executionID = logExecution
        pending.records.withUnsafeBufferPointer { records in
            pending.strings.withUnsafeBufferPointer { strings in
                guard let first = records.baseAddress else { return }
                pack(records.count, executionID: logExecution) {
                    RecordPointer(first + $0, strings: strings, executionID: executionID)
                }
            }
        }
    }

    /// Packs events `0..<count` (`event(position)`) of a log of execution `executionID`.
    @inline(__always)  // Each caller its own copy, with its kind of event inlined: not a closure call per event.
    private mutating func pack<Event: PackableEvent>(
        _ count: Int, executionID: ExecutionID, _ event: (Int) -> Event
    ) {
        // Taken out, not copied: a copy retained its dictionary, and releasing the one left here
        // released it again.
        var index = self.index.take() ?? StringIndex(strings)
        // The events are written into a scratch buffer and appended to the log a few at a time:
        // appending byte by byte checked the array's uniqueness and capacity a dozen times an
        // event. A few, so that the buffer stays on the stack (a phase's seven events at once
        // took a heap allocation per write).
        var start = 0
        while start < count {
            let end = min(start + Self.eventsPerScratch, count)
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxEventBytes * (end - start)) { scratch in
                var writer = ByteWriter(scratch)
                for position in start..<end {
                    encode(event(position), executionID: executionID, index: &index, into: &writer)
                }
                store(writer.written)
            }
            start = end
        }
        self.count += count
        self.index = index
    }

    /// Appends whole events' bytes to the chunk being written, or to a new one.
    private mutating func store(_ written: UnsafeBufferPointer<UInt8>) {
        if bytes.count + written.count > bytes.capacity, bytes.count >= Self.chunkBytes {
            chunks.append(bytes)
            bytes = []
            bytes.reserveCapacity(max(Self.chunkBytes, written.count))
        }
        bytes.append(contentsOf: written)
    }

    /// Events packed per scratch buffer: as many as fit in the 1 KiB that
    /// `withUnsafeTemporaryAllocation` keeps on the stack.
    private static let eventsPerScratch = max(1, 1024 / maxEventBytes)

    /// The most an event takes: kind 1, mask 2, execution 16, sequence and time 10 each, six
    /// string indexes, step and attempt 10 each, two durations 20 each (varints of 64-bit values
    /// take at most 10 bytes).
    private static let maxEventBytes = 1 + 2 + 16 + 2 * 10 + 6 * 10 + 2 * 10 + 2 * 20

    private mutating func encode(
        _ event: some PackableEvent, executionID: ExecutionID, index: inout StringIndex, into bytes: inout ByteWriter
    ) {
        // The one bounds check of the event: it then writes at most `maxEventBytes`.
        bytes.reserveEvent()
        var mask: UInt16 = 0
        if event.has(.task) { mask |= Field.task }
        if event.has(.phase) { mask |= Field.phase }
        if event.step != nil { mask |= Field.step }
        if event.has(.stepType) { mask |= Field.stepType }
        if event.has(.agent) { mask |= Field.agent }
        if event.attempt != nil { mask |= Field.attempt }
        if event.has(.status) { mask |= Field.status }
        if event.has(.message) { mask |= Field.message }
        if event.delay != nil { mask |= Field.delay }
        if event.duration != nil { mask |= Field.duration }
        let eventExecution = event.executionID
        if eventExecution != executionID { mask |= Field.otherExecution }
        bytes.append(event.kind.code)
        Self.putVarint(UInt64(mask), into: &bytes)
        if mask & Field.otherExecution != 0 {
            Self.putRaw(eventExecution.high, into: &bytes)
            Self.putRaw(eventExecution.low, into: &bytes)
        }
        // Sequences and times of neighbouring events are close: store the difference. Times by
        // the difference of their bit patterns, which for two nearby times of the same sign and
        // binade is their distance in units of the last place (~119 ns now): a byte or two
        // where the exclusive or of the two patterns took three to five.
        let sequence = event.sequence
        Self.putVarint(sequence &- previousSequence, into: &bytes)
        previousSequence = sequence
        let time = event.timestamp.timeIntervalSinceReferenceDate.bitPattern
        Self.putSigned(Int64(bitPattern: time &- previousTime), into: &bytes)
        previousTime = time
        if mask & Field.task != 0 { index.put(event, field: .task, strings: &strings, into: &bytes) }
        // Phase names are not looked up in the table: a phase's events mostly follow each other,
        // so the field's last name catches their repeats, and every phase's first event hashed
        // and inserted its name (a third of packing a chain's events, Docs/performance.md, W1).
        if mask & Field.phase != 0 {
            index.put(event, field: .phase, strings: &strings, into: &bytes, interned: false)
        }
        if let step = event.step { Self.putSigned(Int64(step), into: &bytes) }
        if mask & Field.stepType != 0 { index.put(event, field: .stepType, strings: &strings, into: &bytes) }
        if mask & Field.agent != 0 { index.put(event, field: .agent, strings: &strings, into: &bytes) }
        if let attempt = event.attempt { Self.putSigned(Int64(attempt), into: &bytes) }
        if mask & Field.status != 0 { index.put(event, field: .status, strings: &strings, into: &bytes) }
        if mask & Field.message != 0 { index.put(event, field: .message, strings: &strings, into: &bytes) }
        Self.put(event.delay, into: &bytes)
        Self.put(event.duration, into: &bytes)
    }

    /// Writes into a buffer of ``maxEventBytes`` per event, which no event exceeds.
    private struct ByteWriter {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        private(set) var count = 0
        /// Where the current event may write up to: checked once per event, not per byte.
        private var limit = 0

        init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
            self.buffer = buffer
        }

        /// Makes room for one event of at most ``maxEventBytes``.
        mutating func reserveEvent() {
            // Never fails: the buffer has `maxEventBytes` per event. Checked all the same, as the
            // writes below are unchecked.
            precondition(buffer.count - count >= CompactEventLog.maxEventBytes, "CompactEventLog scratch overrun")
            limit = count + CompactEventLog.maxEventBytes
        }

        @inline(__always)
        mutating func append(_ byte: UInt8) {
            // Within the event's reserved room: an event writes at most `maxEventBytes`, which
            // `reserveEvent` checked the buffer has.
            assert(count < limit)
            buffer.baseAddress.unsafelyUnwrapped[count] = byte
            count += 1
        }

        var written: UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: buffer[..<count])
        }
    }

    /// Frees what only appending needs, and spare room: for a log that is kept but not written.
    mutating func seal() {
        index = nil
        if bytes.capacity > bytes.count + 64 { bytes = Array(bytes[...]) }
        if strings.capacity > strings.count + 4 { strings = Array(strings[...]) }
    }

    /// Finds a string's place in the table.
    private struct StringIndex {
        private var indexes: [String: Int] = [:]
        /// The words and table index of each field's last string: neighbouring events mostly repeat
        /// them (the same phase, agent, step type), and comparing two words is much cheaper than
        /// hashing, or even copying the string to compare it. The words are those of a string the
        /// table holds, so its storage cannot be freed and reused for another string while they
        /// are remembered.
        private var recent = PerStringField(Slot())

        private struct Slot {
            var bits = StringWords.none
            /// -1: none yet.
            var index = -1
        }

        init(_ strings: [String]) {
            for (offset, string) in strings.enumerated() { indexes[string] = offset }
        }

        /// Writes the table index of `field`'s string in `event`, which is not `nil` (read from the
        /// event only when the words of the field's last string are not its own). With
        /// `interned: false`, a string other than the field's last one is added to the table
        /// without looking for it there (the table may then hold it twice).
        @inline(__always)
        mutating func put(
            _ event: some PackableEvent, field: StringField, strings: inout [String], into bytes: inout ByteWriter,
            interned: Bool = true
        ) {
            let slot = recent[field]
            if slot.index >= 0, let words = event.words(field), words == slot.bits {
                CompactEventLog.putVarint(UInt64(slot.index), into: &bytes)
                return
            }
            guard let string = event.string(field) else { return }
            let index = find(string, field: field, strings: &strings, interned: interned)
            CompactEventLog.putVarint(UInt64(index), into: &bytes)
        }

        /// The table index of a string that is not the field's last one by its words, now the
        /// field's last one.
        @inline(never)
        private mutating func find(
            _ string: __owned String, field: StringField, strings: inout [String], interned: Bool
        ) -> Int {
            var slot = recent[field]
            if slot.index >= 0, strings[slot.index] == string {
                // Equal, but another copy of it: the remembered words stay those of the table's.
            } else if interned, let known = indexes[string] {
                slot.bits = StringWords(of: strings[known])
                slot.index = known
            } else {
                if interned { indexes[string] = strings.count }
                // The table's copy has the words of `string`.
                slot.bits = StringWords(of: string)
                slot.index = strings.count
                strings.append(string)
            }
            recent[field] = slot
            return slot.index
        }

    }

    /// A duration as its two stored words (its exact attoseconds): `components` divides a 128-bit
    /// number, which was a tenth of the cost of packing an event.
    @inline(__always)
    private static func put(_ duration: Duration?, into bytes: inout ByteWriter) {
        guard let duration else { return }
        putSigned(duration._high, into: &bytes)
        putVarint(duration._low, into: &bytes)
    }

    /// The events, equal to the ones the log was made from, in the same order.
    var events: [ExecutionEvent] {
        guard count > 0 else { return [] }
        var events: [ExecutionEvent] = []
        events.reserveCapacity(count)
        guard let executionID else { return [] }
        var all: [UInt8]
        if chunks.isEmpty {
            all = bytes
        } else {
            all = []
            all.reserveCapacity(byteCount)
            for chunk in chunks { all.append(contentsOf: chunk) }
            all.append(contentsOf: bytes)
        }
        var reader = Reader(bytes: all)
        var sequence: UInt64 = 0
        var time: UInt64 = 0

        func string(_ present: Bool) -> String? {
            guard present else { return nil }
            let index = Int(reader.varint())
            return index < strings.count ? strings[index] : nil
        }
        func duration(_ present: Bool) -> Duration? {
            guard present else { return nil }
            return Duration(_high: reader.signed(), low: reader.varint())
        }

        for _ in 0..<count {
            let kindIndex = Int(reader.byte())
            let mask = UInt16(truncatingIfNeeded: reader.varint())
            let id =
                mask & Field.otherExecution != 0 ? ExecutionID(high: reader.raw(), low: reader.raw()) : executionID
            sequence &+= reader.varint()
            time &+= UInt64(bitPattern: reader.signed())
            let task = string(mask & Field.task != 0)
            let phase = string(mask & Field.phase != 0)
            let step = mask & Field.step != 0 ? Int(reader.signed()) : nil
            let stepType = string(mask & Field.stepType != 0)
            let agent = string(mask & Field.agent != 0)
            let attempt = mask & Field.attempt != 0 ? Int(reader.signed()) : nil
            let status = string(mask & Field.status != 0)
            let message = string(mask & Field.message != 0)
            let delay = duration(mask & Field.delay != 0)
            let elapsed = duration(mask & Field.duration != 0)
            events.append(
                ExecutionEvent(
                    kind: kindIndex < Self.kinds.count ? Self.kinds[kindIndex] : .executionStart, executionID: id,
                    sequence: sequence, timestamp: Date(timeIntervalSinceReferenceDate: Double(bitPattern: time)),
                    task: task, phase: phase, step: step, stepType: stepType, agent: agent, attempt: attempt,
                    status: status, message: message, delay: delay, duration: elapsed))
        }
        return events
    }

    // MARK: Bytes

    // Inlined: a call per number was a fifth of packing an event, most numbers being one byte.
    @inline(__always)
    private static func putVarint(_ value: UInt64, into bytes: inout ByteWriter) {
        if value < 0x80 {
            bytes.append(UInt8(value))
            return
        }
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Zigzag: small negative numbers stay short.
    @inline(__always)
    private static func putSigned(_ value: Int64, into bytes: inout ByteWriter) {
        putVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)), into: &bytes)
    }

    private static func putRaw(_ value: UInt64, into bytes: inout ByteWriter) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Reads what the encoder wrote. The bytes never leave this type, so they are always well
    /// formed; reading past the end gives zeros rather than trapping all the same.
    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func byte() -> UInt8 {
            guard position < bytes.count else { return 0 }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func varint() -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while shift < 64 {
                let byte = byte()
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            return value
        }

        mutating func signed() -> Int64 {
            let raw = varint()
            return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
        }

        mutating func raw() -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(byte()) << UInt64(shift) }
            return value
        }
    }
}

/// An event as ``CompactEventLog`` packs it: an ``ExecutionEvent`` in place, or a run's pending
/// record with its strings. Read through pointers: a copy of an event retains its strings.
protocol PackableEvent {
    var kind: ExecutionEvent.Kind { get }
    var executionID: ExecutionID { get }
    var sequence: UInt64 { get }
    var timestamp: Date { get }
    var step: Int? { get }
    var attempt: Int? { get }
    var delay: Duration? { get }
    var duration: Duration? { get }
    func has(_ field: StringField) -> Bool
    /// The words of the field's string (see ``StringWords``), `nil` when they cannot be read
    /// without copying it.
    func words(_ field: StringField) -> StringWords?
    func string(_ field: StringField) -> String?
}

/// An ``ExecutionEvent`` in an array being packed.
struct EventPointer: PackableEvent {
    let pointer: UnsafePointer<ExecutionEvent>

    init(_ pointer: UnsafePointer<ExecutionEvent>) {
        self.pointer = pointer
    }

    var kind: ExecutionEvent.Kind { pointer.pointee.kind }
    var executionID: ExecutionID { pointer.pointee.executionID }
    var sequence: UInt64 { pointer.pointee.sequence }
    var timestamp: Date { pointer.pointee.timestamp }
    var step: Int? { pointer.pointee.step }
    var attempt: Int? { pointer.pointee.attempt }
    var delay: Duration? { pointer.pointee.delay }
    var duration: Duration? { pointer.pointee.duration }

    func has(_ field: StringField) -> Bool {
        switch field {
        case .task: pointer.pointee.task != nil
        case .phase: pointer.pointee.phase != nil
        case .stepType: pointer.pointee.stepType != nil
        case .agent: pointer.pointee.agent != nil
        case .status: pointer.pointee.status != nil
        case .message: pointer.pointee.message != nil
        }
    }

    func words(_ field: StringField) -> StringWords? {
        let offset = Self.offsets[field.rawValue]
        return offset >= 0 ? StringWords(UnsafeRawPointer(pointer), offset: offset) : nil
    }

    func string(_ field: StringField) -> String? {
        switch field {
        case .task: pointer.pointee.task
        case .phase: pointer.pointee.phase
        case .stepType: pointer.pointee.stepType
        case .agent: pointer.pointee.agent
        case .status: pointer.pointee.status
        case .message: pointer.pointee.message
        }
    }

    /// Where each ``StringField`` is in an ``ExecutionEvent``, or -1 to read it the general way.
    private static let offsets: [Int] = {
        // A `String?` must be the two words ``StringWords`` reads (it is on every 64-bit platform).
        guard MemoryLayout<String?>.size == MemoryLayout<StringWords>.size else {
            return Array(repeating: -1, count: StringField.allCases.count)
        }
        let keys: [KeyPath<ExecutionEvent, String?>] = [\.task, \.phase, \.stepType, \.agent, \.status, \.message]
        return keys.map { MemoryLayout<ExecutionEvent>.offset(of: $0) ?? -1 }
    }()
}

/// A run's pending record (see ``PendingEvents``), with the strings it refers to.
struct RecordPointer: PackableEvent {
    let pointer: UnsafePointer<PendingEvents.Record>
    let strings: UnsafeBufferPointer<String>
    let executionID: ExecutionID

    init(_ pointer: UnsafePointer<PendingEvents.Record>, strings: UnsafeBufferPointer<String>, executionID: ExecutionID)
    {
        self.pointer = pointer
        self.strings = strings
        self.executionID = executionID
    }

    var kind: ExecutionEvent.Kind { pointer.pointee.kind }
    var sequence: UInt64 { pointer.pointee.sequence }
    var timestamp: Date { pointer.pointee.timestamp }
    var step: Int? { pointer.pointee.step }
    var attempt: Int? { pointer.pointee.attempt }
    var delay: Duration? { pointer.pointee.delay }
    var duration: Duration? { pointer.pointee.duration }

    func has(_ field: StringField) -> Bool { pointer.pointee.strings[field] != 0 }

    func words(_ field: StringField) -> StringWords? {
        let place = Int(pointer.pointee.strings[field])
        guard place > 0, let base = strings.baseAddress else { return nil }
        return StringWords(UnsafeRawPointer(base + (place - 1)), offset: 0)
    }

    func string(_ field: StringField) -> String? {
        let place = Int(pointer.pointee.strings[field])
        return place > 0 ? strings[place - 1] : nil
    }
}

extension ExecutionEvent.Kind {
    /// The kind's position in `allCases`, as ``CompactEventLog`` stores it (a switch, not a search).
    fileprivate var code: UInt8 {
        switch self {
        case .executionStart: 0
        case .phaseStart: 1
        case .phaseComplete: 2
        case .phaseFailed: 3
        case .phaseSkipped: 4
        case .phaseRetry: 5
        case .stepStart: 6
        case .stepComplete: 7
        case .stepFailed: 8
        case .agentQuery: 9
        case .agentResponse: 10
        case .agentFailed: 11
        case .checkpointCreated: 12
        case .executionPaused: 13
        case .executionResumed: 14
        case .executionComplete: 15
        case .executionError: 16
        case .executionTimeout: 17
        case .executionAborted: 18
        }
    }
}
