import Synchronization

/// Counts how many callers are inside ``hold(recording:work:)`` at the same instant, and the
/// order in which they entered.
final class OverlapProbe: Sendable {
    private let state = Mutex<(inside: Int, most: Int, order: [Int])>((0, 0, []))

    /// Enters (noting `index`, when given), keeps the thread busy for `work` iterations without
    /// awaiting, and leaves: a caller on another thread meanwhile would overlap it.
    func hold(recording index: Int? = nil, work: Int = 2_000_000) {
        state.withLock { state in
            state.inside += 1
            state.most = max(state.most, state.inside)
            state.order.append(index ?? state.order.count)
        }
        var sum = 0
        for value in 0..<work { sum &+= value &* value }
        withExtendedLifetime(sum) {}
        state.withLock { $0.inside -= 1 }
    }

    var mostAtOnce: Int { state.withLock { $0.most } }
    var calls: Int { state.withLock { $0.order.count } }
    /// The indexes given to ``hold(recording:work:)``, in the order the callers entered.
    var order: [Int] { state.withLock { $0.order } }
}
