import Testing

@testable import TaskrunCore

@Suite("Validation criterion classification")
struct ExpressionValidationCriterionTests {
    @Test(arguments: [
        "Ensure all major risks have been addressed",
        "All agents must agree on a recommendation",
        "Verify the analysis covers both upside and downside scenarios",
        "Consensus reached (majority of the committee)",
        "Check that the response is under 200 words.",
        "Review",
        "completeness",
        "Risk/reward ratio is acceptable",
        "Recommendation includes a stop-loss level",
        "Confidence > 70% across analysts",
        "",
    ])
    func prose(text: String) {
        let criterion = ValidationCriterion(text)
        #expect(criterion == .prose(text))
        #expect(!criterion.isExpression)
        #expect(criterion.text == text)
    }

    @Test(arguments: [
        "len(phases.Analysis.responses) >= 3",
        "phases[\"Question Classification\"].outputs.questionType == \"price-movement\"",
        "phases.Analysis.status == 'completed'",
        "all([phases.Analysis.status == 'completed', phases.Debate.status == 'completed'])",
        "input.amount > 0 and input.amount <= 1000000",
        "not has(phases.Verdict.outputs, 'error')",
        "avg([1, 2]) > 0.5",
        "'BUY' in upper(phases.Verdict.outputs.recommendation)",
        "phases.Analysis.outputs.score",
        "true",
        // Parses, so it is an expression (SHARED-DECISIONS 7); evaluating it reports 'approved' missing.
        "not approved",
        "Results in range",
    ])
    func expressions(text: String) throws {
        let criterion = ValidationCriterion(text)
        #expect(criterion == .expression(try Expression(parsing: text)))
        #expect(criterion.isExpression)
        #expect(criterion.likelySyntaxError == nil)
    }

    @Test func attemptedExpressionsExplainWhyTheyAreProse() throws {
        let broken = ValidationCriterion("len(phases.Analysis.responses >= 3")
        #expect(broken == .prose("len(phases.Analysis.responses >= 3"))
        let error = try #require(broken.likelySyntaxError)
        #expect(error.message == "expected ',' or ')' to close '(' at offset 3")
        #expect(error.offset == 34)

        let assignment = try #require(ValidationCriterion("phases.Verdict.status = 'completed'").likelySyntaxError)
        #expect(assignment.message == "unexpected '='; use '==' to compare")
        #expect(try #require(ValidationCriterion("Score >= 7 for all analysts").likelySyntaxError).offset == 11)

        #expect(ValidationCriterion("Ensure all major risks have been addressed").likelySyntaxError == nil)
        #expect(ValidationCriterion("Review").likelySyntaxError == nil)
    }
}
