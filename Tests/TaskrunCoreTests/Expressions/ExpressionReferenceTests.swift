import Testing

@testable import TaskrunCore

@Suite("Expression references")
struct ExpressionReferenceTests {
    @Test func referencedRoots() throws {
        let expression = try Expression(
            parsing: "len(phases.Analysis.responses) >= input.minimum and default(steps.x, 1) == 1")
        #expect(expression.referencedRoots == ["phases", "input", "steps"])
        #expect(try Expression(parsing: "1 + 2").referencedRoots.isEmpty)
        #expect(try Expression(parsing: "lower('x')").referencedRoots.isEmpty)
    }

    @Test func staticPaths() throws {
        let source =
            "phases[\"Question Classification\"].outputs.questionType == input.kind"
            + " or phases.Analysis.responses[0].text in phases[input.name].outputs or execution"
        let expression = try Expression(parsing: source)
        /// Scalar offset of the first occurrence of `text`.
        func offset(of text: String) throws -> Int {
            let range = try #require(source.firstRange(of: text))
            return source.unicodeScalars.distance(from: source.startIndex, to: range.lowerBound)
        }
        #expect(
            expression.references == [
                ExpressionReference(
                    root: "phases",
                    components: [.key("Question Classification"), .key("outputs"), .key("questionType")],
                    offset: 0),
                ExpressionReference(root: "input", components: [.key("kind")], offset: try offset(of: "input.kind")),
                ExpressionReference(
                    root: "phases", components: [.key("Analysis"), .key("responses"), .index(0), .key("text")],
                    offset: try offset(of: "phases.Analysis")),
                ExpressionReference(root: "phases", components: [], offset: try offset(of: "phases[input")),
                ExpressionReference(root: "input", components: [.key("name")], offset: try offset(of: "input.name")),
                ExpressionReference(root: "execution", components: [], offset: try offset(of: "execution")),
            ])
    }

    @Test func bareNames() throws {
        #expect(try Expression(parsing: "input").isBareName)
        #expect(try !Expression(parsing: "input.x").isBareName)
        #expect(try !Expression(parsing: "(input) == 1").isBareName)
    }

    @Test func expressionsCompareBySource() throws {
        #expect(try Expression(parsing: "a + 1") == Expression(parsing: "a + 1"))
        #expect(try Expression(parsing: "a + 1") != Expression(parsing: "a+1"))
        #expect(try Expression(parsing: "a + 1").description == "a + 1")
    }
}
