extension PatternProgram {
    /// How many scalars are read between two checks for cancellation.
    static let cancellationInterval = 4096

    /// Whether the program matches anywhere in `text`.
    ///
    /// All the automaton's states at one place in the text are kept in one set, and each scalar
    /// moves the whole set forward once: time is at most the text's length times the program's
    /// size, and memory is two sets of the program's size. A cancelled task stops matching within
    /// ``cancellationInterval`` scalars, with an error.
    func matches(_ text: String) throws(PatternError) -> Bool {
        var current = StateSet(capacity: instructions.count)
        var next = StateSet(capacity: instructions.count)
        var pending: [Int] = []
        let finalLineBreak = needsFinalLineBreak ? Self.finalLineBreakOffset(text) : nil
        var scalars = text.unicodeScalars.makeIterator()
        var previous: Unicode.Scalar?
        var scalar = scalars.next()
        var offset = 0
        while true {
            if offset == 0 || !isAnchoredAtStart {
                let place = Place(previous: previous, next: scalar, isFinalLineBreak: offset == finalLineBreak)
                if follow(from: 0, into: &current, at: place, pending: &pending) { return true }
            }
            guard let read = scalar, !current.isEmpty || !isAnchoredAtStart else { return false }
            let following = scalars.next()
            let place = Place(previous: read, next: following, isFinalLineBreak: offset + 1 == finalLineBreak)
            for state in current.states where accepts(instructions[state], read) {
                if follow(from: state + 1, into: &next, at: place, pending: &pending) { return true }
            }
            swap(&current, &next)
            next.removeAll()
            previous = read
            scalar = following
            offset += 1
            if offset % Self.cancellationInterval == 0, Task.isCancelled {
                throw PatternError(message: "cancelled")
            }
        }
    }

    /// Where between two scalars the automaton stands, for its assertions.
    private struct Place {
        var previous: Unicode.Scalar?
        var next: Unicode.Scalar?
        var isFinalLineBreak: Bool
    }

    /// Whether a state that reads a scalar accepts `scalar`; states that read none accept nothing.
    private func accepts(_ instruction: Instruction, _ scalar: Unicode.Scalar) -> Bool {
        switch instruction {
        case .scalar(let expected): scalar == expected
        case .caselessScalar(let folded): PatternCase.fold(scalar) == folded
        case .set(let index): sets[index].contains(scalar)
        case .any: true
        case .anyButLineBreak: scalar != "\n"
        case .assertion, .split, .jump, .match: false
        }
    }

    /// Adds `state` and every state reachable from it without reading a scalar to `set`.
    ///
    /// - Returns: whether the match state was reached.
    private func follow(from state: Int, into set: inout StateSet, at place: Place, pending: inout [Int]) -> Bool {
        pending.append(state)
        while let state = pending.popLast() {
            // A state already in the set has had its successors followed (this also ends loops of
            // empty repetitions such as `(a*)*`).
            guard set.insert(state) else { continue }
            switch instructions[state] {
            case .match:
                pending.removeAll()
                return true
            case .jump(let target):
                pending.append(target)
            case .split(let first, let second):
                pending.append(second)
                pending.append(first)
            case .assertion(let assertion):
                if assertion.holds(previous: place.previous, next: place.next, isFinalLineBreak: place.isFinalLineBreak)
                {
                    pending.append(state + 1)
                }
            case .scalar, .caselessScalar, .set, .any, .anyButLineBreak:
                break
            }
        }
        return false
    }

    /// The scalar offset of the text's last scalar when it is a line break.
    private static func finalLineBreakOffset(_ text: String) -> Int? {
        guard text.unicodeScalars.last == "\n" else { return nil }
        return text.unicodeScalars.count - 1
    }
}

/// A set of automaton states with constant-time insertion and clearing, in insertion order
/// (Briggs and Torczon's sparse set).
struct StateSet {
    private(set) var states: [Int] = []
    private var slots: [Int]

    init(capacity: Int) {
        slots = Array(repeating: 0, count: capacity)
        states.reserveCapacity(capacity)
    }

    var isEmpty: Bool { states.isEmpty }

    /// Inserts `state`; returns `false` when it was already there.
    mutating func insert(_ state: Int) -> Bool {
        let slot = slots[state]
        if slot < states.count, states[slot] == state { return false }
        slots[state] = states.count
        states.append(state)
        return true
    }

    mutating func removeAll() {
        states.removeAll(keepingCapacity: true)
    }
}
