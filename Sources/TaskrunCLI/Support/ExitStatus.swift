import ArgumentParser

/// The exit codes every `taskrun` command uses.
public enum ExitStatus {
    /// Everything went well (warnings allowed, unless `--warnings-as-errors`).
    public static let success: Int32 = 0
    /// The command ran and found problems: a task with errors.
    public static let failure: Int32 = 1
    /// The command could not do what was asked: bad arguments, an unknown task, a name outside
    /// the tasks directory, a missing tasks directory.
    public static let usage: Int32 = 2
}

extension ExitCode {
    /// A task with errors.
    static let taskFailure = ExitCode(ExitStatus.failure)
    /// Bad arguments, or a task that cannot be found.
    static let usage = ExitCode(ExitStatus.usage)
}
