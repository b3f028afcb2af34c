import TaskrunCore

/// What changed between the task an execution started with and the task file as it is now:
/// the reason `taskrun resume` gives when it refuses to continue.
///
/// Source positions are ignored (moving a phase down a few lines changes nothing that matters);
/// everything that shapes the run is compared: phases, their order and dependencies, settings,
/// steps, agents and outputs, the requirements and the task-wide settings.
public struct TaskChanges: Sendable, Hashable, CustomStringConvertible {
    /// One phase whose definition differs.
    public struct PhaseChange: Sendable, Hashable {
        public var phase: String
        /// `dependsOn: A → A, B`, `step 2: "agent: analyst - …" → "…"`, `timeout: none → 5m`, …
        public var details: [String]
    }

    /// Phases in the current file that the execution did not have.
    public var addedPhases: [String]
    /// Phases the execution had that the current file does not.
    public var removedPhases: [String]
    /// Phases present in both whose definitions differ.
    public var changedPhases: [PhaseChange]
    /// Everything else: phase order, requirements, task settings.
    public var taskChanges: [String]

    /// Compares the stored definition `old` with the current one `new`.
    public init(from old: TaskDefinition, to new: TaskDefinition) {
        let oldNames = old.phases.map(\.name)
        let newNames = new.phases.map(\.name)
        addedPhases = newNames.filter { !oldNames.contains($0) }
        removedPhases = oldNames.filter { !newNames.contains($0) }
        changedPhases = old.phases.compactMap { before in
            guard let after = new.phase(named: before.name) else { return nil }
            let details = Self.differences(before, after)
            return details.isEmpty ? nil : PhaseChange(phase: before.name, details: details)
        }
        var task: [String] = []
        let keptOld = oldNames.filter(newNames.contains)
        let keptNew = newNames.filter(oldNames.contains)
        if keptOld != keptNew {
            task.append("phase order: \(keptOld.joined(separator: ", ")) → \(keptNew.joined(separator: ", "))")
        }
        task += Self.requirementDifferences(old.requirements, new.requirements)
        task += Self.metadataDifferences(old.metadata, new.metadata)
        taskChanges = task
    }

    /// Whether nothing that shapes the run changed (the file may still differ in prose or layout).
    public var isEmpty: Bool {
        addedPhases.isEmpty && removedPhases.isEmpty && changedPhases.isEmpty && taskChanges.isEmpty
    }

    /// One line per change, for messages.
    public var lines: [String] {
        var lines: [String] = []
        lines += addedPhases.map { "+ phase '\($0)' added" }
        lines += removedPhases.map { "- phase '\($0)' removed" }
        for change in changedPhases {
            lines += change.details.map { "~ phase '\(change.phase)': \($0)" }
        }
        lines += taskChanges.map { "~ \($0)" }
        return lines
    }

    public var description: String {
        isEmpty ? "no change to the phase graph (only prose or layout differs)" : lines.joined(separator: "\n")
    }

    // MARK: Comparisons

    private static func differences(_ old: Phase, _ new: Phase) -> [String] {
        var details: [String] = []
        func compare<Value: Equatable>(_ label: String, _ a: Value, _ b: Value, _ show: (Value) -> String) {
            if a != b { details.append("\(label): \(show(a)) → \(show(b))") }
        }
        compare("dependsOn", old.dependsOn, new.dependsOn) { $0.isEmpty ? "none" : $0.joined(separator: ", ") }
        compare("description", old.description, new.description) { quoted($0) }
        compare("parallel", old.parallel, new.parallel) { $0.map(String.init) ?? "default" }
        compare("timeout", old.timeout, new.timeout) { $0?.description ?? "none" }
        compare("retry", old.retry, new.retry) { $0.map(describe) ?? "none" }
        compare("checkpoint", old.checkpoint, new.checkpoint) { String($0) }
        compare("when", old.condition, new.condition) { $0.map(quoted) ?? "none" }
        compare("continueOnFailure", old.continueOnFailure, new.continueOnFailure) { String($0) }
        compare("reviewer", old.reviewer, new.reviewer) { $0 ?? "none" }
        compare("agents", old.agents, new.agents) { $0.isEmpty ? "none" : $0.joined(separator: ", ") }
        compare("outputs", old.outputs, new.outputs) { $0.isEmpty ? "none" : $0.joined(separator: ", ") }
        let oldSteps = old.steps.map(describe)
        let newSteps = new.steps.map(describe)
        for index in 0..<max(oldSteps.count, newSteps.count) {
            let before = index < oldSteps.count ? oldSteps[index] : nil
            let after = index < newSteps.count ? newSteps[index] : nil
            switch (before, after) {
            case (let before?, let after?) where before != after:
                details.append("step \(index + 1): \(quoted(before)) → \(quoted(after))")
            case (let before?, nil):
                details.append("step \(index + 1) removed: \(quoted(before))")
            case (nil, let after?):
                details.append("step \(index + 1) added: \(quoted(after))")
            default:
                break
            }
        }
        return details
    }

    private static func requirementDifferences(_ old: [Requirement], _ new: [Requirement]) -> [String] {
        var details: [String] = []
        for requirement in new where !old.contains(where: { $0.name == requirement.name }) {
            details.append("requirement '\(requirement.name)' added")
        }
        for requirement in old {
            guard var current = new.first(where: { $0.name == requirement.name }) else {
                details.append("requirement '\(requirement.name)' removed")
                continue
            }
            current.location = requirement.location
            if current != requirement { details.append("requirement '\(requirement.name)' changed") }
        }
        return details
    }

    private static func metadataDifferences(_ old: TaskMetadata, _ new: TaskMetadata) -> [String] {
        var details: [String] = []
        if old.name != new.name { details.append("name: \(quoted(old.name)) → \(quoted(new.name))") }
        if old.maxExecutionTime != new.maxExecutionTime {
            details.append(
                "maxExecutionTime: \(old.maxExecutionTime?.description ?? "none") → "
                    + (new.maxExecutionTime?.description ?? "none"))
        }
        if old.retry != new.retry {
            details.append("retry: \(old.retry.map(describe) ?? "none") → \(new.retry.map(describe) ?? "none")")
        }
        if old.maxConcurrentPhases != new.maxConcurrentPhases {
            details.append(
                "maxConcurrentPhases: \(old.maxConcurrentPhases.map(String.init) ?? "default") → "
                    + (new.maxConcurrentPhases.map(String.init) ?? "default"))
        }
        if old.reviewer != new.reviewer {
            details.append("reviewer: \(old.reviewer ?? "none") → \(new.reviewer ?? "none")")
        }
        return details
    }

    private static func describe(_ step: Step) -> String {
        let head: String
        switch step.kind {
        case .agent(let id): head = "agent: \(id) - "
        case .aggregate(let kind): head = "aggregate: \(kind) - "
        case .wait(let duration): head = step.text.isEmpty ? "wait: \(duration)" : "wait: \(duration) - "
        case .description: head = ""
        case .validation, .custom: head = "\(step.kind.typeName): "
        }
        var text = head + step.text
        if !step.parameters.isEmpty {
            let parameters = step.parameters.keys.sorted().map { "\($0)=\(step.parameters[$0]?.compactText ?? "")" }
            text += " [" + parameters.joined(separator: ", ") + "]"
        }
        return text
    }

    private static func describe(_ retry: RetryPolicy) -> String {
        var text = "\(retry.maxAttempts) attempts, backoff \(retry.backoffMs)ms"
        if let cap = retry.maxBackoffMs { text += " (max \(cap)ms)" }
        if retry.jitter > 0 { text += ", jitter \(retry.jitter)" }
        return text
    }

    private static func quoted(_ text: String) -> String {
        let flat = text.replacing("\n", with: " ")
        return flat.count > 60 ? "\"\(flat.prefix(57))…\"" : "\"\(flat)\""
    }
}
