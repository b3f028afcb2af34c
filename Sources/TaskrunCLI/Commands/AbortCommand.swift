import ArgumentParser
import TaskrunStorage

/// `taskrun abort ID`: marks a paused or interrupted execution aborted.
struct AbortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abort",
        abstract: "Mark a paused or interrupted execution aborted, so it is no longer offered for resume.",
        discussion: """
            For an execution still running in another process, interrupt that process instead \
            (Ctrl-C pauses it, a second Ctrl-C aborts it).

            Example:
              taskrun abort 01a20533-81ba --reason "superseded"
            """)

    @Argument(help: "The execution id (or a unique prefix of it).")
    var id: String

    @Option(help: "Why, recorded with the execution.")
    var reason: String = "aborted with taskrun abort"

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let context = CommandContext.current
        let (opened, id) = try await store.openExecution(self.id, in: context)
        do {
            let standing = try await opened.abort(id, reason: reason)
            context.print("aborted \(id) (it was \(standing))")
        } catch {
            context.printError("\(error)")
            throw ExitCode(ExitStatus.failure)
        }
    }
}
