import TaskrunCore
import Testing

@testable import TaskrunAgents

@Suite struct AnswerParserTests {
    @Test func aFencedJSONAnswerWithAliasesIsRead() {
        let response = AgentAnswerParser.parse(
            """
            Here is my view:
            ```json
            {"answer": "Trim it.", "stance": "BEARISH", "confidence": "85%", "key_points": ["stretched"], "targetPrice": 3100}
            ```
            """)
        #expect(response.text == "Trim it.")
        #expect(response.position == .bearish)
        #expect(response.confidence == 85)
        #expect(response.keyPoints == ["stretched"])
        #expect(response.data == ["targetPrice": 3100])
    }

    @Test func outOfRangeAndMalformedFieldsAreDroppedNotGuessed() {
        let response = AgentAnswerParser.parse(
            #"{"text": "x", "position": "moon", "confidence": 250, "risks": "one risk"}"#)
        #expect(response.position == nil)
        #expect(response.confidence == 100)
        #expect(response.risks == ["one risk"])
    }

    @Test func plainTextStaysText() {
        let response = AgentAnswerParser.parse("  I think {maybe} it goes up.  ")
        #expect(response.text == "I think {maybe} it goes up.")
        #expect(response.position == nil && response.data == nil)
    }
}
