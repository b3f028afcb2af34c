/// Which events a subscriber wants: some kinds, some executions, or everything.
public struct EventFilter: Sendable, Hashable {
    /// The kinds to deliver; `nil` for all.
    public var kinds: Set<ExecutionEvent.Kind>?
    /// The executions to deliver events of; `nil` for all.
    public var executions: Set<ExecutionID>?

    public init(kinds: Set<ExecutionEvent.Kind>? = nil, executions: Set<ExecutionID>? = nil) {
        self.kinds = kinds
        self.executions = executions
    }

    /// Every event.
    public static let all = EventFilter()

    /// Whether `event` passes the filter.
    public func matches(_ event: ExecutionEvent) -> Bool {
        if let kinds, !kinds.contains(event.kind) { return false }
        if let executions, !executions.contains(event.executionID) { return false }
        return true
    }
}
