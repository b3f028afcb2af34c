import TaskrunCore

/// The JSON views templates and expressions read, and how a phase's outputs are filled.
extension ExecutionRun {
    /// The phases at `indexes` under their exact names and aliases.
    func views(of indexes: some Sequence<Int>) -> [String: JSONValue] {
        let indexes = Array(indexes)
        let phases = state.withLock { state in indexes.map { state.execution.phaseList[$0] } }
        var views: [String: JSONValue] = [:]
        for (index, result) in zip(indexes, phases) {
            let view = result.view
            views[result.name] = view
            if let alias = plan.phases[index].alias { views[alias] = view }
        }
        return views
    }

    /// The names a phase's `when:` can read: the input, the phases it depends on, the task.
    func conditionVariables(for index: Int) -> [String: JSONValue] {
        let phase = plan.phases[index]
        return baseVariables(phase: phase, phases: views(of: phase.ancestors), steps: [])
    }

    func baseVariables(phase: PhasePlan, phases: [String: JSONValue], steps: [StepResult]) -> [String: JSONValue] {
        [
            "input": .object(input),
            "phases": .object(phases),
            "steps": .array(steps.map(\.view)),
            "execution": ["id": .string(id.description)],
            "task": ["name": .string(plan.task.metadata.name), "id": .string(plan.task.id)],
            "phase": ["name": .string(phase.name)],
        ]
    }

    /// Fills the phase's outputs and result from its steps (see `Docs/execution.md`, "Outputs").
    /// Call inside `state.withLock`.
    func fillOutputs(of index: Int, in state: inout RunState) {
        let phase = plan.phases[index]
        // The steps and replies, not a copy of the whole phase: a copy alive at the write below
        // would share the phase's box, and the write would copy it (an allocation and a retain of
        // everything in it, per phase).
        let steps = state.execution.phaseList[index].steps
        func isFinished(_ step: StepResult) -> Bool { step.status == .completed || step.status == .unverified }
        // Usually every step finished: the phase's own array, shared, instead of a filtered copy.
        let finished = steps.allSatisfy(isFinished) ? steps : steps.filter(isFinished)
        var outputs: [String: JSONValue] = [:]
        for step in finished {
            outputs.merge(step.outputs) { _, new in new }
        }
        let value = Self.phaseResult(
            phase: phase, steps: finished, responses: state.execution.phaseList[index].storedResponses)
        for name in phase.outputs where outputs[name] == nil {
            if Self.isIdentifier(name), let found = Self.lookup(name, in: finished) {
                outputs[name] = found
            } else {
                outputs[name] = value.json ?? .null
            }
        }
        // One access to the phase for both (each access checks the list is unique); no outputs
        // (the usual case) written over none.
        { (result: inout PhaseResult) in
            if !outputs.isEmpty || !result.outputs.isEmpty { result.outputs = outputs }
            result.storedResult = value
        }(&state.execution.phaseList[index])
    }

    /// The last aggregate's value (a `summary` aggregate only when nothing else below gives one,
    /// since it describes the run rather than the phase's work); else the last custom or classify
    /// step's value; else the agent responses (one: that response, several: the list); else the
    /// last summary; else the description texts.
    static func phaseResult(phase: PhasePlan, steps: [StepResult], responses: Replies) -> ResultValue {
        func kind(_ step: StepResult) -> StepKind { phase.steps[step.index].kind }
        func isAggregate(_ step: StepResult, summary: Bool) -> Bool {
            guard case .aggregate(let name) = kind(step) else { return false }
            return (name == "summary") == summary
        }
        if let aggregate = steps.last(where: { isAggregate($0, summary: false) }) { return aggregate.storedValue }
        if let custom = steps.last(where: { if case .custom = kind($0) { true } else { false } }) {
            return custom.storedValue
        }
        // One answer: that reply itself, the box the phase's responses and its agent step's value hold.
        if let only = responses.only { return .reply(only) }
        if responses.count > 1 { return .plain(.array(responses.map(\.view))) }
        if let summary = steps.last(where: { isAggregate($0, summary: true) }) { return summary.storedValue }
        let descriptions = steps.filter { kind($0) == .description }.compactMap(\.value)
        if descriptions.count == 1 { return .plain(descriptions.first) }
        if descriptions.count > 1 { return .plain(.array(descriptions)) }
        return .plain(nil)
    }

    /// The latest step whose value (or whose agent response's `data`) has a non-null member `name`.
    static func lookup(_ name: String, in steps: [StepResult]) -> JSONValue? {
        for step in steps.reversed() {
            guard !step.storedValue.isNil else { continue }
            if let found = step.storedValue[member: name], found != .null { return found }
            if let found = step.storedValue[member: "data"]?[name], found != .null { return found }
        }
        return nil
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}

extension PhaseResult {
    /// The phase as templates and expressions see it: `phases.<name>.status`, `.outputs`, ...
    var view: JSONValue {
        .object([
            "name": .string(name),
            "status": .string(status.rawValue),
            "attempts": .number(Double(attempts)),
            "outputs": .object(outputs),
            "responses": .array(responses.map(\.view)),
            "errors": .array(errors.map(JSONValue.string)),
            "result": result ?? .null,
            "steps": .array(steps.map(\.view)),
        ])
    }
}

extension StepResult {
    /// The step as templates and expressions see it: `steps[0].value`, ...
    var view: JSONValue {
        .object([
            "index": .number(Double(index)),
            "type": .string(type),
            "agent": agent.map(JSONValue.string) ?? .null,
            "status": .string(status.rawValue),
            "value": value ?? .null,
            "outputs": .object(outputs),
            "error": error.map(JSONValue.string) ?? .null,
        ])
    }
}

extension AgentReply {
    /// An answer as templates, expressions, aggregates and results see it. Every key is always
    /// present (`null` or empty when unknown), so templates can reference any of them.
    var view: JSONValue {
        // Filled into a copy of a prepared object through positions found once, instead of hashing
        // the nine keys again for every answer. A copy of a dictionary keeps its layout, so the
        // positions are valid in it (a copy that did not would trap here, not answer wrongly).
        let slots = ReplyViewSlots.shared
        var object = slots.template
        object.values[slots.agent] = .string(agent)
        object.values[slots.step] = .number(Double(step))
        object.values[slots.text] = .string(response.text)
        if let position = response.position { object.values[slots.position] = .string(position.rawValue) }
        if let confidence = response.confidence { object.values[slots.confidence] = .number(confidence) }
        if !response.keyPoints.isEmpty {
            object.values[slots.keyPoints] = .array(response.keyPoints.map(JSONValue.string))
        }
        if !response.risks.isEmpty { object.values[slots.risks] = .array(response.risks.map(JSONValue.string)) }
        if let data = response.data { object.values[slots.data] = data }
        if let latency = response.latency { object.values[slots.latency] = .number(latency.milliseconds) }
        return .object(object)
    }

    /// `view[name]`, without making the view: what ``view`` puts under each of its keys.
    func viewMember(_ name: String) -> JSONValue? {
        switch name {
        case "agent": .string(agent)
        case "step": .number(Double(step))
        case "text": .string(response.text)
        case "position": response.position.map { .string($0.rawValue) } ?? .null
        case "confidence": response.confidence.map(JSONValue.number) ?? .null
        case "keyPoints": .array(response.keyPoints.map(JSONValue.string))
        case "risks": .array(response.risks.map(JSONValue.string))
        case "data": response.data ?? .null
        case "latencyMs": response.latency.map { .number($0.milliseconds) } ?? .null
        default: nil
        }
    }
}

/// The keys of a reply's view, with their empty values, and where each one sits.
private struct ReplyViewSlots: Sendable {
    static let shared = ReplyViewSlots()

    let template: [String: JSONValue] = [
        "agent": .null, "step": .null, "text": .null, "position": .null, "confidence": .null,
        "keyPoints": .array([]), "risks": .array([]), "data": .null, "latencyMs": .null,
    ]
    let agent, step, text, position, confidence, keyPoints, risks, data, latency: Dictionary<String, JSONValue>.Index

    private init() {
        func slot(_ key: String, in template: [String: JSONValue]) -> Dictionary<String, JSONValue>.Index {
            // The template has every key: `endIndex` is never returned.
            template.index(forKey: key) ?? template.endIndex
        }
        let template = self.template
        agent = slot("agent", in: template)
        step = slot("step", in: template)
        text = slot("text", in: template)
        position = slot("position", in: template)
        confidence = slot("confidence", in: template)
        keyPoints = slot("keyPoints", in: template)
        risks = slot("risks", in: template)
        data = slot("data", in: template)
        latency = slot("latencyMs", in: template)
    }
}
