import Testing

@testable import TaskrunCore

/// Defects the diagnostics corpus exposed, each pinned where it was fixed.
@Suite struct CorpusRegressionTests {
    @Test func expressionMessagesNameColumnsNotOffsets() throws {
        let result = parseTask(phaseSource("when: input.amount > 5 and (input.size > 2\n\n### Steps\n- x\n"))
        let diagnostic = try #require(result.only("expression-syntax"))
        #expect(diagnostic.message == "invalid 'when' expression: expected ')' to close '(' at column 28")
        #expect(diagnostic.location == loc(4, 43))

        let string = parseTask(phaseSource("### Steps\n- x\n  - when: input.kind == 'buy\n"))
        #expect(string.only("expression-syntax")?.message == "invalid 'when' expression: unterminated string")
        #expect(string.only("expression-syntax")?.location == loc(6, 25))
    }

    @Test func anOffsetOnAnotherLineIsALineAndColumn() {
        let text = LocatedText(
            scalars: Array("(a\n+".unicodeScalars), start: loc(3, 5),
            laterLines: [.init(offset: 3, location: loc(4, 1))])
        let error = ExpressionSyntaxError(message: "expected ')' to close '(' at offset 0", offset: 4)
        #expect(error.message(in: text) == "expected ')' to close '(' at 3:5")
    }
}
