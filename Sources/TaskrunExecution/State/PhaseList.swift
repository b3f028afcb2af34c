/// The phases of an execution state, stored in small shared chunks so that a snapshot (a
/// checkpoint after every phase) costs O(1), and the first change after it copies one chunk and
/// the chunk table instead of every phase.
struct PhaseList: Sendable, RandomAccessCollection, MutableCollection {
    /// Phases per chunk: small enough that copying one is cheap, large enough that the table is short.
    private static let chunkSize = 16

    /// Mutated only through `PhaseList`'s copy-on-write accessors, which first make the chunk
    /// uniquely referenced (`isKnownUniquelyReferenced`), so a chunk that another value (another
    /// task's snapshot) can see is never written: safe to share across tasks.
    private final class Chunk: @unchecked Sendable {
        var elements: [PhaseResult]

        init(_ elements: [PhaseResult]) {
            self.elements = elements
        }
    }

    private var chunks: [Chunk]
    let count: Int

    init(_ phases: [PhaseResult]) {
        chunks = stride(from: 0, to: phases.count, by: Self.chunkSize).map {
            Chunk(Array(phases[$0..<Swift.min($0 + Self.chunkSize, phases.count)]))
        }
        count = phases.count
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(position: Int) -> PhaseResult {
        get { chunks[position / Self.chunkSize].elements[position % Self.chunkSize] }
        _modify {
            let chunk = position / Self.chunkSize
            if !isKnownUniquelyReferenced(&chunks[chunk]) {
                chunks[chunk] = Chunk(chunks[chunk].elements)
            }
            yield &chunks[chunk].elements[position % Self.chunkSize]
        }
        set {
            let chunk = position / Self.chunkSize
            if !isKnownUniquelyReferenced(&chunks[chunk]) {
                chunks[chunk] = Chunk(chunks[chunk].elements)
            }
            chunks[chunk].elements[position % Self.chunkSize] = newValue
        }
    }

    var array: [PhaseResult] {
        chunks.flatMap(\.elements)
    }
}

extension PhaseList: Hashable {
    static func == (lhs: PhaseList, rhs: PhaseList) -> Bool {
        lhs.count == rhs.count && lhs.elementsEqual(rhs)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for phase in self { hasher.combine(phase) }
    }
}
