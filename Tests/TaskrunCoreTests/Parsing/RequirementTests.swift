import Testing

@testable import TaskrunCore

@Suite struct RequirementTests {
    func parseRequirements(_ yaml: String) -> ParseResult {
        parseTask("```yaml\nrequirements:\n" + yaml + "```\n\n## Phase: A\n### Steps\n- Do it\n")
    }

    @Test func bothFormsAreRead() throws {
        let result = parseRequirements(
            """
              ticker: string
              amount: {type: number, default: 10000, description: How much}
              horizon:
                type: string
                enum: [short, long]
                default: long
              notes: {type: string, optional: true}
              apiKey: {type: string, secret: true}
              count: integer
              flags: array
              extra: object
              anything: any
              approve: boolean

            """)
        #expect(result.diagnostics.isEmpty)
        let requirements = try #require(result.task?.requirements)
        #expect(
            requirements.map(\.name) == [
                "ticker", "amount", "horizon", "notes", "apiKey", "count", "flags", "extra", "anything", "approve",
            ])
        #expect(
            requirements.map(\.type) == [
                .string, .number, .string, .string, .string, .integer, .array, .object, .any, .boolean,
            ])
        #expect(requirements[1].defaultValue == 10000)
        #expect(requirements[1].description == "How much")
        #expect(requirements[2].allowedValues == ["short", "long"])
        #expect(requirements[2].defaultValue == "long")
        #expect(requirements[3].isOptional)
        #expect(requirements[4].isSecret)
        #expect(requirements[0].location == loc(3, 3))
        #expect(requirements[2].location == loc(5, 3))
    }

    @Test(arguments: [
        ("str", "use 'string'"), ("int", "use 'integer'"), ("bool", "use 'boolean'"), ("float", "use 'number'"),
        ("double", "use 'number'"), ("strng", "did you mean 'string'?"), ("String", "did you mean 'string'?"),
        ("gizmo", "use string, number, integer, boolean, object, array or any"),
    ])
    func badTypesGetHints(type: String, hint: String) {
        let result = parseRequirements("  ticker: \(type)\n")
        let diagnostic = result.only("invalid-requirement-type")
        #expect(diagnostic?.severity == .error)
        #expect(diagnostic?.message == "unknown requirement type '\(type)'")
        #expect(diagnostic?.hint == hint)
        #expect(diagnostic?.location == loc(3, 11))
        #expect(diagnostic?.length == type.count)
        #expect(result.task?.requirements.isEmpty == true)
    }

    @Test func badTypeInMappingForm() {
        let result = parseRequirements("  ticker: {type: int, default: 3}\n")
        #expect(result.only("invalid-requirement-type")?.location == loc(3, 18))
    }

    @Test func defaultsMustMatchTheType() {
        let result = parseRequirements(
            "  amount: {type: number, default: lots}\n  count: {type: integer, default: 1.5}\n")
        let diagnostics = result.diagnostics("invalid-requirement-default")
        #expect(diagnostics.map(\.location) == [loc(3, 35), loc(4, 35)])
        #expect(diagnostics[0].message == "the default of requirement 'amount' is 'lots', not a number")
        #expect(diagnostics[1].message == "the default of requirement 'count' is 1.5, not an integer")
    }

    @Test func enumValuesAreChecked() {
        let result = parseRequirements(
            "  risk: {type: string, enum: [low, 3], default: high}\n  x: {type: string, enum: []}\n")
        #expect(result.diagnostics("invalid-requirement").map(\.location) == [loc(3, 36), loc(4, 27)])
        let notAllowed = result.only("invalid-requirement-default")
        #expect(notAllowed?.notes == ["allowed: 'low'"])
    }

    @Test func typeIsInferredFromDefaultOrRequired() throws {
        let result = parseRequirements("  size: {default: 5}\n  bare: {description: no type}\n  empty:\n")
        #expect(result.task?.requirements.map(\.type) == [.number])
        #expect(result.diagnostics("invalid-requirement").map(\.location) == [loc(4, 3), loc(5, 3)])
    }

    @Test func unknownRequirementKeysWarn() {
        let result = parseRequirements("  a: {type: string, optinal: true}\n")
        let diagnostic = result.only("unknown-requirement-key")
        #expect(diagnostic?.severity == .warning)
        #expect(diagnostic?.hint == "did you mean 'optional'?")
        #expect(diagnostic?.location == loc(3, 21))
    }

    @Test func requirementsMustBeAMapping() {
        #expect(parseRequirements("  - ticker\n").only("invalid-config-value")?.location == loc(3, 3))
        #expect(parseRequirements("").diagnostics.isEmpty)
    }

    @Test func optionalAndSecretMustBeBooleans() {
        let result = parseRequirements("  a: {type: string, optional: maybe}\n")
        #expect(result.only("invalid-requirement")?.message == "'optional' must be true or false, not 'maybe'")
    }
}
