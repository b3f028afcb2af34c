/// Whole-task checks that need every phase at once: duplicate names, unknown dependencies,
/// cycles, agents used but not listed.
///
/// STUB: the graph work fills this in. ``TaskParser`` calls it after building the definition.
public struct TaskValidator: Sendable {
    public init() {}

    public func validate(_ task: TaskDefinition, path: String) -> [Diagnostic] {
        []
    }
}
