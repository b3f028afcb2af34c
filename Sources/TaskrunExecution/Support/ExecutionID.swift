import Foundation
import Synchronization

/// The identity of one execution: a UUIDv7 (RFC 9562), so ids sort by creation time.
///
/// The first 48 bits are the Unix time in milliseconds, the next 12 bits a counter that keeps ids
/// created in the same millisecond in creation order within this process, and the last 62 bits
/// are random. The text form is the usual lowercase `8-4-4-4-12` hexadecimal.
public struct ExecutionID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    LosslessStringConvertible
{
    /// The first 64 bits: timestamp, version and counter.
    public let high: UInt64
    /// The last 64 bits: variant and random bits.
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A new id, later than every id this process made before.
    public static func make() -> ExecutionID {
        let now = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        let (milliseconds, counter) = generator.withLock { state -> (UInt64, UInt64) in
            if now > state.milliseconds {
                state.milliseconds = now
                state.counter = 0
            } else if state.counter < 0xFFF {
                state.counter += 1
            } else {
                // 4096 ids in one millisecond: borrow the next millisecond to stay ordered.
                state.milliseconds += 1
                state.counter = 0
            }
            return (state.milliseconds, state.counter)
        }
        let high = (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | counter
        let low = (UInt64.random(in: .min ... .max) & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return ExecutionID(high: high, low: low)
    }

    private struct GeneratorState {
        var milliseconds: UInt64 = 0
        var counter: UInt64 = 0
    }

    private static let generator = Mutex(GeneratorState())

    /// When the id was made, to the millisecond.
    public var createdAt: Date {
        Date(timeIntervalSince1970: Double(high >> 16) / 1000)
    }

    public static func < (lhs: ExecutionID, rhs: ExecutionID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    public var description: String {
        let hex = Self.hex(high, digits: 16) + Self.hex(low, digits: 16)
        var text = ""
        text.reserveCapacity(36)
        for (offset, character) in hex.enumerated() {
            if offset == 8 || offset == 12 || offset == 16 || offset == 20 { text.append("-") }
            text.append(character)
        }
        return text
    }

    /// Reads the `8-4-4-4-12` text form (either case); `nil` for anything else.
    public init?(_ description: String) {
        let digits = description.filter { $0 != "-" }
        guard description.count == 36, digits.count == 32,
            [8, 13, 18, 23].allSatisfy({ description[description.index(description.startIndex, offsetBy: $0)] == "-" }),
            let high = UInt64(digits.prefix(16), radix: 16), let low = UInt64(digits.suffix(16), radix: 16)
        else { return nil }
        self.init(high: high, low: low)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = ExecutionID(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not an execution id")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
