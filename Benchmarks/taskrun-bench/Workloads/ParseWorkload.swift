import CCmark
import CCmarkArena
import CLibYAML
import Foundation
import TaskrunCore
import TaskrunMarkdown
import TaskrunYAML

/// W5: parse and validate committee-sized task files on one core, against the floor of the same
/// bytes through bare cmark and libyaml.
struct ParseWorkload {
    var files: Int
    var runs: Int
    /// What is timed against the floor: the whole parse (W5's figure) or one stage of it, for profiling.
    var part = Part.task
    /// A real task file measured the same way beside the generated corpus (the shipped committee).
    var realFile: String?

    /// The corpus, in memory: reading files from disk is not what W5 measures.
    func corpus() -> [String] {
        (0..<files).map { TaskFiles.committeeSized(index: $0) }
    }

    func run() async throws -> WorkloadResult {
        let sources = corpus()
        let bytes = sources.map { Array($0.utf8) }
        // Every file must be valid, or the figure would be for an early exit.
        for (index, source) in sources.enumerated() {
            _ = try BenchTask.parse(source, path: "review-\(index).md")
        }
        let parser = TaskParser()
        var phases = 0
        var nodes = 0
        let configs = part.readsConfigBlock ? bytes.map(Self.configBlock) : []
        if part == .lowerBound { try Self.checkLowerBound(sources, parser: parser) }
        let (ours, floor) = measurePairs(
            runs: runs,
            {
                switch part {
                case .task:
                    for (index, source) in sources.enumerated() {
                        phases &+= parser.parse(source: source, path: "review-\(index).md").task?.phases.count ?? 0
                    }
                case .markdown:
                    for source in sources { phases &+= MarkdownParser.parse(source, lazyLiterals: true).compact.count }
                case .cmark:
                    for file in bytes { phases &+= Self.cmarkParse(file) { _ in 1 } }
                case .yaml:
                    for config in configs { phases &+= (try? YAMLParser().parse(config)) == nil ? 0 : 1 }
                case .yamlEvents:
                    for config in configs { phases &+= config.withCString(Self.yamlEvents) }
                case .libraries:
                    for (file, config) in zip(bytes, configs) {
                        phases &+= Self.cmarkParseInArena(file) &+ config.withCString(Self.yamlEvents)
                    }
                case .lowerBound:
                    for (index, source) in sources.enumerated() {
                        phases &+= ParseLowerBound.parse(source, path: "review-\(index).md")?.phases.count ?? 0
                    }
                }
            },
            against: { for file in bytes { nodes &+= Self.floorParse(file) } })
        var extra: [String: Double] = [:]
        if part == .task, let realFile, let text = try? String(contentsOfFile: realFile, encoding: .utf8) {
            _ = try BenchTask.parse(text, path: realFile)
            let realBytes = Array(text.utf8)
            let (real, realFloor) = measurePairs(
                runs: runs,
                {
                    for _ in 0..<files { phases &+= parser.parse(source: text, path: realFile).task?.phases.count ?? 0 }
                },
                against: { for _ in 0..<files { nodes &+= Self.floorParse(realBytes) } })
            extra["real_files_per_s"] = Double(files) / Samples(real.cpu).median
            extra["real_ratio_to_floor"] = Self.medianRatio(real.cpu, realFloor.cpu)
        }
        if part == .task {
            // What the host allows at all: the least work that builds the same model, timed the same way.
            try Self.checkLowerBound(sources, parser: parser)
            let (bound, boundFloor) = measurePairs(
                runs: runs,
                {
                    for (index, source) in sources.enumerated() {
                        phases &+= ParseLowerBound.parse(source, path: "review-\(index).md")?.phases.count ?? 0
                    }
                },
                against: { for file in bytes { nodes &+= Self.floorParse(file) } })
            extra["lower_bound_files_per_s"] = Double(files) / Samples(bound.cpu).median
            extra["lower_bound_ratio_to_floor"] = Self.medianRatio(bound.cpu, boundFloor.cpu)
        }
        let count = Double(files)
        let averageBytes = Double(bytes.reduce(0) { $0 + $1.count }) / count
        return WorkloadResult(
            workload: "W5", samples: ours.cpu.map { count / $0 }, peakRSSKiB: ProcessMemory.peakKiB,
            extra: extra.merging([
                "floor_files_per_s": count / Samples(floor.cpu).median,
                "ratio_to_floor": Self.medianRatio(ours.cpu, floor.cpu),
                "wall_files_per_s": count / Samples(ours.wall).median,
                "wall_ratio_to_floor": Self.medianRatio(ours.wall, floor.wall),
                "bytes_per_file": averageBytes,
                "checksum": Double(phases &+ nodes),
            ]) { first, _ in first })
    }

    /// Fails unless ``ParseLowerBound`` builds the very task `TaskParser` builds from each file.
    static func checkLowerBound(_ sources: [String], parser: TaskParser) throws {
        for (index, source) in sources.enumerated() {
            let path = "review-\(index).md"
            let expected = parser.parse(source: source, path: path).task
            guard let bound = ParseLowerBound.parse(source, path: path), bound == expected else {
                // Its figure would be for less (or other) work than the parse's: not a bound.
                throw UnexpectedOutcome(description: "the lower bound's task differs from TaskParser's for \(path)")
            }
        }
    }

    /// The median of the runs' ratios: each of our runs is divided by the floor's run right after
    /// it, so both sides of a ratio saw the same conditions on a shared machine.
    static func medianRatio(_ ours: [Double], _ floor: [Double]) -> Double {
        Samples(zip(ours, floor).map { $0 / $1 }).median
    }

    /// Warms both up, then runs `body` and `floor` alternately `runs` times each.
    private func measurePairs(runs: Int, _ body: () -> Void, against floor: () -> Void) -> (
        ours: (cpu: [Double], wall: [Double]), floor: (cpu: [Double], wall: [Double])
    ) {
        body()
        floor()
        var ours: (cpu: [Double], wall: [Double]) = ([], [])
        var bare: (cpu: [Double], wall: [Double]) = ([], [])
        for _ in 0..<runs {
            let (cpu, wall) = Self.time(body)
            ours.cpu.append(cpu)
            ours.wall.append(wall)
            let (floorCPU, floorWall) = Self.time(floor)
            bare.cpu.append(floorCPU)
            bare.wall.append(floorWall)
        }
        return (ours, bare)
    }

    /// The CPU time of this thread and the wall time `body` took, in seconds. "On one core" is the
    /// thread's CPU time: on a machine shared with other work, wall time also counts the moments
    /// the thread waited for a core.
    private static func time(_ body: () -> Void) -> (cpu: Double, wall: Double) {
        let startCPU = threadCPUTime()
        let start = ContinuousClock.now
        body()
        return (threadCPUTime() - startCPU, (ContinuousClock.now - start).seconds)
    }

    private static func threadCPUTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The least any parser of this format must do: cmark parses the document with source
    /// positions (as TaskParser asks for) and every node is visited with its text, then libyaml
    /// reads the config block's events. Returns a count so the work cannot be optimised away.
    static func floorParse(_ file: [UInt8]) -> Int {
        cmarkParse(file) { visit($0) }
    }

    /// Parses `file` with cmark as the floor does, calls `body` with the document and frees it.
    private static func cmarkParse(_ file: [UInt8], _ body: (OpaquePointer) -> Int) -> Int {
        let document = file.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                cmark_parse_document($0.baseAddress, $0.count, CMARK_OPT_SOURCEPOS)
            }
        }
        guard let document else { return 0 }
        defer { cmark_node_free(document) }
        return body(document)
    }

    /// Parses `file` with cmark into the arena `MarkdownParser` uses, as our parse does, and
    /// releases it: cmark's share of our parse.
    private static func cmarkParseInArena(_ file: [UInt8]) -> Int {
        let memory = taskrun_cmark_arena_begin().assumingMemoryBound(to: cmark_mem.self)
        defer { taskrun_cmark_arena_end() }
        guard let parser = cmark_parser_new_with_mem(CMARK_OPT_SOURCEPOS, memory) else { return 0 }
        file.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cmark_parser_feed(parser, $0.baseAddress, $0.count) }
        }
        return cmark_parser_finish(parser) == nil ? 0 : 1
    }

    /// The config block (the document's first code block) of a committee-sized file.
    static func configBlock(_ file: [UInt8]) -> String {
        var text = ""
        _ = cmarkParse(file) { document in
            visit(document) { text = String(cString: $0) }
        }
        return text
    }

    /// Visits every node of `document` and reads its literal; reads the first code block's
    /// events with libyaml, or hands its text to `read` when given.
    private static func visit(
        _ document: OpaquePointer, config read: ((UnsafePointer<CChar>) -> Void)? = nil
    ) -> Int {
        guard let iterator = cmark_iter_new(document) else { return 0 }
        defer { cmark_iter_free(iterator) }
        var count = 0
        var config: UnsafePointer<CChar>?
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE || event == CMARK_EVENT_NONE { break }
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
            count += 1
            if let literal = cmark_node_get_literal(node) {
                count += Int(literal.pointee)
                if config == nil, cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK { config = literal }
            }
        }
        if let config {
            if let read { read(config) } else { count += yamlEvents(config) }
        }
        return count
    }

    private static func yamlEvents(_ text: UnsafePointer<CChar>) -> Int {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return 0 }
        defer { yaml_parser_delete(&parser) }
        let length = strlen(text)
        return text.withMemoryRebound(to: UInt8.self, capacity: length) { input in
            yaml_parser_set_input_string(&parser, input, length)
            var events = 0
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                let type = event.type
                yaml_event_delete(&event)
                events += 1
                if type == YAML_STREAM_END_EVENT { break }
            }
            return events
        }
    }

    /// What `run W5 --part` times against the floor. Each stage is timed as `TaskParser` runs it.
    enum Part: String, CaseIterable {
        /// The whole parse and validation (W5's figure).
        case task
        /// `MarkdownParser.parse`: cmark, and the copy of its tree into the document.
        case markdown
        /// cmark's parse and free alone (the floor without the walk and libyaml).
        case cmark
        /// `YAMLParser.parse` of the config block (the block is found outside the timed region).
        case yaml
        /// libyaml's events of the config block alone, as the floor reads them.
        case yamlEvents = "yaml-events"
        /// What the libraries alone cost in our parse: cmark into `MarkdownParser`'s arena, and
        /// libyaml's events of the config block. Whatever the parse does on top is our own work.
        case libraries
        /// ``ParseLowerBound``: the least a parser must do on top of the libraries to build the
        /// same model, checked to equal `TaskParser`'s on every file.
        case lowerBound = "lower-bound"

        var readsConfigBlock: Bool { self == .yaml || self == .yamlEvents || self == .libraries }
    }
}
