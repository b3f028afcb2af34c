import Foundation
import TaskrunExecution
import Testing

/// The test log's own rule for when a run's events are all in. A regression: it once took "no
/// execution seen" for "every execution ended", so a log whose delivery lagged behind the result
/// (as under load) answered with no events at all.
@Suite struct EventLogTests {
    private static let id = ExecutionID.make()

    private static func events(_ kinds: [ExecutionEvent.Kind]) -> [ExecutionEvent] {
        kinds.enumerated().map { offset, kind in
            ExecutionEvent(kind: kind, executionID: id, sequence: UInt64(offset + 1), timestamp: Date())
        }
    }

    @Test func aLogThatHasSeenNothingYetHasNotSettled() {
        #expect(!EventLog.hasSettled([], seesLifecycle: true))
    }

    @Test func anExecutionSettlesWithItsTerminalEvent() {
        #expect(!EventLog.hasSettled(Self.events([.executionStart, .phaseStart]), seesLifecycle: true))
        #expect(EventLog.hasSettled(Self.events([.executionStart, .executionComplete]), seesLifecycle: true))
        #expect(EventLog.hasSettled(Self.events([.executionStart, .executionAborted]), seesLifecycle: true))
    }

    @Test func aLogFilteredToOtherKindsNeverWaits() {
        #expect(EventLog.hasSettled([], seesLifecycle: false))
        #expect(EventLog.hasSettled(Self.events([.phaseStart]), seesLifecycle: false))
    }
}
