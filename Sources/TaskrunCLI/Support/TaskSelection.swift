import TaskrunCore

/// Task files picked on a command line, loaded and parsed.
struct TaskSelection {
    /// The files that could be read, in the order asked for (or sorted, for the whole folder).
    var loaded: [LoadedTask] = []
    /// Whether any reference could not be found or read (already reported on standard error).
    var lookupFailed = false

    /// Loads `references`, or every task in the tasks directory when there are none. Each
    /// failure is reported as it happens, and the rest still load.
    static func load(
        _ references: [String], locator: TaskLocator, cache: ParseCache, context: CommandContext
    ) -> TaskSelection {
        var selection = TaskSelection()
        var found: [TaskReference] = []
        if references.isEmpty {
            do {
                found = try locator.taskFiles()
            } catch {
                context.printError(error)
                selection.lookupFailed = true
            }
        } else {
            for reference in references {
                do {
                    found.append(try locator.locate(reference))
                } catch {
                    context.printError(error)
                    selection.lookupFailed = true
                }
            }
        }
        for reference in found {
            do {
                selection.loaded.append(try cache.load(reference))
            } catch {
                context.printError(error)
                selection.lookupFailed = true
            }
        }
        return selection
    }
}
