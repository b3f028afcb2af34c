import TaskrunMarkdown

extension TaskFileParser {
    /// What a `###` section inside a phase holds.
    enum PhaseSection {
        case steps, agents, outputs, dependencies
        /// Any other section (`### Notes`): documentation.
        case other
    }

    /// Reads a phase's blocks (everything up to the next level-1 or level-2 heading) into `header`,
    /// and records where its names are in ``nameSpans``.
    mutating func buildPhase(_ header: Phase, nameSpan: TaskValidator.NameSpans.Span?, blocks: [Int]) -> Phase {
        var phase = header
        var spans = TaskValidator.NameSpans.PhaseSpans(name: nameSpan)
        defer {
            nameSpans.phases.append(spans)
            phaseScalars = []
            phaseScalarsOffset = 0
        }
        if let first = blocks.first, let last = blocks.last {
            let lines = document.lines
            let lower = lines.byteRange(ofLine: document.compact[first].start.line).lowerBound
            let upper = max(lower, lines.byteRange(ofLine: document.compact[last].end.line).upperBound)
            phaseScalars = lines.widenedBytes(lower..<upper)
            phaseScalarsOffset = lower
        }
        var settings = SettingsState()
        var section: PhaseSection?
        // Settings live in the first paragraph under the heading (a yaml block may come before it).
        var settingsParagraphRead = false
        for block in blocks {
            let node = document.compact[block]
            if let level = node.headingLevel {
                if level == 3 {
                    section = phaseSection(heading: block)
                    settingsParagraphRead = true
                }
                continue
            }
            guard let section else {
                switch node.kind {
                case .paragraph:
                    if settingsParagraphRead {
                        checkMisplacedSettings(block, phase: phase.name)
                    } else {
                        readSettingsParagraph(block, into: &phase, settings: &settings)
                        settingsParagraphRead = true
                    }
                case .codeBlock where isYAMLFence(block):
                    readSettingsBlock(block, into: &phase, settings: &settings)
                default:
                    settingsParagraphRead = true
                }
                continue
            }
            guard case .list = node.kind else { continue }
            switch section {
            case .steps:
                for item in document.children(of: block) {
                    guard let (step, agentSpan) = parseStep(item: item) else { continue }
                    if let agentSpan { spans.stepAgents[phase.steps.count] = agentSpan }
                    phase.steps.append(step)
                }
            case .agents:
                for item in document.children(of: block) {
                    guard let (name, location) = listItemText(item, what: "agent") else { continue }
                    phase.agents.append(name)
                    spans.agents.append(.init(location: location, length: name.scalarCount))
                }
            case .outputs:
                phase.outputs += listStrings(block, what: "output")
            case .dependencies:
                for item in document.children(of: block) {
                    guard let (name, location) = listItemText(item, what: "dependency") else { continue }
                    phase.dependencies.append(PhaseDependency(name: name, location: location))
                }
            case .other:
                break
            }
        }
        return phase
    }

    /// Which section a `###` heading starts; near-misses of known names are reported.
    mutating func phaseSection(heading: Int) -> PhaseSection {
        let node = document.compact[heading]
        let title = document.plainText(of: heading).trimmingBlanks()
        let length = max(1, node.end.column - node.start.column + 1)
        switch title.lowercased() {
        case "steps": return .steps
        case "agents": return .agents
        case "outputs": return .outputs
        case "dependencies": return .dependencies
        default: break
        }
        if title.hasPrefix("Phase:") || title.hasPrefix("Phase ") {
            warning(
                "heading-level", "'### \(title)' is a level-3 heading, so it is not a phase",
                at: location(node.start), length: length, hint: "write '## \(title)' to start a phase")
        } else if let suggestion = Self.suggestion(for: title, in: Self.phaseSectionTitles) {
            warning(
                "unknown-section", "unknown phase section '\(title)' is read as documentation",
                at: location(node.start), length: length, hint: "did you mean '### \(suggestion)'?")
        }
        return .other
    }

    /// The bullets of a `### Agents` or `### Outputs` list, as plain text.
    mutating func listStrings(_ list: Int, what: String) -> [String] {
        var strings: [String] = []
        for item in document.children(of: list) {
            if let (text, _) = listItemText(item, what: what) { strings.append(text) }
        }
        return strings
    }

    /// A list item's text: the plain text of its first paragraph. Empty items are reported.
    mutating func listItemText(_ item: Int, what: String) -> (String, SourceLocation)? {
        let node = document.compact[item]
        if let first = node.firstChild, case .paragraph = document.compact[first].kind {
            let text = document.plainText(of: first).trimmingBlanks()
            if !text.isEmpty { return (text, location(document.compact[first].start)) }
        }
        warning(
            "empty-list-item", "empty \(what) bullet is ignored", at: location(node.start),
            hint: "write the \(what) after the '-', or remove the bullet")
        return nil
    }
}
