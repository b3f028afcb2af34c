import Testing
@testable import TaskrunCLI

@Test func moduleLoads() {
    #expect(Bool(true))
}
