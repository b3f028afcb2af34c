import Testing

@testable import TaskrunExecution

@Test func moduleLoads() {
    #expect(Bool(true))
}
