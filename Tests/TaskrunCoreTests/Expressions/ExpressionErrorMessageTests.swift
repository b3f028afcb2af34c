import Testing

@testable import TaskrunCore

@Suite("Expression error messages")
struct ExpressionErrorMessageTests {
    @Test(
        arguments: [
            ("", 0, "the expression is empty"),
            ("   ", 0, "the expression is empty"),
            ("(a", 2, "expected ')' to close '(' at offset 0"),
            ("len((a + b) * c", 15, "expected ',' or ')' to close '(' at offset 3"),
            ("(a b", 3, "expected ')' to close '(' at offset 0, found name 'b'"),
            ("len(x y", 6, "expected ',' or ')' to close '(' at offset 3, found name 'y'"),
            ("[1 2]", 3, "expected ',' or ']' to close '[' at offset 0, found number 2"),
            ("a[1", 3, "expected ']' to close '[' at offset 1"),
            ("a b", 2, "expected an operator or the end of the expression, found name 'b'"),
            ("a )", 2, "unmatched ')'"),
            ("a ]", 2, "unmatched ']'"),
            ("1 +", 3, "expected an expression after '+', found the end of the expression"),
            ("input.ticker == 'BTC' and", 25, "expected an expression after 'and', found the end of the expression"),
            ("* 2", 0, "expected an expression, found '*'"),
            ("()", 1, "expected an expression after '(', found ')'"),
            ("a[]", 2, "expected an expression after '[', found ']'"),
            ("1 + not x", 4, "expected an expression after '+', found 'not'"),
            ("a = b", 2, "unexpected '='; use '==' to compare"),
            ("a & b", 2, "unexpected '&'; use 'and' (or '&&')"),
            ("a | b", 2, "unexpected '|'; use 'or' (or '||')"),
            ("a # b", 2, "unexpected character '#'"),
            ("a \u{0} b", 2, "unexpected character U+0000"),
            ("x ≠ y", 2, "unexpected character '≠'"),
            ("name == 'abc", 8, "unterminated string starting at offset 8"),
            ("\"abc\\", 0, "unterminated string starting at offset 0"),
            ("12abc", 0, "invalid number '12abc'"),
            (String(repeating: "9", count: 400), 0, "number 999999999999999999999999… is too large"),
            ("'😀' #", 4, "unexpected character '#'"),
            ("'e\u{301}' == x #", 10, "unexpected character '#'"),
            (
                "a AND b", 2,
                "expected an operator or the end of the expression, found name 'AND'; write 'and' in lowercase"
            ),
            ("1e999", 0, "number 1e999 is too large"),
            ("'\\u{zz}'", 1, "invalid Unicode escape; write it as \\u{1F600} (1 to 8 hex digits in braces)"),
            ("'\\u{110000}'", 1, "invalid Unicode escape: U+110000 is not a character"),
            ("a.0", 2, "expected a member name after '.', found number 0; use [0] to index an array"),
            ("a.", 2, "expected a member name after '.', found the end of the expression"),
            ("a < b < c", 6, "comparison operators cannot be chained; combine them with 'and', like 'a < b and b < c'"),
            (
                "a == b != c", 7,
                "comparison operators cannot be chained; combine them with 'and', like 'a < b and b < c'"
            ),
            ("a not b", 6, "expected 'in' after 'not', found name 'b'"),
            ("not in x", 4, "expected an expression after 'not', found 'in'"),
            ("len() > 1", 0, "len() takes 1 argument, got 0"),
            ("len(1, 2)", 0, "len() takes 1 argument, got 2"),
            ("round()", 0, "round() takes 1 or 2 arguments, got 0"),
            ("min()", 0, "min() takes at least 1 argument, got 0"),
            ("x + lenght(x)", 4, "unknown function 'lenght'; did you mean 'len'?"),
            ("length(x)", 0, "unknown function 'length'; did you mean 'len'?"),
            ("lowr(x)", 0, "unknown function 'lowr'; did you mean 'lower'?"),
            ("startswith(x, 'a')", 0, "unknown function 'startswith'; did you mean 'startsWith'?"),
            ("a.b(1)", 3, "only built-in functions can be called; 'a.b' is not one"),
            ("matches(x, 'a(')", 11, "invalid regular expression \"a(\": expected ')'"),
            ("matches(x, 3)", 11, "matches() needs a string pattern, got number 3"),
        ] as [(String, Int, String)])
    func syntaxErrors(source: String, offset: Int, message: String) throws {
        let error = try #require(syntaxError(source))
        #expect(error.message == message)
        #expect(error.offset == offset)
    }

    @Test func unknownFunctionWithoutSuggestionListsTheFunctions() throws {
        let error = try #require(syntaxError("foo(x)"))
        #expect(
            error.message
                == "unknown function 'foo'; the functions are len, lower, upper, trim, contains, startsWith, "
                + "endsWith, matches, min, max, sum, avg, abs, round, keys, values, has, any, all, number, "
                + "string, default")
    }

    @Test(arguments: [
        String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200),
        String(repeating: "-", count: 300) + "1",
        String(repeating: "not ", count: 300) + "x",
        String(repeating: "[", count: 10_000),
        String(repeating: "len(", count: 500) + "x" + String(repeating: ")", count: 500),
        String(repeating: "a[", count: 500) + "0" + String(repeating: "]", count: 500),
    ])
    func nestingLimit(source: String) throws {
        let error = try #require(syntaxError(source))
        #expect(error.message == "expression is nested too deeply")
    }

    @Test func nestingUpToTheLimitIsFine() throws {
        let depth = ExpressionParser.maximumNesting - 1
        let source = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        #expect(try value(source) == 1)
    }

    @Test func longFlatExpressionsAreNotNesting() throws {
        let sum = Array(repeating: "1", count: 5_000).joined(separator: " + ")
        #expect(try value(sum) == 5000)
        let conjunction = Array(repeating: "true", count: 5_000).joined(separator: " and ")
        #expect(try value(conjunction) == true)
        let path = "input" + String(repeating: ".x", count: 5_000)
        let deep = (0..<5_000).reduce(JSONValue.string("bottom")) { inner, _ in ["x": inner] }
        #expect(try value(path, in: ExpressionContext(variables: ["input": ["x": deep]])) == ["x": "bottom"])
    }

    @Test(
        arguments: [
            ("inptu.x", "'inptu' does not exist; did you mean 'input'? available: input, phases"),
            (
                "input.tickr",
                "'input.tickr' does not exist; did you mean 'ticker'? available: amount, empty, nothing, question, ratio, tags, ticker"
            ),
            (
                "phases.Analysis.outputs.verdict",
                "'phases.Analysis.outputs.verdict' does not exist; available: score, summary"
            ),
            (
                "phases.analysis.status",
                "'phases.analysis' does not exist; did you mean 'Analysis'? available: Analysis, Question Classification"
            ),
            (
                "phases[input.ticker]",
                "'phases[input.ticker]' does not exist (key \"BTC\"); available: Analysis, Question Classification"
            ),
            ("input.empty.x", "'input.empty.x' does not exist; 'input.empty' is an empty object"),
            ("input.nothing.x", "cannot read 'x' of 'input.nothing', which is null"),
            ("input.amount.value", "cannot read 'value' of 'input.amount', which is a number (10000), not an object"),
            (
                "input.tags.first",
                "cannot read 'first' of 'input.tags', which is an array ([\"crypto\", \"volatile\"]), not an object"
            ),
            ("input.tags[2]", "'input.tags[2]' does not exist; the array has 2 elements"),
            (
                "input.tags[len(input.tags)]",
                "'input.tags[len(input.tags)]' does not exist (index 2); the array has 2 elements"
            ),
            ("input.tags[-3]", "'input.tags[-3]' does not exist; the array has 2 elements"),
            ("[][0]", "'[][0]' does not exist; the array is empty"),
            ("input.tags['a']", "cannot index 'input.tags', an array, with string \"a\"; use an integer index"),
            ("input.tags[1.5]", "cannot index 'input.tags', an array, with number 1.5; use an integer index"),
            ("input[0]", "cannot index 'input', an object, with number 0; use a string key"),
            (
                "input.ticker[0]",
                "cannot index 'input.ticker', which is a string (\"BTC\"); only arrays and objects can be indexed"
            ),
            ("input.nothing[0]", "cannot index 'input.nothing', which is null"),
            (
                "3 < '3'",
                "cannot compare number 3 and string \"3\" with '<'; both sides must be numbers or both strings"
            ),
            ("null >= 1", "cannot compare null and number 1 with '>='; both sides must be numbers or both strings"),
            (
                "[1] < [2]",
                "cannot compare array [1] and array [2] with '<'; both sides must be numbers or both strings"
            ),
            ("1 + 'a'", "cannot add number 1 and string \"a\"; '+' needs two numbers, two strings or two arrays"),
            ("'a' - 'b'", "'-' needs two numbers, got string \"a\" and string \"b\""),
            ("[1] * 2", "'*' needs two numbers, got array [1] and number 2"),
            ("input.amount / (input.ratio - 0.25)", "division by zero in 'input.amount / (input.ratio - 0.25)'"),
            ("1 + 4 % 0", "division by zero in '4 % 0'"),
            ("1e300 * 1e300", "the result of '1e300 * 1e300' is too large to represent"),
            ("len(input.tags) and true", "'and' needs true or false on both sides, but 'len(input.tags)' is number 2"),
            ("true and 'x'", "'and' needs true or false on both sides, got string \"x\""),
            ("false or input.ticker", "'or' needs true or false on both sides, but 'input.ticker' is string \"BTC\""),
            ("not 0", "'not' needs true or false, got number 0"),
            ("-input.ticker", "'-' needs a number, but 'input.ticker' is string \"BTC\""),
            ("1 in 2", "'in' needs a string, an array or an object on the right, got number 2"),
            ("1 not in 'abc'", "'not in' with a string on the right needs a string on the left, got number 1"),
            ("1 in phases", "'in' with an object on the right needs a string key on the left, got number 1"),
            ("len(3)", "len() needs a string, an array or an object, got number 3"),
            ("lower(input.nothing)", "lower() needs a string, got null"),
            ("startsWith('a', 1)", "startsWith() needs a string as its second argument, got number 1"),
            ("contains(3, 1)", "contains() needs a string, an array or an object as its first argument, got number 3"),
            (
                "contains('abc', 1)",
                "contains() with a string as its first argument needs a string as its second argument, got number 1"
            ),
            ("matches(1, 'a')", "matches() needs a string as its first argument, got number 1"),
            ("matches('a', input.ticker + '(')", "invalid regular expression \"BTC(\": expected ')'"),
            ("min([])", "min() of an empty array"),
            ("max(1, 'a')", "max() needs all numbers or all strings, got number 1 and string \"a\""),
            ("min(3)", "min() needs an array (or two or more arguments), got number 3"),
            ("min([true])", "min() needs numbers or strings, got boolean true"),
            ("sum(['a'])", "sum() needs an array of numbers, but element 0 is string \"a\""),
            ("avg([])", "avg() of an empty array"),
            ("sum([1e308, 1e308])", "the result of sum() is too large to represent"),
            (
                "round(1, 1.5)",
                "round() needs a whole number of digits from 0 to 15 as its second argument, got number 1.5"
            ),
            ("keys([])", "keys() needs an object, got array []"),
            ("has(input.nothing, 'a')", "has() needs an object as its first argument, got null"),
            ("any([true, 1])", "any() needs an array of booleans, but element 1 is number 1"),
            ("all(3)", "all() needs an array, got number 3"),
            ("number('abc')", "number() cannot convert string \"abc\" to a number"),
            ("number('0x10')", "number() cannot convert string \"0x10\" to a number"),
            ("number('nan')", "number() cannot convert string \"nan\" to a number"),
            ("number(true)", "number() needs a string or a number, got boolean true"),
        ] as [(String, String)])
    func evaluationErrors(source: String, message: String) throws {
        #expect(try evaluationError(source) == message)
    }

    @Test func unknownNameWithNoVariables() throws {
        #expect(try evaluationError("x", in: ExpressionContext()) == "'x' does not exist; no variables are available")
    }

    @Test func longKeyListsAreShortened() throws {
        let members = Dictionary(
            uniqueKeysWithValues: (0..<25).map { (String(key: $0), JSONValue.number(Double($0))) })
        let message = try evaluationError("o.zz", in: ExpressionContext(variables: ["o": .object(members)]))
        let shown = (0..<25).map(String.init(key:)).sorted().prefix(20).joined(separator: ", ")
        #expect(message == "'o.zz' does not exist; available: \(shown), and 5 more")
    }

    @Test func conditionsMustBeBooleans() throws {
        let expression = try Expression(parsing: "phases.Analysis.status")
        #expect(throws: ExpressionEvaluationError(message: "expected true or false, got string \"completed\"")) {
            try expression.evaluateCondition(in: sampleContext)
        }
        #expect(throws: ExpressionEvaluationError(message: "expected true or false, got null")) {
            try Expression(parsing: "input.nothing").evaluateCondition(in: sampleContext)
        }
        #expect(try Expression(parsing: "phases.Analysis.status == 'completed'").evaluateCondition(in: sampleContext))
        #expect(try !Expression(parsing: "len(input.tags) > 2").evaluateCondition(in: sampleContext))
    }
}

extension String {
    /// `k00`, `k01`, ...: fixed-width keys so sorting is predictable.
    fileprivate init(key number: Int) {
        self = number < 10 ? "k0\(number)" : "k\(number)"
    }
}
