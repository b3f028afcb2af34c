import Foundation
import TaskrunCore

/// `classify: <output> - <note>` with `rule: <label> when <expression>` parameters (tried in order;
/// the first true one wins) and an optional `default: <label>` (SHARED-DECISIONS 3). Sets the phase
/// output `<output>` to the label; the step's value is the label. No rule true and no default:
/// the step fails.
public struct ClassifyStepStrategy: StepStrategy {
    public init() {}

    public func preflight(_ step: Step, in phase: Phase, task: TaskDefinition) -> [PreflightProblem] {
        var problems: [PreflightProblem] = []
        if ClassifyRule.outputName(of: step).isEmpty {
            problems.append(PreflightProblem("classify needs an output name: 'classify: <output> - <note>'"))
        }
        let rules = ClassifyRule.rules(of: step)
        for rule in rules {
            switch rule {
            case .failure(let error): problems.append(PreflightProblem(error.message))
            case .success(let rule):
                do { _ = try Expression(parsing: rule.condition) } catch {
                    problems.append(
                        PreflightProblem(
                            "classify rule '\(rule.label)': '\(rule.condition)' is not a valid expression: \(error.message)"
                        ))
                }
            }
        }
        if let fallback = step.parameters["default"], fallback.stringValue == nil {
            problems.append(PreflightProblem("classify 'default' must be a label, got \(fallback.compactJSON)"))
        }
        if rules.isEmpty && step.parameters["default"] == nil {
            problems.append(
                PreflightProblem("classify needs at least one 'rule: <label> when <expression>' or a 'default'"))
        }
        return problems
    }

    public func run(_ step: Step, in phase: Phase, context: StepContext) async throws -> StepOutput {
        let output = ClassifyRule.outputName(of: step)
        for rule in ClassifyRule.rules(of: step) {
            guard case .success(let rule) = rule else { continue }
            let value: JSONValue
            do {
                value = try context.evaluate(try context.expression(rule.condition))
            } catch let error as ExpressionEvaluationError {
                throw StepFailure(
                    "classify rule '\(rule.label)' could not be evaluated: \(error.message)", isRetryable: false)
            }
            switch value {
            case .bool(true): return StepOutput(.string(rule.label), outputs: [output: .string(rule.label)])
            case .bool(false): continue
            default:
                throw StepFailure(
                    "classify rule '\(rule.label)' must be true or false, got \(value.typedDescription)",
                    isRetryable: false)
            }
        }
        if let fallback = step.parameters["default"]?.stringValue {
            return StepOutput(.string(fallback), outputs: [output: .string(fallback)])
        }
        throw StepFailure("no classify rule for '\(output)' was true and there is no default", isRetryable: false)
    }
}

/// One `rule: <label> when <expression>` of a classify step.
struct ClassifyRule: Sendable, Hashable {
    var label: String
    var condition: String

    /// The output name: the step text before ` - `.
    static func outputName(of step: Step) -> String {
        let text = step.text
        guard let separator = text.range(of: " - ") else { return text.trimmingWhitespace() }
        return String(text[..<separator.lowerBound]).trimmingWhitespace()
    }

    /// The rules in order; a malformed one is a failure with its message.
    static func rules(of step: Step) -> [Result<ClassifyRule, ClassifyRuleError>] {
        let written: [JSONValue] =
            switch step.parameters["rule"] {
            case nil: []
            case .array(let values)?: values
            case let value?: [value]
            }
        return written.map { value in
            guard let text = value.stringValue, let separator = text.range(of: " when ") else {
                return .failure(
                    ClassifyRuleError("classify rule \(value.compactJSON) must read '<label> when <expression>'"))
            }
            var label = String(text[..<separator.lowerBound]).trimmingWhitespace()
            if label.count >= 2, let first = label.first, first == "'" || first == "\"", label.last == first {
                label = String(label.dropFirst().dropLast())
            }
            let condition = String(text[separator.upperBound...]).trimmingWhitespace()
            guard !label.isEmpty, !condition.isEmpty else {
                return .failure(ClassifyRuleError("classify rule '\(text)' needs a label and an expression"))
            }
            return .success(ClassifyRule(label: label, condition: condition))
        }
    }
}

struct ClassifyRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
