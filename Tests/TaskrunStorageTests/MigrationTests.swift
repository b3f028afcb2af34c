import Foundation
import GRDB
import Testing

@testable import TaskrunStorage

@Suite struct MigrationTests {
    @Test func anEmptyDatabaseGetsTheWholeSchema() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory, name: "nested/dir/history.sqlite")
        let tables = try store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        #expect(
            tables == [
                "checkpoint_names", "checkpoint_phases", "commit_log", "executions", "grdb_migrations",
            ])
        let views = try store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")
        }
        #expect(views == ["agent_responses", "checkpoints", "events", "phase_runs", "step_results"])
        let applied = try store.pool.read { db in try StorageSchema.migrator.appliedIdentifiers(db) }
        #expect(applied == Set(StorageSchema.migrationIdentifiers))
        let journal = try store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
        let synchronous = try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 1)  // NORMAL
        let foreignKeys = try store.pool.read { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(foreignKeys == true)
    }

    @Test func fullDurabilityUsesSynchronousFull() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try SQLiteHistoryStore(path: directory.file("h.sqlite"), configuration: .init(durability: .full))
        let synchronous = try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 2)
    }

    @Test func reopeningKeepsDataAndAppliesNothingTwice() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let record = Samples.record()
        do {
            let store = try openStore(directory)
            try await store.executionStarted(record)
            try store.close()
        }
        let reopened = try openStore(directory)
        #expect(try await reopened.history(limit: 10).map(\.id) == [record.id])
        let count = try await reopened.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations")
        }
        #expect(count == StorageSchema.migrationIdentifiers.count)
    }

    @Test func aStoreFromANewerVersionIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        do {
            let store = try openStore(directory)
            try store.pool.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')")
            }
            try store.close()
        }
        #expect(
            throws: StoreError.newerSchema(path: directory.file("history.sqlite"), unknownMigrations: ["v99-future"])
        ) {
            try openStore(directory)
        }
    }

    @Test func aStoreFromADevelopmentSchemaIsAClearError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        do {
            // What an unreleased migration changed after it ran leaves: every migration recorded,
            // a table missing.
            let store = try openStore(directory)
            try store.pool.write { db in try db.execute(sql: "DROP TABLE commit_log") }
            try store.close()
        }
        do {
            _ = try openStore(directory)
            Issue.record("opened a store without commit_log")
        } catch StoreError.cannotOpen(let path, let reason) {
            #expect(path == directory.file("history.sqlite"))
            #expect(reason.contains("lacks the table commit_log"))
            #expect(reason.contains("Move it aside or delete it"))
        }
    }

    @Test func aStoreWithoutAColumnOfTheLastMigrationIsAClearError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        do {
            // An earlier development build's executions table, without the number of its rows.
            let store = try openStore(directory)
            try store.pool.write { db in
                // The views and triggers read the column: they go first (the check is about tables).
                let dependents = try Row.fetchAll(
                    db, sql: "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')")
                for row in dependents {
                    try db.execute(sql: "DROP \(row["type"] == "view" ? "VIEW" : "TRIGGER") \(row["name"] as String)")
                }
                try db.execute(sql: "DROP INDEX executions_by_number")
                try db.execute(sql: "ALTER TABLE executions DROP COLUMN number")
            }
            try store.close()
        }
        do {
            _ = try openStore(directory)
            Issue.record("opened a store without executions.number")
        } catch StoreError.cannotOpen(_, let reason) {
            #expect(reason.contains("lacks the column executions.number"))
        }
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = directory.file("history.sqlite")
        try Data(String(repeating: "not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try SQLiteHistoryStore(path: path)
            Issue.record("opened a file that is not a database")
        } catch let error as StoreError {
            guard case .cannotOpen(let failedPath, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(failedPath == path)
            #expect(reason.contains("not a database"))
        }
    }

    @Test func aMissingFileIsNotCreatedWhenAskedNotTo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = directory.file("absent.sqlite")
        #expect(throws: StoreError.cannotOpen(path: path, reason: "no such file")) {
            try SQLiteHistoryStore(path: path, configuration: .init(createIfMissing: false))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func eventsAreAppendOnly() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let record = Samples.record()
        try await store.executionStarted(record)
        #expect(throws: DatabaseError.self) {
            try store.pool.write { db in try db.execute(sql: "UPDATE commit_log SET events = '[]'") }
        }
        #expect(throws: DatabaseError.self) {
            try store.pool.write { db in try db.execute(sql: "DELETE FROM commit_log") }
        }
        // Deleting the execution takes its events with it.
        try await store.pool.write { db in try db.execute(sql: "DELETE FROM executions") }
        let left = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") }
        #expect(left == 0)
    }
}
