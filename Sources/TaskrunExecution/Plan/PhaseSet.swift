/// A set of phase indexes as a bitset: compact (a 2,000-phase chain's ancestor sets take 500 KB,
/// not 16 MB) and iterated in file order.
struct PhaseSet: Sendable, Hashable, Sequence {
    private var words: [UInt64]

    init(capacity: Int) {
        words = Array(repeating: 0, count: (capacity + 63) / 64)
    }

    func contains(_ index: Int) -> Bool {
        let word = index / 64
        return word < words.count && words[word] & (1 << UInt64(index % 64)) != 0
    }

    mutating func insert(_ index: Int) {
        words[index / 64] |= 1 << UInt64(index % 64)
    }

    mutating func formUnion(_ other: PhaseSet) {
        for offset in words.indices where offset < other.words.count {
            words[offset] |= other.words[offset]
        }
    }

    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    func makeIterator() -> AnyIterator<Int> {
        var word = 0
        var bits: UInt64 = words.first ?? 0
        let words = self.words
        return AnyIterator {
            while bits == 0 {
                word += 1
                guard word < words.count else { return nil }
                bits = words[word]
            }
            let bit = bits.trailingZeroBitCount
            bits &= bits - 1
            return word * 64 + bit
        }
    }
}
