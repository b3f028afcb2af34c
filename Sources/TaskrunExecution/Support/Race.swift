/// How a race between some work and a timer ended.
enum RaceOutcome<Value: Sendable>: Sendable {
    /// The work finished first.
    case finished(Value)
    /// The timer fired first; the work was cancelled and returned this while unwinding.
    case timedOut(Value)
}

private enum RaceEvent<Value: Sendable>: Sendable {
    case work(Value)
    case timerFired
    case timerStopped
}

/// Runs `work` against `timer` (which returns `true` when it fired, `false` when it was cancelled).
/// Whichever ends first cancels the other; the work is always awaited to the end, so nothing it
/// started outlives the race.
func race<Value: Sendable>(
    timer: @escaping @Sendable () async -> Bool, work: @escaping @Sendable () async -> Value
) async -> RaceOutcome<Value> {
    await withTaskGroup(of: RaceEvent<Value>.self) { group in
        group.addTask { .work(await work()) }
        group.addTask { await timer() ? .timerFired : .timerStopped }
        var fired = false
        var value: Value?
        while let event = await group.next() {
            switch event {
            case .work(let result):
                value = result
                group.cancelAll()
            case .timerFired:
                if value == nil { fired = true }
                group.cancelAll()
            case .timerStopped:
                break
            }
        }
        // The work child always returns, so `value` is set once the group is drained.
        guard let value else { preconditionFailure("race: the work never returned") }  // safe: see above
        return fired ? .timedOut(value) : .finished(value)
    }
}
