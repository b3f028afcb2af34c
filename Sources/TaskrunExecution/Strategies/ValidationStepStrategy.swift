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
        guard !ValidationCriterion.isBareName(criterion), let expression = try? context.expression(criterion) else {
            return try await judgeProse(criterion, context: context)
        }
        let value: JSONValue
        do {
            value = try context.evaluate(expression)
        } catch {
            throw StepFailure("validation '\(criterion)' could not be evaluated: \(error.message)", isRetryable: false)
        }
        switch value {
        case .bool(true):
            return StepOutput(["criterion": .string(criterion), "passed": true])
        case .bool(false):
            let seen = ValidationCriterion.operandValues(of: criterion, context: context)
            throw StepFailure(
                "validation failed: '\(criterion)' is false" + (seen.isEmpty ? "" : " (where \(seen))"),
                isRetryable: false)
        default:
            throw StepFailure(
                "validation '\(criterion)' must be true or false, got \(value.typeName) \(value.abbreviated())",
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
        switch ValidationCriterion.judgement(response) {
        case true?:
            return StepOutput(["criterion": .string(criterion), "passed": true, "reviewer": .string(reviewer)])
        case false?:
            throw StepFailure(
                "validation failed: reviewer '\(reviewer)' judged '\(criterion)' false: \(ValidationCriterion.firstLine(of: response.text))",
                isRetryable: false)
        case nil:
            return StepOutput(
                report, status: .unverified,
                warnings: ["reviewer '\(reviewer)' gave no clear PASS or FAIL for '\(criterion)'"])
        }
    }
}

/// Helpers for validation criteria.
enum ValidationCriterion {
    /// A single bare name (`Analysis`, `complete`) is prose, not a check (SHARED-DECISIONS 7).
    static func isBareName(_ text: String) -> Bool {
        guard !["true", "false", "null"].contains(text) else { return false }
        return ExecutionRun.isIdentifier(text)
    }

    /// A reviewer's verdict: `data.passed` when it is a boolean, else the first word of the text.
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

    /// `operand = value` for each operand of the criterion's comparisons and logic that is not a
    /// literal, as far as each evaluates on its own.
    static func operandValues(of criterion: String, context: StepContext) -> String {
        var seen: [String] = []
        for operand in operands(of: criterion) where !isLiteral(operand) {
            guard let expression = try? Expression(parsing: operand),
                let value = try? context.evaluate(expression)
            else { continue }
            let entry = "\(operand) = \(value.abbreviated())"
            if !seen.contains(entry) { seen.append(entry) }
        }
        return seen.joined(separator: ", ")
    }

    /// Splits an expression at its top-level comparison and logical operators (outside brackets and
    /// strings): `len(a) >= 3 and b.c == 'x'` gives `len(a)`, `3`, `b.c`, `'x'`.
    static func operands(of text: String) -> [String] {
        let characters = Array(text)
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        var index = 0
        func flush() {
            let part = current.trimmingWhitespace()
            if !part.isEmpty { parts.append(part) }
            current = ""
        }
        func word(at position: Int, _ word: String) -> Bool {
            let letters = Array(word)
            guard position + letters.count <= characters.count,
                Array(characters[position..<position + letters.count]) == letters
            else { return false }
            let before = position == 0 ? " " : characters[position - 1]
            let after = position + letters.count == characters.count ? " " : characters[position + letters.count]
            return !(before.isLetter || before.isNumber || before == "_" || before == ".")
                && !(after.isLetter || after.isNumber || after == "_")
        }
        while index < characters.count {
            let character = characters[index]
            if let open = quote {
                current.append(character)
                if character == "\\", index + 1 < characters.count {
                    current.append(characters[index + 1])
                    index += 2
                    continue
                }
                if character == open { quote = nil }
                index += 1
                continue
            }
            if character == "'" || character == "\"" {
                quote = character
                current.append(character)
                index += 1
                continue
            }
            if "([".contains(character) { depth += 1 }
            if ")]".contains(character) { depth -= 1 }
            if depth == 0 {
                let pair = index + 1 < characters.count ? String([character, characters[index + 1]]) : ""
                if ["==", "!=", "<=", ">=", "&&", "||"].contains(pair) {
                    flush()
                    index += 2
                    continue
                }
                if "<>!".contains(character) {
                    flush()
                    index += 1
                    continue
                }
                if let matched = ["and", "or", "not", "in"].first(where: { word(at: index, $0) }) {
                    flush()
                    index += matched.count
                    continue
                }
            }
            current.append(character)
            index += 1
        }
        flush()
        return parts
    }

    static func isLiteral(_ operand: String) -> Bool {
        if ["true", "false", "null"].contains(operand) { return true }
        if Double(operand) != nil { return true }
        if let first = operand.first, first == "'" || first == "\"", operand.last == first, operand.count >= 2 {
            return true
        }
        return false
    }
}
