import Testing

@testable import TaskrunCore

/// A context shaped like the executor's: inputs and phases with responses and outputs.
let sampleContext = ExpressionContext(variables: [
    "input": [
        "ticker": "BTC", "amount": 10000, "question": "Why did BTC drop today?",
        "tags": ["crypto", "volatile"], "nothing": nil, "ratio": 0.25, "empty": [:],
    ],
    "phases": [
        "Analysis": [
            "status": "completed",
            "responses": [
                ["agent": "quant-analyst", "confidence": 0.8],
                ["agent": "risk-manager", "confidence": 0.6],
            ],
            "outputs": ["summary": "ok", "score": 7],
        ],
        "Question Classification": ["status": "completed", "outputs": ["questionType": "price-movement"]],
    ],
])

/// Evaluates `source` in `context`, failing the test on any error.
func value(_ source: String, in context: ExpressionContext = sampleContext) throws -> JSONValue {
    try Expression(parsing: source).evaluate(in: context)
}

/// The syntax error `source` produces, or `nil` if it parses.
func syntaxError(_ source: String) -> ExpressionSyntaxError? {
    do {
        _ = try Expression(parsing: source)
        return nil
    } catch {
        return error
    }
}

/// The evaluation error message of `source` (which must parse), or `nil` if it evaluates.
func evaluationError(_ source: String, in context: ExpressionContext = sampleContext) throws -> String? {
    let expression = try Expression(parsing: source)
    do {
        _ = try expression.evaluate(in: context)
        return nil
    } catch {
        return error.message
    }
}
