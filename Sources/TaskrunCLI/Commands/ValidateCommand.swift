import ArgumentParser
import Foundation
import TaskrunAgents
import TaskrunCore

/// `taskrun validate [TASK|PATH ...]`: every problem in the given task files, compiler style.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check task files and report every problem, the way a compiler does.",
        discussion: """
            Parses each task, checks its phase graph (unknown or duplicate phases, dependency \
            cycles), its config, durations, requirements and steps, and prints every problem \
            at once, sorted by position:

              t.md:14:12: error: phase 'Debate' depends on unknown phase 'Analyis'
              dependsOn: Analyis
                         ^~~~~~~
              hint: did you mean 'Analysis'?

            With no TASK, validates every .md file in the tasks directory. A TASK is a name \
            (looked up as <tasks dir>/<name>.md) or a path to a file.

            Examples:
              taskrun validate                                  all tasks in ./tasks
              taskrun validate investment-committee             one task, by name
              taskrun validate drafts/new-task.md               a file anywhere
              taskrun validate --format json > problems.json    for editors and CI
              taskrun validate --warnings-as-errors             fail on warnings too

            Exit status: 0 when there are no errors, 1 when there are (or warnings, with \
            --warnings-as-errors), 2 when a task cannot be found or the arguments are wrong.

            Colours are used on a terminal unless NO_COLOR is set.
            """)

    /// How diagnostics are printed.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var tasks: TasksDirectoryOptions

    @Argument(help: ArgumentHelp("Task names or paths of task files; all tasks when omitted.", valueName: "task|path"))
    var references: [String] = []

    @Option(help: "Output format: text (with source lines and carets) or json.")
    var format: Format = .text

    @Flag(help: "Treat warnings as errors: report them as errors and exit 1.")
    var warningsAsErrors = false

    func run() async throws {
        let context = CommandContext.current
        let locator = tasks.locator(in: context)
        let selection = TaskSelection.load(references, locator: locator, cache: ParseCache(), context: context)
        if references.isEmpty, !selection.lookupFailed, selection.loaded.isEmpty {
            context.writeError("no task files (*.md) in '\(locator.tasksDirectory)'; nothing to validate\n")
        }

        var sources: [String: String] = [:]
        var diagnostics: [Diagnostic] = []
        for loaded in selection.loaded {
            sources[loaded.reference.path] = loaded.source
            diagnostics += loaded.reportedDiagnostics
        }
        diagnostics += agentDiagnostics(for: selection.loaded, locator: locator, sources: &sources)
        if warningsAsErrors {
            diagnostics = diagnostics.map { diagnostic in
                var promoted = diagnostic
                promoted.severity = .error
                return promoted
            }
        }

        switch format {
        case .json:
            context.writeOutput(DiagnosticRenderer.json(diagnostics, sources: sources))
        case .text:
            let renderer = DiagnosticRenderer(colors: context.usesColor(terminal: context.outputIsTerminal))
            let rendered = renderer.render(diagnostics, sources: sources)
            if !selection.loaded.isEmpty {
                let count = selection.loaded.count == 1 ? "1 task" : "\(selection.loaded.count) tasks"
                let summary = "\(count) checked: \(DiagnosticRenderer.summary(of: diagnostics))"
                context.writeOutput(rendered + (rendered.isEmpty ? "" : "\n") + summary + "\n")
            }
        }

        if selection.lookupFailed { throw ExitCode.usage }
        if diagnostics.hasErrors { throw ExitCode.taskFailure }
    }

    /// The agents the tasks use, checked against the definitions in `<tasks dir>/agents/`: an agent
    /// without a definition is an error, a problem in a used agent's file is reported at that file.
    /// A project with no `agents/` folder keeps agents in code (its own ``AgentManager``), so
    /// there is nothing to check against.
    private func agentDiagnostics(
        for loaded: [LoadedTask], locator: TaskLocator, sources: inout [String: String]
    ) -> [Diagnostic] {
        let tasksDirectory = locator.absolute(locator.tasksDirectory)
        var isDirectory: ObjCBool = false
        guard
            FileManager.default.fileExists(
                atPath: AgentDirectory.agentsPath(inTasksDirectory: tasksDirectory), isDirectory: &isDirectory),
            isDirectory.boolValue
        else { return [] }
        let directory = AgentDirectory.load(tasksDirectory: tasksDirectory, displayedAs: locator.tasksDirectory)
        sources.merge(directory.sources) { current, _ in current }
        var diagnostics: [Diagnostic] = []
        var reported: Set<Diagnostic> = []
        for task in loaded {
            guard let definition = task.task else { continue }
            // An agent file used by several tasks is reported once.
            for diagnostic in directory.diagnostics(
                forAgentsOf: definition, path: task.reference.path, source: task.source)
            where reported.insert(diagnostic).inserted {
                diagnostics.append(diagnostic)
            }
        }
        return diagnostics
    }
}
