import Foundation

/// A JSON encoder for the store's hot path: it writes bytes as the value encodes itself, instead
/// of building a tree first, and redacts secrets in string values as it writes them.
///
/// Foundation's `JSONEncoder` spends several microseconds on every object it encodes, which made a
/// phase commit cost far more than its SQLite transaction. This encoder relies on what every
/// `Encodable` implementation does in practice: it fills containers in nesting order (a nested
/// container is finished before its parent is written to again). When an implementation breaks
/// that order, or uses `superEncoder`, or encodes nothing, ``encode(_:)`` throws
/// ``Unsupported`` and the caller falls back to Foundation (see `StorageCoding.encode`).
///
/// The output is plain JSON that Foundation's `JSONDecoder` reads back to an equal value: dates
/// are written as Foundation's default (seconds since 2001 as a number), slashes are not escaped,
/// keys keep the order they were encoded in.
struct RecordJSONEncoder {
    /// The value cannot be encoded by this encoder (use Foundation's).
    struct Unsupported: Error, CustomStringConvertible {
        var description: String
    }

    var redactor: Redactor
    /// Whether object members are written in the order of their keys' UTF-8 bytes, so that equal
    /// values give equal text (dictionaries encode in an order that differs between processes).
    var sortsKeys: Bool

    init(redactor: Redactor, sortsKeys: Bool = false) {
        self.redactor = redactor
        self.sortsKeys = sortsKeys
    }

    /// `value` as UTF-8 JSON.
    func encode(_ value: some Encodable) throws -> [UInt8] {
        let writer = JSONByteWriter(redactor: redactor, sortsKeys: sortsKeys)
        let slot = EncodingSlot()
        try value.encode(to: ByteEncoder(writer: writer, slot: slot, codingPath: []))
        return try writer.finish(slot)
    }
}

/// Where one JSON value goes: filled once, by a single value or by one container.
private final class EncodingSlot {
    var frame: Int?
    var isArray = false
    var isFilled = false
}

/// The output and the stack of open containers (``RecordWriter`` writes into it directly).
final class JSONByteWriter {
    struct Frame {
        var id: Int
        var isArray: Bool
        var count: Int
        /// When sorting keys: where each member starts (after its comma), and its key.
        var members: [(start: Int, key: String)] = []
    }

    // No dynamic exclusivity checks on these: every append to a class's stored property otherwise
    // pays one (a third of the time of writing a record). Safe because a writer is used by one
    // encoding, on one thread, and no access to a property overlaps another (none calls out to
    // code that touches the writer while it modifies one).
    @exclusivity(unchecked) var bytes: [UInt8] = []
    @exclusivity(unchecked) var stack: [Frame] = []
    @exclusivity(unchecked) var nextID = 0
    @exclusivity(unchecked) var failure: String?
    /// A copy of the members ``sortMembers(_:)`` rewrites, kept for the next object.
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    let redactor: Redactor
    let sortsKeys: Bool

    init(redactor: Redactor, sortsKeys: Bool) {
        self.redactor = redactor
        self.sortsKeys = sortsKeys
        bytes.reserveCapacity(1024)
    }

    /// Closes the innermost open container.
    private func closeLast() {
        guard let frame = stack.popLast() else { return }
        if frame.isArray {
            bytes.append(UInt8(ascii: "]"))
            return
        }
        if frame.members.count > 1 { sortMembers(frame.members) }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Rewrites the members of the object that ends here in the order of their keys (their UTF-8
    /// bytes), in place: most objects of a definition are sorted at every start of a task built in
    /// code.
    private func sortMembers(_ members: [(start: Int, key: String)]) {
        let order = members.indices.sorted { Self.precedes(members[$0].key, members[$1].key) }
        if order.elementsEqual(members.indices) { return }
        let base = members[0].start
        let end = bytes.count
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[base..<end])
        var position = base
        bytes.withUnsafeMutableBufferPointer { output in
            scratch.withUnsafeBufferPointer { source in
                for (rank, index) in order.enumerated() {
                    if rank > 0 {
                        output[position] = UInt8(ascii: ",")
                        position += 1
                    }
                    // A member runs to the comma before the next one, the last to the end.
                    let from = members[index].start - base
                    let to = (index + 1 < members.count ? members[index + 1].start - 1 : end) - base
                    _ = UnsafeMutableBufferPointer(rebasing: output[position..<position + to - from])
                        .update(fromContentsOf: UnsafeBufferPointer(rebasing: source[from..<to]))
                    position += to - from
                }
            }
        }
    }

    /// Whether `first` comes before `second` in the order of their UTF-8 bytes.
    private static func precedes(_ first: String, _ second: String) -> Bool {
        var first = first
        var second = second
        return first.withUTF8 { left in
            second.withUTF8 { right in
                let common = min(left.count, right.count)
                for index in 0..<common where left[index] != right[index] {
                    return left[index] < right[index]
                }
                return left.count < right.count
            }
        }
    }

    func fail(_ message: String) {
        if failure == nil { failure = message }
    }

    fileprivate func finish(_ slot: EncodingSlot) throws -> [UInt8] {
        if failure == nil, !slot.isFilled { fail("the value encoded nothing") }
        if let failure { throw RecordJSONEncoder.Unsupported(description: failure) }
        while !stack.isEmpty { closeLast() }
        return bytes
    }

    /// Closes the containers opened after `id`, so writing to `id` continues at the right place.
    /// Returns the frame's index, or `nil` (and records a failure) when `id` is closed already.
    func activate(_ id: Int) -> Int? {
        guard failure == nil else { return nil }
        guard let index = stack.lastIndex(where: { $0.id == id }) else {
            fail("a container was written to after it was closed")
            return nil
        }
        while stack.count > index + 1 { closeLast() }
        return index
    }

    /// Starts the next member of object `id`: a comma when needed, the key and a colon.
    func beginMember(of id: Int, key: String) -> Bool {
        guard let index = activate(id) else { return false }
        if stack[index].count > 0 { bytes.append(UInt8(ascii: ",")) }
        stack[index].count += 1
        if sortsKeys { stack[index].members.append((bytes.count, key)) }
        writeString(key, redacting: false)
        bytes.append(UInt8(ascii: ":"))
        return true
    }

    /// Starts the next element of array `id`.
    func beginElement(of id: Int) -> Bool {
        guard let index = activate(id) else { return false }
        if stack[index].count > 0 { bytes.append(UInt8(ascii: ",")) }
        stack[index].count += 1
        return true
    }

    func count(of id: Int) -> Int {
        stack.last(where: { $0.id == id })?.count ?? 0
    }

    /// Opens an object or array in `slot` (which must be where the writer is now).
    fileprivate func open(in slot: EncodingSlot, array: Bool) -> Int {
        if let frame = slot.frame {
            if slot.isArray != array { fail("a value asked for two kinds of container") }
            return frame
        }
        if slot.isFilled { fail("a value was encoded twice") }
        nextID += 1
        slot.frame = nextID
        slot.isArray = array
        slot.isFilled = true
        stack.append(Frame(id: nextID, isArray: array, count: 0))
        bytes.append(array ? UInt8(ascii: "[") : UInt8(ascii: "{"))
        return nextID
    }

    /// Marks `slot` as holding a single value; `false` when it already holds one.
    fileprivate func fillSingle(_ slot: EncodingSlot) -> Bool {
        guard failure == nil else { return false }
        if slot.isFilled {
            fail("a value was encoded twice")
            return false
        }
        slot.isFilled = true
        return true
    }

    // MARK: Scalars

    func writeNull() { bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

    func writeBool(_ value: Bool) {
        bytes.append(contentsOf: value ? [0x74, 0x72, 0x75, 0x65] : [0x66, 0x61, 0x6C, 0x73, 0x65])
    }

    func writeInteger<Integer: BinaryInteger>(_ value: Integer) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        guard var magnitude = UInt64(exactly: value.magnitude) else {
            bytes.append(contentsOf: String(value.magnitude).utf8)
            return
        }
        if magnitude == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var position = 20
            while magnitude > 0 {
                position -= 1
                digits[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[position..<20]))
        }
    }

    func writeDouble(_ value: Double) {
        guard value.isFinite else {
            fail("\(value) is not a valid JSON number")
            return
        }
        if value.rounded() == value, abs(value) < 9_007_199_254_740_992 {
            writeInteger(Int64(value))
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    func writeString(_ value: String, redacting: Bool) {
        var text = redacting && !redactor.isEmpty ? redactor.redact(value) : value
        bytes.append(UInt8(ascii: "\""))
        text.withUTF8 { appendEscaped($0) }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private func appendEscaped(_ buffer: UnsafeBufferPointer<UInt8>) {
        var start = 0
        for index in 0..<buffer.count {
            let byte = buffer[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if start < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index])) }
            start = index + 1
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            }
        }
        if start < buffer.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...])) }
    }

    /// Writes a value of a type the encoder knows directly; `false` for any other type. Metatype
    /// comparisons first: a dynamic cast costs far more than comparing two pointers.
    func writePrimitive<Value: Encodable>(_ value: Value) -> Bool {
        if Value.self == String.self, let value = value as? String {
            writeString(value, redacting: true)
        } else if Value.self == Double.self, let value = value as? Double {
            writeDouble(value)
        } else if Value.self == Int.self, let value = value as? Int {
            writeInteger(value)
        } else if Value.self == Bool.self, let value = value as? Bool {
            writeBool(value)
        } else if Value.self == Int64.self, let value = value as? Int64 {
            writeInteger(value)
        } else if Value.self == UInt64.self, let value = value as? UInt64 {
            writeInteger(value)
        } else {
            return false
        }
        return true
    }

    static func isPrimitive<Value>(_ type: Value.Type) -> Bool {
        type == String.self || type == Double.self || type == Int.self || type == Bool.self || type == Int64.self
            || type == UInt64.self
    }
}

/// The `Encoder` handed to each value: it writes into one slot.
private struct ByteEncoder: Encoder {
    let writer: JSONByteWriter
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let id = writer.open(in: slot, array: false)
        return KeyedEncodingContainer(ByteKeyedContainer<Key>(writer: writer, id: id, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        ByteUnkeyedContainer(writer: writer, id: writer.open(in: slot, array: true), codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        ByteSingleValueContainer(writer: writer, slot: slot, codingPath: codingPath)
    }
}

/// Encodes `value` into a fresh slot right where the writer stands.
private func encodeNested(
    _ value: some Encodable, writer: JSONByteWriter, codingPath: [any CodingKey]
) throws {
    if writer.writePrimitive(value) { return }
    let slot = EncodingSlot()
    try value.encode(to: ByteEncoder(writer: writer, slot: slot, codingPath: codingPath))
    if !slot.isFilled { writer.fail("a value encoded nothing") }
}

private struct ByteKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONByteWriter
    let id: Int
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {
        if writer.beginMember(of: id, key: key.stringValue) { writer.writeNull() }
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        if writer.beginMember(of: id, key: key.stringValue) { writer.writeBool(value) }
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        if writer.beginMember(of: id, key: key.stringValue) { writer.writeString(value, redacting: true) }
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        if writer.beginMember(of: id, key: key.stringValue) { writer.writeDouble(value) }
    }

    mutating func encode(_ value: Int, forKey key: Key) throws {
        if writer.beginMember(of: id, key: key.stringValue) { writer.writeInteger(value) }
    }

    mutating func encode(_ value: Int64, forKey key: Key) throws {
        if writer.beginMember(of: id, key: key.stringValue) { writer.writeInteger(value) }
    }

    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        if writer.beginMember(of: id, key: key.stringValue) { writer.writeInteger(value) }
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        guard writer.beginMember(of: id, key: key.stringValue) else { return }
        try encodeNested(value, writer: writer, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let slot = EncodingSlot()
        let nested = writer.beginMember(of: id, key: key.stringValue) ? writer.open(in: slot, array: false) : -1
        return KeyedEncodingContainer(ByteKeyedContainer<NestedKey>(writer: writer, id: nested, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let slot = EncodingSlot()
        let nested = writer.beginMember(of: id, key: key.stringValue) ? writer.open(in: slot, array: true) : -1
        return ByteUnkeyedContainer(writer: writer, id: nested, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        writer.fail("superEncoder is not supported")
        return ByteEncoder(writer: writer, slot: EncodingSlot(), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        writer.fail("superEncoder is not supported")
        return ByteEncoder(writer: writer, slot: EncodingSlot(), codingPath: codingPath)
    }
}

private struct ByteUnkeyedContainer: UnkeyedEncodingContainer {
    let writer: JSONByteWriter
    let id: Int
    let codingPath: [any CodingKey]

    var count: Int { writer.count(of: id) }

    mutating func encodeNil() throws {
        if writer.beginElement(of: id) { writer.writeNull() }
    }

    mutating func encode(_ value: Bool) throws {
        if writer.beginElement(of: id) { writer.writeBool(value) }
    }

    mutating func encode(_ value: String) throws {
        if writer.beginElement(of: id) { writer.writeString(value, redacting: true) }
    }

    mutating func encode(_ value: Double) throws {
        if writer.beginElement(of: id) { writer.writeDouble(value) }
    }

    mutating func encode(_ value: Int) throws {
        if writer.beginElement(of: id) { writer.writeInteger(value) }
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        guard writer.beginElement(of: id) else { return }
        try encodeNested(value, writer: writer, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<
        NestedKey
    > {
        let slot = EncodingSlot()
        let nested = writer.beginElement(of: id) ? writer.open(in: slot, array: false) : -1
        return KeyedEncodingContainer(ByteKeyedContainer<NestedKey>(writer: writer, id: nested, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let slot = EncodingSlot()
        let nested = writer.beginElement(of: id) ? writer.open(in: slot, array: true) : -1
        return ByteUnkeyedContainer(writer: writer, id: nested, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        writer.fail("superEncoder is not supported")
        return ByteEncoder(writer: writer, slot: EncodingSlot(), codingPath: codingPath)
    }
}

private struct ByteSingleValueContainer: SingleValueEncodingContainer {
    let writer: JSONByteWriter
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws {
        if writer.fillSingle(slot) { writer.writeNull() }
    }

    mutating func encode(_ value: Bool) throws {
        if writer.fillSingle(slot) { writer.writeBool(value) }
    }

    mutating func encode(_ value: String) throws {
        if writer.fillSingle(slot) { writer.writeString(value, redacting: true) }
    }

    mutating func encode(_ value: Double) throws {
        if writer.fillSingle(slot) { writer.writeDouble(value) }
    }

    mutating func encode(_ value: Int) throws {
        if writer.fillSingle(slot) { writer.writeInteger(value) }
    }

    mutating func encode(_ value: Int64) throws {
        if writer.fillSingle(slot) { writer.writeInteger(value) }
    }

    mutating func encode(_ value: UInt64) throws {
        if writer.fillSingle(slot) { writer.writeInteger(value) }
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if writer.writePrimitiveIfFillable(value, slot: slot) { return }
        // The value encodes itself into this same slot (a wrapper such as JSONValue or an id).
        try value.encode(to: ByteEncoder(writer: writer, slot: slot, codingPath: codingPath))
    }
}

extension JSONByteWriter {
    /// Writes a primitive into an unfilled `slot`; `false` (and nothing written) for other types.
    fileprivate func writePrimitiveIfFillable<Value: Encodable>(_ value: Value, slot: EncodingSlot) -> Bool {
        guard Self.isPrimitive(Value.self) else { return false }
        if fillSingle(slot) { _ = writePrimitive(value) }
        return true
    }
}
