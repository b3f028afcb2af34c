import Foundation
import GRDB
import Synchronization
import TaskrunCore
import TaskrunExecution

/// The durable history store: executions, phase results, checkpoints and the event log in one
/// SQLite file (WAL mode), through GRDB.
///
/// ```swift
/// let location = try StoreLocation.resolve(option: nil, environment: ProcessInfo.processInfo.environment,
///                                          tasksDirectory: "tasks")
/// let store = try SQLiteHistoryStore(path: location.path)
/// let executor = TaskExecutor(configuration: .init(), agents: agents, history: store)
/// ```
///
/// Every write is one transaction. ``commitPhase(_:)`` writes a phase's results, its step results
/// and agent responses, the checkpoint taken after it and the events since the previous write
/// together, so after a crash the store holds either all of them or none. The executor awaits the
/// commit before it starts the phase's dependents: a committed phase is never run again by a
/// resume (exactly once), work in flight at a crash runs again (at least once).
///
/// Several processes may use one store at once: SQLite serializes their writes, and a writer that
/// finds the database locked waits up to ``Configuration/busyTimeout`` before failing.
///
/// Secrets never reach the file: the values of an execution's secret inputs (and
/// ``Configuration/additionalSecrets``) are replaced with `[redacted]` in its stored input,
/// results, checkpoints and events, wherever they occur in a string.
public final class SQLiteHistoryStore: HistoryStore, Sendable {
    /// How the store opens its database.
    public struct Configuration: Sendable {
        /// What a commit survives.
        public enum Durability: String, Sendable, Hashable {
            /// `synchronous = NORMAL`: a commit survives a crash or `kill -9` of any process; a power
            /// loss or an operating-system crash may lose the last commits, never corrupt the file.
            case normal
            /// `synchronous = FULL`: every commit is on disk before it returns (one fsync per commit).
            case full
        }

        public var durability: Durability
        /// How long a write waits for another process's write to finish before failing.
        public var busyTimeout: Duration
        /// Texts to redact from every execution (agent backend credentials, tokens from the environment).
        public var additionalSecrets: [String]
        /// The process that owns the executions this store starts; `taskrun resume` refuses to
        /// continue an execution whose owner is still alive.
        public var owner: StoreOwner
        /// Whether opening may create the file (and its directory) when it does not exist.
        public var createIfMissing: Bool

        public init(
            durability: Durability = .normal, busyTimeout: Duration = .seconds(30), additionalSecrets: [String] = [],
            owner: StoreOwner = .current, createIfMissing: Bool = true
        ) {
            self.durability = durability
            self.busyTimeout = busyTimeout
            self.additionalSecrets = additionalSecrets
            self.owner = owner
            self.createIfMissing = createIfMissing
        }
    }

    /// The database file.
    public let path: String
    public let configuration: Configuration
    let pool: DatabasePool
    /// The executions started through this store and not finished yet.
    let live = Mutex<[ExecutionID: LiveExecution]>([:])
    let baseRedactor: Redactor
    /// Runs the WAL checkpoints, off the committing thread.
    let checkpointer: WALCheckpointer
    /// The writer connection's WAL hook context (see ``WALCheckpointer``), until ``close()``: the
    /// address of a retained checkpointer, as an integer so that the store stays `Sendable`.
    private let walHook = Mutex<UInt?>(nil)

    /// Opens (or creates) the store at `path` and brings its schema up to date.
    ///
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` when the file cannot be opened or is not a
    ///   SQLite database, ``StoreError/newerSchema(path:unknownMigrations:)`` when a newer taskrun wrote it.
    public init(path: String, configuration: Configuration = Configuration()) throws {
        self.path = path
        self.configuration = configuration
        self.baseRedactor = Redactor(secrets: configuration.additionalSecrets)
        let fileManager = FileManager.default
        if !fileManager.fileExists(atPath: path) {
            guard configuration.createIfMissing else {
                throw StoreError.cannotOpen(path: path, reason: "no such file")
            }
            let directory = (path as NSString).deletingLastPathComponent
            do {
                try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw StoreError.cannotOpen(
                    path: path, reason: "cannot create '\(directory)': \(error.localizedDescription)")
            }
        }
        var database = GRDB.Configuration()
        database.busyMode = .timeout(configuration.busyTimeout.seconds)
        database.label = "taskrun.history"
        database.maximumReaderCount = 4
        let synchronous = configuration.durability == .full ? "FULL" : "NORMAL"
        let checkpointer = WALCheckpointer(path: path, busyTimeout: configuration.busyTimeout.seconds)
        self.checkpointer = checkpointer
        do {
            pool = try Self.openPool(path: path, configuration: database, busyTimeout: configuration.busyTimeout)
            // Set on the single writer connection, after GRDB's own WAL set-up (which picks NORMAL).
            let hook = try pool.barrierWriteWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
                return UInt(bitPattern: checkpointer.attach(to: db.sqliteConnection))
            }
            walHook.withLock { $0 = hook }
        } catch {
            throw StoreError.cannotOpen(path: path, reason: Self.describe(error))
        }
        try migrate()
    }

    /// Opens the pool, trying again while another connection holds the lock that turning a new
    /// file to WAL needs: SQLite reports that at once, without waiting through the busy timeout,
    /// so stores opening a new file at the same moment (processes, or tasks of one) would fail.
    /// Tries for about `busyTimeout`, waiting a little longer each time, as SQLite's own busy
    /// handler does.
    private static func openPool(
        path: String, configuration: GRDB.Configuration, busyTimeout: Duration
    ) throws -> DatabasePool {
        let deadline = ContinuousClock.now + busyTimeout
        var wait = Duration.milliseconds(1)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                guard ContinuousClock.now + wait < deadline else { throw error }
                Thread.sleep(forTimeInterval: wait.seconds)
                wait = min(wait * 2, .milliseconds(50))
            }
        }
    }

    /// Applies the migrations this version knows and refuses a store written by a newer version.
    private func migrate() throws {
        let migrator = StorageSchema.migrator
        do {
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                let known = Set(StorageSchema.migrationIdentifiers)
                let applied = try pool.read { try migrator.appliedIdentifiers($0) }
                throw StoreError.newerSchema(path: path, unknownMigrations: applied.subtracting(known).sorted())
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(path: path, reason: Self.describe(error))
        }
        // Two processes opening a new store at once can both see a migration as pending; the
        // loser's transaction fails and rolls back, and the second attempt finds it applied.
        var lastError: (any Error)?
        for _ in 0..<3 {
            do {
                try migrator.migrate(pool)
                try checkTablesExist()
                return
            } catch let error as StoreError {
                throw error
            } catch {
                lastError = error
            }
        }
        throw StoreError.cannotOpen(path: path, reason: "cannot create the schema: \(Self.describe(lastError))")
    }

    /// Refuses a store whose migrations are all recorded as applied but whose tables or columns are
    /// not the ones they make: a database written by a development build whose unreleased migration
    /// changed afterwards. Without this, it would fail later with "no such table" or "no such
    /// column" on its first write.
    private func checkTablesExist() throws {
        let missing = try pool.read { db in
            let present = try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
            var missing = StorageSchema.tables.filter { !present.contains($0) }.map { "the table \($0)" }
            for column in StorageSchema.addedColumns {
                let parts = column.split(separator: ".", maxSplits: 1).map(String.init)
                guard parts.count == 2, present.contains(parts[0]) else { continue }
                let columns = try String.fetchAll(
                    db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [parts[0]])
                if !columns.contains(parts[1]) { missing.append("the column \(column)") }
            }
            return missing
        }
        guard missing.isEmpty else {
            throw StoreError.cannotOpen(
                path: path,
                reason: "its schema lacks \(missing.joined(separator: ", ")) "
                    + "although every migration is recorded as applied; it was probably written by a development "
                    + "build of taskrun. Move it aside or delete it to start a new history")
        }
    }

    /// Closes the database; later calls throw.
    public func close() throws {
        detachWALHook()
        try pool.close()
    }

    deinit {
        detachWALHook()
    }

    /// Waits for the writes in flight, then stops handing checkpoints to the ``WALCheckpointer``.
    private func detachWALHook() {
        guard let address = walHook.withLock({ $0.take() }), let hook = UnsafeMutableRawPointer(bitPattern: address)
        else { return }
        do {
            try pool.barrierWriteWithoutTransaction { db in
                WALCheckpointer.detach(from: db.sqliteConnection, context: hook)
            }
        } catch {
            // The connection is closed, and its hook with it.
            Unmanaged<WALCheckpointer>.fromOpaque(hook).release()
        }
    }

    /// What this store knows about `id` while it runs here; for an execution started elsewhere,
    /// only the additional secrets and nothing committed.
    func liveExecution(_ id: ExecutionID) -> LiveExecution {
        live.withLock { $0[id] }
            ?? LiveExecution(key: id.description, redactor: baseRedactor, stored: nil)
    }

    static func describe(_ error: (any Error)?) -> String {
        guard let error else { return "unknown error" }
        if let error = error as? DatabaseError {
            return error.message ?? error.description
        }
        return String(describing: error)
    }
}
