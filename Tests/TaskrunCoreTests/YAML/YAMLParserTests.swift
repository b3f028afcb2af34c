import TaskrunYAML
import Testing

@Suite struct YAMLParserTests {
    let parser = YAMLParser()

    @Test func parsesNestedMappingWithMarks() throws {
        let node = try #require(try parser.parse("name: Task\nretry:\n  maxAttempts: 3\nlist: [a, 'b c']\n"))
        let pairs = try #require(node.mapping)
        #expect(pairs.map { $0.key.scalar?.text } == ["name", "retry", "list"])
        #expect(pairs[0].key.start == YAMLMark(line: 1, column: 1))
        #expect(pairs[0].value.start == YAMLMark(line: 1, column: 7))
        #expect(pairs[0].value.end == YAMLMark(line: 1, column: 11))
        let retry = try #require(node["retry"])
        #expect(retry["maxAttempts"]?.start == YAMLMark(line: 3, column: 16))
        #expect(retry["maxAttempts"]?.resolvedScalar == .integer(3))
        let list = try #require(node["list"]?.sequence)
        #expect(list.map { $0.scalar?.text } == ["a", "b c"])
        #expect(list[1].scalar?.style == .singleQuoted)
        #expect(list[1].start == YAMLMark(line: 4, column: 11))
    }

    @Test func keepsDuplicateKeysInOrder() throws {
        let node = try #require(try parser.parse("a: 1\na: 2\n"))
        #expect(node.mapping?.map { $0.value.scalar?.text } == ["1", "2"])
        #expect(node["a"]?.scalar?.text == "1")
    }

    @Test func emptyTextHasNoDocument() throws {
        #expect(try parser.parse("") == nil)
        #expect(try parser.parse("# only a comment\n") == nil)
    }

    @Test func scalarStylesAndTags() throws {
        let node = try #require(try parser.parse("a: \"x\"\nb: |\n  line\nc: >\n  folded\nd: !!str 3\ne: plain\n"))
        #expect(node["a"]?.scalar?.style == .doubleQuoted)
        #expect(node["b"]?.scalar == YAMLScalar(text: "line\n", style: .literal))
        #expect(node["c"]?.scalar?.style == .folded)
        #expect(node["d"]?.tag == "tag:yaml.org,2002:str")
        #expect(node["d"]?.resolvedScalar == .string("3"))
        #expect(node["e"]?.scalar?.style == .plain)
    }

    @Test func syntaxErrorCarriesLibyamlProblemAndPosition() {
        #expect {
            try parser.parse("name: a\n  bad: indentation: here\n")
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            return error.problem == "mapping values are not allowed in this context"
                && error.mark == YAMLMark(line: 2, column: 6)
        }
    }

    @Test func unclosedFlowSequenceReportsContext() throws {
        do {
            _ = try parser.parse("list: [a, b\nnext: 1\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.problem == "did not find expected ',' or ']'")
            #expect(error.context == "while parsing a flow sequence")
            #expect(error.contextMark == YAMLMark(line: 1, column: 7))
        }
    }

    @Test func readerErrorsArePositioned() throws {
        do {
            _ = try parser.parse("a: 1\nb: x\u{1}y\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.problem.contains("control characters are not allowed"))
            #expect(error.mark == YAMLMark(line: 2, column: 5))
        }
    }

    @Test func aliasesAreRejected() throws {
        do {
            _ = try parser.parse("a: &x [1, 2]\nb: *x\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.problem.contains("aliases"))
            #expect(error.mark == YAMLMark(line: 2, column: 4))
        }
    }

    @Test func billionLaughsIsRejectedQuickly() throws {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let previous = (0..<9).map { _ in "*a\(level - 1)" }.joined(separator: ", ")
            text += "a\(level): &a\(level) [\(previous)]\n"
        }
        #expect(throws: YAMLError.self) { try parser.parse(text) }
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        do {
            _ = try parser.parse(deep)
            Issue.record("expected an error")
        } catch {
            #expect(error.problem == "nesting is deeper than 256 levels")
            #expect(error.mark == YAMLMark(line: 1, column: 257))
        }
        let blocks = (0..<1000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
        #expect(throws: YAMLError.self) { try parser.parse(blocks) }
        let shallow = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(try parser.parse(shallow) != nil)
    }

    @Test func severalDocumentsAreAnError() throws {
        do {
            _ = try parser.parse("a: 1\n---\nb: 2\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.problem.contains("single YAML document"))
            #expect(error.mark.line == 2)
        }
    }

    @Test func unicodeColumnsCountScalars() throws {
        let node = try #require(try parser.parse("é: ü\nñame: x\n"))
        #expect(node["é"]?.start == YAMLMark(line: 1, column: 4))
        #expect(node["ñame"]?.start == YAMLMark(line: 2, column: 7))
    }
}
