import Foundation
import Testing

@testable import TaskrunCore

/// The task files shipped in `tasks/` parse without a single diagnostic from the parser.
@Suite struct ShippedTaskTests {
    static let tasksDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tasks")

    static func load(_ name: String) throws -> ParseResult {
        let url = tasksDirectory.appendingPathComponent(name + ".md")
        let source = try String(contentsOf: url, encoding: .utf8)
        return TaskParser().parse(source: source, path: "tasks/\(name).md")
    }

    @Test(arguments: ["investment-committee", "daily-market-analysis"])
    func parsesCleanly(name: String) throws {
        let result = try Self.load(name)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map { "\($0.location): \($0.message)" })")
        #expect(result.task?.id == name)
        #expect(result.task?.phases.isEmpty == false)
    }

    @Test func committeeGraphShape() throws {
        let task = try #require(try Self.load("investment-committee").task)
        #expect(
            task.phases.map(\.name) == [
                "Activation", "Analysis", "Round Table", "Debate", "Validation", "Consensus", "Verdict",
            ])
        #expect(
            task.phases.map(\.dependsOn) == [
                [], ["Activation"], ["Analysis"], ["Round Table"], ["Debate"], ["Validation"], ["Consensus"],
            ])
        // The issue's shape: Analysis runs its agents in parallel, Round Table and Consensus in turn.
        #expect(task.phases[1].runsAgentsInParallel)
        #expect(task.phases[2].parallel == false)
        #expect(task.phases[5].parallel == false)
        #expect(task.phases[1].steps.compactMap(\.agentID) == task.phases[1].agents)
        #expect(task.phases[1].steps.last?.kind == .aggregate(kind: "responses"))
        #expect(task.requirements.map(\.name) == ["ticker", "amount", "timeHorizon", "riskTolerance"])
        #expect(task.requirements.allSatisfy { $0.defaultValue != nil })
    }

    @Test func dailyAnalysisGraphShape() throws {
        let task = try #require(try Self.load("daily-market-analysis").task)
        #expect(
            task.phases.map(\.name) == [
                "Question Classification", "Contextual Agent Selection", "Rapid Analysis", "Answer Synthesis",
            ])
        #expect(task.phases[2].dependsOn == ["Question Classification", "Contextual Agent Selection"])
        let classify = try #require(task.phases[0].steps.first)
        #expect(classify.kind == .custom(type: "classify"))
        #expect(classify.parameters["rule"]?.arrayValue?.count == 2)
        #expect(classify.parameters["default"] == "opportunity")
        #expect(task.phases[2].steps.contains { $0.condition != nil })
        #expect(task.metadata.retry?.jitter == 1)
    }
}
