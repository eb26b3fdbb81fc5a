// The history database's schema, one migration per version (PRAGMA user_version holds the version
// reached). A database whose version is above the last one here was written by a newer
// cloudconform: it is refused, never migrated down or reset (store.ts).
//
// Why this shape (measured with bench/history-bench.mjs: 1,000 runs of one 50,000-finding scope,
// 0.5% of findings changing per run: 321 MB in all (996 runs; storing every finding of every run
// would be ~33 GB), about 1.5 s to record a run, 0.13 s for `history`, 0.5 s to read a run's report
// or comparison back):
// - `bodies`: each distinct finding (its JSON) once, keyed by its SHA-256. A scope's findings
//   barely change from run to run, so storing each run's findings in full (50 million rows) would
//   take gigabytes; here a run adds only the findings that changed.
// - `runs`: per run its RunInfo, its report without the findings (`meta`), the summary and the
//   change counts (what `history` lists, read without touching the findings), and three
//   compact integer lists (codec.ts): the findings in report order (body ids), and the
//   comparison classified when it was recorded (change kinds, body ids now, body ids before).
// - `scope_state`: per scope, the state the next run is classified against (classify.ts's
//   StateEntry list: body ids, standings and the runs that set them, and each entry's finding key
//   and body hash, 32 bytes each, so recording reads no body of a finding this run saw again),
//   replaced by each run.
// - `outbox` (version 2): notifications pending per scope and channel, one row per run and
//   channel, written in the run's transaction and deleted when the channel took them (at least
//   once: a failed channel or a crash before sending leaves them for the next run). `channel` is
//   the SHA-256 of the channel's kind and URL or topic ARN, never the URL (a secret); `items` the
//   findings to send (JSON, at most OUTBOX_MAX_FINDINGS), `n` their number, `dropped` those left out.
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE bodies (
    id INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,
    key BLOB NOT NULL,
    body TEXT NOT NULL
  );
  CREATE TABLE runs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    scope_key TEXT NOT NULL,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    info TEXT NOT NULL,
    meta TEXT NOT NULL,
    summary TEXT NOT NULL,
    counts TEXT NOT NULL,
    previous_seq INTEGER REFERENCES runs(seq),
    findings BLOB NOT NULL,
    change_kinds BLOB NOT NULL,
    change_now BLOB NOT NULL,
    change_before BLOB NOT NULL
  );
  CREATE INDEX runs_by_scope ON runs (scope_key, started_at DESC, seq DESC);
  CREATE INDEX runs_by_time ON runs (started_at DESC, seq DESC);
  CREATE TABLE scope_state (
    scope_key TEXT PRIMARY KEY,
    run_seq INTEGER NOT NULL REFERENCES runs(seq),
    bodies BLOB NOT NULL,
    standings BLOB NOT NULL,
    since BLOB NOT NULL,
    since_runs TEXT NOT NULL,
    keys BLOB NOT NULL,
    hashes BLOB NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    scope_key TEXT NOT NULL,
    channel BLOB NOT NULL,
    run_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    n INTEGER NOT NULL,
    dropped INTEGER NOT NULL,
    items TEXT NOT NULL
  );
  CREATE INDEX outbox_by_channel ON outbox (scope_key, channel, started_at, id);
  `,
];

/** PRAGMA application_id of a cloudconform history ('ccH1'): another program's SQLite file is refused. */
export const APPLICATION_ID = 0x63634831;
