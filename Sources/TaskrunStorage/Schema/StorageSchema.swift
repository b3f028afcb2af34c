import GRDB
import TaskrunExecution

/// The store's schema, created and upgraded by a `DatabaseMigrator`.
///
/// Plain tables with JSON in `TEXT` columns, so `sqlite3 .taskrun/history.sqlite` can read everything.
/// `Docs/storage.md` documents every table and column. A released migration is never edited: a
/// change of schema is a new migration appended to ``migrator``.
enum StorageSchema {
    /// The identifiers of the migrations, in order; the last one is the current schema version.
    static let migrationIdentifiers = ["v1-history", "v2-checkpoint-phases"]

    /// The tables the last migration leaves (views aside); a store without one of them is refused.
    static let tables = ["executions", "commit_log", "checkpoint_names", "checkpoint_phases"]

    /// The columns the last migration adds to tables that existed before it (`table.column`); a
    /// store without one of them is refused too.
    static let addedColumns = ["executions.number"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-history") { db in
            try createVersion1(db)
        }
        migrator.registerMigration("v2-checkpoint-phases") { db in
            try createVersion2(db)
        }
        return migrator
    }

    /// Checkpoints keep their phases apart from the rest of the state, one row per started phase,
    /// so a commit rewrites only the phases that changed (the first format rewrote the whole list
    /// on every commit, a cost that grew with the run). Existing checkpoints are converted.
    ///
    /// Committed phases, events and checkpoints move to `commit_log`, one row per write (a phase
    /// commit's phase, its events as a JSON array the `events` view expands, and the checkpoint taken
    /// with it, which the `checkpoints` view reads), appended at the end of a rowid table: a commit
    /// carries about seven events, and inserted one by one they were the store's most numerous
    /// inserts; in tables of their own, a commit wrote almost twice as many pages. The readable
    /// columns derived from JSON and times (`phase_runs.attempts`, …) move from generated columns to
    /// views of the same names: SQLite computes even a virtual generated column on every insert.
    private static func createVersion2(_ db: Database) throws {
        try db.execute(
            sql: """
                -- Every execution gets a number, the key of its rows in `commit_log` (see
                -- `StorageSchema.rowsOfExecution`): 1 for the first, then one more per execution, also
                -- for executions inserted by hand.
                ALTER TABLE executions ADD COLUMN number INTEGER;
                UPDATE executions SET number = rowid;
                CREATE UNIQUE INDEX executions_by_number ON executions (number);
                CREATE TRIGGER executions_are_numbered AFTER INSERT ON executions WHEN NEW.number IS NULL
                BEGIN
                    UPDATE executions SET number = (SELECT COALESCE(MAX(number), 0) + 1 FROM executions)
                    WHERE id = NEW.id;
                END;

                -- One row per write of the executor, appended at the end of its execution's rows: a phase
                -- commit's phase (`phase` to `record`), the events of the write (`first_sequence` to
                -- `events`) and the checkpoint taken with it (`checkpoint_phase` to `committed_through`).
                -- A start, a pause or the end has events only; a phase committed again leaves its events
                -- where they were, only its phase columns go. The row's id is its execution's number
                -- times 2^32 plus its place among the execution's rows, so the table is its own index of
                -- executions: no other b-tree changes with a commit (an index cost every commit one more
                -- page of the log). The store keeps one row per phase.
                CREATE TABLE commit_log (
                    id INTEGER PRIMARY KEY,
                    execution_id TEXT NOT NULL,
                    phase TEXT,
                    status TEXT,
                    commit_order INTEGER,
                    committed_at TEXT,
                    record TEXT,
                    first_sequence INTEGER,
                    last_sequence INTEGER,
                    events TEXT,
                    checkpoint_phase TEXT,
                    checkpoint_created_at TEXT,
                    checkpoint_last_sequence INTEGER,
                    checkpoint_count INTEGER,
                    checkpoint TEXT,
                    committed_through INTEGER
                );
                -- What a foreign key's ON DELETE CASCADE did, through the rows' ids (a foreign key
                -- without an index on `execution_id` would read the whole table per execution).
                CREATE TRIGGER executions_take_their_commit_log AFTER DELETE ON executions
                BEGIN
                    DELETE FROM commit_log
                    WHERE id BETWEEN OLD.number * 4294967296 AND OLD.number * 4294967296 + 4294967295;
                END;
                INSERT INTO commit_log (id, execution_id, phase, status, commit_order, committed_at, record)
                SELECT x.number * 4294967296
                        + row_number() OVER (PARTITION BY p.execution_id ORDER BY p.commit_order, p.phase),
                    p.execution_id, p.phase, p.status, p.commit_order, p.committed_at, p.record
                FROM phase_runs p JOIN executions x ON x.id = p.execution_id;
                -- The events of one write in one row: a JSON array of events, each an array of its fields.
                INSERT INTO commit_log (id, execution_id, first_sequence, last_sequence, events)
                SELECT x.number * 4294967296
                        + (SELECT COUNT(*) FROM phase_runs p WHERE p.execution_id = e.execution_id)
                        + row_number() OVER (PARTITION BY e.execution_id ORDER BY e.sequence),
                    e.execution_id, e.sequence, e.sequence, json_array(json_array(e.sequence, e.type, e.time, e.task,
                        e.phase, e.step, e.step_type, e.agent, e.attempt, e.status, e.message, e.delay_ms,
                        e.duration_ms))
                FROM events e JOIN executions x ON x.id = e.execution_id;
                DROP TABLE phase_runs;
                CREATE VIEW phase_runs AS
                SELECT x.id AS execution_id, c.phase, c.status, c.commit_order, c.committed_at, c.record,
                    c.record ->> '$.attempts' AS attempts,
                    strftime('%Y-%m-%dT%H:%M:%fZ', (c.record ->> '$.startedAt') + 978307200, 'unixepoch') AS started_at,
                    strftime('%Y-%m-%dT%H:%M:%fZ', (c.record ->> '$.finishedAt') + 978307200, 'unixepoch') AS finished_at,
                    ((c.record ->> '$.finishedAt') - (c.record ->> '$.startedAt')) * 1000 AS duration_ms,
                    c.record -> '$.outputs' AS outputs, c.record -> '$.errors' AS errors, c.record -> '$.result' AS result
                FROM executions x JOIN commit_log c ON \(rowsOfExecution) WHERE c.phase IS NOT NULL;

                DROP TRIGGER events_are_append_only_update;
                DROP TRIGGER events_are_append_only_delete;
                DROP TABLE events;
                CREATE VIEW events AS
                SELECT x.id AS execution_id, e.value ->> '$[0]' AS sequence, e.value ->> '$[1]' AS type,
                    e.value ->> '$[2]' AS time,
                    strftime('%Y-%m-%dT%H:%M:%fZ', (e.value ->> '$[2]') + 978307200, 'unixepoch') AS timestamp,
                    e.value ->> '$[3]' AS task, e.value ->> '$[4]' AS phase, e.value ->> '$[5]' AS step,
                    e.value ->> '$[6]' AS step_type, e.value ->> '$[7]' AS agent, e.value ->> '$[8]' AS attempt,
                    e.value ->> '$[9]' AS status, e.value ->> '$[10]' AS message, e.value ->> '$[11]' AS delay_ms,
                    e.value ->> '$[12]' AS duration_ms
                FROM executions x JOIN commit_log c ON \(rowsOfExecution), json_each(c.events) e
                WHERE c.events IS NOT NULL;
                -- The event log is append-only: events change never, and go only with their execution.
                CREATE TRIGGER events_are_append_only_update
                BEFORE UPDATE OF id, execution_id, first_sequence, last_sequence, events ON commit_log
                WHEN OLD.events IS NOT NULL OR NEW.events IS NOT NULL
                BEGIN
                    SELECT RAISE(ABORT, 'events are append-only');
                END;
                CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON commit_log
                WHEN OLD.events IS NOT NULL AND EXISTS (SELECT 1 FROM executions WHERE id = OLD.execution_id)
                BEGIN
                    SELECT RAISE(ABORT, 'events are append-only: delete the execution instead');
                END;

                -- The phases of the latest checkpoint, in order (a JSON array of names). Not a column of
                -- `checkpoints`, whose row every commit rewrites: a long list spills over into pages of
                -- its own, which SQLite rewrites with the row.
                CREATE TABLE checkpoint_names (
                    execution_id TEXT PRIMARY KEY NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
                    phase_names TEXT NOT NULL
                );

                -- Every other phase of the latest checkpoint that has started, as a PhaseResult in JSON.
                CREATE TABLE checkpoint_phases (
                    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
                    phase TEXT NOT NULL,
                    status TEXT NOT NULL,
                    record TEXT NOT NULL,
                    PRIMARY KEY (execution_id, phase)
                ) WITHOUT ROWID;
                """)
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM checkpoints")
        // Stored texts are already redacted; re-encoding them needs no secrets.
        let redactor = Redactor(secrets: [])
        let encoder = StorageCoding.recordEncoder()
        for row in rows {
            let id: String = row["execution_id"]
            let legacy = try StorageCoding.decode(
                LegacyStoredCheckpoint.self, from: row["checkpoint"], what: "checkpoint of \(id)")
            let head = CheckpointHead(
                ExecutionCheckpoint(phase: legacy.phase, createdAt: legacy.createdAt, state: legacy.state))
            // The committed phases it named were the settled rows up to the last of them.
            let committedThrough =
                try legacy.phases.committed.map { name in
                    try Int.fetchOne(
                        db, sql: "SELECT commit_order FROM phase_runs WHERE execution_id = ? AND phase = ?",
                        arguments: [id, name]) ?? 0
                }.max() ?? 0
            try db.execute(
                sql: """
                    INSERT INTO commit_log (id, execution_id, checkpoint_phase, checkpoint_created_at,
                        checkpoint_last_sequence, checkpoint_count, checkpoint, committed_through)
                    SELECT \(nextID), x.id, ?, ?, ?, ?, ?, ? FROM executions x WHERE x.id = ?
                    """,
                arguments: [
                    row["phase"], row["created_at"], row["last_sequence"], row["checkpoint_count"],
                    try StorageCoding.encode(head, with: encoder, redactor: redactor), committedThrough, id,
                ])
            try CheckpointRow.writeNames(
                try StorageCoding.encode(legacy.phases.names, with: encoder, redactor: redactor), executionID: id, db)
            for phase in legacy.phases.inline {
                try db.execute(
                    sql: "INSERT INTO checkpoint_phases (execution_id, phase, status, record) VALUES (?, ?, ?, ?)",
                    arguments: [
                        id, phase.name, phase.status.rawValue,
                        try StorageCoding.encode(phase, with: encoder, redactor: redactor),
                    ])
            }
        }
        try db.execute(
            sql: """
                DROP TABLE checkpoints;
                -- The latest checkpoint of each execution: the last row of `commit_log` with one. (With
                -- `WHERE execution_id = ?`, SQLite reads that execution's rows only.)
                CREATE VIEW checkpoints AS
                SELECT x.id AS execution_id, c.checkpoint_phase AS phase, c.checkpoint_created_at AS created_at,
                    c.checkpoint_last_sequence AS last_sequence, c.checkpoint_count, c.checkpoint, c.committed_through,
                    MAX(c.id) AS commit_log_id
                FROM executions x JOIN commit_log c ON \(rowsOfExecution) WHERE c.checkpoint IS NOT NULL GROUP BY x.id;
                """)
    }

    /// The join condition of the rows of `commit_log` (`c`) of the execution `x`: the ids from its
    /// number times 2^32 on, read in order without an index.
    static let rowsOfExecution = """
        c.id BETWEEN x.number * 4294967296 AND x.number * 4294967296 + 4294967295 AND c.execution_id = x.id
        """

    /// The id of the next row of `commit_log` of the execution `x`: after its last one.
    static let nextID = """
        (SELECT COALESCE(MAX(c.id), x.number * 4294967296) + 1 FROM commit_log c
        WHERE c.id BETWEEN x.number * 4294967296 AND x.number * 4294967296 + 4294967295)
        """

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

                -- A committed phase: its exact JSON (`record`, a PhaseResult) and columns read from it.
                CREATE TABLE phase_runs (
                    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
                    phase TEXT NOT NULL,
                    status TEXT NOT NULL,
                    commit_order INTEGER NOT NULL,
                    committed_at TEXT NOT NULL,
                    record TEXT NOT NULL,
                    attempts INTEGER GENERATED ALWAYS AS (record ->> '$.attempts') VIRTUAL,
                    started_at TEXT GENERATED ALWAYS AS
                        (strftime('%Y-%m-%dT%H:%M:%fZ', (record ->> '$.startedAt') + 978307200, 'unixepoch')) VIRTUAL,
                    finished_at TEXT GENERATED ALWAYS AS
                        (strftime('%Y-%m-%dT%H:%M:%fZ', (record ->> '$.finishedAt') + 978307200, 'unixepoch')) VIRTUAL,
                    duration_ms REAL GENERATED ALWAYS AS
                        (((record ->> '$.finishedAt') - (record ->> '$.startedAt')) * 1000) VIRTUAL,
                    outputs TEXT GENERATED ALWAYS AS (record -> '$.outputs') VIRTUAL,
                    errors TEXT GENERATED ALWAYS AS (record -> '$.errors') VIRTUAL,
                    result TEXT GENERATED ALWAYS AS (record -> '$.result') VIRTUAL,
                    PRIMARY KEY (execution_id, phase)
                ) WITHOUT ROWID;

                -- Steps and agent responses are read out of the phase's JSON, so a commit writes each
                -- value once.
                CREATE VIEW step_results AS
                SELECT p.execution_id, p.phase, s.value ->> '$.index' AS step_index, s.value ->> '$.type' AS type,
                    s.value ->> '$.agent' AS agent, s.value ->> '$.status' AS status,
                    s.value ->> '$.attempts' AS attempts,
                    strftime('%Y-%m-%dT%H:%M:%fZ', (s.value ->> '$.startedAt') + 978307200, 'unixepoch') AS started_at,
                    strftime('%Y-%m-%dT%H:%M:%fZ', (s.value ->> '$.finishedAt') + 978307200, 'unixepoch') AS finished_at,
                    s.value -> '$.value' AS value, s.value -> '$.outputs' AS outputs, s.value ->> '$.error' AS error,
                    s.value -> '$.warnings' AS warnings
                FROM phase_runs p, json_each(p.record, '$.steps') s;

                CREATE VIEW agent_responses AS
                SELECT p.execution_id, p.phase, r.key AS ordinal, r.value ->> '$.agent' AS agent,
                    r.value ->> '$.step' AS step_index, r.value ->> '$.attempt' AS attempt,
                    r.value ->> '$.response.text' AS text, r.value ->> '$.response.position' AS position,
                    r.value ->> '$.response.confidence' AS confidence, r.value ->> '$.response.latencyMs' AS latency_ms,
                    r.value -> '$.response' AS response
                FROM phase_runs p, json_each(p.record, '$.responses') r;

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
