// The history database (SQLite through better-sqlite3): every recorded run of scan and audit, and
// per scope the state the next run is classified against. Schema and storage layout:
// migrations.ts. One IMMEDIATE transaction per recorded run (read the scope's state, classify,
// write), so two processes recording at once are serialised by SQLite's lock (WAL, busy
// timeout) and a crash mid-write leaves the previous state as it was.
//
// The file is never reset or overwritten: a newer schema, another program's database, a corrupt
// or non-SQLite file is a HistoryError (exit 2) that says what to do. A new database is created
// 0600 in a directory created 0700 (it names resources); a symbolic link or another user's file
// is not written through (a link in a shared directory could send the history elsewhere, another
// user's file could be read by them).
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { findingKey, type Finding, type ReportSummary, type RunInfo, type ScanReport } from '../model/report';
import { CHANGE_KINDS, classify, emptyCounts, STANDINGS, type ClassifyOptions, type Standing, type StateEntry } from './classify';
import { decodeInts, encodeInts } from './codec';
import { APPLICATION_ID, MIGRATIONS } from './migrations';
import { HistoryUnavailableError, loadSqlite, type SqliteDatabase } from './sqlite';
import { entryOf, OUTBOX_KEPT_DAYS, OUTBOX_MAX_ROWS, parseEntryItems, planTake, settle, type EntryRow } from './outbox';
import type { ChangeKind, FindingChange, HistoryStore, OutboxPlan, OutboxTake, OutboxTakeOptions, PendingEntry, RecordOptions, RunComparison, RunSummary } from './types';

export { HistoryUnavailableError } from './sqlite';
export { asyncHistory } from './types';

/** The history can't be read or written as asked: the message says why (exit 2). */
export class HistoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryError';
  }
}

/** Reading a history that has never been written: no database file at `path`. */
export class HistoryMissingError extends HistoryError {
  constructor(readonly path: string) {
    super(`no runs recorded yet: there is no history database at ${path}`);
    this.name = 'HistoryMissingError';
  }
}

/** `--db`, else CLOUDCONFORM_DB, else $XDG_DATA_HOME/cloudconform/history.db, else ~/.local/share/cloudconform/history.db. */
export function defaultHistoryPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLOUDCONFORM_DB) return env.CLOUDCONFORM_DB;
  // The XDG spec: a relative XDG_DATA_HOME is invalid and ignored.
  const data = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(env.HOME || homedir(), '.local', 'share');
  return join(data, 'cloudconform', 'history.db');
}

/** A writer waits this long for another process's transaction (a 50,000-finding run records in about a second). */
const WRITE_BUSY_TIMEOUT_MS = 30_000;
const READ_BUSY_TIMEOUT_MS = 10_000;

/** The oldest schema read as it is (commands that only read never migrate). */
const READABLE_FROM = 1;

export function openHistory(options: { path: string; readonly?: boolean }): HistoryStore {
  const { path } = options;
  const readonly = options.readonly === true;
  const Database = loadSqlite();
  let st = statOrUndefined(path, readonly);
  if (!st) {
    if (readonly) throw new HistoryMissingError(path);
    createFile(path);
    st = lstatSync(path);
  }
  if (st.isSymbolicLink()) throw new HistoryError(`${path} is a symbolic link: the history is not written through one (give the file it points to with --db)`);
  if (st.isDirectory()) throw new HistoryError(`${path} is a directory, not a history database`);
  if (!st.isFile()) throw new HistoryError(`${path} is not a regular file, not a history database`);
  if (!readonly && typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new HistoryError(`${path} belongs to another user: the history is not written into it (its owner could read what is recorded)`);
  }
  // Others who can write the file can rewrite the history (failures turned resolved, markup for
  // the readers); SQLite's side files are opened without our checks (red team: another user's
  // planted -wal received the history). Refused, for reading too: what it says can't be trusted.
  if ((st.mode & 0o022) !== 0) throw new HistoryError(`${path} can be written by other users (mode ${(st.mode & 0o777).toString(8)}): not used; chmod 600 it if it is yours`);
  for (const side of [`${path}-wal`, `${path}-shm`]) {
    let s;
    try {
      s = lstatSync(side);
    } catch {
      continue;
    }
    if (s.isSymbolicLink() || !s.isFile() || (typeof process.getuid === 'function' && s.uid !== process.getuid() && s.uid !== st.uid) || (s.mode & 0o022) !== 0) {
      throw new HistoryError(`${side} is not the history's own file (a link, another user's, or writable by others): the history is not opened`);
    }
  }
  let db: SqliteDatabase;
  try {
    db = new Database(path, { readonly, fileMustExist: true, timeout: readonly ? READ_BUSY_TIMEOUT_MS : WRITE_BUSY_TIMEOUT_MS });
  } catch (e) {
    throw sqliteError(path, e);
  }
  try {
    const empty = prepareSchema(db, path, readonly, st.size === 0);
    return new SqliteHistory(db, path, empty);
  } catch (e) {
    db.close();
    throw e instanceof HistoryError ? e : sqliteError(path, e);
  }
}

/** lstat for writing (a link is refused), stat for reading (reading through a link is harmless). */
function statOrUndefined(path: string, readonly: boolean) {
  try {
    return readonly ? statSync(path) : lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HistoryError(`${path}: ${(e as Error).message}`);
  }
}

/** A new, empty database file, 0600, its directory made 0700; O_EXCL: never through a link planted meanwhile. */
function createFile(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'wx', 0o600));
  } catch (e) {
    // Another process created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new HistoryError(`can't create the history database ${path}: ${(e as Error).message}`);
  }
}

/**
 * Checks (reading) or brings up to date (writing) the schema. Returns true for a file that holds
 * no history yet (read only: nothing to read).
 */
function prepareSchema(db: SqliteDatabase, path: string, readonly: boolean, emptyFile: boolean): boolean {
  const check = (): number => {
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() as number;
    // Ours has tables and indexes only: a view or trigger is someone else's code that every query
    // would run (red team: `runs` made a recursive view hung every command at 100% CPU).
    if ((db.prepare("SELECT count(*) FROM sqlite_schema WHERE type IN ('view', 'trigger')").pluck().get() as number) > 0) {
      throw new HistoryError(`${path} is not a cloudconform history database (it holds views or triggers, which ours never has): it is not used`);
    }
    if (appId !== APPLICATION_ID && (appId !== 0 || tables > 0 || version !== 0)) {
      throw new HistoryError(`${path} is not a cloudconform history database (another program's SQLite file): it is left as it is; give another file with --db`);
    }
    if (version > MIGRATIONS.length) {
      throw new HistoryError(
        `${path} was written by a newer cloudconform (history schema ${version}; this version reads up to ${MIGRATIONS.length}): upgrade cloudconform, or give another file with --db`,
      );
    }
    return version;
  };
  if (readonly) {
    if (emptyFile) return true;
    const version = check();
    // Reading needs version 1's tables only (version 2 added the outbox, which only recording uses).
    if (version < READABLE_FROM) {
      if (version === 0) return true;
      throw new HistoryError(`${path} has an older history schema (${version}): record a run (scan or audit) with this version to bring it up to date`);
    }
    return false;
  }
  // Checked before anything is written: another program's database must stay as it was (WAL mode
  // alone rewrites its header). A file with tables and no id yet may be another cloudconform
  // creating it this moment: asked again a few times before it is taken for another program's
  // (two processes creating one database: the second failed, about one run in two under load).
  for (let attempt = 0; ; attempt++) {
    try {
      check();
      break;
    } catch (e) {
      if (attempt >= 20 || !(e instanceof HistoryError) || (db.pragma('application_id', { simple: true }) as number) !== 0) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  if ((db.pragma('journal_mode', { simple: true }) as string) !== 'wal') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Checked and migrated under the write lock: two processes creating the database at once.
  db.transaction(() => {
    const version = check();
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    if (version < MIGRATIONS.length) {
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${MIGRATIONS.length}`);
    }
  }).immediate();
  return false;
}

/** What a lazy finding stands for: its body, read by `load` on first use. */
interface LazyTarget {
  id: number;
  load: (id: number) => Finding;
  real?: Finding;
}

const LAZY_TARGET = Symbol('lazy finding');

const realOf = (t: LazyTarget): Finding => (t.real ??= t.load(t.id));

/**
 * A finding read from the database on first use: a Proxy whose handler parses its body when a
 * property is first read, listed or written, and from then on is that object (JSON.stringify,
 * spreading and Object.keys see the finding). One shared handler: no closures per finding.
 */
const LAZY_HANDLER: ProxyHandler<LazyTarget> = {
  get: (t, p) => (p === LAZY_TARGET ? t : Reflect.get(realOf(t), p)),
  set: (t, p, v) => Reflect.set(realOf(t), p, v),
  has: (t, p) => Reflect.has(realOf(t), p),
  ownKeys: (t) => Reflect.ownKeys(realOf(t)),
  getOwnPropertyDescriptor: (t, p) => Reflect.getOwnPropertyDescriptor(realOf(t), p),
  deleteProperty: (t, p) => Reflect.deleteProperty(realOf(t), p),
  defineProperty: (t, p, d) => Reflect.defineProperty(realOf(t), p, d),
};

/** The real finding behind a lazy one (read now if it wasn't); any other finding as it is. */
function materialize(f: Finding): Finding {
  const t = (f as unknown as Record<symbol, LazyTarget | undefined>)[LAZY_TARGET];
  return t ? realOf(t) : f;
}

function sqliteError(path: string, e: unknown): Error {
  const code = (e as { code?: string }).code ?? '';
  if (e instanceof HistoryError || e instanceof HistoryUnavailableError) return e;
  if (code === 'SQLITE_NOTADB') return new HistoryError(`${path} is not a SQLite database (or is encrypted): it is left as it is; give another file with --db`);
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new HistoryError(`${path} is corrupt (${(e as Error).message}): cloudconform never resets it; move it aside to start a new history, or restore a backup`);
  }
  if (code.startsWith('SQLITE_BUSY')) return new HistoryError(`${path} is busy: another process kept it locked too long (${(e as Error).message})`);
  if (code.startsWith('SQLITE_')) return new HistoryError(`${path}: ${(e as Error).message} (${code})`);
  return e as Error;
}

interface RunRow {
  seq: number;
  info: string;
  meta: string;
  summary: string;
  counts: string;
  previous_seq: number | null;
  findings: Uint8Array;
  change_kinds: Uint8Array;
  change_now: Uint8Array;
  change_before: Uint8Array;
}

interface StateRow {
  run_seq: number;
  info: string;
  bodies: Uint8Array;
  standings: Uint8Array;
  since: Uint8Array;
  since_runs: string;
  keys: Uint8Array;
  hashes: Uint8Array;
}

class SqliteHistory implements HistoryStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly path: string,
    /** Read only, and the file holds no history yet. */
    private readonly empty: boolean,
  ) {}

  record(report: ScanReport, options: RecordOptions = {}): RunComparison {
    const run = report.run;
    if (!run) {
      throw new HistoryError('the report has no run (it was written before cloudconform 0.2, or merged by hand): it can\'t be recorded in the history');
    }
    return this.guard(() =>
      this.db
        .transaction(() => {
          const comparison = this.recordInTransaction(report, run, options);
          this.enqueue(run, comparison, options.outbox);
          return comparison;
        })
        .immediate(),
    );
  }

  /** The run's notifications, pending per channel (same transaction as the run); expired entries of the scope's other channels go. */
  private enqueue(run: RunInfo, comparison: RunComparison, plan: OutboxPlan | undefined): void {
    const cutoff = new Date(Date.parse(run.startedAt) - OUTBOX_KEPT_DAYS * 86_400_000).toISOString();
    const channels = (plan?.channels ?? []).map((c) => Buffer.from(c, 'hex'));
    // A channel no longer given would never take its entries: they go once expired (given ones report theirs when taken).
    const stale = this.db.prepare('SELECT id, channel FROM outbox WHERE scope_key = ? AND started_at < ?').all(run.scope.key, cutoff) as { id: number; channel: Uint8Array }[];
    const remove = this.db.prepare('DELETE FROM outbox WHERE id = ?');
    for (const row of stale) if (!channels.some((c) => c.equals(row.channel))) remove.run(row.id);
    const items = plan ? plan.select(comparison) : [];
    if (items.length === 0) return;
    const { json, n, dropped } = entryOf(items);
    const insert = this.db.prepare('INSERT INTO outbox (scope_key, channel, run_id, started_at, n, dropped, items) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const channel of channels) insert.run(run.scope.key, channel, run.id, run.startedAt, n, dropped, json);
  }

  pending(scopeKey: string, channel: string, options: OutboxTakeOptions): OutboxTake {
    if (this.empty) return { entries: [], dropped: 0, expired: 0, settled: 0 };
    return this.guard(() =>
      this.db
        .transaction((): OutboxTake => {
          const ch = Buffer.from(channel, 'hex');
          const rows = (
            this.db.prepare('SELECT id, run_id, started_at, n, dropped FROM outbox WHERE scope_key = ? AND channel = ? ORDER BY started_at, id LIMIT ?').all(scopeKey, ch, OUTBOX_MAX_ROWS) as {
              id: number;
              run_id: string;
              started_at: string;
              n: number;
              dropped: number;
            }[]
          ).map((r): EntryRow => ({ id: String(r.id), runId: r.run_id, startedAt: r.started_at, n: r.n, dropped: r.dropped }));
          const plan = planTake(rows, options.runId, options.now);
          const remove = this.db.prepare('DELETE FROM outbox WHERE id = ?');
          for (const id of plan.remove) remove.run(Number(id));
          const read = this.db.prepare('SELECT items FROM outbox WHERE id = ?').pluck();
          const entries: PendingEntry[] = [];
          for (const row of plan.take) {
            const items = parseEntryItems(read.get(Number(row.id)) as string, row.n);
            // Not ours (the file was edited): dropped, counted, never sent.
            if (!items) {
              remove.run(Number(row.id));
              plan.dropped += row.n;
              continue;
            }
            entries.push({ id: row.id, runId: row.runId, startedAt: row.startedAt, items });
          }
          const standings = this.standings(scopeKey, entries, options.runId);
          const settled = settle(entries, options.runId, (i) => standings.get(i.key));
          return { entries, dropped: plan.dropped, expired: plan.expired, settled };
        })
        .immediate(),
    );
  }

  /** The scope's standing now of the late entries' finding keys. */
  private standings(scopeKey: string, entries: PendingEntry[], runId: string | undefined): Map<string, Standing> {
    const wanted = new Set(entries.filter((e) => e.runId !== runId).flatMap((e) => e.items.map((i) => i.key)));
    const out = new Map<string, Standing>();
    if (wanted.size === 0) return out;
    const row = this.db.prepare('SELECT standings, keys FROM scope_state WHERE scope_key = ?').get(scopeKey) as { standings: Uint8Array; keys: Uint8Array } | undefined;
    if (!row) return out;
    const standings = decodeInts(row.standings);
    const keys = Buffer.from(row.keys);
    for (let i = 0; i < standings.length; i++) {
      const key = keys.toString('hex', i * 32, i * 32 + 32);
      if (wanted.has(key)) out.set(key, STANDINGS[standings[i]!]!);
    }
    return out;
  }

  delivered(scopeKey: string, channel: string, entryIds: readonly string[]): void {
    if (entryIds.length === 0) return;
    this.guard(() => {
      const remove = this.db.prepare('DELETE FROM outbox WHERE scope_key = ? AND channel = ? AND id = ?');
      const ch = Buffer.from(channel, 'hex');
      this.db.transaction(() => {
        for (const id of entryIds) remove.run(scopeKey, ch, Number(id));
      })();
    });
  }

  private recordInTransaction(report: ScanReport, run: RunInfo, options: ClassifyOptions): RunComparison {
    const db = this.db;
    if (db.prepare('SELECT 1 FROM runs WHERE id = ?').get(run.id)) throw new HistoryError(`run ${run.id} is already recorded in ${this.path}`);
    const previous = db
      .prepare('SELECT s.run_seq, r.info, s.bodies, s.standings, s.since, s.since_runs, s.keys, s.hashes FROM scope_state s JOIN runs r ON r.seq = s.run_seq WHERE s.scope_key = ?')
      .get(run.scope.key) as StateRow | undefined;
    // Body ids of the finding objects classify hands back (the previous state's and this
    // report's), and each body's hash.
    const ids = new Map<Finding, number>();
    /** Each body's hash: new ones as buffers, the previous state's as offsets into its hash list (no 50,000 small buffers). */
    const hashOf = new Map<number, Buffer>();
    const previousHashAt = new Map<number, number>();
    let previousHashes = Buffer.alloc(0);
    const sameHash = (id: number, hash: Buffer): boolean => {
      const at = previousHashAt.get(id);
      return at !== undefined ? previousHashes.compare(hash, 0, 32, at, at + 32) === 0 : hashOf.get(id)?.equals(hash) === true;
    };
    let previousState: StateEntry[] | undefined;
    if (previous) {
      const bodyIds = decodeInts(previous.bodies);
      const standings = decodeInts(previous.standings);
      const since = decodeInts(previous.since);
      const sinceRuns = JSON.parse(previous.since_runs) as string[];
      const keys = Buffer.from(previous.keys);
      const hashes = (previousHashes = Buffer.from(previous.hashes));
      if (keys.length !== bodyIds.length * 32 || hashes.length !== bodyIds.length * 32 || standings.length !== bodyIds.length || since.length !== bodyIds.length) {
        throw new HistoryError(`${this.path} is damaged: the state of scope ${run.scope.key} is inconsistent; move the file aside to start a new history`);
      }
      const body = db.prepare('SELECT body FROM bodies WHERE id = ?').pluck();
      const readBody = (id: number): Finding => {
        const json = body.get(id) as string | undefined;
        if (json === undefined) throw new HistoryError(`${this.path} is damaged: a recorded finding is missing; move it aside to start a new history`);
        return JSON.parse(json) as Finding;
      };
      previousState = bodyIds.map((id, i) => {
        // Read only if classify looks inside (a key this run did not see): most previous
        // findings are only handed on as `previous`, and reading 50,000 bodies doubled the time.
        const finding = new Proxy({ id, load: readBody }, LAZY_HANDLER) as unknown as Finding;
        ids.set(finding, id);
        previousHashAt.set(id, i * 32);
        return { key: keys.toString('hex', i * 32, i * 32 + 32), finding, standing: STANDINGS[standings[i]!]!, since: sinceRuns[since[i]!]! };
      });
    }
    const previousRun = previous ? (JSON.parse(previous.info) as RunInfo) : undefined;
    const { comparison, state } = classify(previousState, previousRun, report, options);

    const findBody = db.prepare('SELECT id FROM bodies WHERE hash = ?').pluck();
    const addBody = db.prepare('INSERT INTO bodies (hash, key, body) VALUES (?, ?, ?)');
    const bodyId = (finding: Finding, key: string, before?: Finding): number => {
      const known = ids.get(finding);
      if (known !== undefined) return known;
      const json = JSON.stringify(finding);
      const hash = createHash('sha256').update(json).digest();
      // Most findings are as the previous run saw them: the same body, found without a query.
      const previousId = before === undefined ? undefined : ids.get(before);
      let id = previousId !== undefined && sameHash(previousId, hash) ? previousId : undefined;
      id ??= (findBody.get(hash) as number | undefined) ?? Number(addBody.run(hash, Buffer.from(key, 'hex'), json).lastInsertRowid);
      ids.set(finding, id);
      hashOf.set(id, hash);
      return id;
    };
    const kinds: number[] = [];
    const now: number[] = [];
    const before: number[] = [];
    for (const c of comparison.changes) {
      kinds.push(CHANGE_KINDS.indexOf(c.change));
      now.push(bodyId(c.finding, c.key, c.previous));
      before.push(c.previous ? bodyId(c.previous, c.key) : 0);
      // The comparison handed back holds no lazy finding (it outlives the connection): the same
      // body as now is the finding itself, another one is read now (only what changed).
      c.finding = materialize(c.finding);
      if (c.previous) c.previous = now.at(-1) === before.at(-1) ? c.finding : materialize(c.previous);
    }
    // Findings classify set aside (a second finding with the same key) still get their body.
    // Stored as references into the changes (j + 1: the finding of change j), which list nearly
    // every finding in nearly the same order, so the list compresses to almost nothing; a finding
    // not among them as its body id, negated. (As body ids, 1,000 runs of 50,000 findings took
    // 110 MB for this list, and as much again for the previous bodies below.)
    const changeIndex = new Map<Finding, number>();
    comparison.changes.forEach((c, j) => changeIndex.set(c.finding, j));
    const findingRefs = report.findings.map((f) => {
      const j = changeIndex.get(f);
      return j !== undefined ? j + 1 : -(ids.get(f) ?? bodyId(f, findingKey(f)));
    });
    // The previous body: 0 none, 1 the same body as now (most), else its id + 1.
    const beforeRefs = before.map((b, i) => (b === 0 ? 0 : b === now[i] ? 1 : b + 1));
    const sinceRuns: string[] = [];
    const sinceIndex = new Map<string, number>();
    const stateSince = state.map((e) => {
      let i = sinceIndex.get(e.since);
      if (i === undefined) sinceIndex.set(e.since, (i = sinceRuns.push(e.since) - 1));
      return i;
    });
    const stateBodies = state.map((e) => bodyId(e.finding, e.key));

    const stateKeys = Buffer.alloc(state.length * 32);
    const stateHashes = Buffer.alloc(state.length * 32);
    state.forEach((e, i) => {
      stateKeys.write(e.key, i * 32, 32, 'hex');
      const id = stateBodies[i]!;
      const at = previousHashAt.get(id);
      if (at !== undefined) previousHashes.copy(stateHashes, i * 32, at, at + 32);
      else hashOf.get(id)!.copy(stateHashes, i * 32);
    });
    const meta = JSON.stringify({ ...report, findings: [] });
    const seq = Number(
      db
        .prepare(
          `INSERT INTO runs (id, scope_key, command, started_at, info, meta, summary, counts, previous_seq, findings, change_kinds, change_now, change_before)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          run.id,
          run.scope.key,
          run.command,
          run.startedAt,
          JSON.stringify(run),
          meta,
          JSON.stringify(report.summary),
          JSON.stringify(comparison.counts),
          previous?.run_seq ?? null,
          encodeInts(findingRefs),
          encodeInts(kinds),
          encodeInts(now),
          encodeInts(beforeRefs),
        ).lastInsertRowid,
    );
    db.prepare(
      `INSERT INTO scope_state (scope_key, run_seq, bodies, standings, since, since_runs, keys, hashes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope_key) DO UPDATE SET run_seq = excluded.run_seq, bodies = excluded.bodies, standings = excluded.standings,
         since = excluded.since, since_runs = excluded.since_runs, keys = excluded.keys, hashes = excluded.hashes`,
    ).run(
      run.scope.key,
      seq,
      encodeInts(stateBodies),
      encodeInts(state.map((e) => STANDINGS.indexOf(e.standing))),
      encodeInts(stateSince),
      JSON.stringify(sinceRuns),
      stateKeys,
      stateHashes,
    );
    return comparison;
  }

  runs(options: { scopeKey?: string; limit?: number } = {}): RunSummary[] {
    if (this.empty) return [];
    return this.guard(() => {
      const limit = options.limit ?? -1;
      const rows = (
        options.scopeKey === undefined
          ? this.db.prepare('SELECT info, summary, counts FROM runs ORDER BY started_at DESC, seq DESC LIMIT ?').all(limit)
          : this.db.prepare('SELECT info, summary, counts FROM runs WHERE scope_key = ? ORDER BY started_at DESC, seq DESC LIMIT ?').all(options.scopeKey, limit)
      ) as { info: string; summary: string; counts: string }[];
      return rows.map((r) => ({
        run: JSON.parse(r.info) as RunInfo,
        summary: JSON.parse(r.summary) as ReportSummary,
        changes: { ...emptyCounts(), ...(JSON.parse(r.counts) as Record<ChangeKind, number>) },
      }));
    });
  }

  report(runId: string): ScanReport | undefined {
    const row = this.row(runId);
    if (!row) return undefined;
    return this.guard(() => {
      const now = decodeInts(row.change_now);
      const ids = decodeInts(row.findings).map((v) => {
        if (v > 0 && v <= now.length) return now[v - 1]!;
        if (v < 0) return -v;
        throw new RangeError('a finding reference out of range');
      });
      const bodies = this.bodies(ids);
      const report = JSON.parse(row.meta) as ScanReport;
      // A finding that appears twice in the report is given back as two objects, as it was.
      const given = new Set<number>();
      report.findings = ids.map((id) => {
        const finding = bodies.get(id)!.finding;
        if (given.has(id)) return structuredClone(finding);
        given.add(id);
        return finding;
      });
      return report;
    });
  }

  comparison(runId: string): RunComparison | undefined {
    const row = this.row(runId);
    if (!row) return undefined;
    return this.guard(() => {
      const kinds = decodeInts(row.change_kinds);
      const now = decodeInts(row.change_now);
      const before = decodeInts(row.change_before).map((b, i) => (b === 0 ? 0 : b === 1 ? now[i]! : b - 1));
      if (kinds.length !== now.length || before.length !== now.length) throw new RangeError('change lists of different lengths');
      const bodies = this.bodies([...now, ...before.filter((id) => id !== 0)]);
      const changes: FindingChange[] = kinds.map((kind, i) => {
        const body = bodies.get(now[i]!)!;
        const change: FindingChange = { key: body.key, change: CHANGE_KINDS[kind]!, finding: body.finding };
        if (before[i] !== 0) change.previous = bodies.get(before[i]!)!.finding;
        return change;
      });
      const previous =
        row.previous_seq === null ? undefined : (this.db.prepare('SELECT info FROM runs WHERE seq = ?').pluck().get(row.previous_seq) as string | undefined);
      return {
        ...(previous !== undefined ? { previous: JSON.parse(previous) as RunInfo } : {}),
        current: JSON.parse(row.info) as RunInfo,
        changes,
        counts: { ...emptyCounts(), ...(JSON.parse(row.counts) as Record<ChangeKind, number>) },
      };
    });
  }

  close(): void {
    this.db.close();
  }

  private row(runId: string): RunRow | undefined {
    if (this.empty) return undefined;
    return this.guard(() => this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow | undefined);
  }

  /** Finding bodies by id, each parsed once; a missing one means the file was damaged. */
  private bodies(ids: readonly number[]): Map<number, { key: string; finding: Finding; json: string }> {
    const out = new Map<number, { key: string; finding: Finding; json: string }>();
    const wanted = [...new Set(ids)];
    const select = this.db.prepare('SELECT id, key, body FROM bodies WHERE id IN (SELECT value FROM json_each(?))');
    // In slices: one statement per 10,000 ids (json_each of a 50,000-id array is as fast, but bounded is kinder to memory).
    for (let i = 0; i < wanted.length; i += 10_000) {
      for (const row of select.all(JSON.stringify(wanted.slice(i, i + 10_000))) as { id: number; key: Uint8Array; body: string }[]) {
        out.set(row.id, { key: Buffer.from(row.key).toString('hex'), finding: JSON.parse(row.body) as Finding, json: row.body });
      }
    }
    if (out.size !== wanted.length) throw new HistoryError(`${this.path} is damaged: ${wanted.length - out.size} recorded findings are missing; move it aside to start a new history`);
    return out;
  }

  /** SQLite's errors as HistoryErrors that name the file. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof RangeError || (e as { code?: string }).code === 'Z_DATA_ERROR' || e instanceof SyntaxError) {
        throw new HistoryError(`${this.path} is damaged (${(e as Error).message}): move it aside to start a new history`);
      }
      throw sqliteError(this.path, e);
    }
  }
}
