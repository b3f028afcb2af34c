/// Generates the benchmark's task files as markdown, so every workload goes through the parser the
/// way a user's file does.
///
/// Every generated task uses the agent `bench`; the bench's agent managers decide what a call costs.
enum TaskFiles {
    /// W1 and W4: `count` phases, each depending on the one before, one agent step each.
    static func chain(count: Int, name: String = "chain") -> String {
        var text = header(
            title: "Chain of \(count) phases", name: name,
            about: "Each phase depends on the one before and runs one no-op agent step.")
        for index in 1...max(count, 1) {
            text += phase(
                "P\(index)", dependsOn: index == 1 ? [] : ["P\(index - 1)"], steps: ["agent: bench - step \(index)"])
        }
        return text
    }

    /// W2: a root, `width` phases depending only on it, and a join phase depending on all of them.
    static func fanout(width: Int, name: String = "fanout") -> String {
        var text = header(
            title: "Fan-out of \(width) phases", name: name,
            about: "A root, \(width) phases that depend only on it, and a join that depends on all of them.",
            config: ["maxConcurrentPhases: \(width)"])
        text += phase("Root", dependsOn: [], steps: ["agent: bench - root"])
        let branches = (1...max(width, 1)).map { "B\($0)" }
        for branch in branches {
            text += phase(branch, dependsOn: ["Root"], steps: ["agent: bench - \(branch)"])
        }
        text += phase("Join", dependsOn: branches, steps: ["agent: bench - join"])
        return text
    }

    /// W3: `phases` sequential phases of `agents` parallel agent steps each.
    static func committee(phases: Int, agents: Int, name: String = "committee") -> String {
        var text = header(
            title: "Committee of \(phases) rounds", name: name,
            about: "Each round asks \(agents) agents in parallel; each round waits for the one before.")
        for index in 1...max(phases, 1) {
            let steps = (1...max(agents, 1)).map { "agent: bench - round \(index), member \($0)" }
            text += phase("Round \(index)", dependsOn: index == 1 ? [] : ["Round \(index - 1)"], steps: steps)
        }
        return text
    }

    /// W7: one parallel phase of `calls` agent steps, all in flight at once.
    static func wide(calls: Int, name: String = "wide") -> String {
        var text = header(
            title: "\(calls) agent calls in flight", name: name,
            about: "One parallel phase whose \(calls) agent steps all run at the same time.")
        text += phase("Fan", dependsOn: [], steps: (1...max(calls, 1)).map { "agent: bench - call \($0)" })
        return text
    }

    /// W8: three phases in a row, one agent step each.
    static func small(name: String = "small") -> String {
        chain(count: 3, name: name)
    }

    /// W5: a committee-sized file (about the size of `tasks/investment-committee.md`), varied by
    /// `index` so that no two files are the same bytes.
    static func committeeSized(index: Int) -> String {
        let members = [
            "quant-analyst", "risk-manager", "market-analyst", "fundamental-analyst", "sentiment-analyst",
            "macro-strategist", "portfolio-manager", "contrarian-investor",
        ]
        var text = """
            # Committee Review \(index)

            A structured review of proposal \(index). Specialists analyse the proposal independently, respond to one
            another at a round table, debate the bull and the bear case, have the work audited, restate their final
            positions, and the chair delivers the verdict with a position size, an entry, a stop-loss and a take-profit.

            ```yaml
            name: Committee Review \(index)
            description: Reviews proposal \(index) and delivers a verdict
            version: 1.0.\(index)
            maxExecutionTime: 15 minutes
            retry:
              maxAttempts: 3
              backoffMs: 2000
              maxBackoffMs: 10000
              jitter: 0.2
            requirements:
              ticker:
                type: string
                default: BTC
                description: Symbol of the asset under review, such as BTC, ETH or AAPL
              amount:
                type: number
                default: \(10_000 + index)
                description: Proposed position size in US dollars
              timeHorizon:
                type: string
                default: medium
                enum: [short, medium, long]
                description: Intended holding period; short is under 3 months, medium 3 to 12 months, long over a year
              riskTolerance:
                type: string
                default: medium
                enum: [low, medium, high]
                description: How much drawdown the investor accepts; it drives position sizing and the stop-loss
            ```


            """
        let rounds: [(name: String, parallel: Bool, agents: ArraySlice<String>)] = [
            ("Analysis", true, members[0..<6]),
            ("Round Table", false, members[5..<8]),
            ("Debate", false, members[4..<8]),
            ("Validation", true, members[0..<2]),
            ("Consensus", false, members[0..<8]),
        ]
        text += """
            ## Phase: Activation
            timeout: 30s
            Initialize review \(index) and prepare the shared context every member works from.

            ### Steps
            - Validate input parameters (ticker, amount, timeHorizon, riskTolerance)
            - validation: input.amount > 0
            - validation: len(input.ticker) > 0
            - Load the market snapshot for {{input.ticker}} with price, 30 and 90 day returns, volatility and volume

            ### Outputs
            - meetingContext


            """
        var previous = "Activation"
        for round in rounds {
            text += "## Phase: \(round.name)\ndependsOn: \(previous)\nparallel: \(round.parallel)\ntimeout: 3 minutes\n"
            text += "In round \(round.name) of review \(index), each member works on the proposal in turn and states a"
            text +=
                " position (bullish, bearish or neutral) with a confidence from 0 to 100 and the evidence for it.\n\n"
            text += "### Agents\n" + round.agents.map { "- \($0)\n" }.joined() + "\n### Steps\n"
            for agent in round.agents {
                text += "- agent: \(agent) - As \(agent), assess {{input.ticker}} for a {{input.amount}} USD position"
                text += " over a {{input.timeHorizon}} horizon at {{input.riskTolerance}} risk tolerance, naming the"
                text += " evidence that matters most in round \(round.name)\n"
            }
            text +=
                round.name == "Validation"
                ? "- validation: len(phases.Analysis.responses) >= 5\n- validation: Every major risk raised in the Analysis phase has been addressed\n"
                : "- aggregate: consensus - Weigh the positions of round \(round.name) by confidence\n"
            text += "\n### Outputs\n- \(round.name.replacingOccurrences(of: " ", with: ""))Report\n\n"
            previous = round.name
        }
        text += """
            ## Phase: Verdict
            dependsOn: Consensus
            timeout: 2 minutes
            The committee chair weighs the positions and confidences of the voting members and delivers the verdict.

            ### Agents
            - committee-chair

            ### Steps
            - agent: committee-chair - Deliver the final verdict on {{input.amount}} USD in {{input.ticker}} as BUY, HOLD, SELL or PASS
              - required: true
              - timeout: 90s
              - output: finalVerdict
            - aggregate: summary - Summarize the meeting with phase timings and any failures
              - output: meetingSummary

            ### Outputs
            - finalVerdict
            - meetingSummary

            ## Expected Outputs

            The result of a run holds every phase's status, outputs and responses; the part people read is the
            verdict of review \(index): a recommendation of BUY, HOLD, SELL or PASS with a confidence, a position
            size, an entry, a stop-loss and a take-profit, the votes of the members, the agreement ratio, the
            dissenters, the points of agreement and dissent, the key risks and the conditions still open.

            ## Time Allocation

            - Activation takes under a second.
            - Analysis takes 30 to 60 seconds, six agents in parallel.
            - Round Table takes 1 to 2 minutes, three agents in turn.
            - Debate takes 1 to 2 minutes, four agents in turn.
            - Validation takes 30 to 60 seconds, two agents in parallel.
            - Consensus takes 2 to 3 minutes, eight agents in turn.
            - Verdict takes 30 to 60 seconds; the whole review takes 5 to 8 minutes against an LLM backend.

            ## Quality Validation

            - At least five of the six Analysis members answered; the Validation phase checks this.
            - Every voting member stated a position with a confidence; dissent is reported, never averaged away.
            - The verdict's position size respects the stated risk tolerance, with a stop-loss and a take-profit.

            """
        return text
    }

    private static func header(title: String, name: String, about: String, config: [String] = []) -> String {
        var text = "# \(title)\n\n\(about) Generated by taskrun-bench.\n\n```yaml\nname: \(name)\n"
        text += "description: \(title), generated by taskrun-bench\n"
        text += config.map { "\($0)\n" }.joined()
        return text + "```\n\n"
    }

    private static func phase(_ name: String, dependsOn: [String], steps: [String]) -> String {
        var text = "## Phase: \(name)\n"
        if !dependsOn.isEmpty { text += "dependsOn: \(dependsOn.joined(separator: ", "))\n" }
        text += "Phase \(name) of the benchmark.\n\n### Steps\n"
        text += steps.map { "- \($0)\n" }.joined()
        return text + "\n"
    }
}
