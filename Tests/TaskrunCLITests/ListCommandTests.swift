import Foundation
import Testing

@Suite struct ListCommandTests {
    @Test func tableWithABrokenFileShownAsBroken() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("tasks/review.md", TaskFiles.clean)
        try directory.write("tasks/broken.md", TaskFiles.broken)
        try directory.write("tasks/warn.md", TaskFiles.warning)
        try directory.write("tasks/agents/quant-analyst.md", "# Not a task\n")
        let output = await CLI.run(["list"], in: directory.path)
        #expect(output.status == 0)
        #expect(
            output.stdout == """
                TASK    NAME          VERSION  PHASES  AGENTS  REQUIREMENTS
                broken  broken: 14:12: phase 'Analysis' depends on unknown phase 'Gathr'
                review  Quick Review  2.1.0         4       3  ticker, amount
                warn    Warn          -             1       2  -

                3 tasks, 1 broken; run 'taskrun validate' to see every problem

                """)
    }

    @Test func jsonHasOneObjectPerFileAndTheFirstErrorOfABrokenOne() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("tasks/review.md", TaskFiles.clean)
        try directory.write("tasks/broken.md", TaskFiles.broken)
        let output = await CLI.run(["list", "--format", "json"], in: directory.path)
        #expect(output.status == 0)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        #expect(listed.map { $0["task"] as? String } == ["broken", "review"])

        let broken = listed[0]
        #expect(Set(broken.keys) == ["task", "path", "broken"])
        let problem = try #require(broken["broken"] as? [String: Any])
        #expect(problem["line"] as? Int == 14)
        #expect(problem["column"] as? Int == 12)
        #expect(problem["message"] as? String == "phase 'Analysis' depends on unknown phase 'Gathr'")

        let review = listed[1]
        #expect(review["path"] as? String == "tasks/review.md")
        #expect(review["name"] as? String == "Quick Review")
        #expect(review["version"] as? String == "2.1.0")
        #expect(review["phases"] as? Int == 4)
        #expect(review["agents"] as? [String] == ["quant-analyst", "risk-manager", "committee-chair"])
        let requirements = try #require(review["requirements"] as? [[String: Any]])
        #expect(requirements.map { $0["name"] as? String } == ["ticker", "amount"])
        #expect(requirements.map { $0["type"] as? String } == ["string", "number"])
        #expect(requirements.map { $0["optional"] as? Bool } == [false, false])
    }

    @Test func jsonOfAnEmptyTasksDirectoryIsAnEmptyArray() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("tasks/agents/quant-analyst.md", "# Not a task\n")
        let output = await CLI.run(["list", "--format", "json"], in: directory.path)
        #expect(output.status == 0)
        let listed = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [Any]
        #expect(listed?.isEmpty == true)
    }
}
