extension TaskValidator {
    /// Where the names a task keeps as plain strings were written. The parser knows; the model
    /// does not. With them, whole-task diagnostics underline the exact token (a duplicate phase's
    /// name, a listed agent's bullet, a step's agent id) instead of the phase heading or the start
    /// of a step; without them, they fall back to those.
    struct NameSpans: Sendable {
        struct Span: Sendable, Hashable {
            var location: SourceLocation
            var length: Int
        }

        /// What is known about one phase.
        struct PhaseSpans: Sendable {
            /// The name in the phase heading.
            var name: Span?
            /// The `### Agents` bullets, parallel to ``Phase/agents``.
            var agents: [Span] = []
            /// The agent id of each agent step, by the step's index in ``Phase/steps``.
            var stepAgents: [Int: Span] = [:]
        }

        /// One entry per phase, in the task's order.
        var phases: [PhaseSpans] = []

        /// The spans of the phase at `index`; empty when unknown.
        subscript(phase index: Int) -> PhaseSpans {
            phases.indices.contains(index) ? phases[index] : PhaseSpans()
        }
    }
}
