import Testing

@testable import TaskrunCore

@Suite struct SuggestionTests {
    @Test func swappedNeighboursCountAsOneSlip() {
        #expect(Suggestion.closest(to: "retyr", in: ["name", "retry", "requirements"]) == "retry")
        #expect(Suggestion.editDistance(Array("retyr".unicodeScalars), Array("retry".unicodeScalars), limit: 3) == 1)
    }

    @Test func caseIsIgnoredButTheCandidateKeepsItsSpelling() {
        #expect(Suggestion.closest(to: "analysis", in: ["Activation", "Analysis"]) == "Analysis")
    }

    @Test func farNamesGetNoSuggestion() {
        #expect(Suggestion.closest(to: "zzz", in: ["Activation", "Analysis"]) == nil)
        #expect(Suggestion.closest(to: "Analysis", in: ["Analysis"]) == nil)
    }
}

@Suite struct DurationSuggestionTests {
    @Test func misspeltUnitSuggestsTheLongName() {
        #expect(throws: DurationSyntaxError.self) { try TaskDuration.parse("5 minuts") }
        do {
            _ = try TaskDuration.parse("5 minuts")
        } catch {
            #expect(error.reason.contains("did you mean 'minutes'?"))
        }
    }
}
