// A complete, offline example of extending taskrun in Swift: two custom step types, registered
// the two ways the executor offers, used by a small task, run with live events.
//
//   swift run custom-strategy-example
//
// `Tests/TaskrunExecutionTests/ExamplesTests.swift` runs this program and checks what it prints,
// so the example keeps compiling and keeps working.

import Foundation
import Synchronization
import TaskrunCore
import TaskrunExecution

// MARK: - A strategy type with its own state

/// `price-alert: <text>` with an `above: <price>` parameter: raises an alert when the input price
/// is above the threshold and the earlier sentiment is positive.
///
/// A strategy object is shared by every execution of the executor, so it can keep state; here it
/// counts the alerts it has raised. `Mutex` keeps it `Sendable`.
final class PriceAlertStrategy: StepStrategy {
    private let raised = Mutex(0)

    /// Checked before anything runs: a task with a bad threshold never starts.
    func preflight(_ step: Step, in phase: Phase, task: TaskDefinition) -> [PreflightProblem] {
        guard step.parameters["above"]?.doubleValue == nil else { return [] }
        return [PreflightProblem("price-alert needs a numeric 'above' parameter", phase: phase.name)]
    }

    func run(_ step: Step, in phase: Phase, context: StepContext) async throws -> StepOutput {
        guard let threshold = step.parameters["above"]?.doubleValue,
            let price = context.input["price"]?.doubleValue
        else { throw StepFailure("price-alert needs 'above' and a numeric 'price' input", isRetryable: false) }
        let sentiment = context.earlierPhase(named: "Sentiment")?.outputs["score"]?.doubleValue ?? 0
        let alert = price > threshold && sentiment > 0
        let total = raised.withLock { count in
            if alert { count += 1 }
            return count
        }
        return StepOutput([
            "alert": .bool(alert),
            "message": .string(try context.renderStepText()),
            "alertsRaised": .number(Double(total)),
        ])
    }
}

// MARK: - The task

let source = """
    # Price Watch

    ```yaml
    requirements:
      ticker: {type: string, default: BTC}
      price: {type: number}
    ```

    ## Phase: Sentiment
    Two analysts answer, then a custom step scores their answers.

    ### Steps
    - agent: bull - Where is {{input.ticker}} heading?
    - agent: bear - What could go wrong with {{input.ticker}}?
    - sentiment-score: Score the answers

    ### Outputs
    - score

    ## Phase: Alert
    dependsOn: Sentiment

    ### Steps
    - price-alert: {{input.ticker}} is above 60000 at {{input.price}}
      - above: 60000

    ### Outputs
    - alert
    """

// MARK: - Running it

/// Offline agents with canned answers; plug in your own `AgentManager` (or TaskrunAgents' backends).
let agents = ScriptedAgentManager()
agents.script("bull", [.text("Strong momentum, the trend is up")])
agents.script("bear", [.text("Some risk from a weak dollar, but the trend is up")])

let executor = TaskExecutor(agents: agents)

// 1. A closure: the quickest way. Its return value is the step's value; the `score` key fills
//    the phase's `score` output.
executor.registerStepStrategy("sentiment-score") { _, _, context in
    let words = context.responses.flatMap { $0.response.text.lowercased().split(separator: " ") }
    let score = words.filter { $0 == "up" || $0 == "strong" }.count - words.filter { $0 == "risk" }.count
    return ["score": .number(Double(score))]
}

// 2. A type with its own state and preflight checks.
executor.registerStepStrategy("price-alert", PriceAlertStrategy())

let parsed = TaskParser().parse(source: source, path: "price-watch.md")
guard let task = parsed.task, !parsed.hasErrors else {
    parsed.diagnostics.forEach { print($0) }
    exit(2)
}

// Subscribe before starting, so no event is missed.
let events = executor.events(kinds: [.phaseStart, .stepComplete, .phaseComplete])
let printer = Task {
    for await event in events {
        let step = event.step.map { " step \($0)" } ?? ""
        print("event \(event.kind.rawValue) \(event.phase ?? "")\(step) \(event.status ?? "")")
    }
}

do {
    let result = try await executor.execute(task, input: ["ticker": "BTC", "price": 64000])
    await executor.shutdown()  // ends the event stream, so the printer finishes
    await printer.value

    print("status: \(result.status)")
    print("score: \(result[phase: "Sentiment"]?.outputs["score"]?.compactJSON ?? "none")")
    print("result: \(result.finalResult?.compactJSON ?? "none")")
} catch {
    print("could not run the task: \(error)")
    exit(1)
}
