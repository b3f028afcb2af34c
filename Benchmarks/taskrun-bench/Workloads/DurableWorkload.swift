/// W4: the chain with the durable SQLite store. TaskrunStorage is not on main yet.
struct DurableWorkload {
    var sizes: WorkloadSizes
    var runs: Int

    func run() async throws -> WorkloadResult {
        throw UnexpectedOutcome(description: "W4 needs TaskrunStorage (SQLiteHistoryStore), which is not merged yet")
    }
}
