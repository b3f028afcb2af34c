import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a command writes and what it knows about its surroundings.
///
/// Commands read it from ``current``, a task-local value: the executable uses the real process
/// (``process``), and tests run commands in-process with captured output, their own environment
/// and working directory, in parallel and without touching global state.
public struct CommandContext: Sendable {
    /// Writes to standard output.
    public var writeOutput: @Sendable (String) -> Void
    /// Writes to standard error.
    public var writeError: @Sendable (String) -> Void
    /// The environment variables (`TASKRUN_TASKS_DIR`, `NO_COLOR`, ...).
    public var environment: [String: String]
    /// What relative paths are relative to; the process's working directory when `nil`.
    public var currentDirectory: String?
    /// Whether standard output is a terminal (colours are only ever used on one).
    public var outputIsTerminal: Bool
    /// Whether standard error is a terminal.
    public var errorIsTerminal: Bool

    public init(
        writeOutput: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void,
        environment: [String: String], currentDirectory: String? = nil, outputIsTerminal: Bool = false,
        errorIsTerminal: Bool = false
    ) {
        self.writeOutput = writeOutput
        self.writeError = writeError
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.outputIsTerminal = outputIsTerminal
        self.errorIsTerminal = errorIsTerminal
    }

    /// The running process: its standard streams, environment and working directory.
    public static var process: CommandContext {
        CommandContext(
            writeOutput: { FileHandle.standardOutput.write(Data($0.utf8)) },
            writeError: { FileHandle.standardError.write(Data($0.utf8)) },
            environment: ProcessInfo.processInfo.environment,
            outputIsTerminal: isatty(STDOUT_FILENO) == 1,
            errorIsTerminal: isatty(STDERR_FILENO) == 1)
    }

    /// The context commands run in.
    @TaskLocal public static var current: CommandContext = .process

    /// Whether to colour what goes to a stream: only on a terminal, never with `NO_COLOR` set
    /// to anything (see no-color.org) or on a `dumb` terminal.
    public func usesColor(terminal: Bool) -> Bool {
        terminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }
}

extension CommandContext {
    /// Prints `text` and a line break to standard output.
    func print(_ text: String) {
        writeOutput(text + "\n")
    }

    /// Reports a problem that is not about a line of a task file: `error: message`, then the
    /// hint, on standard error.
    func printError(_ message: String, hint: String? = nil) {
        let colored = usesColor(terminal: errorIsTerminal)
        let label = colored ? "\u{1B}[1;31merror:\u{1B}[0m" : "error:"
        let hintLabel = colored ? "\u{1B}[1;32mhint:\u{1B}[0m" : "hint:"
        writeError("\(label) \(message)\n" + (hint.map { "\(hintLabel) \($0)\n" } ?? ""))
    }
}
