import TaskrunMarkdown
import TaskrunYAML

/// One run of the parser over one file: walks the cmark AST once, top-level blocks in order,
/// and collects the definition and its diagnostics.
struct TaskFileParser {
    let path: String
    let id: String
    var document: MarkdownDocument
    var diagnostics: [Diagnostic] = []
    let yamlParser = YAMLParser()

    /// The task-wide settings read from the config block, before defaults are applied.
    var config = ConfigValues()
    /// The front matter, when the file has one (it is the config, and blanked out of the markdown).
    var frontMatter: FrontMatter?
    /// Where phase names, listed agents and step agent ids were written, for ``TaskValidator``.
    var nameSpans = TaskValidator.NameSpans()
    /// Documentation sections holding a `### Steps` heading: likely meant as phases.
    var sectionsWithSteps: [String] = []

    struct ConfigValues {
        var name: String?
        var description: String?
        var version: String?
        var maxExecutionTime: TaskDuration?
        var retry: RetryPolicy?
        var maxConcurrentPhases: Int?
        var reviewer: String?
        var requirements: [Requirement] = []
    }

    init(source: String, path: String) {
        self.path = path
        self.id = Self.taskID(fromPath: path)
        // Every text the parser reads is a range of these bytes; a string that is not stored as
        // contiguous UTF-8 (one bridged from `NSString`) would be copied for every read.
        var markdown = source
        markdown.makeContiguousUTF8()
        var unclosedFrontMatter = false
        switch FrontMatter.detect(in: source) {
        case .found(let found):
            frontMatter = found
            markdown = found.blankedSource
        case .unclosed:
            unclosedFrontMatter = true
        case .none:
            break
        }
        // The parser reads few inline literals (headings, list bullets, a line's first text): the
        // others are never made into strings.
        document = MarkdownParser.parse(markdown, lazyLiterals: true)
        if unclosedFrontMatter {
            error(
                "unclosed-front-matter", "front matter starts with '---' but is never closed", at: .start, length: 3,
                hint: "end the front matter with a '---' line, or remove the opening '---'")
        }
    }

    /// The file name without its directory and `.md` extension.
    static func taskID(fromPath path: String) -> String {
        // On UTF-8 bytes: `/`, `\\`, `.`, `m` and `d` are ASCII, so no Character is ever split.
        var name = Substring(path)
        if let slash = name.utf8.lastIndex(where: { $0 == 47 || $0 == 92 }) {
            name = name[name.utf8.index(after: slash)...]
        }
        let bytes = name.utf8
        if bytes.count > 3 {
            let dot = bytes.index(bytes.endIndex, offsetBy: -3)
            let suffix = bytes[dot...]
            var iterator = suffix.makeIterator()
            // `.md` in any case after an ASCII byte (so `.` starts a Character of its own).
            if iterator.next() == 46, iterator.next().map({ $0 | 0x20 }) == 109,
                iterator.next().map({ $0 | 0x20 }) == 100, bytes[bytes.index(before: dot)] < 0x80
            {
                return String(name[..<dot])
            }
        }
        if name.count > 3, name.lowercased().hasSuffix(".md") {
            name = name.dropLast(3)
        }
        return String(name)
    }

    /// Where the walk is: before the first phase, in a phase, or in a documentation section.
    private enum Region {
        case preamble
        case phase
        case section
    }

    mutating func parse() -> TaskDefinition {
        if let frontMatter {
            readConfig(
                yaml: frontMatter.yaml, map: .block(line: frontMatter.firstLine, column: 1), origin: "front matter")
        }
        var configFound = frontMatter != nil
        var title: String?
        var summaryRange: ClosedRange<Int>?
        var summaryOpen = true
        var region = Region.preamble
        var phases: [Phase] = []
        // A phase is a large value: one array of the right size instead of copies at every growth.
        phases.reserveCapacity(
            document.children(of: document.rootIndex).reduce(0) { count, child in
                count + (document.compact[child].headingLevel == 2 ? 1 : 0)
            })
        var sections: [DocumentationSection] = []
        var currentPhase: Phase?
        var currentNameSpan: TaskValidator.NameSpans.Span?
        var phaseBlocks: [Int] = []
        var currentSection: (title: String, location: SourceLocation, firstLine: Int)?

        func closeRegion(before line: Int, _ parser: inout TaskFileParser) {
            // Moved out, rather than copied and then cleared.
            if let phase = currentPhase.take() {
                phases.append(parser.buildPhase(phase, nameSpan: currentNameSpan, blocks: phaseBlocks))
                phaseBlocks.removeAll(keepingCapacity: true)
            }
            if let section = currentSection {
                sections.append(
                    DocumentationSection(
                        title: section.title,
                        content: parser.sourceText(lines: section.firstLine..<max(section.firstLine, line)),
                        location: section.location))
                currentSection = nil
            }
        }

        for child in document.children(of: document.rootIndex) {
            let node = document.compact[child]
            if let level = node.headingLevel, level <= 2 {
                if level == 1, title == nil, region == .preamble {
                    title = document.plainText(of: child).trimmingBlanks()
                    summaryRange = nil
                    continue
                }
                let wasInPhase = region == .phase ? currentPhase?.name : nil
                closeRegion(before: node.start.line, &self)
                summaryOpen = false
                if level == 2, let (name, nameSpan) = phaseName(heading: child) {
                    currentPhase = Phase(name: name, location: location(node.start))
                    currentNameSpan = nameSpan
                    region = .phase
                } else {
                    let heading = document.plainText(of: child).trimmingBlanks()
                    if let phaseName = wasInPhase { checkMisleveledSection(heading, at: child, endingPhase: phaseName) }
                    currentSection = (heading, location(node.start), node.end.line + 1)
                    region = .section
                }
                continue
            }
            // The config is the first yaml block before the first phase, wherever it sits there
            // (under the title, or in a section such as `## Configuration`).
            let beforeFirstPhase = phases.isEmpty && currentPhase == nil
            if beforeFirstPhase, region == .section, !configFound, isYAMLFence(child) {
                configFound = true
                readConfig(
                    yaml: document.literal(of: child) ?? "",
                    map: .block(line: node.start.line + 1, column: node.start.column), origin: "config block")
                continue
            }
            switch region {
            case .preamble:
                if isYAMLFence(child) {
                    if !configFound {
                        configFound = true
                        summaryOpen = false
                        readConfig(
                            yaml: document.literal(of: child) ?? "",
                            map: .block(line: node.start.line + 1, column: node.start.column), origin: "config block")
                        continue
                    }
                    if frontMatter != nil {
                        warning(
                            "duplicate-config",
                            "the task already has front matter; this YAML block is not read as config",
                            at: location(node.start), length: 3,
                            hint: "merge its settings into the front matter, or remove one of them")
                    }
                }
                if node.headingLevel != nil { checkSectionOutsidePhase(child) }
                if summaryOpen {
                    let lower = summaryRange?.lowerBound ?? node.start.line
                    summaryRange = lower...max(lower, node.end.line)
                }
            case .phase:
                phaseBlocks.append(child)
            case .section:
                if node.headingLevel != nil { checkSectionOutsidePhase(child, inSection: currentSection?.title) }
            }
        }
        closeRegion(before: document.lines.count + 1, &self)

        if phases.isEmpty {
            // Level-2 headings without the word `Phase` are the usual cause: name them, and the
            // one holding a `### Steps` list is most likely meant as a phase.
            var notes: [String] = []
            if !sections.isEmpty {
                let titles = sections.prefix(5).map { "'## \($0.title)'" } + (sections.count > 5 ? ["..."] : [])
                let list = titles.joined(separator: ", ")
                notes.append("level-2 headings not starting with 'Phase' are documentation sections: \(list)")
            }
            error(
                "no-phases", "the task has no phases", at: .start, length: 1, notes: notes,
                hint: sectionsWithSteps.first.map { "to make '## \($0)' a phase, write '## Phase: \($0)'" }
                    ?? "add a phase: a '## Phase: Name' heading followed by its '### Steps' list")
        }
        let summary = summaryRange.map { sourceText(lines: $0.lowerBound..<($0.upperBound + 1)) }
        let metadata = TaskMetadata(
            name: config.name ?? title ?? id, description: config.description, version: config.version,
            maxExecutionTime: config.maxExecutionTime, retry: config.retry,
            maxConcurrentPhases: config.maxConcurrentPhases, reviewer: config.reviewer)
        return TaskDefinition(
            id: id, title: title, summary: summary.flatMap { $0.isEmpty ? nil : $0 }, metadata: metadata,
            requirements: config.requirements, phases: phases, sections: sections, sourcePath: path)
    }

    // MARK: - Headings

    /// The phase name of a `## Phase: Name` or `## Phase Name` heading, and where the name is
    /// written; `nil` for other headings. An empty name is reported and the heading is still a
    /// phase (named `Phase`, spanning the heading), so its steps are read.
    mutating func phaseName(heading: Int) -> (String, TaskValidator.NameSpans.Span)? {
        guard let first = document.compact[heading].firstChild, document.compact[first].isText else { return nil }
        // The usual heading is one text node: the name read from its bytes, no strings in between.
        if document.compact[first].nextSiblingIndex < 0,
            document.compact[first].subtreeEndIndex == document.compact[heading].subtreeEndIndex
        {
            switch document.withLiteralUTF8(of: first, Self.phaseNameBytes) {
            case .notPhase: return nil
            case .named(let name, let offset):
                var start = location(document.compact[first].start)
                start.column += offset
                return (name, .init(location: start, length: name.scalarCount))
            case .unnamed: break
            }
        }
        guard let literal = document.literal(of: first) else { return nil }
        // "Phase", then the end, a colon or a blank (`## Phase: Name`, `## Phase Name`; not `## Phases`).
        let word = "Phase".utf8
        let bytes = literal.utf8
        guard bytes.starts(with: word) else { return nil }
        let after = bytes.dropFirst(word.count).first
        guard after == nil || after == UInt8(ascii: ":") || after == UInt8(ascii: " ") || after == UInt8(ascii: "\t")
        else { return nil }
        let text = document.plainText(of: heading).trimmingBlanks()
        var rest = Substring(text).utf8.dropFirst(word.count)
        if rest.first == UInt8(ascii: ":") { rest = rest.dropFirst() }
        let name = Substring(rest).trimmingBlanks()
        if name.isEmpty {
            let start = document.compact[heading].start
            let end = document.compact[heading].end
            let length = max(1, end.column - start.column + 1)
            error(
                "empty-phase-name", "phase heading has no name", at: location(start), length: length,
                hint: "write '## Phase: Name'")
            return ("Phase", .init(location: location(start), length: length))
        }
        // The name starts after `Phase`, an optional colon and blanks in the heading's first text;
        // markup inside the name (`## Phase: *Deep* Dive`) may make its written length differ.
        // `Phase`, the colon and the blanks are ASCII: counted on the bytes, one per scalar.
        var offset = word.count
        var tail = literal.utf8.dropFirst(offset)
        if tail.first == UInt8(ascii: ":") {
            offset += 1
            tail = tail.dropFirst()
        }
        while let byte = tail.first, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
            offset += 1
            tail = tail.dropFirst()
        }
        var start = location(document.compact[first].start)
        start.column += offset
        return (name, .init(location: start, length: name.scalarCount))
    }

    /// What a heading's text says as a phase heading (``phaseNameBytes(_:)``).
    enum PhaseNameBytes {
        case notPhase
        /// `Phase` with no name: the general path reports it.
        case unnamed
        /// The name and its offset in scalars from the start of the text.
        case named(String, offset: Int)
    }

    /// ``phaseName(heading:)`` on the UTF-8 of a heading that is one text: `Phase`, then the
    /// end, a colon or a blank; the name is the rest after an optional colon, without blanks
    /// around it. `Phase`, the colon and the blanks are ASCII: one scalar per byte.
    static func phaseNameBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> PhaseNameBytes {
        let word = "Phase".utf8
        guard bytes.count >= word.count, zip(bytes, word).allSatisfy({ $0 == $1 }) else { return .notPhase }
        func isBlank(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }
        var lower = word.count
        if lower < bytes.count {
            let after = bytes[lower]
            guard after == UInt8(ascii: ":") || after == UInt8(ascii: " ") || after == UInt8(ascii: "\t") else {
                return .notPhase
            }
            if after == UInt8(ascii: ":") { lower += 1 }
        }
        var upper = bytes.count
        while lower < upper, isBlank(bytes[lower]) { lower += 1 }
        while upper > lower, isBlank(bytes[upper - 1]) { upper -= 1 }
        guard lower < upper else { return .unnamed }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[lower..<upper]), as: UTF8.self)
        return .named(name, offset: lower)
    }

    /// The names of the level-3 sections a phase understands, lowercased.
    static let phaseSectionNames = ["steps", "agents", "outputs", "dependencies"]
    static let phaseSectionTitles = ["Steps", "Agents", "Outputs", "Dependencies"]

    /// `### Steps` or `### Agents` (or `### Dependencies`) outside any phase does nothing: say so.
    /// Under a documentation section, that section was most likely meant as a phase.
    mutating func checkSectionOutsidePhase(_ heading: Int, inSection section: String? = nil) {
        let node = document.compact[heading]
        guard node.headingLevel == 3 else { return }
        let title = document.plainText(of: heading).trimmingBlanks()
        if title.hasPrefix("Phase:") {
            warning(
                "heading-level", "'### \(title)' is a level-3 heading, so it is not a phase", at: location(node.start),
                length: max(1, node.end.column - node.start.column + 1), hint: "write '## \(title)' to start a phase")
            return
        }
        guard ["steps", "agents", "dependencies"].contains(title.lowercased()) else { return }
        if let section, title.lowercased() == "steps", !sectionsWithSteps.contains(section) {
            sectionsWithSteps.append(section)
        }
        warning(
            "section-outside-phase", "'### \(title)' is outside any phase and is ignored", at: location(node.start),
            length: max(1, node.end.column - node.start.column + 1),
            hint: section.map { "to make '## \($0)' a phase, write '## Phase: \($0)'" }
                ?? "put it under a '## Phase: Name' heading")
    }

    /// `## Steps` right after a phase ends the phase: most likely meant as `### Steps`.
    mutating func checkMisleveledSection(_ title: String, at heading: Int, endingPhase phase: String) {
        guard let level = document.compact[heading].headingLevel, level == 2,
            Self.phaseSectionNames.contains(title.lowercased())
        else { return }
        let node = document.compact[heading]
        warning(
            "heading-level",
            "'## \(title)' is a level-2 heading, so it ends phase '\(phase)' and is read as documentation",
            at: location(node.start), length: max(1, node.end.column - node.start.column + 1),
            hint: "did you mean '### \(title)'?")
    }

    // MARK: - Helpers

    /// A did-you-mean candidate for a misspelled name; names too long to be typos get none (and
    /// cost no edit-distance work).
    static func suggestion(for name: String, in candidates: [String]) -> String? {
        guard name.utf8.count <= 64 else { return nil }
        return Suggestion.closest(to: name, in: candidates)
    }

    func location(_ position: MarkdownPosition) -> SourceLocation {
        SourceLocation(line: max(1, position.line), column: max(1, position.column))
    }

    /// Whether a block is a fenced code block whose info string starts with `yaml` (or `yml`).
    func isYAMLFence(_ index: Int) -> Bool {
        guard case .codeBlock(let fenced) = document.compact[index].kind, fenced else { return false }
        let info = document.fenceInfo(of: index)
        let word = info.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "{" }).first ?? ""
        let lowered = word.lowercased()
        return lowered == "yaml" || lowered == "yml"
    }

    /// The source lines `lines` joined with newlines, without leading and trailing blank lines.
    func sourceText(lines range: Range<Int>) -> String {
        var lower = max(1, range.lowerBound)
        var upper = min(document.lines.count + 1, range.upperBound)
        while lower < upper, document.lines.isBlank(line: lower) { lower += 1 }
        while upper > lower, document.lines.isBlank(line: upper - 1) { upper -= 1 }
        guard lower < upper else { return "" }
        return document.lines.text(ofLines: lower..<upper)
    }

    mutating func error(
        _ code: String, _ message: String, at location: SourceLocation, length: Int = 1, notes: [String] = [],
        hint: String? = nil
    ) {
        diagnostics.append(
            .error(code, message, path: path, at: location, length: max(1, length), notes: notes, hint: hint))
    }

    mutating func warning(
        _ code: String, _ message: String, at location: SourceLocation, length: Int = 1, notes: [String] = [],
        hint: String? = nil
    ) {
        diagnostics.append(
            .warning(code, message, path: path, at: location, length: max(1, length), notes: notes, hint: hint))
    }
}
