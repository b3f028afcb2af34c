import Testing

@testable import TaskrunCore

/// `matches()`'s own regular expressions: the dialect, its refusals, and linear-time matching.
@Suite("Regular expressions")
struct PatternTests {
    private static func matches(_ pattern: String, _ text: String) throws -> Bool {
        try CompiledPattern(pattern).matches(text)
    }

    @Test(
        arguments: [
            // Literals, `.`, alternation, groups.
            ("abc", "xxabcxx", true), ("abc", "ab", false), ("", "", true), ("", "x", true),
            ("a.c", "abc", true), ("a.c", "a\nc", false), ("(?s)a.c", "a\nc", true), ("a.c", "a\u{1F600}c", true),
            ("cat|dog", "hotdog", true), ("cat|dog", "cow", false), ("a(b|c)d", "acd", true),
            ("(?:ab)+$", "xabab", true), ("(?<word>ab)c", "abc", true), ("(?P<w>a)(?'v'b)", "ab", true),
            ("a(?#a comment)b", "ab", true), ("a||b", "c", true), ("(|a)", "", true),
            // Quantifiers.
            ("^a*$", "", true), ("^a+$", "", false), ("^a+$", "aaa", true), ("^ab?c$", "ac", true),
            ("^a{3}$", "aaa", true), ("^a{3}$", "aa", false), ("^a{2,}$", "aaaaa", true), ("^a{2,3}$", "aaaa", false),
            ("^a{,2}$", "aa", true), ("^a{,2}$", "aaa", false), ("^a{0}b$", "b", true), ("^a+?$", "aa", true),
            ("^(a|b)*c{1,2}$", "abbacc", true), ("^(a*)*$", "aaa", true), ("^(a*)+b$", "b", true),
            ("a{x}", "a{x}", true), ("{", "{", true), ("a{1", "a{1", true), ("x{,}", "x{,}", true),
            // Anchors and boundaries.
            ("^b", "ab", false), ("b$", "ab", true), ("b$", "ab\n", false), ("b\\Z", "ab\n\n", false),
            ("b\\z", "ab\n", false), ("b\\Z", "ab\n", true), ("\\Ab", "b", true), ("\\Ab", "ab", false),
            ("^b", "a\nb", false), ("(?m)^b", "a\nb", true), ("(?m)a$", "a\nb", true), ("a$", "a\nb", false),
            ("\\bcat\\b", "a cat!", true), ("\\bcat\\b", "concat", false), ("\\Bcat", "concat", true),
            ("\\bé", "café", false), ("\\b\\b", "", false),
            // Classes.
            ("^[a-c]+$", "abcab", true), ("^[a-c]+$", "abd", false), ("[^a-c]", "abc", false), ("[^a-c]", "abcz", true),
            ("^[]a]+$", "]a]", true), ("^[a-]+$", "a-a", true), ("^[-a]+$", "-a", true), ("[\\]]", "]", true),
            ("^[\\d.]+$", "3.14", true), ("^[^\\s]+$", "a b", false), ("[\\w-]", "-", true), ("^[.]$", "x", false),
            ("^\\d+$", "0123", true), ("^\\d+$", "٣٤", true), ("\\D", "123", false), ("^\\w+$", "héllo_2", true),
            ("\\W", "abc_9", false), ("\\s", "a\tb", true), ("\\S", " \n\t", false), ("^\\w$", "\u{0301}", true),
            // Escapes.
            ("a\\.b", "axb", false), ("a\\.b", "a.b", true), ("\\(\\)", "f()", true), ("\\\\", "a\\b", true),
            ("\\n", "a\nb", true), ("\\t", "\t", true), ("\\x41", "A", true), ("\\x{1F600}", "\u{1F600}", true),
            ("\\u00e9", "é", true), ("\\u{e9}", "é", true), ("\\/", "/", true), ("é", "café", true),
            // Case.
            ("(?i)why did", "WHY DID it", true), ("why", "WHY", false), ("(?i)[a-c]", "B", true),
            ("(?i)[^a-c]", "B", false), ("(?i)é", "É", true), ("(?i)a(?-i)b", "Ab", true), ("(?i)a(?-i)b", "AB", false),
            ("(?i:a)b", "Ab", true), ("(?i:a)b", "AB", false), ("(a(?i)b)c", "aBc", true), ("(a(?i)b)c", "aBC", false),
            ("(?i)\\x41", "a", true), ("(?i)σ", "Σ", true),
            // Scalars, not grapheme clusters: a decomposed é is two.
            ("^.$", "e\u{0301}", false), ("^..$", "e\u{0301}", true), ("^é$", "e\u{0301}", false),
        ] as [(String, String, Bool)])
    func matchesAsDocumented(_ pattern: String, _ text: String, _ expected: Bool) throws {
        #expect(try Self.matches(pattern, text) == expected, "\(pattern) on \(text.debugDescription)")
    }

    @Test(
        arguments: [
            ("a(", "expected ')'"), ("(a", "expected ')'"),
            ("a)", "unexpected ')'; write '\\)' for a literal parenthesis"),
            ("*a", "nothing to repeat before '*'"), ("a|+", "nothing to repeat before '+'"),
            ("{2}", "nothing to repeat before '{'"),
            ("a**", "'*' cannot follow a quantifier; put the repeated part in a group, as in '(?:a+)*'"),
            ("a{2}{3}", "'{' cannot follow a quantifier; put the repeated part in a group, as in '(?:a+)*'"),
            ("a++", "possessive quantifiers ('+' after a quantifier) are not supported"),
            ("^*", "an anchor or '\\b' matches no text and cannot be repeated"),
            ("a{3,2}", "the repeat range {3,2} is backwards"), ("a{1001}", "a repeat count is at most 1000"),
            ("(a)\\1", "backreferences ('\\1') are not supported"),
            ("(?<n>a)\\k<n>", "backreferences ('\\k') are not supported"),
            ("a(?=b)", "lookahead ('(?=') is not supported"), ("a(?!b)", "lookahead ('(?!') is not supported"),
            ("(?<=a)b", "lookbehind ('(?<=') is not supported"), ("(?<!a)b", "lookbehind ('(?<!') is not supported"),
            ("(?>a)", "atomic groups ('(?>') are not supported"),
            ("(?x) a", "the group '(?x' is not supported; flags are 'i', 'm' and 's', as in '(?i)'"),
            ("(?<1>a)", "a group name is a letter or '_' then letters, digits and '_', closed by '>'"),
            ("(?'a-b'x)", "a group name is a letter or '_' then letters, digits and '_', closed by \"'\""),
            ("\\p{L}", "Unicode property classes ('\\p{...}') are not supported"),
            ("\\q", "unknown escape '\\q'"), ("a\\", "the pattern ends with a lone '\\'"),
            ("\\x4", "'\\x' needs 2 hex digits or a scalar value in braces, as in '\\x{41}'"),
            ("\\u{110000}", "'\\u' needs 4 hex digits or a scalar value in braces, as in '\\u{41}'"),
            ("[a", "expected ']' to close the character class"), ("[z-a]", "the range 'z-a' is backwards"),
            ("[\\d-z]", "a range in a character class goes from one character to another"),
            ("[[:alpha:]]", "POSIX classes such as '[:alpha:]' are not supported"),
            ("[a[b]", "'[' inside a character class: write '\\[' for a literal bracket"),
            ("[\\b]", "'\\b' is not allowed in a character class"),
            (String(repeating: "(", count: 101) + String(repeating: ")", count: 101), "groups nest more than 100 deep"),
            (
                "(a{1000}){1000}",
                "the pattern is too large once its repeats are written out (over 20000 steps); use smaller repeat counts"
            ),
        ] as [(String, String)])
    func refusesWhatItCannotMatchExactly(_ pattern: String, _ message: String) {
        do {
            _ = try CompiledPattern(pattern)
            Issue.record("\(pattern) compiled")
        } catch {
            #expect(error.message == message, "\(pattern)")
        }
    }

    /// Patterns that make a backtracking engine take exponential time (Swift's `Regex` did not
    /// return within a minute on `(a+)+$` and 40 `a`s): each answers at once here.
    @Test(
        .timeLimit(.minutes(1)),
        arguments: ["(a+)+$", "(a|aa)+$", "(a*)*b", "^(a|a?)+$", "(x+x+)+y", "(.*a){20}$"])
    func pathologicalPatternsTakeLinearTime(_ pattern: String) throws {
        let text = String(repeating: "a", count: 20_000) + "!"
        #expect(try Self.matches(pattern, text) == false)
        #expect(
            try Self.matches(pattern, String(repeating: "a", count: 30))
                == (pattern != "(a*)*b" && pattern != "(x+x+)+y"))
    }

    @Test func aCancelledTaskStopsMatching() async throws {
        let pattern = try CompiledPattern("(a+)+b")
        let text = String(repeating: "a", count: PatternProgram.cancellationInterval * 2)
        let outcome = await Task {
            withUnsafeCurrentTask { $0?.cancel() }
            do {
                return try pattern.matches(text) ? "matched" : "no match"
            } catch let error as PatternError {
                return error.message
            } catch {
                return "\(error)"
            }
        }.value
        #expect(outcome == "cancelled")
        // The same text in a task that is not cancelled is answered in full.
        #expect(try pattern.matches(text) == false)
    }

    /// The dialect's common ground with Swift's `Regex`: on texts of ASCII letters, digits,
    /// spaces, punctuation and `\n`, both give the same answer for every pattern here.
    @Test func agreesWithSwiftRegexOnTheCommonDialect() throws {
        let patterns = [
            "a", "ab|ba", "^a", "a$", "^$", "a.b", "a*b", "(ab)+", "a{2,3}", "[a-c]+1", "[^ab]", "\\d+", "\\w\\s\\w",
            "\\bab", "b\\b", "\\Ba", "(?i)AB", "(?m)^b", "(?m)a$", "(?s)a.b", "(a|b)*c", "a?b?c", "^(a|b){2}$",
            "[a\\-.]{2}", "\\W", "\\S\\S", "(?:a|)b", "a{0,1}b{1,}", "^[\\w.]+$", "\\n", "(?i)[A-C]{2}", "x*",
        ]
        var random = SeededGenerator(seed: 0x5EED_0001)
        let alphabet = Array("abcAB1 _.-\nx")
        for pattern in patterns {
            let ours = try CompiledPattern(pattern)
            // Their default `\b` follows Unicode's word rules (no break in "b.x"); ours is `\w` against `\W`.
            let theirs = try Regex(pattern).wordBoundaryKind(.simple)
            for _ in 0..<200 {
                let text = String(
                    (0..<Int.random(in: 0...8, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
                #expect(
                    try ours.matches(text) == (try theirs.firstMatch(in: text) != nil),
                    "\(pattern) on \(text.debugDescription)")
            }
        }
    }
}
