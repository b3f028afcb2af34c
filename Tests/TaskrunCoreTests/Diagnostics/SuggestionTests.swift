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
    @Test func misspeltUnitSuggestsTheWholeDurationRespelt() {
        #expect(TaskDuration.respelling(of: "5 minuts") == "5 minutes")
        #expect(TaskDuration.respelling(of: "1hr 30 mintues") == "1hr 30 minutes")
        #expect(TaskDuration.respelling(of: "45 sek") == "45 sec")
        // Nothing to respell, nothing close, or still not a duration: no guess.
        #expect(TaskDuration.respelling(of: "5 minutes") == nil)
        #expect(TaskDuration.respelling(of: "5 fortnights") == nil)
        #expect(TaskDuration.respelling(of: "soon") == nil)
        #expect(TaskDuration.respelling(of: "1h 30") == nil)
    }

    @Test func theHintCarriesTheRespellingAndTheMessageNamesTheUnit() throws {
        let result = parseTask(phaseSource("timeout: 2 minuts\n\n### Steps\n- x\n"))
        let diagnostic = try #require(result.only("invalid-duration"))
        #expect(diagnostic.message.hasPrefix("invalid duration '2 minuts': unknown unit 'minuts'; use ms, s"))
        #expect(diagnostic.hint == "did you mean '2 minutes'?")
    }

    @Test func unitsInOtherScriptsAreUnknownUnits() {
        #expect(throws: DurationSyntaxError.self) { try TaskDuration.parse("5 分钟") }
        do {
            _ = try TaskDuration.parse("5 分钟")
        } catch {
            #expect(error.reason == "unknown unit '分钟'; use ms, s, m, h or d (or their long names)")
        }
    }
}
