import Testing

@testable import TaskrunCore

/// The committee example from the parser issue, as written there.
let committeeSample = """
    # Investment Committee Meeting Task

    A structured 7-phase workflow ...

    ```yaml
    name: Investment Committee Meeting
    description: Conducts a full investment committee analysis
    version: 1.0.0
    maxExecutionTime: 5 minutes
    retry:
      maxAttempts: 3
      backoffMs: 2000
    requirements:
      ticker: string
      amount: number
      timeHorizon: string
      riskTolerance: string
    ```

    ## Phase: Activation
    Initialize the committee meeting and prepare context for all agents.

    ### Steps
    - Validate input parameters (ticker, amount, timeHorizon, riskTolerance)
    - Load market data for the specified ticker

    ### Outputs
    - Meeting context initialized

    ## Phase: Analysis
    dependsOn: Activation
    Each committee member performs their specialized analysis independently.

    ### Agents
    - quant-analyst
    - risk-manager

    ### Steps
    - agent: quant-analyst - Perform quantitative analysis on {{input.ticker}}
    - agent: risk-manager - Evaluate risk metrics for {{input.amount}} investment

    ## Phase: Round Table
    dependsOn: Analysis
    parallel: false

    ### Steps
    - agent: portfolio-manager - Review analyses and provide portfolio perspective
    - aggregate: responses - Compile all stakeholder presentations
    - validation: Ensure all major risks have been addressed

    ## Expected Outputs
    ```json
    { "final_verdict": { "recommendation": "..." } }
    ```

    ## Time Allocation
    - Total time: 5-8 minutes

    """

@Suite struct SampleTaskTests {
    @Test func committeeSampleParses() throws {
        let result = parseTask(committeeSample, path: "tasks/investment-committee.md")
        let task = try #require(result.task)
        #expect(task.id == "investment-committee")
        #expect(task.title == "Investment Committee Meeting Task")
        #expect(task.summary == "A structured 7-phase workflow ...")
        #expect(task.metadata.name == "Investment Committee Meeting")
        #expect(task.metadata.description == "Conducts a full investment committee analysis")
        #expect(task.metadata.version == "1.0.0")
        #expect(task.metadata.maxExecutionTime == .minutes(5))
        #expect(task.metadata.retry == RetryPolicy(maxAttempts: 3, backoffMs: 2000))
        #expect(task.requirements.map(\.name) == ["ticker", "amount", "timeHorizon", "riskTolerance"])
        #expect(task.requirements.map(\.type) == [.string, .number, .string, .string])
        #expect(task.requirements[0].location == loc(14, 3))
        #expect(task.phases.map(\.name) == ["Activation", "Analysis", "Round Table"])
        #expect(task.phases.map(\.dependsOn) == [[], ["Activation"], ["Analysis"]])
        #expect(task.phases.map(\.parallel) == [nil, nil, false])
        #expect(task.phases[0].description == "Initialize the committee meeting and prepare context for all agents.")
        #expect(
            task.phases[1].description == "Each committee member performs their specialized analysis independently.")
        #expect(task.phases[0].steps.map(\.kind) == [.description, .description])
        #expect(task.phases[0].outputs == ["Meeting context initialized"])
        #expect(task.phases[1].agents == ["quant-analyst", "risk-manager"])
        #expect(task.phases[1].steps.map(\.kind) == [.agent(id: "quant-analyst"), .agent(id: "risk-manager")])
        #expect(task.phases[1].steps[0].text == "Perform quantitative analysis on {{input.ticker}}")
        #expect(task.phases[1].steps[0].location == loc(39, 3))
        #expect(task.phases[1].dependencies[0].location == loc(31, 12))
        #expect(
            task.phases[2].steps.map(\.kind) == [
                .agent(id: "portfolio-manager"), .aggregate(kind: "responses"), .validation,
            ])
        #expect(task.phases[2].steps[1].text == "Compile all stakeholder presentations")
        #expect(task.phases[2].steps[2].text == "Ensure all major risks have been addressed")
        #expect(task.sections.map(\.title) == ["Expected Outputs", "Time Allocation"])
        #expect(task.sections[0].content == "```json\n{ \"final_verdict\": { \"recommendation\": \"...\" } }\n```")
        #expect(task.sections[1].content == "- Total time: 5-8 minutes")
        #expect(task.sections[0].location == loc(51, 1))
        #expect(result.diagnostics.isEmpty)
    }
}
