/// The phases of an execution state, stored in small shared chunks of boxed phases, so that a
/// snapshot (a checkpoint after every phase) costs O(1), and the first change to a phase after it
/// copies that phase, its chunk's 32 references and the chunk table, instead of every phase.
///
/// Phases are boxed so that copying a chunk copies references, not 16 whole `PhaseResult`s with
/// every array and string in them retained (and later released): in a chain, every phase's first
/// write after the previous phase's checkpoint copied a chunk (Docs/performance.md, W1).
struct PhaseList: Sendable, RandomAccessCollection, MutableCollection {
    /// Phases per chunk: a write after a snapshot copies one chunk and the table (a thousand phases:
    /// 32 + 32 references), so about the square root of a large task's size.
    private static let chunkSize = 32

    /// `value` is mutated only through `PhaseList`'s copy-on-write accessors, which first make the
    /// box uniquely referenced (`isKnownUniquelyReferenced`), so a value that another list (another
    /// task's snapshot) can see is never written. `isChanged` is read and written only by a list
    /// that tracks changes (a run's own state, under the run's lock): it is set after the box was
    /// made unique, and cleared by the list that set it; a list sharing the box later is a copy
    /// that does not track changes (``tracksChanges`` is off in every copy handed out), so it never
    /// touches the flag. Safe to share across tasks.
    private final class Box: @unchecked Sendable {
        /// Unchecked: every access goes through `PhaseList`, whose own exclusivity the compiler
        /// checks statically, and the dynamic checks were a third of the cost of a write.
        @exclusivity(unchecked) var value: PhaseResult
        /// Whether the phase is in its list's ``PhaseList/changed``: set by a write, which has made
        /// the box unique first; cleared by ``PhaseList/takeChanges(into:)`` of that same list.
        @exclusivity(unchecked) var isChanged = false
        /// Whether the phase was written since it was last committed (see ``PhaseList/uncommitted``);
        /// read and written like ``isChanged``.
        @exclusivity(unchecked) var isUncommitted = false

        init(_ value: PhaseResult) {
            self.value = value
        }
    }

    /// Mutated only after `isKnownUniquelyReferenced`, like ``Box``: safe to share across tasks.
    private final class Chunk: @unchecked Sendable {
        /// Unchecked, like ``Box/value``.
        @exclusivity(unchecked) var boxes: [Box]

        init(_ boxes: [Box]) {
            self.boxes = boxes
        }
    }

    private var chunks: [Chunk]
    let count: Int
    /// Whether writes are noted for ``takeChanges()``: only in a run's own state, when its store
    /// takes compact checkpoints (a snapshot that shares the notes would copy them at the next write).
    var tracksChanges = false
    /// The phases written since ``takeChanges(into:)`` last ran, in the order of their first write
    /// (once each, but for a phase whose box was copied in between: logging it twice is harmless):
    /// what the next compact checkpoint logs (see ``PhaseJournal``).
    private var changed: [Int] = []
    /// How many phases were written since they were last committed (``noteCommitted(_:)``), in a
    /// list that tracks changes: none at the end of a run means every phase is, value for value,
    /// either the one it last committed or as it started.
    private var uncommitted = 0

    init(_ phases: [PhaseResult]) {
        chunks = stride(from: 0, to: phases.count, by: Self.chunkSize).map {
            Chunk(phases[$0..<Swift.min($0 + Self.chunkSize, phases.count)].map(Box.init))
        }
        count = phases.count
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(position: Int) -> PhaseResult {
        get { chunks[position / Self.chunkSize].boxes[position % Self.chunkSize].value }
        _modify {
            let chunk = position / Self.chunkSize
            let slot = position % Self.chunkSize
            makeUnique(chunk: chunk, slot: slot)
            noteChange(position, chunk: chunk, slot: slot)
            yield &chunks[chunk].boxes[slot].value
        }
        set {
            let chunk = position / Self.chunkSize
            let slot = position % Self.chunkSize
            makeUnique(chunk: chunk, slot: slot)
            noteChange(position, chunk: chunk, slot: slot)
            chunks[chunk].boxes[slot].value = newValue
        }
    }

    /// Call after `makeUnique(chunk:slot:)`.
    private mutating func noteChange(_ position: Int, chunk: Int, slot: Int) {
        guard tracksChanges else { return }
        let box = chunks[chunk].boxes[slot]
        if !box.isUncommitted {
            box.isUncommitted = true
            uncommitted += 1
        }
        guard !box.isChanged else { return }
        box.isChanged = true
        changed.append(position)
    }

    /// Appends the phases written since the last call, with their values now, to `records`, and
    /// starts the next round.
    mutating func takeChanges(into records: inout [PhaseRecord]) {
        for position in changed {
            let box = chunks[position / Self.chunkSize].boxes[position % Self.chunkSize]
            records.append(PhaseRecord(index: position, value: box.value))
            box.isChanged = false
        }
        changed.removeAll(keepingCapacity: true)
    }

    private mutating func makeUnique(chunk: Int, slot: Int) {
        if !isKnownUniquelyReferenced(&chunks[chunk]) {
            chunks[chunk] = Chunk(chunks[chunk].boxes)
        }
        if !isKnownUniquelyReferenced(&chunks[chunk].boxes[slot]) {
            let shared = chunks[chunk].boxes[slot]
            let box = Box(shared.value)
            // Still counted in `uncommitted` when it was: the copy carries the mark.
            box.isUncommitted = tracksChanges && shared.isUncommitted
            chunks[chunk].boxes[slot] = box
        }
    }

    var array: [PhaseResult] {
        var phases: [PhaseResult] = []
        phases.reserveCapacity(count)
        for chunk in chunks {
            for box in chunk.boxes { phases.append(box.value) }
        }
        return phases
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

extension PhaseList {
    /// A list of `count` pending phases, `PhaseResult(name: name(index))` each, made straight into
    /// its boxes: an execution's start made an array of them first, copied each into its box and
    /// destroyed the array, a copy and a destruction of every phase of every run. A closure, not a
    /// collection of names: a lazy map over the task's phases copied each whole `Phase` to read its name.
    init(pendingCount count: Int, name: (Int) -> String) {
        var chunks: [Chunk] = []
        chunks.reserveCapacity((count + Self.chunkSize - 1) / Self.chunkSize)
        var start = 0
        while start < count {
            let end = Swift.min(start + Self.chunkSize, count)
            var boxes: [Box] = []
            boxes.reserveCapacity(end - start)
            for index in start..<end { boxes.append(Box(PhaseResult(name: name(index)))) }
            chunks.append(Chunk(boxes))
            start = end
        }
        self.chunks = chunks
        self.count = count
    }

    /// The status of the phase at `position`, read in its box without copying the phase.
    func status(at position: Int) -> PhaseStatus {
        chunks[position / Self.chunkSize].boxes[position % Self.chunkSize].value.status
    }

    /// Whether `predicate` holds for every phase, with its position, each read in place in its box
    /// (a pointer valid during the call): a history store compares a finished execution's phases
    /// with its own copies this way, without a copy (and its retains and releases) of either.
    func allSatisfy(_ predicate: (Int, UnsafePointer<PhaseResult>) -> Bool) -> Bool {
        var position = 0
        for chunk in chunks {
            let matched = chunk.boxes.withUnsafeBufferPointer { boxes in
                for slot in boxes.indices {
                    guard withUnsafeMutablePointer(to: &boxes[slot].value, { predicate(position, $0) }) else {
                        return false
                    }
                    position += 1
                }
                return true
            }
            guard matched else { return false }
        }
        return true
    }

    /// The phase at `position` was committed with its value now (a list that tracks changes counts
    /// the phases written since their commit).
    mutating func noteCommitted(_ position: Int) {
        guard tracksChanges else { return }
        let box = chunks[position / Self.chunkSize].boxes[position % Self.chunkSize]
        guard box.isUncommitted else { return }
        box.isUncommitted = false
        uncommitted -= 1
    }

    /// Whether this list tracks changes and every phase written was committed since it was last
    /// written: each phase is then the value its last commit carried, or the one it started with.
    var isAsCommitted: Bool { tracksChanges && uncommitted == 0 }

    /// Whether a phase was written since ``takeChanges(into:)`` last ran: when not, the phases are
    /// the ones the run's journal holds at its last checkpoint.
    var hasUntakenChanges: Bool { !changed.isEmpty }

    /// A copy that shares this list's phases, for a value handed out (a snapshot, a result): it
    /// notes no changes and carries none of this list's notes.
    var detached: PhaseList {
        var copy = self
        copy.tracksChanges = false
        copy.changed = []
        return copy
    }
}
