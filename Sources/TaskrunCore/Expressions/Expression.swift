/// An expression of taskrun's safe expression language, used by `validation:` steps, `when:`
/// conditions and `classify` rules.
///
/// The language reads values and computes with them; it cannot call out to anything but the
/// built-in functions below, define anything, loop, or run code. An expression is parsed once
/// (`Expression(parsing:)`) and can then be evaluated any number of times, from any task.
///
/// ```swift
/// let when = try Expression(parsing: #"phases["Question Classification"].outputs.questionType == "price-movement""#)
/// if try when.evaluateCondition(in: context) { ... }
/// ```
///
/// ## Values
/// Values are ``JSONValue``s: `null`, booleans, numbers (one number type, a `Double`; integral
/// results print as integers: `3`, not `3.0`), strings, arrays and objects. Literals:
/// `42`, `-1.5`, `2e3`, `"double"` or `'single'` quoted strings (escapes `\n \t \r \\ \" \'` and
/// `\u{1F600}`; any other backslash is kept as written, so `"\d+"` is the regex `\d+`), `true`,
/// `false`, `null`, and array literals `["buy", "sell"]`.
///
/// ## Names, members, subscripts
/// A bare name (`input`, `phases`, `steps`, `execution`) reads a variable of the
/// ``ExpressionContext``. `a.b` reads member `b` of object `a` (after a dot, reserved words are
/// ordinary names: `outputs.in`). `a["Round Table"]` reads a member by any string; `a[0]` reads an
/// array element, and a negative index counts from the end (`a[-1]` is the last). Reading a name or
/// key that does not exist is an error naming the path and listing what is available:
/// `'phases.Analysis.outputs.verdict' does not exist; available: score, summary`. Reading a member
/// of `null` or of a non-object, an index out of range, a non-integer array index or a non-string
/// object key is an error too. Nothing is ever silently `null`.
///
/// ## Operators, from lowest to highest precedence
/// | Precedence | Operators | Meaning |
/// |---|---|---|
/// | 1 | `or`, `\|\|` | both sides booleans; short-circuits |
/// | 2 | `and`, `&&` | both sides booleans; short-circuits |
/// | 3 | `not`, `!` (prefix) | a boolean; `not a == b` is `not (a == b)` |
/// | 4 | `==` `!=` `<` `<=` `>` `>=` `in` `not in` | comparisons; cannot be chained (`a < b < c` is an error) |
/// | 5 | `+` `-` | left to right |
/// | 6 | `*` `/` `%` | left to right |
/// | 7 | `-` (prefix) | unary minus |
/// | 8 | `.name`, `[index]`, `f(args)` | member, subscript, call |
///
/// Typing is strict; nothing is converted implicitly:
/// - `==` and `!=` compare any two values structurally. Values of different types are not equal
///   (`1 == "1"` is false); numbers compare numerically (`3 == 3.0`); arrays element by element;
///   objects key by key.
/// - `<`, `<=`, `>`, `>=` need two numbers or two strings (strings compare in Unicode order);
///   anything else is an error naming both types.
/// - `+` adds two numbers, concatenates two strings or two arrays. `-`, `*`, `/`, `%` need
///   numbers; `/` is exact division (`7 / 2` is `3.5`), `%` is the remainder with the sign of the
///   left side; dividing by zero is an error, as is a result too large to represent.
/// - `and`, `or`, `not` need booleans (there is no truthiness: `not 0` is an error). `and`/`or`
///   evaluate their right side only when needed.
/// - `x in s` with a string `s`: `x` is a substring of `s`. With an array: `x` is an element
///   (compared with `==`). With an object: `x` is one of its keys. `not in` is the negation.
///
/// ## Built-in functions
/// Calling an unknown function, or a known one with the wrong number of arguments, is a syntax
/// error; a wrong argument type is an evaluation error.
/// - `len(x)`: characters of a string, elements of an array, keys of an object.
/// - `lower(s)`, `upper(s)`, `trim(s)` (whitespace and newlines at both ends).
/// - `contains(c, x)`: same as `x in c`. `startsWith(s, prefix)`, `endsWith(s, suffix)`.
/// - `matches(text, pattern)`: whether the regular expression matches anywhere in `text`;
///   anchor with `^`/`$`, ignore case with `(?i)`. The dialect is the common core of PCRE, ICU
///   and Swift's `Regex` without backtracking features, matched in linear time
///   (``CompiledPattern``; `Docs/task-format.md`, "Regular expressions"). A literal pattern is
///   checked when the expression is parsed.
/// - `min(array)`, `max(array)`, or `min(a, b, ...)`, `max(a, b, ...)`: all numbers or all
///   strings; an empty array is an error.
/// - `sum(array)` (0 for an empty array), `avg(array)` (an empty array is an error): numbers.
/// - `abs(n)`; `round(n)` and `round(n, digits)` (0 to 15 digits, halves away from zero).
/// - `keys(object)` (sorted), `values(object)` (in key order), `has(object, key)`.
/// - `any(array)`, `all(array)`: arrays of booleans (`any([])` is false, `all([])` true).
/// - `number(x)`: a number, or a string in decimal notation (`"42"`, `"-1.5"`, `"2e3"`).
/// - `string(x)`: strings as they are, other values in their compact JSON form (`3`, `true`,
///   `null`, `[1, 2]`, `{"a": 1}`).
/// - `default(a, b)`: `a`, or `b` when `a` is `null` or does not exist (a missing name, key or
///   index, or a member of `null`); other errors in `a` still surface.
///
/// ## Limits
/// Parentheses, brackets, calls and prefix operators nest at most 128 deep ("expression is
/// nested too deeply"). Any input, however malformed or large, ends in an expression or an
/// ``ExpressionSyntaxError`` with the offset of the offending token, never a crash.
public struct Expression: Sendable, Hashable, CustomStringConvertible {
    /// The text the expression was parsed from.
    public let source: String

    /// Every top-level name the expression reads, with the static part of each path, in source
    /// order. A validator checks these against what will exist (`input` keys, phase names).
    public let references: [ExpressionReference]

    /// The top-level names the expression reads, such as `input` and `phases`.
    public let referencedRoots: Set<String>

    let root: ExpressionNode

    /// Parses `source`. Throws with the offset of the first problem.
    public init(parsing source: String) throws(ExpressionSyntaxError) {
        let parsed = try ExpressionParser.parse(source)
        root = parsed.root
        // The parser finishes inner paths (`input.name` in `phases[input.name]`) first.
        references = parsed.references.sorted { $0.offset < $1.offset }
        referencedRoots = Set(references.map(\.root))
        self.source = source
    }

    /// Evaluates the expression against `context`.
    public func evaluate(in context: ExpressionContext) throws(ExpressionEvaluationError) -> JSONValue {
        try ExpressionEvaluator(variables: context.variables, source: source, recorder: nil).evaluate(root)
    }

    /// Evaluates a condition (`when:`, `classify` rules, validation criteria). A result that is
    /// not a boolean is an error naming the value and its type: there is no truthiness.
    public func evaluateCondition(in context: ExpressionContext) throws(ExpressionEvaluationError) -> Bool {
        let value = try evaluate(in: context)
        guard case .bool(let flag) = value else {
            throw ExpressionEvaluationError(message: "expected true or false, got \(value.typedDescription)")
        }
        return flag
    }

    /// Whether the expression is a single bare name, like `input` or `Review`.
    public var isBareName: Bool {
        if case .name = root.kind { return true }
        return false
    }

    public var description: String { source }

    /// Expressions are equal when their sources are: the tree is a function of the text.
    public static func == (lhs: Expression, rhs: Expression) -> Bool {
        lhs.source == rhs.source
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
    }
}
