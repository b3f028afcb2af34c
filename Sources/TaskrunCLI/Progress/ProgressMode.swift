/// How progress is shown while a task runs.
enum ProgressMode: Sendable, Equatable {
    /// The phases as a list redrawn in place, with a spinner: on a colour terminal.
    case live
    /// One line per phase event (started, done, failed, skipped, retried) and the ending.
    case plain
    /// One line per event of every kind.
    case verbose
    /// Nothing: only the report.
    case quiet

    /// The mode for a run: `--quiet` and `--verbose` win; the live list needs both standard output
    /// and standard error on a terminal that takes colours (no `NO_COLOR`, not `TERM=dumb`).
    static func choose(quiet: Bool, verbose: Bool, context: CommandContext) -> ProgressMode {
        if quiet { return .quiet }
        if verbose { return .verbose }
        let terminal = context.outputIsTerminal && context.usesColor(terminal: context.errorIsTerminal)
        return terminal ? .live : .plain
    }
}
