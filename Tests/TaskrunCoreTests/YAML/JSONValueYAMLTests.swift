import Testing

@testable import TaskrunCore

@Suite struct JSONValueYAMLTests {
    @Test func scalarsAreTypedByTheCoreSchema() throws {
        let value = try JSONValue(yaml: "a: 3\nb: true\nc: null\nd: '3'\ne: [1, x]\nf: {g: 1.5}\n")
        #expect(value == ["a": 3, "b": true, "c": nil, "d": "3", "e": [1, "x"], "f": ["g": 1.5]])
    }

    @Test func emptyDocumentIsNull() throws {
        #expect(try JSONValue(yaml: "# only a comment\n") == .null)
    }

    @Test func duplicateKeysArePositionedErrors() {
        #expect {
            try JSONValue(yaml: "a: 1\na: 2\n")
        } throws: { error in
            let error = error as? YAMLValueError
            return error?.code == "duplicate-key" && error?.location == SourceLocation(line: 2, column: 1)
        }
    }

    @Test func syntaxErrorsCarryLibyamlsPosition() {
        #expect {
            try JSONValue(yaml: "a: [1\n")
        } throws: { error in
            (error as? YAMLValueError)?.code == "yaml-syntax"
        }
    }
}
