import Testing
@testable import TaskrunCore

@Test func moduleLoads() {
    #expect(Bool(true))
}
