import Foundation
import TaskrunCore
import Testing

@testable import taskrun_bench

/// The bench's task files go through the real parser: they must be clean, or a workload would
/// measure an error path.
@Suite struct GeneratedTaskTests {
    private func parseClean(_ source: String, _ path: String) throws -> TaskDefinition {
        let result = TaskParser().parse(source: source, path: path)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))")
        return try #require(result.task)
    }

    @Test func chainDependsOnThePreviousPhase() throws {
        let task = try parseClean(TaskFiles.chain(count: 4), "chain.md")
        #expect(task.phases.map(\.name) == ["P1", "P2", "P3", "P4"])
        #expect(task.phases.map { $0.dependsOn } == [[], ["P1"], ["P2"], ["P3"]])
        #expect(task.phases.allSatisfy { $0.steps.count == 1 })
    }

    @Test func fanoutHasARootBranchesAndAJoin() throws {
        let task = try parseClean(TaskFiles.fanout(width: 3), "fanout.md")
        #expect(task.phases.map(\.name) == ["Root", "B1", "B2", "B3", "Join"])
        #expect(task.phases.last?.dependsOn == ["B1", "B2", "B3"])
        #expect(task.metadata.maxConcurrentPhases == 3)
    }

    @Test func committeeRoundsAskEveryMemberInParallel() throws {
        let task = try parseClean(TaskFiles.committee(phases: 7, agents: 5), "committee.md")
        #expect(task.phases.count == 7)
        #expect(task.phases.allSatisfy { $0.steps.count == 5 && $0.parallel != false })
    }

    @Test func wideAndSmallTasks() throws {
        #expect(try parseClean(TaskFiles.wide(calls: 10), "wide.md").phases.first?.steps.count == 10)
        #expect(try parseClean(TaskFiles.small(), "small.md").phases.count == 3)
    }

    @Test func committeeSizedFilesAreValidDistinctAndTheCommitteesSize() throws {
        let first = TaskFiles.committeeSized(index: 0)
        let second = TaskFiles.committeeSized(index: 1)
        #expect(first != second)
        let task = try parseClean(first, "review.md")
        #expect(task.phases.count == 7)
        let committee = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../tasks/investment-committee.md").standardized
        let size = try Data(contentsOf: committee).count
        #expect(abs(first.utf8.count - size) < size / 10, "\(first.utf8.count) bytes against the committee's \(size)")
        #expect(ParseWorkload.floorParse(Array(first.utf8)) > 0)
    }

    @Test func parseStagesRunAgainstTheFloor() async throws {
        let config = ParseWorkload.configBlock(Array(TaskFiles.committeeSized(index: 0).utf8))
        #expect(config.hasPrefix("name: "), "the config block, not \(config.prefix(40))")
        for part in ParseWorkload.Part.allCases {
            let result = try await ParseWorkload(files: 2, runs: 1, part: part).run()
            #expect(result.samples.count == 1 && result.samples[0] > 0, "\(part)")
            #expect((result.extra["ratio_to_floor"] ?? 0) > 0, "\(part)")
        }
    }

    @Test func partIsReadForW5AndAnUnknownOneIsRefused() throws {
        #expect(try Options(["run", "W5", "--part", "yaml-events"]).parsePart == .yamlEvents)
        #expect(try Options(["run", "W5"]).parsePart == .task)
        #expect(throws: Options.UsageError.self) { try Options(["run", "W5", "--part", "yam"]) }
        #expect(throws: Options.UsageError.self) { try Options(["run", "W1", "--part", "yaml"]) }
    }

    @Test func executorWorkloadsRunOnSmallSizes() async throws {
        var sizes = WorkloadSizes()
        sizes.chain = 5
        sizes.fanout = 5
        sizes.committeePhases = 2
        sizes.committeeAgents = 2
        sizes.agentLatency = .zero
        sizes.inFlightCalls = 10
        sizes.executions = 20
        let workloads = ExecutorWorkloads(sizes: sizes, runs: 1)
        #expect(try await workloads.chain().samples.count == 1)
        #expect(try await workloads.fanout().samples.count == 1)
        #expect(try await workloads.committee().samples.count == 1)
        let abort = try await workloads.abort()
        #expect(abort.samples.count == 1 && abort.samples[0] >= 0)
        #expect(try await workloads.manyExecutions().extra["rss_per_execution_kib"] != nil)
    }

    @Test func invalidGeneratedTaskIsReported() {
        #expect(throws: InvalidBenchTask.self) {
            try BenchTask.parse(
                "# T\n\n## Phase: A\ndependsOn: Missing\n\n### Steps\n- agent: bench - x\n", path: "bad.md")
        }
    }
}
