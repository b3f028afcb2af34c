/// A regular expression compiled into the instructions of a nondeterministic automaton, which
/// ``matches(_:)`` runs over all its states at once (Thompson's construction and simulation).
///
/// Matching takes time linear in the text, at most the text's length times the program's: no
/// input makes it backtrack, so a pattern such as `(a+)+$` cannot hang an evaluation on a long
/// agent answer.
struct PatternProgram: Sendable {
    /// The most instructions a program may have once its repetitions are written out.
    static let maxInstructions = 20_000

    enum Instruction: Sendable {
        case scalar(Unicode.Scalar)
        /// A scalar whose case fold equals this one.
        case caselessScalar(Unicode.Scalar)
        /// A scalar of `sets[index]`.
        case set(Int)
        case any
        case anyButLineBreak
        case assertion(PatternAssertion)
        /// Continue at both places.
        case split(Int, Int)
        case jump(Int)
        case match
    }

    private(set) var instructions: [Instruction] = []
    private(set) var sets: [PatternSet] = []
    /// Whether a match can only start at the input's start.
    let isAnchoredAtStart: Bool
    /// Whether an assertion needs to know where the input's last scalar is (`$`, `\Z`).
    private(set) var needsFinalLineBreak = false

    init(_ node: PatternNode) throws(PatternError) {
        isAnchoredAtStart = node.isAnchoredAtStart
        try emit(node)
        try append(.match)
    }

    private mutating func append(_ instruction: Instruction) throws(PatternError) {
        guard instructions.count < Self.maxInstructions else {
            throw PatternError(
                message: "the pattern is too large once its repeats are written out "
                    + "(over \(Self.maxInstructions) steps); use smaller repeat counts")
        }
        instructions.append(instruction)
    }

    private mutating func emit(_ node: PatternNode) throws(PatternError) {
        switch node {
        case .empty:
            break
        case .scalar(let scalar, let caseless):
            try append(caseless ? .caselessScalar(scalar) : .scalar(scalar))
        case .set(let set):
            sets.append(set)
            try append(.set(sets.count - 1))
        case .any(let matchesLineBreaks):
            try append(matchesLineBreaks ? .any : .anyButLineBreak)
        case .assertion(let assertion):
            if assertion == .inputEndOrFinalLineBreak { needsFinalLineBreak = true }
            try append(.assertion(assertion))
        case .sequence(let nodes):
            for node in nodes { try emit(node) }
        case .alternation(let branches):
            // split(first, next split) ... each branch jumping to the common end.
            var jumps: [Int] = []
            for (index, branch) in branches.enumerated() {
                let isLast = index == branches.count - 1
                let split = instructions.count
                if !isLast { try append(.split(split + 1, 0)) }
                try emit(branch)
                if !isLast {
                    jumps.append(instructions.count)
                    try append(.jump(0))
                    instructions[split] = .split(split + 1, instructions.count)
                }
            }
            for jump in jumps { instructions[jump] = .jump(instructions.count) }
        case .repetition(let body, let min, let max):
            for _ in 0..<min { try emit(body) }
            if let max {
                // Each optional copy may be skipped, which skips all the copies after it too.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(instructions.count)
                    try append(.split(instructions.count + 1, 0))
                    try emit(body)
                }
                for split in splits { instructions[split] = .split(split + 1, instructions.count) }
            } else {
                let loop = instructions.count
                try append(.split(loop + 1, 0))
                try emit(body)
                try append(.jump(loop))
                instructions[loop] = .split(loop + 1, instructions.count)
            }
        }
    }
}
