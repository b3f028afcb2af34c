/// The dependency graph of a task's phases, with the orders an executor and tools need.
///
/// STUB: the parser issue fills this in (Kahn's algorithm, levels, critical path).
public struct PhaseGraph: Sendable, Hashable {
    /// The phases, in file order; every other property refers to them by index.
    public let phases: [Phase]

    public init(phases: [Phase]) {
        self.phases = phases
    }
}
