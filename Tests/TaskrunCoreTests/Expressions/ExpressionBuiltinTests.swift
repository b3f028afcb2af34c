import Testing

@testable import TaskrunCore

@Suite("Expression built-in functions")
struct ExpressionBuiltinTests {
    @Test(
        arguments: [
            // len
            ("len('héllo')", 5 as JSONValue), ("len(input.tags)", 2), ("len(phases.Analysis.outputs)", 2),
            ("len('')", 0), ("len([])", 0),
            // lower, upper, trim
            ("lower('BTC Drop')", "btc drop"), ("upper(input.ticker + 'usd')", "BTCUSD"),
            ("trim('  \\n hi there \\t')", "hi there"), ("trim('')", ""),
            // contains, startsWith, endsWith
            ("contains(input.question, 'drop')", true), ("contains(input.tags, 'crypto')", true),
            ("contains(phases, 'Verdict')", false), ("startsWith(input.question, 'Why')", true),
            ("endsWith(input.question, '?')", true), ("endsWith('abc', 'b')", false),
            // matches
            ("matches(input.question, '(?i)why did')", true), ("matches(input.question, '^did')", false),
            ("matches('BTC-USD', '^[A-Z]+-[A-Z]+$')", true), ("matches('a1', \"\\d\")", true),
            ("matches(input.question, input.ticker)", true),
            // min, max
            ("min([3, 1, 2])", 1), ("max([3, 1, 2])", 3), ("min(4, 2.5, 8)", 2.5), ("max(-1, -5)", -1),
            ("min(['pear', 'apple'])", "apple"), ("max('a', 'b')", "b"), ("max([7])", 7),
            // sum, avg
            ("sum([1, 2, 3.5])", 6.5), ("sum([])", 0), ("avg([1, 2, 3, 4])", 2.5),
            ("avg([phases.Analysis.responses[0].confidence, phases.Analysis.responses[1].confidence])", 0.7),
            // abs, round
            ("abs(-3)", 3), ("abs(2.5)", 2.5), ("round(2.5)", 3), ("round(-2.5)", -3), ("round(2.4)", 2),
            ("round(3.14159, 2)", 3.14), ("round(1234.5678, 0)", 1235), ("round(1e300, 15)", 1e300),
            // keys, values, has
            ("keys(phases.Analysis.outputs)", ["score", "summary"]),
            ("values(phases.Analysis.outputs)", [7, "ok"]), ("keys(input.empty)", []),
            ("has(phases, 'Analysis')", true), ("has(input, 'missing')", false),
            // any, all
            ("any([false, true])", true), ("any([])", false), ("all([true, true])", true),
            ("all([true, false])", false), ("all([])", true),
            // number, string
            ("number('42')", 42), ("number(' -1.5 ')", -1.5), ("number('2e3')", 2000), ("number(7)", 7),
            ("string(3)", "3"), ("string(2.5)", "2.5"), ("string(true)", "true"), ("string(null)", "null"),
            ("string('x')", "x"), ("string([1, 'a'])", "[1, \"a\"]"),
            (
                "string(phases.Analysis.outputs)",
                "{\"score\": 7, \"summary\": \"ok\"}"
            ),
            // default
            ("default(input.missing, 'fallback')", "fallback"), ("default(input.nothing, 1)", 1),
            ("default(input.ticker, 'x')", "BTC"), ("default(input.nothing.deeper, 2)", 2),
            ("default(unknownRoot.x, 3)", 3), ("default(input.tags[5], 'none')", "none"),
            ("default(false, true)", false),
        ] as [(String, JSONValue)])
    func builtin(source: String, expected: JSONValue) throws {
        #expect(try value(source) == expected)
    }

    @Test func defaultKeepsRealErrors() throws {
        #expect(
            try evaluationError("default(input.ticker.x, 1)")
                == "cannot read 'x' of 'input.ticker', which is a string (\"BTC\"), not an object")
        #expect(try evaluationError("default(1 / 0, 1)") == "division by zero in '1 / 0'")
    }

    /// Regression: with Swift's backtracking `Regex`, this evaluation did not return within a minute.
    @Test(.timeLimit(.minutes(1)))
    func aPatternThatBacktracksExponentiallyElsewhereAnswersAtOnce() throws {
        var variables = sampleContext.variables
        variables["input"] = ["answer": .string(String(repeating: "a", count: 50_000) + "!")]
        let context = ExpressionContext(variables: variables)
        #expect(try Expression(parsing: "matches(input.answer, '(a+)+$')").evaluate(in: context) == false)
        #expect(try Expression(parsing: "matches(input.answer, '(a|aa)*!$')").evaluate(in: context) == true)
    }

    @Test func dynamicPatternsAreCompiledOnceAndReused() throws {
        let expression = try Expression(parsing: "matches(input.question, input.pattern)")
        for pattern in ["^Why", "BTC", "today\\?$"] {
            var variables = sampleContext.variables
            variables["input"] = ["question": "Why did BTC drop today?", "pattern": .string(pattern)]
            for _ in 0..<3 {
                #expect(try expression.evaluate(in: ExpressionContext(variables: variables)) == true)
            }
        }
    }
}
