import Testing

@testable import TaskrunCore

@Suite struct TemplateSyntaxTests {
    /// The problems of `text`, with offsets and lengths in scalars (the check counts bytes).
    func problems(_ text: String) -> [TemplateSyntax.Problem] {
        var text = text
        let problems = text.withUTF8 { TemplateSyntax.check(utf8: $0) }
        func scalars(before byte: Int) -> Int {
            text.utf8.prefix(byte).reduce(0) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
        }
        return problems.map { problem in
            var converted = problem
            converted.offset = scalars(before: problem.offset)
            converted.length = scalars(before: problem.offset + problem.length) - converted.offset
            return converted
        }
    }

    @Test(arguments: [
        "no templates", "{{input.ticker}}", "{{ input.ticker }}", "{{phases.roundTable.status}}", "{{{raw}}}",
        "{{& raw}}", "{{#items}}{{.}}{{/items}}", "{{^empty}}none{{/empty}}", "{{! any comment here }}",
        "{{steps.0.output}}", "a { b } c", "{x}", "{{a-b_c}}", "{{> partial}}",
    ])
    func validTemplates(text: String) {
        #expect(problems(text).isEmpty)
    }

    @Test(arguments: [
        ("x {{input.ticker", "unclosed template: '{{' without '}}'", 2, 2),
        ("x input.ticker}}", "'}}' without a matching '{{'", 14, 2),
        ("{{}}", "empty template name", 0, 4),
        ("a {{  }}", "empty template name", 2, 6),
        ("{{#}}", "empty template name", 0, 5),
        ("{{input..ticker}}", "malformed template name 'input..ticker': empty path segment", 8, 1),
        ("{{.input}}", "malformed template name '.input': empty path segment", 2, 1),
        ("{{input.}}", "malformed template name 'input.': empty path segment", 7, 1),
        ("{{input ticker}}", "malformed template name 'input ticker': unexpected a space", 7, 1),
        ("{{input[0]}}", "malformed template name 'input[0]': unexpected '['", 7, 1),
        ("{{a {{b}}", "'{{' is not closed before the next '{{'", 0, 2),
        ("{{{raw}}", "'{{{' must be closed by '}}}'", 6, 2),
        ("{{#a}}x", "section '{{#a}}' is never closed", 0, 6),
        ("{{/a}}", "'{{/a}}' closes a section that was never opened", 0, 6),
        ("{{#a}}{{/b}}{{/a}}", "'{{/b}}' closes section 'a', which is still open", 6, 6),
        ("{{=<% %>=}}", "changing template delimiters is not supported", 0, 11),
    ])
    func invalidTemplates(text: String, message: String, offset: Int, length: Int) {
        let found = problems(text)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.message == message)
        #expect(found.first?.offset == offset)
        #expect(found.first?.length == length)
    }

    @Test func everyProblemIsReported() {
        #expect(problems("{{}} and {{a..b}} and }}").map(\.offset) == [0, 13, 22])
    }

    @Test func stepTemplatesArePositionedInTheFile() throws {
        let result = parseTask(
            phaseSource("### Steps\n- agent: a - Use {{input.ticker\n- Summarize {{ }} and\n  then {{phases..x}}\n"))
        let diagnostics = result.diagnostics("template-syntax")
        #expect(diagnostics.map(\.location) == [loc(5, 18), loc(6, 13), loc(7, 17)])
        #expect(diagnostics.map(\.length) == [2, 5, 1])
        #expect(diagnostics.allSatisfy { $0.severity == .error })
    }

    @Test func theNameBytesAreExactlyLettersDigitsUnderscoreAndHyphen() {
        for value in 0...255 {
            let byte = UInt8(value)
            let scalar = Unicode.Scalar(byte)
            let expected =
                value < 128
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || byte == 0x5F || byte == 0x2D)
            #expect(TemplateSyntax.isNameByte(byte) == expected, "byte \(value)")
            // A tag with that byte inside takes the fast path only when the byte is a name's (or
            // the dot between segments).
            let tag: [UInt8] = Array("{{a".utf8) + [byte] + Array("b}}".utf8)
            let end = tag.withUnsafeBufferPointer { TemplateSyntax.plainTagEnd(in: $0, open: 0) }
            #expect(end == (expected || byte == 0x2E ? tag.count : nil), "byte \(value)")
        }
    }

    @Test func aBraceIsFoundAtEveryOffsetOfALongLine() {
        for offset in 0..<48 {
            let text = String(repeating: "x", count: offset) + "}} {{a.b}} {" + String(repeating: "y", count: 40)
            #expect(problems(text).map(\.offset) == [offset], "offset \(offset)")
        }
    }
}
