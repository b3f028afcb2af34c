import Synchronization
import TaskrunExecution

/// W1, W2, W4: answers at once; the cost measured is the executor's.
struct NoOpAgentManager: AgentManager {
    func query(_ request: AgentRequest) async throws -> AgentResponse {
        AgentResponse(text: "ok")
    }
}

/// W3: every call is an awaited sleep on the real clock, as a network call would be.
struct SleepingAgentManager: AgentManager {
    var latency: Duration

    func query(_ request: AgentRequest) async throws -> AgentResponse {
        try await Task.sleep(for: latency, clock: .continuous)
        return AgentResponse(text: "ok")
    }
}

/// W7: calls that never answer on their own. Each call reports when it starts and the moment it
/// observes cancellation, so the bench can time an abort from the request to the last call stopped.
final class HangingAgentManager: AgentManager {
    private struct State {
        var started = 0
        var expected: Int
        var allStarted: CheckedContinuation<Void, Never>?
        var lastStopped: ContinuousClock.Instant?
        var stopped = 0
    }

    private let state: Mutex<State>

    init(expected: Int) {
        state = Mutex(State(expected: expected))
    }

    /// Returns once `expected` calls are in flight.
    func waitUntilAllStarted() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.started >= state.expected { return true }
                state.allStarted = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// When the last call observed its cancellation, and how many did.
    var stops: (last: ContinuousClock.Instant?, count: Int) {
        state.withLock { ($0.lastStopped, $0.stopped) }
    }

    func query(_ request: AgentRequest) async throws -> AgentResponse {
        let wake = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.started += 1
            guard state.started == state.expected, let continuation = state.allStarted else { return nil }
            state.allStarted = nil
            return continuation
        }
        wake?.resume()
        do {
            try await Task.sleep(for: .seconds(3600), clock: .continuous)
        } catch {
            let now = ContinuousClock.now
            state.withLock { state in
                state.stopped += 1
                if state.lastStopped.map({ now > $0 }) ?? true { state.lastStopped = now }
            }
            throw error
        }
        return AgentResponse(text: "ok")
    }
}

/// W8: the first call of each execution waits at a gate that opens once every execution has
/// reached it, so all of them are alive at the same time when memory is measured.
final class GatedAgentManager: AgentManager {
    private struct State {
        var open = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        var expected: Int
        var allWaiting: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>

    init(expected: Int) {
        state = Mutex(State(expected: expected))
    }

    /// Returns once `expected` calls wait at the gate.
    func waitUntilAllWaiting() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.waiting.count >= state.expected { return true }
                state.allWaiting = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func query(_ request: AgentRequest) async throws -> AgentResponse {
        if request.phase == "P1" {
            await withCheckedContinuation { continuation in
                let (passNow, everyone) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                    if state.open { return (true, nil) }
                    state.waiting.append(continuation)
                    guard state.waiting.count == state.expected else { return (false, nil) }
                    defer { state.allWaiting = nil }
                    return (false, state.allWaiting)
                }
                everyone?.resume()
                if passNow { continuation.resume() }
            }
        }
        return AgentResponse(text: "ok")
    }
}
