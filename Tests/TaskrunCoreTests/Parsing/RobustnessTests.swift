import Testing

@testable import TaskrunCore

/// A small deterministic generator (SplitMix64), so every run sees the same inputs.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generated and mutated inputs: the parser must always end in a task and well-formed diagnostics.
@Suite struct RobustnessTests {
    /// Checks the invariants every parse must keep, whatever the input.
    func checkInvariants(
        _ source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let result = parseTask(source)
        let lineCount =
            source.utf8.reduce(1) { $0 + ($1 == 10 ? 1 : 0) } + source.utf8.reduce(0) { $0 + ($1 == 13 ? 1 : 0) }
        #expect(result.task != nil, sourceLocation: sourceLocation)
        #expect(result.diagnostics == result.diagnostics.sortedByPosition(), sourceLocation: sourceLocation)
        for diagnostic in result.diagnostics {
            let valid =
                diagnostic.location.line >= 1 && diagnostic.location.column >= 1 && diagnostic.length >= 1
                && diagnostic.location.line <= lineCount + 1 && !diagnostic.message.isEmpty && !diagnostic.code.isEmpty
            if !valid {
                Issue.record(
                    "malformed diagnostic \(diagnostic) for input \(source.debugDescription.prefix(300))",
                    sourceLocation: sourceLocation)
            }
        }
        for phase in result.task?.phases ?? [] {
            for step in phase.steps where step.location.line < 1 || step.location.line > lineCount {
                Issue.record("step outside the file: \(step)", sourceLocation: sourceLocation)
            }
        }
        if result.task?.phases.isEmpty == true {
            #expect(result.codes.contains("no-phases"), sourceLocation: sourceLocation)
        }
    }

    static let alphabet: [Character] = Array(
        "#-*`{}[]:>|\n \t'\"~!&\\_.,0123456789abcdefghijklmnopqrstuvwxyzAPST éü😀\u{0}\u{1}\r")

    @Test func everyTruncationOfARealFile() {
        let scalars = Array(committeeSample.unicodeScalars)
        for end in stride(from: 0, through: scalars.count, by: 2) {
            checkInvariants(String(String.UnicodeScalarView(scalars[0..<end])))
        }
    }

    @Test func randomMutationsOfARealFile() {
        var random = SeededGenerator(seed: 42)
        let base = Array(committeeSample)
        for _ in 0..<1_500 {
            var text = base
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let index = Int.random(in: 0..<text.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: text.remove(at: index)
                case 1: text.insert(Self.alphabet.randomElement(using: &random) ?? "x", at: index)
                case 2: text[index] = Self.alphabet.randomElement(using: &random) ?? "x"
                default:
                    // Duplicate a random slice: repeated sections, settings and keys.
                    let end = min(text.count, index + Int.random(in: 1...80, using: &random))
                    text.insert(contentsOf: text[index..<end], at: index)
                }
                if text.isEmpty { text = ["x"] }
            }
            checkInvariants(String(text))
        }
    }

    @Test func randomBytes() {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<400 {
            let count = Int.random(in: 0...400, using: &random)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            checkInvariants(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Random files assembled from task-file lines, valid and broken.
    @Test func randomTaskShapedFiles() {
        let fragments = [
            "# Title", "## Phase: A", "## Phase: B", "## Phase Round Table", "## Phase:", "## Notes", "### Steps",
            "### Agents", "### Outputs", "### Dependencies", "### Step", "- agent: quant-analyst - Do {{input.x}}",
            "- agent:", "- validation: x > 1", "- aggregate: responses - all", "- wait: 5s", "- wait: soon",
            "- custom: thing", "- plain step", "  - when: a == 1", "  - required: maybe", "  - tag: 1", "- {{a",
            "dependsOn: A, B", "dependsOn: [A", "parallel: false", "timeout: 1h", "retry: {maxAttempts: 2}",
            "when: x", "```yaml", "```", "name: X", "requirements:", "  ticker: str",
            "  amount: {type: number, default: x}",
            "---", "...", "> quote", "", "    indented code", "1. ordered", "<div>", "text with `code` and *em*",
            "retry:", "  maxAttempts: 0", "\t- tabbed", "- [link](x) and ![img](y)", "Ünïcödé: ✓",
        ]
        var random = SeededGenerator(seed: 2024)
        for _ in 0..<1_000 {
            let count = Int.random(in: 0...40, using: &random)
            let lines = (0..<count).map { _ in fragments.randomElement(using: &random) ?? "" }
            checkInvariants(lines.joined(separator: Bool.random(using: &random) ? "\n" : "\r\n"))
        }
    }

    @Test func hugeLines() {
        let long = String(repeating: "word é {{input.x}} ", count: 20_000)
        checkInvariants(phaseSource("### Steps\n- agent: a - " + long + "\n"))
        checkInvariants(phaseSource(long + "\n"))
        checkInvariants("```yaml\nname: " + long + "\n```\n" + phaseSource(""))
        checkInvariants(phaseSource(String(repeating: "k", count: 100_000) + ": v\n"))
        checkInvariants(phaseSource("### Steps\n- " + String(repeating: "{{", count: 50_000) + "\n"))
        checkInvariants(phaseSource("### Steps\n- " + String(repeating: "}}", count: 50_000) + "\n"))
        checkInvariants(phaseSource("### Steps\n- " + String(repeating: "{{#a}}", count: 10_000) + "\n"))
        // Inline constructs cmark has had quadratic trouble with.
        for fragment in ["[", "`", "<a ", "*_", "![", "&#"] {
            checkInvariants(phaseSource("### Steps\n- agent: a - " + String(repeating: fragment, count: 20_000) + "\n"))
        }
    }

    @Test func deepNesting() {
        let lists = (0..<300).map { String(repeating: "  ", count: $0) + "- agent: a - x" }.joined(separator: "\n")
        checkInvariants(phaseSource("### Steps\n" + lists + "\n"))
        checkInvariants(phaseSource("### Steps\n" + String(repeating: "> ", count: 5_000) + "- x\n"))
        checkInvariants(String(repeating: ">", count: 10_000) + " ## Phase: A\n")
        let deepYAML = "```yaml\nrequirements: " + String(repeating: "[", count: 10_000) + "\n```\n" + phaseSource("")
        let result = parseTask(deepYAML)
        #expect(result.only("yaml-syntax")?.message.contains("nesting is deeper than 256 levels") == true)
        let deepDefault =
            "```yaml\nrequirements:\n  x: {type: array, default: " + String(repeating: "[", count: 200)
            + String(repeating: "]", count: 200) + "}\n```\n" + phaseSource("")
        #expect(!parseTask(deepDefault).hasErrors)
        checkInvariants(phaseSource("### Steps\n- a\n" + String(repeating: "  - k: v\n", count: 2_000)))
    }

    @Test func tenThousandPhases() throws {
        var source = "# Big\n\n```yaml\nname: Big\n```\n"
        for index in 0..<10_000 {
            source += "\n## Phase: P\(index)\n"
            if index > 0 { source += "dependsOn: P\(index - 1)\n" }
            source += "### Steps\n- agent: a\(index % 7) - Work on {{input.x}}\n"
        }
        let clock = ContinuousClock()
        let start = clock.now
        let result = parseTask(source)
        let elapsed = clock.now - start
        let task = try #require(result.task)
        #expect(task.phases.count == 10_000)
        #expect(task.phases[9_999].dependsOn == ["P9998"])
        #expect(task.phases[9_999].location.line == 50_001)
        #expect(!result.hasErrors)
        // Linear work: even a debug build parses this well within a few seconds.
        #expect(elapsed < .seconds(10))
    }
}
