/// Where each of up to eight known keys was first given, by the key's index in its list of known
/// names: stored in the value itself, so that a phase's settings or a step's parameters allocate
/// nothing to detect one given twice.
///
/// `InlineArray` would hold the same, but it needs macOS 26 and the package supports macOS 15.
struct FirstSeenLocations {
    /// How many keys it can hold.
    static let capacity = 8

    private var slots:
        (
            SourceLocation, SourceLocation, SourceLocation, SourceLocation,
            SourceLocation, SourceLocation, SourceLocation, SourceLocation
        ) = (.start, .start, .start, .start, .start, .start, .start, .start)
    /// Which slots are set, one bit each.
    private var seen: UInt8 = 0

    init() {}

    /// Where the key at `index` was first given; `nil` when it was not, or `index` is out of range.
    func location(at index: Int) -> SourceLocation? {
        guard (0..<Self.capacity).contains(index), seen & (1 << index) != 0 else { return nil }
        return switch index {
        case 0: slots.0
        case 1: slots.1
        case 2: slots.2
        case 3: slots.3
        case 4: slots.4
        case 5: slots.5
        case 6: slots.6
        default: slots.7
        }
    }

    /// Records `location` for the key at `index` (in `0..<capacity`; anything else is ignored).
    mutating func record(_ location: SourceLocation, at index: Int) {
        guard (0..<Self.capacity).contains(index) else { return }
        switch index {
        case 0: slots.0 = location
        case 1: slots.1 = location
        case 2: slots.2 = location
        case 3: slots.3 = location
        case 4: slots.4 = location
        case 5: slots.5 = location
        case 6: slots.6 = location
        default: slots.7 = location
        }
        seen |= 1 << index
    }
}
