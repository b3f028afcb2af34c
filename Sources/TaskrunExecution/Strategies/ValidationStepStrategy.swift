import TaskrunCore

/// `validation: <criterion>`: checks the criterion with the expression language.
///
/// - An expression that is `true` passes; `false` fails the phase with the criterion and the values
///   of its operands (`where len(phases.analysis.responses) = 2`); anything that is not a boolean,
///   or cannot be evaluated, fails too.
/// - Prose (text that does not parse as an expression, or is a single bare name) is handed to the
///   reviewer agent when the phase or task names one (`reviewer:`); otherwise it is recorded as
///   `unverified` with a warning.
public struct ValidationStepStrategy: StepStrategy {
    public init() {}

    public func run(_ step: Step, in phase: Phase, context: StepContext) async throws -> StepOutput {
        let criterion = step.text.trimmingWhitespace()
        // SHARED-DECISIONS 7: text that does not parse, or a single bare name, is prose.
        guard let expression = try? context.expression(criterion), !expression.isBareName else {
            return try await judgeProse(criterion, context: context)
        }
        let variables = ExpressionContext(variables: context.variables())
        let value: JSONValue
        do {
            value = try expression.evaluate(in: variables)
        } catch {
            throw StepFailure("validation '\(criterion)' could not be evaluated: \(error.message)", isRetryable: false)
        }
        switch value {
        case .bool(true):
            return StepOutput(["criterion": .string(criterion), "passed": true])
        case .bool(false):
            let seen = expression.explain(in: variables).description
            throw StepFailure(
                "validation failed: '\(criterion)' is false" + (seen.isEmpty ? "" : " (where \(seen))"),
                isRetryable: false)
        default:
            throw StepFailure(
                "validation '\(criterion)' must be true or false, got \(value.typedDescription)",
                isRetryable: false)
        }
    }

    private func judgeProse(_ criterion: String, context: StepContext) async throws -> StepOutput {
        guard let reviewer = context.reviewer else {
            return StepOutput(
                ["criterion": .string(criterion), "verified": false], status: .unverified,
                warnings: ["validation is prose and there is no reviewer, so it was not checked: '\(criterion)'"])
        }
        let prompt = """
            Review the work of this phase so far and judge whether the following criterion holds.
            Criterion: \(criterion)
            Answer PASS or FAIL on the first line, then give your reasons.
            """
        let response: AgentResponse
        do {
            response = try await context.queryAgent(reviewer, prompt: prompt, format: .judgement, purpose: .review)
        } catch let error as AgentQueryError {
            return StepOutput(
                ["criterion": .string(criterion), "verified": false, "reviewer": .string(reviewer)],
                status: .unverified,
                warnings: ["the reviewer could not judge '\(criterion)': \(error)"])
        }
        let report: JSONValue = [
            "criterion": .string(criterion), "reviewer": .string(reviewer), "answer": .string(response.text),
        ]
        switch ReviewerVerdict.judgement(response) {
        case true?:
            return StepOutput(["criterion": .string(criterion), "passed": true, "reviewer": .string(reviewer)])
        case false?:
            throw StepFailure(
                "validation failed: reviewer '\(reviewer)' judged '\(criterion)' false: \(ReviewerVerdict.firstLine(of: response.text))",
                isRetryable: false)
        case nil:
            return StepOutput(
                report, status: .unverified,
                warnings: ["reviewer '\(reviewer)' gave no clear PASS or FAIL for '\(criterion)'"])
        }
    }
}

/// How a reviewer's answer reads.
enum ReviewerVerdict {
    /// `data.passed` when it is a boolean, else the first word of the text (PASS/FAIL, yes/no, true/false).
    static func judgement(_ response: AgentResponse) -> Bool? {
        if let passed = response.data?["passed"]?.boolValue { return passed }
        let word = response.text.trimmingWhitespace().prefix { $0.isLetter }.lowercased()
        if ["pass", "passed", "yes", "true"].contains(word) { return true }
        if ["fail", "failed", "no", "false"].contains(word) { return false }
        return nil
    }

    static func firstLine(of text: String) -> String {
        String(text.trimmingWhitespace().prefix { $0 != "\n" }.prefix(200))
    }
}
