import ArgumentParser
import TaskrunCore

/// `taskrun graph TASK`: the phase graph of a task, for the terminal or a diagram tool.
struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Show how a task's phases depend on each other.",
        discussion: """
            The text format groups phases into levels: every phase of a level can run at the \
            same time once the levels above it are done. Each phase shows what it waits for \
            and whether its agent steps run in parallel or one after another; phases marked \
            * form the critical path, the longest chain of dependencies.

              Level 2: 2 phases run in parallel
                * Analysis     after Activation   6 agents in parallel
                  Research     after Activation

            mermaid and dot print the same graph for diagram tools, with arrows from a phase \
            to the phases that wait for it.

            Examples:
              taskrun graph investment-committee
              taskrun graph investment-committee --format mermaid > graph.mmd
              taskrun graph daily-market-analysis --format dot | dot -Tsvg > g.svg

            A task with errors (such as a dependency cycle) is not drawn: its diagnostics are \
            printed instead and the exit status is 1.
            """)

    /// The output format.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, mermaid, dot
    }

    @OptionGroup var tasks: TasksDirectoryOptions

    @Argument(help: ArgumentHelp("A task name or the path of a task file.", valueName: "task|path"))
    var reference: String

    @Option(help: "Output format: text (levels, for the terminal), mermaid or dot.")
    var format: Format = .text

    func run() async throws {
        let context = CommandContext.current
        let selection = TaskSelection.load(
            [reference], locator: tasks.locator(in: context), cache: ParseCache(), context: context)
        guard !selection.lookupFailed, let loaded = selection.loaded.first else { throw ExitCode.usage }

        guard let task = loaded.task, !loaded.result.hasErrors else {
            let diagnostics = loaded.reportedDiagnostics
            let renderer = DiagnosticRenderer(colors: context.usesColor(terminal: context.errorIsTerminal))
            context.writeError(
                renderer.render(diagnostics, sources: [loaded.reference.path: loaded.source])
                    + "cannot draw '\(loaded.reference.id)': \(DiagnosticRenderer.summary(of: diagnostics))\n")
            throw ExitCode.taskFailure
        }

        let graph = PhaseGraph(phases: task.phases)
        switch format {
        case .text: context.writeOutput(graph.outline(title: task.metadata.name))
        case .mermaid: context.writeOutput(graph.mermaid())
        case .dot: context.writeOutput(graph.dot(name: task.metadata.name))
        }
    }
}
