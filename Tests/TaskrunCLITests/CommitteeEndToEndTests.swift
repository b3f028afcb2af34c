import Foundation
import Testing

/// The shipped tasks run through the command line (in-process) on the offline agents: the
/// committee's report and result, how inputs move the verdict, and which agents the daily analysis asks.
@Suite struct CommitteeEndToEndTests {
    static func run(_ arguments: [String]) async -> CommandOutput {
        await CLI.run(arguments + ["--no-store"], in: ShippedTasksTests.repository)
    }

    /// The `--format json` result of a run, as plain JSON objects.
    static func result(_ arguments: [String]) async throws -> [String: Any] {
        let output = await run(arguments + ["--format", "json", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    }

    static func verdict(_ result: [String: Any]) throws -> [String: Any] {
        let final = try #require(result["finalResult"] as? [String: Any])
        return try #require(final["data"] as? [String: Any])
    }

    static func phase(_ name: String, in result: [String: Any]) throws -> [String: Any] {
        let phases = try #require(result["phases"] as? [[String: Any]])
        return try #require(phases.first { $0["name"] as? String == name })
    }

    /// The agent steps of `phase` as the `--events ndjson` stream orders them: each step's start and
    /// completion sequence numbers, in step order. (The result's timestamps are cut to milliseconds,
    /// too coarse to order steps that take microseconds.)
    static func agentSteps(of phase: String, in events: [[String: Any]]) throws -> [(start: Int, end: Int)] {
        var starts: [Int: Int] = [:]
        var ends: [Int: Int] = [:]
        for event in events where event["phase"] as? String == phase && event["agent"] != nil {
            guard let step = (event["step"] as? NSNumber)?.intValue,
                let sequence = (event["sequence"] as? NSNumber)?.intValue
            else { continue }
            switch event["type"] as? String {
            case "step:start": starts[step] = sequence
            case "step:complete": ends[step] = sequence
            default: break
            }
        }
        #expect(Set(starts.keys) == Set(ends.keys), "\(phase): a step started without completing, or the reverse")
        return try starts.sorted { $0.key < $1.key }.map { step, start in (start, try #require(ends[step])) }
    }

    static func agents(of phase: [String: Any]) -> [String] {
        ((phase["responses"] as? [[String: Any]]) ?? []).compactMap { $0["agent"] as? String }
    }

    @Test func theCommitteeEndsWithAReadableReport() async {
        let output = await Self.run(["investment-committee", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.isEmpty)
        let report = output.stdout
        #expect(report.hasPrefix("# Investment Committee Meeting (investment-committee): completed in "))
        for section in [
            "## Verdict: BUY BTC", "| Confidence", "| Position size | $7,200 of $10,000 proposed", "| Entry",
            "| Stop-loss", "| Take-profit", "## Positions", "| contrarian-investor | bearish",
            "## Agreement and dissent",
            "Dissent:", "## Key risks", "## Timing", "| Analysis    | completed",
        ] {
            #expect(report.contains(section), "missing \(section)")
        }
        // Progress never reaches stdout.
        #expect(!report.contains("\u{1B}"))
        #expect(!report.contains("Activation: running"))
    }

    @Test func progressGoesToStandardErrorBeforeTheReport() async {
        let plain = await Self.run(["investment-committee"])
        #expect(plain.status == 0)
        #expect(plain.stderr.hasPrefix("[  0.0s] Investment Committee Meeting: started\n"))
        #expect(plain.stderr.contains("] Analysis: done in "))
        #expect(plain.stderr.contains(", 6/6 agents\n"))
        #expect(!plain.stdout.contains("Analysis: done"))

        let live = await CLI.run(
            ["investment-committee", "--no-store"], in: ShippedTasksTests.repository, terminal: true)
        #expect(live.status == 0)
        // Redrawn in place: cursor moves up over the 8-line block, and the last frame shows every phase done.
        #expect(live.stderr.contains("\u{1B}[8A\r"))
        let lastFrame = live.stderr.components(separatedBy: "\u{1B}[8A\r").last ?? ""
        #expect(lastFrame.components(separatedBy: "✓").count - 1 == 7)
        #expect(lastFrame.contains("completed"))
        #expect(live.stdout.hasPrefix("# Investment Committee Meeting"))

        let noColor = await CLI.run(
            ["investment-committee", "--no-store"], in: ShippedTasksTests.repository,
            environment: ["NO_COLOR": "1"], terminal: true)
        #expect(!noColor.stderr.contains("\u{1B}"))
        #expect(noColor.stderr.contains("] Verdict: done in "))

        let verbose = await Self.run(["investment-committee", "--verbose"])
        #expect(verbose.stderr.contains("agent:query phase=Analysis"))
        #expect(verbose.stderr.contains("checkpoint:created") || verbose.stderr.contains("agent:response"))
    }

    @Test func theJSONResultHasEveryPhaseCompletedAndTheRightShape() async throws {
        let result = try await Self.result(["investment-committee"])
        #expect(result["status"] as? String == "completed")
        #expect(result["taskId"] as? String == "investment-committee")
        #expect(result["finalPhase"] as? String == "Verdict")
        let phases = try #require(result["phases"] as? [[String: Any]])
        #expect(
            phases.compactMap { $0["name"] as? String } == [
                "Activation", "Analysis", "Round Table", "Debate", "Validation", "Consensus", "Verdict",
            ])
        #expect(phases.allSatisfy { $0["status"] as? String == "completed" })
        let verdict = try Self.verdict(result)
        for key in ["recommendation", "confidence", "positionSize", "entry", "stopLoss", "takeProfit", "keyRisks"] {
            #expect(verdict[key] != nil, "verdict lacks \(key)")
        }
    }

    @Test func theAnalystsOverlapAndTheRoundTableTakesTurns() async throws {
        let output = await Self.run(["investment-committee", "--events", "ndjson", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        let events = try output.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        // The six analysts run at once: some step starts before another has completed.
        let analysis = try Self.agentSteps(of: "Analysis", in: events)
        #expect(analysis.count == 6)
        let overlapping = analysis.indices.flatMap { i in
            analysis.indices.filter { j in
                j > i && analysis[i].start < analysis[j].end && analysis[j].start < analysis[i].end
            }
        }
        #expect(!overlapping.isEmpty, "no two Analysis steps overlapped: \(analysis)")
        // The round table speaks in turn: each speaker starts after the previous one completed.
        let roundTable = try Self.agentSteps(of: "Round Table", in: events)
        #expect(roundTable.count == 3)
        for (previous, next) in zip(roundTable, roundTable.dropFirst()) {
            #expect(next.start > previous.end)
        }
    }

    @Test func inputsMoveTheVerdictTheWayTheySay() async throws {
        let standard = try Self.verdict(try await Self.result(["investment-committee"]))
        #expect(standard["recommendation"] as? String == "BUY")
        let standardSize = try #require(standard["positionSize"] as? Double)

        // A smaller proposal never gets a bigger position.
        let smaller = try Self.verdict(try await Self.result(["investment-committee", "--input", "amount=5000"]))
        let smallerSize = try #require(smaller["positionSize"] as? Double)
        #expect(smallerSize <= 5000 && smallerSize < standardSize)

        // ETH, 5000, low risk: ETH's volatility is unsuitable for a low-risk mandate.
        let cautious = try await Self.result([
            "investment-committee", "--input", "ticker=ETH", "--input", "amount=5000", "--input", "riskTolerance=low",
        ])
        let verdict = try Self.verdict(cautious)
        #expect(verdict["ticker"] as? String == "ETH")
        #expect(verdict["recommendation"] as? String == "PASS")
        #expect(verdict["positionSize"] as? Double == 0)
        #expect((verdict["conditions"] as? [String])?.isEmpty == false)

        // More risk tolerance: a wider stop and a position at least as large.
        var sizes: [Double] = []
        var stops: [Double] = []
        for tolerance in ["low", "medium", "high"] {
            let verdict = try Self.verdict(
                try await Self.result([
                    "investment-committee", "--input", "ticker=ETH", "--input", "amount=5000", "--input",
                    "riskTolerance=\(tolerance)",
                ]))
            sizes.append(try #require(verdict["positionSize"] as? Double))
            stops.append(try #require(verdict["stopLossPercent"] as? Double))
        }
        #expect(sizes == sizes.sorted() && sizes[0] < sizes[2], "\(sizes)")
        #expect(stops[0] < stops[1] && stops[1] < stops[2], "\(stops)")

        let report = await Self.run([
            "investment-committee", "--quiet", "--input", "ticker=ETH", "--input", "amount=5000", "--input",
            "riskTolerance=low",
        ])
        #expect(report.stdout.contains("## Verdict: PASS ETH"))
        #expect(report.stdout.contains("| Position size | $0 of $5,000 proposed"))
        #expect(report.stdout.contains("## Conditions"))
    }

    @Test func dailyAnalysisAsksThePriceMovementSpecialists() async throws {
        let result = try await Self.result([
            "daily-market-analysis", "--input", "question=Why is ETH down?", "--input", "ticker=ETH",
        ])
        let rapid = try Self.phase("Rapid Analysis", in: result)
        let asked = Set(Self.agents(of: rapid))
        #expect(asked.isSuperset(of: ["market-analyst", "sentiment-analyst", "technical-validator"]))
        #expect(asked.isDisjoint(with: ["risk-manager", "portfolio-manager", "fundamental-analyst", "quant-analyst"]))

        let report = await Self.run([
            "daily-market-analysis", "--quiet", "--input", "question=Why is ETH down?", "--input", "ticker=ETH",
        ])
        #expect(report.status == 0)
        #expect(report.stdout.contains("## Answer"))
        #expect(report.stdout.contains("- Rapid Analysis: market-analyst, sentiment-analyst, technical-validator"))
        #expect(!report.stdout.contains("## Verdict"))
    }

    @Test func dailyAnalysisLetsTheRiskManagerLeadOnActions() async throws {
        let result = try await Self.result(["daily-market-analysis", "--input", "question=Should I sell BTC?"])
        let rapid = try Self.phase("Rapid Analysis", in: result)
        let asked = Self.agents(of: rapid)
        #expect(asked.first == "risk-manager")
        #expect(!asked.contains("market-analyst") && !asked.contains("sentiment-analyst"))
        let final = try #require(result["finalResult"] as? [String: Any])
        let answer = try #require((final["data"] as? [String: Any])?["answer"] as? String)
        #expect(answer.hasPrefix("risk-manager leads"))

        let report = await Self.run(["daily-market-analysis", "--quiet", "--input", "question=Should I sell BTC?"])
        #expect(report.stdout.contains("## Answer\n\nrisk-manager leads"))
    }
}
