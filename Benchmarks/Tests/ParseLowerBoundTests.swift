import TaskrunCore
import Testing

@testable import taskrun_bench

/// W5's lower bound only means something while it builds the very model `TaskParser` builds,
/// and answers nothing for what it does not read.
@Suite struct ParseLowerBoundTests {
    @Test(arguments: [0, 1, 41])
    func buildsTheTaskTheParserBuilds(index: Int) throws {
        let source = TaskFiles.committeeSized(index: index)
        let path = "review-\(index).md"
        let expected = try #require(TaskParser().parse(source: source, path: path).task)
        let bound = try #require(ParseLowerBound.parse(source, path: path))
        #expect(bound == expected)
        #expect(bound.phases.count == 7)
        #expect(bound.requirements.map(\.name) == ["ticker", "amount", "timeHorizon", "riskTolerance"])
    }

    @Test(arguments: [
        // A template that is never closed: the parser reports it.
        ("{{input.amount}} USD position", "{{input.amount USD position"),
        // A setting the lower bound does not read.
        ("timeout: 2 minutes\n", "timeout: 2 minutes\nretry: 3\n"),
        // Markup in a phase's name.
        ("## Phase: Verdict", "## Phase: *Verdict*"),
        // A validation expression that does not parse.
        ("len(phases.Analysis.responses) >= 5", "len(phases.Analysis.responses) >="),
        // Text that is not ASCII, whose columns are not its bytes.
        ("## Phase: Verdict", "## Phase: Verdict ✓"),
    ])
    func answersNothingForWhatItDoesNotRead(original: String, replacement: String) throws {
        let source = TaskFiles.committeeSized(index: 0)
        #expect(source.contains(original))
        let changed = source.replacingOccurrences(of: original, with: replacement)
        #expect(ParseLowerBound.parse(changed, path: "review.md") == nil)
    }
}
