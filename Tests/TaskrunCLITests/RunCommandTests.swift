import Foundation
import Testing

/// `taskrun run` (and its `taskrun TASK` shorthand) driven in-process.
@Suite struct RunCommandTests {
    static let task = """
        # Check

        ```yaml
        name: Check
        requirements:
          ticker: string
          amount:
            type: number
            default: 500
          threshold:
            type: integer
            default: 100
        ```

        ## Phase: Gather
        ### Steps
        - Load the data

        ## Phase: Gate
        dependsOn: Gather
        ### Steps
        - validation: input.amount > input.threshold
        """

    static let slow = """
        # Slow

        ## Phase: Hold
        ### Steps
        - wait: 1h
        """

    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        try directory.write("tasks/check.md", Self.task)
        try directory.write("tasks/slow.md", Self.slow)
    }

    func run(_ arguments: String...) async -> CommandOutput {
        await CLI.run(arguments, in: directory.path)
    }

    @Test func completedRunExitsZeroAndTheShorthandIsTheSame() async {
        let explicit = await run("run", "check", "--input", "ticker=BTC")
        #expect(explicit.status == 0, "\(explicit.stderr)")
        #expect(explicit.stdout.contains("Check (check): completed"))
        let shorthand = await run("check", "--input", "ticker=BTC")
        #expect(shorthand.status == 0, "\(shorthand.stderr)")
    }

    @Test func failedValidationExitsOne() async {
        let output = await run("check", "--input", "ticker=BTC", "--input", "amount=5")
        #expect(output.status == 1)
        #expect(output.stdout.contains("failed"))
    }

    @Test func inputsAreTypedByTheirRequirement() async {
        let output = await run("check", "--input", "ticker=BTC", "--input", "amount=lots")
        #expect(output.status == 2)
        #expect(output.stderr.contains("amount"))
    }

    @Test func unmetRequirementsAndUnknownTasksAreUsageErrors() async {
        #expect(await run("check").status == 2)
        #expect(await run("nosuch").status == 2)
    }

    @Test func timeoutExitsThree() async {
        let output = await run("slow", "--timeout", "20ms")
        #expect(output.status == 3)
        #expect(output.stdout.contains("timeout"))
    }

    @Test func jsonAndYAMLInputFilesAreRead() async throws {
        try directory.write("in.json", #"{"ticker": "ETH", "amount": 5}"#)
        try directory.write("in.yaml", "ticker: ETH\namount: 5000\n")
        #expect(await run("check", "--input-file", "in.json").status == 1)  // amount 5 fails the gate
        #expect(await run("check", "--input-file", "in.yaml").status == 0)
        // --input wins over the file.
        #expect(await run("check", "--input-file", "in.json", "--input", "amount=1000").status == 0)
    }

    @Test func malformedYAMLInputFileIsAPositionedUsageError() async throws {
        try directory.write("bad.yaml", "ticker: [ETH\n")
        let output = await run("check", "--input-file", "bad.yaml")
        #expect(output.status == 2)
        #expect(output.stderr.contains("bad.yaml:2:1:"))
    }

    @Test func outputFileHoldsTheResult() async throws {
        let output = await run("check", "--input", "ticker=BTC", "--output", "result.json")
        #expect(output.status == 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory.path)/result.json"))
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(result["status"] as? String == "completed")
        #expect(result["taskName"] as? String == "Check")
        #expect((result["executionId"] as? String)?.isEmpty == false)
    }

    @Test func ndjsonEventsAreOneObjectPerLineInSequence() async throws {
        let output = await run("check", "--input", "ticker=BTC", "--events", "ndjson")
        #expect(output.status == 0)
        let lines = output.stdout.split(separator: "\n")
        let events = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let types = events.compactMap { $0["type"] as? String }
        #expect(types.first == "execution:start")
        #expect(types.last == "execution:complete")
        let sequences = events.compactMap { ($0["sequence"] as? NSNumber)?.intValue }
        #expect(sequences == Array(sequences.indices).map { sequences[0] + $0 })
    }
}
