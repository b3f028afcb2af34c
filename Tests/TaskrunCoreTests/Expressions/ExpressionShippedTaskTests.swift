import Testing

@testable import TaskrunCore

/// The expressions of the tasks shipped in `tasks/`, copied verbatim, against realistic values.
@Suite("Expressions of the shipped tasks")
struct ExpressionShippedTaskTests {
    static let actionRule =
        #"matches(lower(input.question), "(^|[^a-z])(buy|sell|hold|trim|exit|short|accumulate|should i)([^a-z-]|$)")"#
    static let priceMovementRule =
        #"matches(lower(input.question), "(^|[^a-z])(down|up|drops?|dropped|dropping|falls?|fell|falling|crash(es|ed|ing)?|dips?|dipped|dumps?|dumped|rall(y|ies|ied|ying)|pump(s|ed|ing)?|surg(e|es|ed|ing)|spik(e|es|ed|ing)|tank(s|ed|ing)?|mov(e|es|ed|ing)|sell-?offs?|happened)([^a-z]|$)")"#

    /// The classify step: first true rule wins, else the default.
    private func questionType(_ question: String) throws -> String {
        let context = ExpressionContext(variables: ["input": ["question": .string(question)]])
        if try Expression(parsing: Self.actionRule).evaluateCondition(in: context) { return "action" }
        if try Expression(parsing: Self.priceMovementRule).evaluateCondition(in: context) { return "price-movement" }
        return "opportunity"
    }

    @Test(arguments: [
        ("Why is BTC down today?", "price-movement"),
        ("What happened to SOL overnight?", "price-movement"),
        ("ETH rallied 8% - why?", "price-movement"),
        ("Should I buy more ETH?", "action"),
        ("Is it time to SELL my BTC?", "action"),
        ("Why the sell-off in tech?", "price-movement"),
        ("What are the best opportunities in DeFi right now?", "opportunity"),
        ("Which sectors look undervalued?", "opportunity"),
    ])
    func classifyRules(question: String, expected: String) throws {
        #expect(try questionType(question) == expected)
    }

    @Test func urgencyRules() throws {
        let high = try Expression(parsing: "abs(input.priceChange) >= 5")
        let elevated = try Expression(parsing: "abs(input.priceChange) >= 2")
        let context = ExpressionContext(variables: ["input": ["priceChange": -3.4]])
        #expect(try !high.evaluateCondition(in: context))
        #expect(try elevated.evaluateCondition(in: context))
    }

    @Test func stepConditions() throws {
        let when = try Expression(
            parsing: #"phases["Question Classification"].outputs.questionType == "price-movement" and "#
                + #"phases.contextualAgentSelection.outputs.urgency == "high""#)
        #expect(when.referencedRoots == ["phases"])
        let classification: JSONValue = ["outputs": ["questionType": "price-movement"]]
        let selection: JSONValue = ["outputs": ["urgency": "high"]]
        let context = ExpressionContext(variables: [
            "phases": [
                "Question Classification": classification, "questionClassification": classification,
                "Contextual Agent Selection": selection, "contextualAgentSelection": selection,
            ]
        ])
        #expect(try when.evaluateCondition(in: context))
    }

    @Test func committeeValidations() throws {
        let responses: JSONValue = .array(Array(repeating: ["text": "ok"], count: 5))
        let context = ExpressionContext(variables: [
            "input": ["ticker": "BTC", "amount": 10000],
            "phases": [
                "Analysis": ["responses": responses], "roundTable": ["responses": [["text": "a"], ["text": "b"]]],
                "debate": ["responses": [["text": "a"]]],
            ],
        ])
        for criterion in [
            "input.amount > 0", "len(input.ticker) > 0", "len(phases.Analysis.responses) >= 5",
            "len(phases.roundTable.responses) >= 2",
        ] {
            guard case .expression(let expression) = ValidationCriterion(criterion) else {
                Issue.record("\(criterion) should be an expression")
                continue
            }
            #expect(try expression.evaluateCondition(in: context), "\(criterion)")
        }
        guard case .expression(let debate) = ValidationCriterion("len(phases.debate.responses) >= 3") else {
            Issue.record("expected an expression")
            return
        }
        #expect(debate.explain(in: context).description == "len(phases.debate.responses) = 1")
        let prose = "Every major risk raised in the Analysis phase has been addressed in the Round Table or the Debate"
        #expect(ValidationCriterion(prose) == .prose(prose))
    }
}
