import ArgumentParser

/// The `taskrun` command and its subcommands.
public struct TaskrunCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "taskrun",
        abstract: "Run workflows written as markdown task files.",
        subcommands: []
    )

    public init() {}
}
