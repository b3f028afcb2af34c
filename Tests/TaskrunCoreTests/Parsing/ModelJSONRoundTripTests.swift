import Foundation
import Testing

@testable import TaskrunCore

/// A parsed definition survives JSON encoding and decoding unchanged: every field, step kind,
/// parameter, duration and source position.
@Suite struct ModelJSONRoundTripTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let everyFeature = """
        ---
        name: Everything
        version: 2.0.0
        maxExecutionTime: 1h30m
        retry: {maxAttempts: 4, backoffMs: 250, maxBackoffMs: 4000, jitter: 0.5}
        maxConcurrentPhases: 3
        reviewer: quant-analyst
        requirements:
          ticker: string
          amount: {type: number, default: 10000, description: USD}
          tolerance: {type: string, enum: [low, high], default: low}
          token: {type: string, optional: true, secret: true}
        ---
        # Everything

        ## Phase: A
        timeout: 30s
        retry: 2
        checkpoint: false
        Start here.

        ### Steps
        - agent: quant-analyst - Look at {{input.ticker}}
          - required: true
          - timeout: 5s
        - wait: 500ms
        - aggregate: consensus - Vote
        - classify: kind - Sort it
          - rule: big when input.amount > 5000
          - default: small
        - custom-thing: do it
        - Plain words

        ### Agents
        - quant-analyst

        ### Outputs
        - kind

        ## Phase: B
        dependsOn: [A]
        parallel: false
        when: phases.a.outputs.kind == "big"
        continueOnFailure: true

        ### Steps
        - validation: len(phases.a.responses) >= 1

        ## Notes
        Kept as documentation.
        """

    static func roundTrip(_ task: TaskDefinition) throws -> TaskDefinition {
        try JSONDecoder().decode(TaskDefinition.self, from: JSONEncoder().encode(task))
    }

    @Test func everyFeatureSurvives() throws {
        let result = parseTask(Self.everyFeature, path: "tasks/everything.md")
        #expect(!result.hasErrors, "\(result.diagnostics)")
        let task = try #require(result.task)
        #expect(task.phases.count == 2 && task.sections.count == 1 && task.requirements.count == 4)
        #expect(try Self.roundTrip(task) == task)
    }

    @Test(arguments: ["investment-committee", "daily-market-analysis"])
    func shippedTasksSurvive(_ name: String) throws {
        let path = Self.repositoryRoot.appendingPathComponent("tasks/\(name).md").path
        let source = try String(contentsOfFile: path, encoding: .utf8)
        let task = try #require(TaskParser().parse(source: source, path: path).task)
        #expect(try Self.roundTrip(task) == task)
    }
}
