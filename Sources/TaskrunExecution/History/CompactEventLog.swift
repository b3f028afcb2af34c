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

    init() {}

    init(_ events: [ExecutionEvent]) {
        append(events)
    }

    /// Adds `events` after the ones already in the log.
    mutating func append(_ events: [ExecutionEvent]) {
        guard let first = events.first else { return }
        let executionID = self.executionID ?? first.executionID
        self.executionID = executionID
        var index = self.index ?? StringIndex(strings)
        self.index = nil
        // The events are written into a scratch buffer and appended to the log a few at a time:
        // appending byte by byte checked the array's uniqueness and capacity a dozen times an
        // event. A few, so that the buffer stays on the stack (a phase's seven events at once
        // took a heap allocation per write).
        // Through pointers, not `for event in events` or `events[position]`: both copied every
        // 200-byte event (retaining its strings) and destroyed the copy.
        events.withUnsafeBufferPointer { events in
            guard let first = events.baseAddress else { return }
            var start = 0
            while start < events.count {
                let end = min(start + Self.eventsPerScratch, events.count)
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxEventBytes * (end - start)) {
                    scratch in
                    var writer = ByteWriter(scratch)
                    for position in start..<end {
                        encode(first + position, executionID: executionID, index: &index, into: &writer)
                    }
                    bytes.append(contentsOf: writer.written)
                }
                start = end
            }
        }
        count += events.count
        self.index = index
    }

    /// Events packed per scratch buffer: as many as fit in the 1 KiB that
    /// `withUnsafeTemporaryAllocation` keeps on the stack.
    private static let eventsPerScratch = max(1, 1024 / maxEventBytes)

    /// The most an event takes: kind 1, mask 2, execution 16, sequence and time 10 each, six
    /// string indexes, step and attempt 10 each, two durations 20 each (varints of 64-bit values
    /// take at most 10 bytes).
    private static let maxEventBytes = 1 + 2 + 16 + 2 * 10 + 6 * 10 + 2 * 10 + 2 * 20

    private mutating func encode(
        _ pointer: UnsafePointer<ExecutionEvent>, executionID: ExecutionID, index: inout StringIndex,
        into bytes: inout ByteWriter
    ) {
        var mask: UInt16 = 0
        if pointer.pointee.task != nil { mask |= Field.task }
        if pointer.pointee.phase != nil { mask |= Field.phase }
        if pointer.pointee.step != nil { mask |= Field.step }
        if pointer.pointee.stepType != nil { mask |= Field.stepType }
        if pointer.pointee.agent != nil { mask |= Field.agent }
        if pointer.pointee.attempt != nil { mask |= Field.attempt }
        if pointer.pointee.status != nil { mask |= Field.status }
        if pointer.pointee.message != nil { mask |= Field.message }
        if pointer.pointee.delay != nil { mask |= Field.delay }
        if pointer.pointee.duration != nil { mask |= Field.duration }
        if pointer.pointee.executionID != executionID { mask |= Field.otherExecution }
        bytes.append(pointer.pointee.kind.code)
        Self.putVarint(UInt64(mask), into: &bytes)
        if mask & Field.otherExecution != 0 {
            Self.putRaw(pointer.pointee.executionID.high, into: &bytes)
            Self.putRaw(pointer.pointee.executionID.low, into: &bytes)
        }
        // Sequences and times of neighbouring events are close: store the difference.
        Self.putVarint(pointer.pointee.sequence &- previousSequence, into: &bytes)
        previousSequence = pointer.pointee.sequence
        let time = pointer.pointee.timestamp.timeIntervalSinceReferenceDate.bitPattern
        Self.putVarint(time ^ previousTime, into: &bytes)
        previousTime = time
        index.put(pointer.pointee.task, field: 0, strings: &strings, into: &bytes)
        // Phase names are not looked up in the table: a phase's events mostly follow each other,
        // so the field's last name catches their repeats, and every phase's first event hashed
        // and inserted its name (a third of packing a chain's events, Docs/performance.md, W1).
        index.put(pointer.pointee.phase, field: 1, strings: &strings, into: &bytes, interned: false)
        if let step = pointer.pointee.step { Self.putSigned(Int64(step), into: &bytes) }
        index.put(pointer.pointee.stepType, field: 2, strings: &strings, into: &bytes)
        index.put(pointer.pointee.agent, field: 3, strings: &strings, into: &bytes)
        if let attempt = pointer.pointee.attempt { Self.putSigned(Int64(attempt), into: &bytes) }
        index.put(pointer.pointee.status, field: 4, strings: &strings, into: &bytes)
        index.put(pointer.pointee.message, field: 5, strings: &strings, into: &bytes)
        Self.put(pointer.pointee.delay, into: &bytes)
        Self.put(pointer.pointee.duration, into: &bytes)
    }

    /// Writes into a buffer of ``maxEventBytes`` per event, which no event exceeds.
    private struct ByteWriter {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        private(set) var count = 0

        init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
            self.buffer = buffer
        }

        mutating func append(_ byte: UInt8) {
            // Never fails (see `maxEventBytes`); checked all the same, as the buffer is unsafe.
            precondition(count < buffer.count, "an event exceeds CompactEventLog.maxEventBytes")
            buffer[count] = byte
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
        /// The last string of each field and its index: neighbouring events mostly repeat them
        /// (the same phase, agent, step type), and comparing with the last one is much cheaper than
        /// hashing (an identical string compares by its storage).
        private var recentStrings = ["", "", "", "", "", ""]
        private var recentIndexes = [-1, -1, -1, -1, -1, -1]

        init(_ strings: [String]) {
            for (offset, string) in strings.enumerated() { indexes[string] = offset }
        }

        /// With `interned: false`, a string other than the field's last one is added to the
        /// table without looking for it there (the table may then hold it twice).
        mutating func put(
            _ string: String?, field: Int, strings: inout [String], into bytes: inout ByteWriter,
            interned: Bool = true
        ) {
            guard let string else { return }
            var found = recentIndexes[field]
            if found < 0 || recentStrings[field] != string {
                if interned, let known = indexes[string] {
                    found = known
                } else {
                    found = strings.count
                    if interned { indexes[string] = found }
                    strings.append(string)
                }
                recentStrings[field] = string
                recentIndexes[field] = found
            }
            CompactEventLog.putVarint(UInt64(found), into: &bytes)
        }
    }

    /// A duration as its two stored words (its exact attoseconds): `components` divides a 128-bit
    /// number, which was a tenth of the cost of packing an event.
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
        var reader = Reader(bytes: bytes)
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
            time ^= reader.varint()
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
