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
    mutating func buildPhase(_ header: consuming Phase, nameSpan: TaskValidator.NameSpans.Span?, blocks: [Int])
        -> Phase
    {
        var phase = header
        var spans = TaskValidator.NameSpans.PhaseSpans(name: nameSpan)
        defer { nameSpans.phases.append(spans) }
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
            // Room for every bullet at once, instead of growing the arrays as they are appended.
            var bullets = 0
            for _ in document.children(of: block) { bullets += 1 }
            switch section {
            case .steps:
                phase.steps.reserveCapacity(phase.steps.count + bullets)
                for item in document.children(of: block) {
                    guard let parsed = parseStep(item: item) else { continue }
                    if let agentSpan = parsed.1 {
                        // Room for the rest at the first agent step (none for a phase without any).
                        if spans.stepAgents.isEmpty { spans.stepAgents.reserveCapacity(bullets) }
                        spans.stepAgents[phase.steps.count] = agentSpan
                    }
                    phase.steps.append(parsed.0)
                }
            case .agents:
                phase.agents.reserveCapacity(phase.agents.count + bullets)
                spans.agents.reserveCapacity(spans.agents.count + bullets)
                for item in document.children(of: block) {
                    guard let (name, location) = listItemText(item, what: "agent") else { continue }
                    phase.agents.append(name)
                    spans.agents.append(.init(location: location, length: name.scalarCount))
                }
            case .outputs:
                let outputs = listStrings(block, what: "output", count: bullets)
                if phase.outputs.isEmpty { phase.outputs = outputs } else { phase.outputs += outputs }
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
        if let known = Self.knownPhaseSection(heading, in: document) { return known }
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

    /// The section of a heading that is one text node spelling a known title in any case
    /// (`### Steps`), compared on its bytes; `nil` for anything else (``phaseSection(heading:)``
    /// then reads the title in full).
    static func knownPhaseSection(_ heading: Int, in document: MarkdownDocument) -> PhaseSection? {
        let node = document.compact[heading]
        guard let only = node.firstChild, document.compact[only].nextSibling == nil,
            case .text = document.compact[only].kind
        else { return nil }
        return document.withLiteralUTF8(of: only) { bytes -> PhaseSection? in
            var lower = 0
            var upper = bytes.count
            while lower < upper, bytes[lower].isBlankByte { lower += 1 }
            while upper > lower, bytes[upper - 1].isBlankByte { upper -= 1 }
            func spells(_ word: StaticString) -> Bool {
                guard upper - lower == word.utf8CodeUnitCount else { return false }
                let wanted = word.utf8Start
                for index in 0..<(upper - lower) where bytes[lower + index] | 0x20 != wanted[index] { return false }
                return true
            }
            if spells("steps") { return .steps }
            if spells("agents") { return .agents }
            if spells("outputs") { return .outputs }
            if spells("dependencies") { return .dependencies }
            return nil
        }
    }

    /// The bullets of a `### Agents` or `### Outputs` list, as plain text.
    mutating func listStrings(_ list: Int, what: String, count: Int = 0) -> [String] {
        var strings: [String] = []
        strings.reserveCapacity(count)
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
