import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Copies the write-ahead log back into the database file from a connection of its own, so that
/// the commit that fills the log does not pay for it.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the log past 1,000 pages: it
/// copies them into the database file and syncs it, twice, which on this project's machines
/// doubled the average time of a phase commit (the executor waits for each one). Here the writer
/// connection's automatic checkpoint is off, and its WAL hook starts the same passive checkpoint on
/// a second connection instead; writers go on meanwhile. What a commit survives does not change: it
/// is in the log either way, and the log is synced into the file as often as before.
final class WALCheckpointer: Sendable {
    /// Pages in the log before a checkpoint starts: SQLite's own default.
    static let threshold: Int32 = 1000
    /// How many times ``threshold`` the log may reach before the commit that gets there checkpoints
    /// itself (see ``attach(to:)``).
    static let inlineFactor: Int32 = 3

    private let path: String
    private let busyTimeout: TimeInterval
    /// Whether a checkpoint is queued or running, the log's size when the latest one started, and
    /// the connection that runs them (opened on the first one: most stores never need it).
    private let state = Mutex<(busy: Bool, startedAt: Int32, connection: DatabaseQueue?)>((false, 0, nil))

    init(path: String, busyTimeout: TimeInterval) {
        self.path = path
        self.busyTimeout = busyTimeout
    }

    /// Called after each commit with the number of pages in the log.
    func committed(pages: Int32) {
        guard pages >= Self.threshold else { return }
        let connection = state.withLock { state -> DatabaseQueue? in
            // A checkpoint copies what the log held when it started, and the log starts over only
            // once one has caught up with the writer: starting another after every commit past the
            // threshold would copy a few pages and sync the file each time (about 400 syncs per
            // 1,000 phases). The next one starts once the log has grown by the threshold again.
            guard !state.busy, pages < state.startedAt || pages >= state.startedAt + Self.threshold else {
                return nil
            }
            if state.connection == nil {
                var configuration = GRDB.Configuration()
                configuration.busyMode = .timeout(busyTimeout)
                configuration.label = "taskrun.history.checkpoint"
                state.connection = try? DatabaseQueue(path: path, configuration: configuration)
            }
            state.busy = state.connection != nil
            state.startedAt = pages
            return state.connection
        }
        connection?.asyncWriteWithoutTransaction { db in
            // Passive: copies what no reader still needs, never waits for a writer; the next write
            // after a complete checkpoint starts the log over.
            _ = try? db.checkpoint(.passive)
            self.state.withLock { $0.busy = false }
        }
    }

    /// Returns once the checkpoint started last (if any) is done.
    func waitForCheckpoint() {
        state.withLock { $0.connection }?.inDatabase { _ in }
    }

    /// Makes `connection` hand its checkpoints to this checkpointer. Returns the context to pass to
    /// ``detach(from:context:)`` before the checkpointer may go.
    func attach(to connection: OpaquePointer?) -> UnsafeMutableRawPointer {
        let context = Unmanaged.passRetained(self).toOpaque()
        sqlite3_wal_hook(
            connection,
            { context, connection, name, pages in
                // A checkpoint that runs beside the writer lags behind it, and the log starts over
                // only once it has caught up: past a few times the threshold, catch up here, as
                // SQLite's own automatic checkpoint would (most pages are in the file already).
                if pages >= WALCheckpointer.threshold * WALCheckpointer.inlineFactor {
                    sqlite3_wal_checkpoint_v2(connection, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                } else if let context {
                    Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(pages: pages)
                }
                return SQLITE_OK
            }, context)
        return context
    }

    /// Gives `connection` back its automatic checkpoints and releases the context of ``attach(to:)``.
    static func detach(from connection: OpaquePointer?, context: UnsafeMutableRawPointer) {
        sqlite3_wal_autocheckpoint(connection, threshold)
        Unmanaged<WALCheckpointer>.fromOpaque(context).release()
    }
}
