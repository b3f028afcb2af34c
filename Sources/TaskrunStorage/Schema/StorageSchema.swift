import GRDB

/// The store's schema, created and upgraded by a `DatabaseMigrator`.
///
/// Plain tables with JSON in `TEXT` columns, so `sqlite3 .taskrun/history.sqlite` can read everything.
/// `Docs/storage.md` documents every table and column. A released migration is never edited: a
/// change of schema is a new migration appended to ``migrator``.
enum StorageSchema {
    /// The identifiers of the migrations, in order; the last one is the current schema version.
    static let migrationIdentifiers = ["v1-history"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-history") { db in
            try createVersion1(db)
        }
        return migrator
    }

    private static func createVersion1(_ db: Database) throws {
        // Times in columns are ISO 8601 UTC text with milliseconds (`2026-01-31T12:00:00.000Z`): they
        // sort as text and SQLite's date functions read them. JSON columns keep exact values instead
        // (see `StorageCoding`).
        try db.execute(
            sql: """
                CREATE TABLE executions (
                    id TEXT PRIMARY KEY NOT NULL,
                    task_id TEXT NOT NULL,
                    task_name TEXT NOT NULL,
                    task_hash TEXT NOT NULL,
                    task_path TEXT,
                    task_definition TEXT NOT NULL,
                    input TEXT NOT NULL,
                    input_hash TEXT NOT NULL,
                    secret_inputs TEXT NOT NULL,
                    status TEXT NOT NULL,
                    reason TEXT,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    updated_at TEXT NOT NULL,
                    resume_count INTEGER NOT NULL DEFAULT 0,
                    owner_pid INTEGER,
                    owner_host TEXT,
                    result TEXT
                );
                CREATE INDEX executions_by_task ON executions (task_id, id);
                CREATE INDEX executions_by_status ON executions (status, id);
                CREATE INDEX executions_by_update ON executions (updated_at);

                CREATE TABLE phase_runs (
                    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
                    phase TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    started_at TEXT,
                    finished_at TEXT,
                    duration_ms REAL,
                    outputs TEXT NOT NULL,
                    errors TEXT NOT NULL,
                    result TEXT,
                    commit_order INTEGER NOT NULL,
                    committed_at TEXT NOT NULL,
                    record TEXT NOT NULL,
                    PRIMARY KEY (execution_id, phase)
                ) WITHOUT ROWID;

                CREATE TABLE step_results (
                    execution_id TEXT NOT NULL,
                    phase TEXT NOT NULL,
                    step_index INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    agent TEXT,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    started_at TEXT,
                    finished_at TEXT,
                    value TEXT,
                    outputs TEXT NOT NULL,
                    error TEXT,
                    warnings TEXT NOT NULL,
                    PRIMARY KEY (execution_id, phase, step_index),
                    FOREIGN KEY (execution_id, phase) REFERENCES phase_runs (execution_id, phase) ON DELETE CASCADE
                ) WITHOUT ROWID;

                CREATE TABLE agent_responses (
                    execution_id TEXT NOT NULL,
                    phase TEXT NOT NULL,
                    ordinal INTEGER NOT NULL,
                    agent TEXT NOT NULL,
                    step_index INTEGER NOT NULL,
                    attempt INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    position TEXT,
                    confidence REAL,
                    latency_ms REAL,
                    response TEXT NOT NULL,
                    PRIMARY KEY (execution_id, phase, ordinal),
                    FOREIGN KEY (execution_id, phase) REFERENCES phase_runs (execution_id, phase) ON DELETE CASCADE
                ) WITHOUT ROWID;

                CREATE TABLE checkpoints (
                    execution_id TEXT PRIMARY KEY NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
                    phase TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    last_sequence INTEGER NOT NULL,
                    checkpoint_count INTEGER NOT NULL,
                    checkpoint TEXT NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE events (
                    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
                    sequence INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    time REAL NOT NULL,
                    timestamp TEXT GENERATED ALWAYS AS
                        (strftime('%Y-%m-%dT%H:%M:%fZ', time + 978307200, 'unixepoch')) VIRTUAL,
                    task TEXT,
                    phase TEXT,
                    step INTEGER,
                    step_type TEXT,
                    agent TEXT,
                    attempt INTEGER,
                    status TEXT,
                    message TEXT,
                    delay_ms REAL,
                    duration_ms REAL,
                    PRIMARY KEY (execution_id, sequence)
                ) WITHOUT ROWID;

                -- A phase committed again (run again by a resume) replaces its step and response rows.
                CREATE TRIGGER phase_runs_replace_children AFTER UPDATE OF record ON phase_runs
                BEGIN
                    DELETE FROM step_results WHERE execution_id = OLD.execution_id AND phase = OLD.phase;
                    DELETE FROM agent_responses WHERE execution_id = OLD.execution_id AND phase = OLD.phase;
                END;

                -- The event log is append-only: rows change never, and go only with their execution.
                CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
                BEGIN
                    SELECT RAISE(ABORT, 'events are append-only');
                END;
                CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
                WHEN EXISTS (SELECT 1 FROM executions WHERE id = OLD.execution_id)
                BEGIN
                    SELECT RAISE(ABORT, 'events are append-only: delete the execution instead');
                END;
                """)
    }
}
