import Testing

@testable import TaskrunCore

@Suite("Expression explanations")
struct ExpressionExplanationTests {
    private func explain(_ source: String, in context: ExpressionContext = sampleContext) throws
        -> ExpressionExplanation
    {
        try Expression(parsing: source).explain(in: context)
    }

    @Test func failedCriterionShowsTheCallValue() throws {
        let explanation = try explain("len(phases.Analysis.responses) >= 3")
        #expect(explanation.result == .success(false))
        #expect(explanation.description == "len(phases.Analysis.responses) = 2")
        #expect(explanation.observations == [.init(expression: "len(phases.Analysis.responses)", value: 2)])
    }

    @Test func pathsAreReportedWhole() throws {
        let explanation = try explain(
            "phases[\"Question Classification\"].outputs.questionType == \"price-movement\" and input.amount > 50000")
        #expect(explanation.result == .success(false))
        #expect(
            explanation.description
                == "phases[\"Question Classification\"].outputs.questionType = \"price-movement\"; input.amount = 10000"
        )
    }

    @Test func scalarArgumentsAreShownAndContainersAreNot() throws {
        let explanation = try explain("lower(input.ticker) == 'eth' or contains(input.tags, 'stocks')")
        #expect(
            explanation.description
                == "input.ticker = \"BTC\"; lower(input.ticker) = \"btc\"; contains(input.tags, 'stocks') = false")
    }

    @Test func shortCircuitedPartsAreAbsent() throws {
        let explanation = try explain("input.ticker == 'ETH' and phases.Analysis.outputs.score > 5")
        #expect(explanation.result == .success(false))
        #expect(explanation.description == "input.ticker = \"BTC\"")
    }

    @Test func repeatedSubExpressionsAreListedOnce() throws {
        let explanation = try explain("input.amount > 100 and input.amount < 1000")
        #expect(explanation.description == "input.amount = 10000")
    }

    @Test func valuesRenderCompactly() throws {
        let explanation = try explain(
            "phases.Analysis.outputs.score == 7.5 and phases.Analysis.responses[0].confidence == input.ratio")
        #expect(
            explanation.description
                == "phases.Analysis.outputs.score = 7")
        let second = try explain("phases.Analysis.responses[0] == phases.Analysis.outputs")
        #expect(
            second.description
                == "phases.Analysis.responses[0] = {\"agent\": \"quant-analyst\", \"confidence\": 0.8}; "
                + "phases.Analysis.outputs = {\"score\": 7, \"summary\": \"ok\"}")
    }

    @Test func errorsKeepWhatWasSeenBeforeThem() throws {
        let explanation = try explain("input.amount > 5 and phases.Analysis.outputs.verdict == 'buy'")
        #expect(
            explanation.result
                == .failure(
                    ExpressionEvaluationError(
                        message: "'phases.Analysis.outputs.verdict' does not exist; available: score, summary")))
        #expect(explanation.description == "input.amount = 10000")
    }

    @Test func literalsAndBareNamesAreNotObservations() throws {
        #expect(try explain("1 + 2 == 3").observations.isEmpty)
        #expect(try explain("input == input").observations.isEmpty)
    }

    @Test func longValuesAreTruncated() throws {
        let long = String(repeating: "x", count: 500)
        let context = ExpressionContext(variables: [
            "input": ["text": .string(long), "list": .array((0..<100).map { .number(Double($0)) })]
        ])
        let explanation = try explain("input.text == 'y' or input.list[0] == 5", in: context)
        let first = try #require(explanation.observations.first?.description)
        #expect(first.count < 140)
        #expect(first.hasSuffix("…\""))
        #expect(JSONValue.array((0..<100).map { .number(Double($0)) }).compactDescription.hasSuffix("more]"))
    }

    @Test(
        arguments: [
            (3 as JSONValue, "3"), (3.0, "3"), (-0.0, "0"), (2.5, "2.5"), (1e20, "1e+20"), (0.1, "0.1"), (nil, "null"),
            (true, "true"), ("a\"b\n", "\"a\\\"b\\n\""), ([1, "a", nil], "[1, \"a\", null]"),
            (["b": 1, "a": [true]], "{\"a\": [true], \"b\": 1}"), ([], "[]"), ([:], "{}"),
        ] as [(JSONValue, String)])
    func compactDescription(value: JSONValue, expected: String) {
        #expect(value.compactDescription == expected)
    }
}
