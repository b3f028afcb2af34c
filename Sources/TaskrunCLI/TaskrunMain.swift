import ArgumentParser

/// The entry point of the `taskrun` executable, usable in-process by tests.
public enum TaskrunMain {
    /// Parses `arguments` (without the program name), runs the command in `context`, and
    /// returns the exit status.
    ///
    /// Unlike swift-argument-parser's own `main()`, usage errors (an unknown option, a bad
    /// `--format`, a missing argument) exit with ``ExitStatus/usage`` (2), so scripts can tell
    /// "you called me wrong" from "your task has errors" (1).
    public static func run(_ arguments: [String], context: CommandContext = .process) async -> Int32 {
        await CommandContext.$current.withValue(context) {
            // With `run` as the default subcommand, a bare `taskrun` would complain about a
            // missing task; the overview is what a person typing it wants.
            let arguments = arguments.isEmpty ? ["--help"] : arguments
            do {
                var command = try await TaskrunCommand.asyncParseAsRoot(arguments)
                if var asyncCommand = command as? AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
                return ExitStatus.success
            } catch {
                return report(error, in: context)
            }
        }
    }

    /// Prints what the argument parser has to say about `error` and picks the exit status.
    static func report(_ error: any Error, in context: CommandContext) -> Int32 {
        if let exit = error as? ExitCode {
            // Commands print their own diagnostics before throwing a bare exit code.
            return exit.rawValue
        }
        let code = TaskrunCommand.exitCode(for: error)
        let message = TaskrunCommand.fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { context.print(message) }  // --help, --version
            return ExitStatus.success
        }
        if !message.isEmpty { context.writeError(message + "\n") }
        return code == .validationFailure ? ExitStatus.usage : code.rawValue
    }
}
