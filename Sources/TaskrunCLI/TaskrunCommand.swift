import ArgumentParser

/// The `taskrun` command and its subcommands.
public struct TaskrunCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "taskrun",
        abstract: "Run workflows written as markdown task files.",
        discussion: """
            A task is a markdown file: a title, a YAML config block, and `## Phase: Name` \
            sections whose steps query agents, validate results and aggregate responses. \
            Tasks live in ./tasks (or --tasks-dir, or $TASKRUN_TASKS_DIR) and are named \
            by their file name without .md.

            Start with:
              taskrun investment-committee          run a task (short for 'taskrun run ...')
              taskrun list                          the tasks you have
              taskrun validate                      check them all, like a compiler
              taskrun graph investment-committee    see how its phases depend on each other

            Exit status: 0 on success, 1 when a task has errors or its run failed, 2 for \
            usage errors (bad arguments, a task that cannot be found), 3 when a run timed \
            out, 130 when it was aborted or interrupted.
            """,
        subcommands: [
            RunCommand.self, ValidateCommand.self, ListCommand.self, GraphCommand.self, AgentsCommand.self,
            ResumeCommand.self,
            HistoryCommand.self, ShowCommand.self, PruneCommand.self, AbortCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    public init() {}
}
