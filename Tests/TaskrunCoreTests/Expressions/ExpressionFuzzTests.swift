import Testing

@testable import TaskrunCore

/// Thousands of random and mutated inputs: each must end in an expression or a syntax error
/// (and, when it parses, in a value or an evaluation error), never a crash or a hang.
@Suite("Expression robustness")
struct ExpressionFuzzTests {
    static let corpus = [
        "len(phases.Analysis.responses) >= 3",
        "phases[\"Question Classification\"].outputs.questionType == \"price-movement\"",
        "input.amount > 0 and input.amount <= 1000000 or not (input.ticker in ['BTC', 'ETH'])",
        "matches(lower(input.question), '(why|how).*(drop|fall|rise)') and -input.ratio * 2 % 3 < 1",
        "default(phases.Verdict.outputs.recommendation, 'HOLD') != 'SELL' && !false || input.tags[-1] == 'x'",
        "round(avg([phases.Analysis.responses[0].confidence, 0.5]), 2) + sum([1, 2.5e1]) / max(1, 2)",
        "keys(phases.Analysis.outputs)[0] not in values(input) and has(input, 'tags') and all([true])",
        "string(number('42')) + trim('  x ') == upper(\"a\\u{1F600}\") or startsWith(input.ticker, 'B')",
    ]

    static let vocabulary = [
        "input", "phases", "steps", "Analysis", "outputs", "responses", "ticker", "amount", "tags", "nothing",
        "len", "lower", "matches", "min", "default", "keys", "any", "round", "contains", "number", "string",
        "and", "or", "not", "in", "true", "false", "null", "&&", "||", "!", "==", "!=", "<", "<=", ">", ">=",
        "+", "-", "*", "/", "%", "(", ")", "[", "]", ",", ".", "0", "1", "-1", "2.5", "1e3", "'BTC'", "\"x\"",
        "'('", "'a+'", "'[z-a]'", "'\\d'", "'\\u{41}'", "'", "\"", "\\", "=", "&", "|", "#", "é", "😀", " ",
    ]

    @Test func randomBytes() {
        var generator = SeededGenerator(seed: 0x5EED_0001)
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...120, using: &generator)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            exercise(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func randomPrintableText() {
        var generator = SeededGenerator(seed: 0x5EED_0002)
        let alphabet = Array("abcXYZ_019 .,()[]'\"\\+-*/%<>=!&|?:#é\n\t")
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...80, using: &generator)
            exercise(String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? " " }))
        }
    }

    @Test func tokenSoup() {
        var generator = SeededGenerator(seed: 0x5EED_0003)
        for _ in 0..<5_000 {
            let count = Int.random(in: 1...25, using: &generator)
            let separator = Bool.random(using: &generator) ? " " : ""
            let tokens = (0..<count).map { _ in Self.vocabulary.randomElement(using: &generator) ?? "" }
            exercise(tokens.joined(separator: separator))
        }
    }

    @Test func mutatedExpressions() {
        var generator = SeededGenerator(seed: 0x5EED_0004)
        for _ in 0..<5_000 {
            var scalars = Array((Self.corpus.randomElement(using: &generator) ?? "").unicodeScalars)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                mutate(&scalars, using: &generator)
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            exercise(String(view))
        }
    }

    @Test func generatedWellFormedExpressions() {
        var generator = SeededGenerator(seed: 0x5EED_0005)
        var parsed = 0
        for _ in 0..<3_000 {
            let source = generate(depth: 5, using: &generator)
            if (try? Expression(parsing: source)) != nil { parsed += 1 }
            exercise(source)
        }
        // The generator writes only valid syntax (unknown functions aside), so nearly all parse.
        #expect(parsed > 2_500)
    }

    @Test func hugeInputs() {
        exercise(String(repeating: "input.amount + ", count: 50_000) + "1")
        exercise(String(repeating: "(", count: 100_000))
        exercise(String(repeating: ")", count: 100_000))
        exercise("'" + String(repeating: "x", count: 1_000_000))
        exercise(String(repeating: "not ", count: 100_000))
        exercise(String(repeating: "a.", count: 100_000) + "b")
        exercise(String(repeating: "[1, ", count: 50_000))
        exercise(Array(repeating: "input.tags", count: 20_000).joined(separator: " or "))
    }

    // MARK: - Helpers

    private func exercise(_ source: String) {
        let scalarCount = source.unicodeScalars.count
        // A syntax check (the parser without a tree) agrees with a parse, errors included.
        let checked = SyntaxCheckAgreementTests.outcome { () throws(ExpressionSyntaxError) in
            try ExpressionParser.checkSyntax(source)
        }
        let parsed = SyntaxCheckAgreementTests.outcome { () throws(ExpressionSyntaxError) in
            _ = try Expression(parsing: source)
        }
        #expect(checked == parsed, "\(source.debugDescription)")
        do {
            let expression = try Expression(parsing: source)
            _ = try? expression.evaluate(in: sampleContext)
            _ = try? expression.evaluateCondition(in: sampleContext)
            let explanation = expression.explain(in: sampleContext)
            for observation in explanation.observations {
                _ = observation.description
            }
            if case .failure(let error) = explanation.result {
                #expect(!error.message.isEmpty)
            }
            #expect(expression.references.allSatisfy { (0..<scalarCount).contains($0.offset) })
        } catch {
            #expect(!error.message.isEmpty)
            #expect(
                (0...scalarCount).contains(error.offset), "offset \(error.offset) outside \(source.debugDescription)")
        }
        _ = ValidationCriterion(source).likelySyntaxError
    }

    private func mutate(_ scalars: inout [Unicode.Scalar], using generator: inout SeededGenerator) {
        let position = scalars.isEmpty ? 0 : Int.random(in: 0..<scalars.count, using: &generator)
        switch Int.random(in: 0..<6, using: &generator) {
        case 0 where !scalars.isEmpty:
            let end = min(scalars.count, position + Int.random(in: 1...6, using: &generator))
            scalars.removeSubrange(position..<end)
        case 1:
            let token = Self.vocabulary.randomElement(using: &generator) ?? ""
            scalars.insert(contentsOf: token.unicodeScalars, at: position)
        case 2 where !scalars.isEmpty:
            let end = min(scalars.count, position + Int.random(in: 1...10, using: &generator))
            scalars.insert(contentsOf: scalars[position..<end], at: position)
        case 3 where scalars.count > 1:
            let other = Int.random(in: 0..<scalars.count, using: &generator)
            scalars.swapAt(position, other)
        case 4:
            scalars.removeSubrange(position..<scalars.count)
        default:
            let value = UInt32.random(in: 0...0x2FF, using: &generator)
            scalars.insert(Unicode.Scalar(value) ?? "?", at: position)
        }
    }

    private func generate(depth: Int, using generator: inout SeededGenerator) -> String {
        let leaves = [
            "input.amount", "input.ticker", "input.tags", "input.nothing", "phases.Analysis.outputs.score",
            "phases['Question Classification'].outputs", "phases.Analysis.responses[0]", "input.missing", "3", "0",
            "-2.5", "'BTC'", "'x y'", "true", "false", "null", "[1, 'a']", "[]", "input.tags[-1]", "input",
        ]
        if depth == 0 || Int.random(in: 0..<4, using: &generator) == 0 {
            return leaves.randomElement(using: &generator) ?? "1"
        }
        let operand = { (generator: inout SeededGenerator) in self.generate(depth: depth - 1, using: &generator) }
        switch Int.random(in: 0..<6, using: &generator) {
        case 0:
            let binary = ["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "in", "not in", "and", "or"]
            let op = binary.randomElement(using: &generator) ?? "+"
            return "(\(operand(&generator)) \(op) \(operand(&generator)))"
        case 1:
            return "\(["not ", "-", "!"].randomElement(using: &generator) ?? "-")(\(operand(&generator)))"
        case 2:
            let function = BuiltinFunction.allCases.randomElement(using: &generator) ?? .len
            let count =
                function.arity.lowerBound + (function.arity.count > 1 ? Int.random(in: 0...1, using: &generator) : 0)
            let arguments = (0..<count).map { _ in operand(&generator) }
            return "\(function.rawValue)(\(arguments.joined(separator: ", ")))"
        case 3:
            return "(\(operand(&generator)))[\(operand(&generator))]"
        case 4:
            return "[\(operand(&generator)), \(operand(&generator))]"
        default:
            return "default(\(operand(&generator)), \(operand(&generator)))"
        }
    }
}
