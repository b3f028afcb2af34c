import Testing

@testable import TaskrunCore

@Suite("Expression operators")
struct ExpressionOperatorTests {
    @Test(
        arguments: [
            ("42", 42 as JSONValue), ("-1.5", -1.5), ("2e3", 2000), ("1.5E-1", 0.15), ("0", 0),
            ("\"double\"", "double"), ("'single'", "single"), ("'it\\'s'", "it's"), ("\"a\\\"b\"", "a\"b"),
            ("\"tab\\there\"", "tab\there"), ("\"line\\nbreak\"", "line\nbreak"), ("\"\\u{1F600}\"", "😀"),
            ("\"\\d+\"", "\\d+"), ("\"back\\\\slash\"", "back\\slash"), ("true", true), ("false", false),
            ("null", nil), ("[]", []), ("[1, 'a', [true]]", [1, "a", [true]]),
        ] as [(String, JSONValue)])
    func literals(source: String, expected: JSONValue) throws {
        #expect(try value(source) == expected)
    }

    @Test func arithmetic() throws {
        #expect(try value("1 + 2") == 3)
        #expect(try value("10 - 4 - 3") == 3)  // left-associative
        #expect(try value("2 * 3 * 4") == 24)
        #expect(try value("7 / 2") == 3.5)
        #expect(try value("24 / 4 / 3") == 2)
        #expect(try value("7 % 3") == 1)
        #expect(try value("-7 % 3") == -1)
        #expect(try value("7.5 % 2") == 1.5)
        #expect(try value("'ab' + 'cd'") == "abcd")
        #expect(try value("[1] + [2, 3]") == [1, 2, 3])
        #expect(try value("-input.amount") == -10000)
        #expect(try value("- -3") == 3)
        #expect(try value("input.amount * input.ratio") == 2500)
    }

    @Test func precedence() throws {
        #expect(try value("1 + 2 * 3") == 7)
        #expect(try value("(1 + 2) * 3") == 9)
        #expect(try value("10 - 2 * 3 % 4") == 8)  // * and % bind tighter, left to right: (2*3)%4 = 2
        #expect(try value("-2 * 3") == -6)
        #expect(try value("-input.amount + 1") == -9999)  // unary minus above additive
        #expect(try value("-phases.Analysis.outputs.score * 2") == -14)  // postfix above unary minus
        #expect(try value("1 + 2 == 3") == true)  // additive above comparison
        #expect(try value("not 1 == 2") == true)  // comparison above not
        #expect(try value("not true and false") == false)  // not above and
        #expect(try value("not (true and false)") == true)
        #expect(try value("true or false and false") == true)  // and above or
        #expect(try value("(true or false) and false") == false)
        #expect(try value("false and true or true") == true)
        #expect(try value("'BTC' in input.tags or input.ticker == 'BTC'") == true)  // in above or
        #expect(try value("1 + 1 in [2, 3]") == true)  // additive above in
        #expect(try value("! false && true || false") == true)
    }

    @Test func equality() throws {
        #expect(try value("3 == 3.0") == true)
        #expect(try value("1 == '1'") == false)
        #expect(try value("1 != '1'") == true)
        #expect(try value("null == null") == true)
        #expect(try value("input.nothing == null") == true)
        #expect(try value("false == null") == false)
        #expect(try value("[1, 'a'] == [1, 'a']") == true)
        #expect(try value("[1, 'a'] == ['a', 1]") == false)
        #expect(try value("phases.Analysis.outputs == phases.Analysis.outputs") == true)
        #expect(try value("input.tags != ['crypto']") == true)
        #expect(try value("'é' == 'e\\u{301}'") == true)  // canonically equivalent strings
    }

    @Test func ordering() throws {
        #expect(try value("1 < 2") == true)
        #expect(try value("2 <= 2") == true)
        #expect(try value("3 > 2.5") == true)
        #expect(try value("2 >= 3") == false)
        #expect(try value("'apple' < 'banana'") == true)
        #expect(try value("'b' >= 'a'") == true)
        #expect(try value("len(phases.Analysis.responses) >= 2") == true)
    }

    @Test func logic() throws {
        #expect(try value("true and true") == true)
        #expect(try value("true && false") == false)
        #expect(try value("false or true") == true)
        #expect(try value("false || false") == false)
        #expect(try value("not false") == true)
        #expect(try value("!true") == false)
        #expect(try value("not not true") == true)
        #expect(try value("true and true and true and false") == false)
        // Short-circuit: the right side would be an error if evaluated.
        #expect(try value("false and input.missing") == false)
        #expect(try value("true or 1 / 0") == true)
        #expect(try value("input.ticker == 'ETH' and input.missing.deeper") == false)
    }

    @Test func membership() throws {
        #expect(try value("'BTC' in input.question") == true)
        #expect(try value("'ETH' in input.question") == false)
        #expect(try value("'' in 'abc'") == true)
        #expect(try value("'crypto' in input.tags") == true)
        #expect(try value("'stocks' not in input.tags") == true)
        #expect(try value("1 in [1.0, 2]") == true)
        #expect(try value("[1] in [[1], [2]]") == true)
        #expect(try value("'Analysis' in phases") == true)
        #expect(try value("'Debate' not in phases") == true)
        #expect(try value("input.ticker in ['BTC', 'ETH']") == true)
    }

    @Test func membersAndSubscripts() throws {
        #expect(try value("input.ticker") == "BTC")
        #expect(try value("phases.Analysis.outputs.score") == 7)
        #expect(try value("phases['Question Classification'].outputs.questionType") == "price-movement")
        #expect(try value("phases[\"Question Classification\"][\"outputs\"]['questionType']") == "price-movement")
        #expect(try value("phases.Analysis.responses[0].agent") == "quant-analyst")
        #expect(try value("phases.Analysis.responses[-1].agent") == "risk-manager")
        #expect(try value("phases.Analysis.responses[1 - 1].confidence") == 0.8)
        #expect(try value("input.tags[len(input.tags) - 1]") == "volatile")
        #expect(try value("keys(phases)[0]") == "Analysis")
        let reserved = ExpressionContext(variables: ["o": ["in": 1, "not": 2, "null": 3, "true": 4]])
        #expect(try value("o.in + o.not + o.null + o.true", in: reserved) == 10)
    }
}

@Suite("Expression concurrency")
struct ExpressionConcurrencyTests {
    /// One parsed expression shared by many tasks, with literal and cached dynamic patterns.
    @Test func oneExpressionEvaluatedFromManyTasks() async throws {
        let expression = try Expression(
            parsing: "matches(input.question, '(?i)^why') and matches(input.question, input.pattern) "
                + "and len(phases.Analysis.responses) == 2")
        let patterns = ["BTC", "drop", "today\\?$", "(?i)did", "B.C"]
        let allTrue = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<400 {
                group.addTask {
                    var variables = sampleContext.variables
                    variables["input"] = [
                        "question": "Why did BTC drop today?", "pattern": .string(patterns[index % patterns.count]),
                    ]
                    return (try? expression.evaluateCondition(in: ExpressionContext(variables: variables))) == true
                }
            }
            var all = true
            for await result in group { all = all && result }
            return all
        }
        #expect(allTrue)
    }
}
