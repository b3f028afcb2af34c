/// The outcome of evaluating an expression together with the values it saw on the way, for
/// failure messages: `len(phases.Analysis.responses) >= 3` being false is explained by
/// `len(phases.Analysis.responses) = 2`.
///
/// Observations are the member paths, subscripts and calls that were evaluated, in evaluation
/// order, each once. Only the outermost part of a path is listed (`a.b.c`, not also `a.b`), and
/// an argument of a call is listed only when its value is not an array or an object, since the
/// call summarises those. Sub-expressions skipped by `and`/`or` short-circuiting are absent.
public struct ExpressionExplanation: Sendable, Hashable, CustomStringConvertible {
    /// One sub-expression, as written in the source, and its value.
    public struct Observation: Sendable, Hashable, CustomStringConvertible {
        public var expression: String
        public var value: JSONValue

        public init(expression: String, value: JSONValue) {
            self.expression = expression
            self.value = value
        }

        /// `len(phases.Analysis.responses) = 2`, `input.ticker = "BTC"`.
        public var description: String { "\(expression) = \(value.compactDescription)" }
    }

    /// The value of the whole expression, or why it could not be computed.
    public var result: Result<JSONValue, ExpressionEvaluationError>
    /// What the evaluation saw before it finished or failed.
    public var observations: [Observation]

    public init(result: Result<JSONValue, ExpressionEvaluationError>, observations: [Observation]) {
        self.result = result
        self.observations = observations
    }

    /// The observations joined with `; `, e.g.
    /// `len(phases.Analysis.responses) = 2; input.minimum = 3`.
    public var description: String {
        observations.map(\.description).joined(separator: "; ")
    }
}

extension Expression {
    /// Evaluates the expression and reports the values of its interesting sub-expressions.
    /// Slower than ``evaluate(in:)``: meant for building a message after a condition failed.
    public func explain(in context: ExpressionContext) -> ExpressionExplanation {
        let recorder = ExplanationRecorder()
        let evaluator = ExpressionEvaluator(variables: context.variables, source: source, recorder: recorder)
        let result: Result<JSONValue, ExpressionEvaluationError>
        do {
            result = .success(try evaluator.evaluate(root))
        } catch {
            result = .failure(error)
        }
        return ExpressionExplanation(result: result, observations: recorder.observations)
    }
}
