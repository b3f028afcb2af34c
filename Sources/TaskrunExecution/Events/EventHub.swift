import Synchronization

/// Delivers events to any number of subscribers without ever waiting for one.
///
/// Each subscriber has its own bounded buffer (`bufferSize` events). When a subscriber falls that
/// far behind, the oldest events it has not read yet are dropped to make room for new ones (it can
/// notice by a gap in the sequence numbers). Publishing never suspends and never blocks on a
/// consumer. The history store does not depend on this stream: it receives every event through
/// its own calls.
final class EventHub: Sendable {
    private struct Subscriber: Sendable {
        var id: UInt64
        var filter: EventFilter
        var continuation: AsyncStream<ExecutionEvent>.Continuation
    }

    private struct Registry {
        var subscribers: [Subscriber] = []
        var nextID: UInt64 = 0
        var finished = false
    }

    private let registry = Mutex(Registry())
    /// Read without the lock on every publish, so an executor nobody listens to pays one atomic load.
    private let subscriberCount = Atomic<Int>(0)
    let bufferSize: Int

    init(bufferSize: Int) {
        self.bufferSize = max(1, bufferSize)
    }

    /// A new stream of the events that pass `filter`, from now on.
    func subscribe(_ filter: EventFilter) -> AsyncStream<ExecutionEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ExecutionEvent.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id: UInt64? = registry.withLock { registry in
            guard !registry.finished else { return nil }
            registry.nextID += 1
            registry.subscribers.append(Subscriber(id: registry.nextID, filter: filter, continuation: continuation))
            subscriberCount.store(registry.subscribers.count, ordering: .releasing)
            return registry.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return stream
    }

    private func unsubscribe(_ id: UInt64) {
        registry.withLock { registry in
            registry.subscribers.removeAll { $0.id == id }
            subscriberCount.store(registry.subscribers.count, ordering: .releasing)
        }
    }

    /// Whether anyone listens: a caller that would have to copy an event to publish it asks first.
    var hasSubscribers: Bool {
        subscriberCount.load(ordering: .acquiring) > 0
    }

    /// Hands `event` to every interested subscriber. Callers publish an execution's events in
    /// sequence order (under that execution's lock), so each subscriber sees them in order.
    func publish(_ event: ExecutionEvent) {
        guard hasSubscribers else { return }
        // Yield outside the registry lock: finishing a stream calls `onTermination`, which takes it.
        let subscribers = registry.withLock { $0.subscribers }
        for subscriber in subscribers where subscriber.filter.matches(event) {
            subscriber.continuation.yield(event)
        }
    }

    /// Ends every stream; later subscriptions end at once.
    func finish() {
        let subscribers = registry.withLock { registry -> [Subscriber] in
            registry.finished = true
            let all = registry.subscribers
            registry.subscribers = []
            subscriberCount.store(0, ordering: .releasing)
            return all
        }
        for subscriber in subscribers { subscriber.continuation.finish() }
    }
}
