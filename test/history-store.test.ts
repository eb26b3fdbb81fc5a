// The history database (src/history/store.ts) on real SQLite files in temporary directories.
// Attack cases first: files that are not ours (a link, a directory, another program's database,
// a newer schema, a damaged file) are refused with a clear error and left byte for byte as they
// were; two processes recording at once both succeed; a write interrupted (an exception inside
// the transaction, a process killed mid-write) leaves the previous state intact.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createDeflateRaw, deflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHistoryPath, HistoryError, HistoryMissingError, openHistory } from '../src/history/store';
import { findingKey, type Finding, type ScanReport } from '../src/model/report';
import { fileFinding, report } from './helpers/history-fixtures';

const work = mkdtempSync(join(tmpdir(), 'cc-history-store-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = (name = 'h.db') => {
  const dir = join(work, `d${n++}`);
  mkdirSync(dir);
  return join(dir, name);
};

function recordAll(path: string, ...reports: ScanReport[]) {
  const store = openHistory({ path });
  try {
    return reports.map((r) => store.record(r));
  } finally {
    store.close();
  }
}

function read<T>(path: string, fn: (store: ReturnType<typeof openHistory>) => T): T {
  const store = openHistory({ path, readonly: true });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

const evaluated = (...files: string[]) => ({ files });

test('attack: a database path that is a symbolic link is not written through (the target, existing or not, is untouched)', () => {
  const target = fresh('victim.txt');
  writeFileSync(target, 'precious\n');
  const link = join(work, `link${n++}.db`);
  symlinkSync(target, link);
  assert.throws(() => recordAll(link, report([], evaluated())), (e: Error) => e instanceof HistoryError && /symbolic link/.test(e.message));
  assert.equal(readFileSync(target, 'utf8'), 'precious\n');
  // A dangling link: SQLite would create the file it points to.
  const nowhere = join(work, `nowhere${n++}.db`);
  const dangling = join(work, `dangling${n++}.db`);
  symlinkSync(nowhere, dangling);
  assert.throws(() => recordAll(dangling, report([], evaluated())), /symbolic link/);
  assert.equal(existsSync(nowhere), false);
});

test('attack: a database path that is a directory is a clear error', () => {
  const dir = fresh('isdir.db');
  mkdirSync(dir);
  assert.throws(() => recordAll(dir, report([], evaluated())), (e: Error) => e instanceof HistoryError && /is a directory/.test(e.message));
  assert.throws(() => read(dir, (s) => s.runs()), /is a directory/);
});

test('attack: a database from a newer schema is refused, reading and writing, and left unchanged', () => {
  const path = fresh();
  recordAll(path, report([fileFinding('a.yaml', 'Nb', 'fail')], evaluated('a.yaml')));
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(path);
  db.pragma('user_version = 99');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const before = readFileSync(path);
  assert.throws(() => recordAll(path, report([], evaluated(), { minutes: 1 })), (e: Error) => e instanceof HistoryError && /newer cloudconform \(history schema 99; this version reads up to 2\)/.test(e.message));
  assert.throws(() => read(path, (s) => s.runs()), /newer cloudconform/);
  assert.deepEqual(readFileSync(path), before);
});

test('attack: a file that is not SQLite, another program\'s SQLite database, and a truncated history are refused, never reset', () => {
  const text = fresh();
  writeFileSync(text, 'not a database at all, but somebody\'s notes\n'.repeat(100));
  const textBefore = readFileSync(text);
  assert.throws(() => recordAll(text, report([], evaluated())), (e: Error) => e instanceof HistoryError && /is not a SQLite database/.test(e.message));
  assert.throws(() => read(text, (s) => s.runs()), /is not a SQLite database/);
  assert.deepEqual(readFileSync(text), textBefore);

  const other = fresh();
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(other);
  db.exec('CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES (\'Ada\')');
  db.close();
  const otherBefore = readFileSync(other);
  assert.throws(() => recordAll(other, report([], evaluated())), /not a cloudconform history database/);
  assert.throws(() => read(other, (s) => s.runs()), /not a cloudconform history database/);
  assert.deepEqual(readFileSync(other), otherBefore);

  // A history cut short (a copy interrupted): its pages past the cut are gone.
  const cut = fresh();
  const many = Array.from({ length: 3000 }, (_, i) => fileFinding(`f${i}.yaml`, `Nb${i}`, 'fail', { message: `a message long enough to fill pages ${i} `.repeat(4) }));
  recordAll(cut, report(many, evaluated(...many.map((f) => f.location.file))));
  const cdb = new Database(cut);
  cdb.pragma('wal_checkpoint(TRUNCATE)');
  cdb.close();
  truncateSync(cut, Math.floor(statSync(cut).size / 2));
  const cutBefore = readFileSync(cut);
  const errors: string[] = [];
  for (const attempt of [() => read(cut, (s) => s.report(s.runs()[0]!.run.id)), () => recordAll(cut, report(many, evaluated(), { minutes: 1 }))]) {
    try {
      attempt();
      errors.push('no error');
    } catch (e) {
      assert.ok(e instanceof HistoryError, String(e));
      errors.push(e.message);
    }
  }
  for (const m of errors) assert.match(m, /corrupt|damaged|malformed/, m);
  assert.deepEqual(readFileSync(cut), cutBefore);
});

test('attack: a database file another user owns is not written into, even by root (its owner could read what is recorded)', { skip: process.getuid?.() !== 0 ? 'needs root to give a file to another user' : false }, () => {
  const path = fresh();
  recordAll(path, report([], evaluated()));
  chownSync(path, 1000, 1000);
  const before = readFileSync(path);
  assert.throws(() => recordAll(path, report([], evaluated(), { minutes: 1 })), (e: Error) => e instanceof HistoryError && /belongs to another user/.test(e.message));
  assert.deepEqual(readFileSync(path), before);
  // Reading it is harmless (everything shown is escaped).
  assert.equal(read(path, (s) => s.runs()).length, 1);
});

test('reading a history that does not exist says so and creates nothing', () => {
  const dir = join(work, `absent${n++}`);
  const path = join(dir, 'history.db');
  assert.throws(() => openHistory({ path, readonly: true }), (e: Error) => e instanceof HistoryMissingError && /no runs recorded yet/.test(e.message));
  assert.equal(existsSync(dir), false);
});

test('a new database is created 0600 (and its WAL files), in a directory created 0700', () => {
  const dir = join(work, `new${n++}`, 'cloudconform');
  const path = join(dir, 'history.db');
  const old = process.umask(0o022);
  try {
    const store = openHistory({ path });
    store.record(report([fileFinding('a.yaml', 'Nb', 'fail')], evaluated('a.yaml')));
    for (const f of [path, `${path}-wal`, `${path}-shm`]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
    store.close();
  } finally {
    process.umask(old);
  }
  assert.equal(statSync(dir).mode & 0o777, 0o700);
});

test('defaultHistoryPath: CLOUDCONFORM_DB, else $XDG_DATA_HOME/cloudconform/history.db (absolute only), else ~/.local/share', () => {
  assert.equal(defaultHistoryPath({ CLOUDCONFORM_DB: '/x/h.db', XDG_DATA_HOME: '/data' }), '/x/h.db');
  assert.equal(defaultHistoryPath({ XDG_DATA_HOME: '/data' }), '/data/cloudconform/history.db');
  assert.equal(defaultHistoryPath({ XDG_DATA_HOME: 'relative', HOME: '/home/u' }), '/home/u/.local/share/cloudconform/history.db');
  assert.equal(defaultHistoryPath({ HOME: '/home/u' }), '/home/u/.local/share/cloudconform/history.db');
});

test('a report without a run (written before 0.2) is refused with a clear message', () => {
  const path = fresh();
  const old = report([fileFinding('a.yaml', 'Nb', 'fail')], evaluated('a.yaml'));
  delete old.run;
  assert.throws(() => recordAll(path, old), /has no run .*can't be recorded/);
  assert.deepEqual(read(path, (s) => s.runs()), []);
});

test('a recorded run reads back as it was recorded: its report, its comparison, its summary; newest first, by scope', () => {
  const path = fresh();
  const a = fileFinding('a.yaml', 'NbA', 'fail');
  const b = fileFinding('b.yaml', 'NbB', 'fail');
  const c = fileFinding('c.yaml', 'NbC', 'pass');
  // A second finding with a's key (should not happen; kept as recorded all the same).
  const aAgain = { ...a, message: 'the same key again' };
  const first = report([a, aAgain, b, c], evaluated('a.yaml', 'b.yaml', 'c.yaml'), { minutes: 0 });
  first.notes = [{ message: 'a note', file: 'a.yaml' }];
  first.warnings = [{ file: 'a.yaml', message: 'a warning', resourceType: 'AWS::EC2::Instance' }];
  // b is fixed, c regresses, d is new; a is not read this time (not evaluated, carried over).
  const b2 = fileFinding('b.yaml', 'NbB', 'pass');
  const c2 = fileFinding('c.yaml', 'NbC', 'fail');
  const d = fileFinding('d.yaml', 'NbD', 'fail');
  const second = report([b2, c2, d], evaluated('b.yaml', 'c.yaml', 'd.yaml'), { minutes: 1 });
  const other = report([a], evaluated('a.yaml'), { minutes: 2, scope: 'scan:other' });
  const [cmp1, cmp2, cmp3] = recordAll(path, first, second, other);
  assert.equal(cmp1!.counts.new, 2);
  assert.equal(cmp1!.previous, undefined);
  const kinds = Object.fromEntries(cmp2!.changes.map((ch) => [ch.finding.resource.id, ch.change]));
  assert.deepEqual(kinds, { NbA: 'not-evaluated', NbB: 'resolved', NbC: 'regressed', NbD: 'new' });
  assert.equal(cmp3!.counts.new, 1, 'another scope is compared with its own runs only');

  read(path, (s) => {
    assert.deepEqual(s.report(first.run!.id), JSON.parse(JSON.stringify(first)));
    assert.deepEqual(s.report(second.run!.id), JSON.parse(JSON.stringify(second)));
    assert.deepEqual(s.comparison(second.run!.id), JSON.parse(JSON.stringify(cmp2)));
    assert.deepEqual(s.comparison(first.run!.id), JSON.parse(JSON.stringify(cmp1)));
    assert.equal(s.report('20260101T000000Z-ffffffff'), undefined);
    assert.equal(s.comparison('nope'), undefined);
    assert.deepEqual(s.runs().map((r) => r.run.id), [other.run!.id, second.run!.id, first.run!.id]);
    assert.deepEqual(s.runs({ scopeKey: 'scan:repo' }).map((r) => r.run.id), [second.run!.id, first.run!.id]);
    assert.deepEqual(s.runs({ limit: 1 }).map((r) => r.run.id), [other.run!.id]);
    const listed = s.runs({ scopeKey: 'scan:repo' })[0]!;
    assert.deepEqual(listed.summary, second.summary);
    assert.equal(listed.changes.regressed, 1);
    assert.equal(listed.changes.resolved, 1);
    assert.equal(listed.changes['not-evaluated'], 1);
  });

  // The state survives closing: a later run that reads a.yaml again sees it still failing, and
  // b failing again is regressed (resolved entries are kept for that).
  const b3 = fileFinding('b.yaml', 'NbB', 'fail');
  const [cmp4] = recordAll(path, report([a, b3], evaluated('a.yaml', 'b.yaml'), { minutes: 3 }));
  const kinds4 = Object.fromEntries(cmp4!.changes.map((ch) => [ch.finding.resource.id, ch.change]));
  assert.equal(kinds4.NbA, 'still-failing');
  assert.equal(kinds4.NbB, 'regressed');
  assert.equal(cmp4!.previous?.id, second.run!.id);
});

test('the same run recorded twice is refused, and the first stays', () => {
  const path = fresh();
  const r = report([fileFinding('a.yaml', 'Nb', 'fail')], evaluated('a.yaml'));
  recordAll(path, r);
  assert.throws(() => recordAll(path, r), /already recorded/);
  assert.equal(read(path, (s) => s.runs()).length, 1);
});

test('an error inside the transaction (a finding that cannot be stored) leaves the previous state intact', () => {
  const path = fresh();
  const a = fileFinding('a.yaml', 'NbA', 'fail');
  const first = report([a], evaluated('a.yaml'));
  recordAll(path, first);
  // Valid findings first, so bodies are written before the one that throws (a BigInt has no JSON).
  const good = Array.from({ length: 50 }, (_, i) => fileFinding(`g${i}.yaml`, `G${i}`, 'fail'));
  const bad = fileFinding('z.yaml', 'Bad', 'fail', { resource: { type: 'T', id: 'Bad', source: 'cloudformation', details: { n: 1n as unknown as string } } });
  const second = report([...good, bad], evaluated('a.yaml', 'z.yaml', ...good.map((f) => f.location.file)), { minutes: 1 });
  assert.throws(() => recordAll(path, second), /BigInt/);
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(path, { readonly: true });
  assert.equal(db.prepare('SELECT count(*) FROM bodies').pluck().get(), 1, 'no body of the failed run was kept');
  db.close();
  read(path, (s) => assert.deepEqual(s.runs().map((r) => r.run.id), [first.run!.id]));
  // The next run is classified against the first run's state: a is resolved (gone from a.yaml).
  const [cmp] = recordAll(path, report([], evaluated('a.yaml'), { minutes: 2 }));
  assert.equal(cmp!.previous?.id, first.run!.id);
  assert.deepEqual(cmp!.changes.map((c) => [c.key, c.change]), [[findingKey(a), 'resolved']]);
});

/** A child process that records `runs` reports of `count` findings each into `path`, printing `committed N` after each. */
function recorder(path: string, tag: string, runs: number, count: number) {
  const script = `
    import { openHistory } from ${JSON.stringify(new URL('../src/history/store.ts', import.meta.url).pathname)};
    import { fileFinding, report } from ${JSON.stringify(new URL('./helpers/history-fixtures.ts', import.meta.url).pathname)};
    const store = openHistory({ path: ${JSON.stringify(path)} });
    for (let i = 0; i < ${runs}; i++) {
      const findings = Array.from({ length: ${count} }, (_, j) => fileFinding('f' + j + '.yaml', '${tag}' + j, (i + j) % 3 === 0 ? 'pass' : 'fail', { message: 'run ' + i + ' finding ' + j }));
      const r = report(findings, { files: findings.map((f) => f.location.file) }, { scope: 'scan:${tag}', minutes: i });
      r.run.id += '-${tag}';
      console.log('start ' + i);
      store.record(r);
      console.log('committed ' + (i + 1));
    }
    store.close();
  `;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function finished(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('two processes recording into one database at once both succeed (WAL, busy timeout, one transaction each)', async () => {
  const path = fresh();
  const [one, two] = await Promise.all([finished(recorder(path, 'one', 15, 2000)), finished(recorder(path, 'two', 15, 2000))]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  read(path, (s) => {
    assert.equal(s.runs({ scopeKey: 'scan:one' }).length, 15);
    assert.equal(s.runs({ scopeKey: 'scan:two' }).length, 15);
    // Each scope's runs were classified against their own scope's previous run.
    const last = s.runs({ scopeKey: 'scan:one', limit: 1 })[0]!;
    const cmp = s.comparison(last.run.id)!;
    assert.equal(cmp.previous?.scope.key, 'scan:one');
    assert.equal(cmp.changes.length, 2000);
  });
});

test('a process killed mid-write leaves the database as the last committed run left it', async () => {
  const path = fresh();
  const child = recorder(path, 'k', 50, 20_000);
  let stdout = '';
  const killed = new Promise<void>((resolve) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      // Killed while its third run is being written (after two commits).
      if (/start 2\n/.test(stdout) && !child.killed) setTimeout(() => (child.kill('SIGKILL'), resolve()), 150);
    });
  });
  await killed;
  await new Promise((resolve) => child.on('close', resolve));
  const committed = Math.max(...[...stdout.matchAll(/committed (\d+)/g)].map((m) => Number(m[1])));
  assert.ok(committed >= 2, stdout);
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(path);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
  const runs = read(path, (s) => s.runs({ scopeKey: 'scan:k' }));
  assert.equal(runs.length, committed, `runs recorded: ${runs.length}, committed: ${committed}`);
  // The state is that of the last committed run: a new run is classified against it.
  const findings = Array.from({ length: 10 }, (_, j) => fileFinding(`f${j}.yaml`, `k${j}`, 'fail', { message: 'after' }));
  const [cmp] = recordAll(path, report(findings, { files: findings.map((f) => f.location.file) }, { scope: 'scan:k', minutes: 100 }));
  assert.equal(cmp!.previous?.id, runs[0]!.run.id);
  assert.equal(cmp!.counts.resolved + cmp!.counts['still-failing'] + cmp!.counts.regressed + cmp!.counts.new + cmp!.counts.unchanged > 0, true);
});

test('findings whose names hold markup, quotes, newlines and escapes are stored and read back exactly', () => {
  const path = fresh();
  const hostile = fileFinding('x\n"y".yaml', '<script>alert(1)</script>\u001b[31m\u202e=cmd|\' /C calc\'!A0', 'fail', { message: 'line1\nline2\u0000\u2028' });
  const r = report([hostile as Finding], evaluated('x\n"y".yaml'));
  recordAll(path, r);
  read(path, (s) => assert.deepEqual(s.report(r.run!.id)!.findings, [hostile]));
});

/** 1 GiB of zeros, deflated (about 1 MB), made a chunk at a time. */
async function deflateBomb(): Promise<Buffer> {
  const z = createDeflateRaw({ level: 1 });
  const out: Buffer[] = [];
  z.on('data', (d: Buffer) => out.push(d));
  const done = new Promise((resolve) => z.on('end', resolve));
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  for (let i = 0; i < 64; i++) if (!z.write(chunk)) await new Promise((resolve) => z.once('drain', resolve));
  z.end();
  await done;
  return Buffer.concat(out);
}

test('attack: a crafted database (a findings list that inflates to 1 GiB, or claims billions of entries, or is not deflate) is a clear error, in bounded memory', async () => {
  const path = fresh();
  const r = report([fileFinding('a.yaml', 'Nb', 'fail')], evaluated('a.yaml'));
  recordAll(path, r);
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const blobs = {
    bomb: await deflateBomb(),
    count: deflateRawSync(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])),
    garbage: Buffer.from('not deflate at all'),
  };
  for (const [name, blob] of Object.entries(blobs)) {
    const db = new Database(path);
    db.prepare('UPDATE runs SET findings = ?, change_now = ? WHERE id = ?').run(blob, blob, r.run!.id);
    db.close();
    global.gc?.();
    const before = process.memoryUsage().rss;
    assert.throws(() => read(path, (s) => s.report(r.run!.id)), (e: Error) => e instanceof HistoryError && /is damaged/.test(e.message), name);
    assert.throws(() => read(path, (s) => s.comparison(r.run!.id)), (e: Error) => e instanceof HistoryError && /is damaged/.test(e.message), name);
    const grew = process.memoryUsage().rss - before;
    assert.ok(grew < 512 * 1024 * 1024, `${name}: memory grew ${Math.round(grew / 1048576)} MB`);
  }
});

test('attack (red team): a database others can write, a planted side file, or one holding views or triggers is not used', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-hist-rt-'));
  try {
    const path = join(dir, 'h.db');
    openHistory({ path }).close();
    // Writable by others: anyone could rewrite the history.
    chmodSync(path, 0o666);
    assert.throws(() => openHistory({ path }), /can be written by other users \(mode 666\)/);
    assert.throws(() => openHistory({ path, readonly: true }), /can be written by other users/);
    chmodSync(path, 0o600);
    // A -wal planted as a link: SQLite would open it without our checks.
    symlinkSync(join(dir, 'elsewhere'), `${path}-wal`);
    assert.throws(() => openHistory({ path }), /-wal is not the history's own file/);
    rmSync(`${path}-wal`);
    // A view in place of a table: every query would run its (here endless) recursion.
    const { default: Database } = { default: createRequire(import.meta.url)('better-sqlite3') } as { default: new (p: string) => { exec(s: string): void; close(): void } };
    const raw = new Database(path);
    raw.exec('CREATE VIEW spin AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c');
    raw.close();
    assert.throws(() => openHistory({ path, readonly: true }), /holds views or triggers/);
    assert.throws(() => openHistory({ path }), /holds views or triggers/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
