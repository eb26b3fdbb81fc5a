// Recording runs and `cloudconform history`, through the built command (bin/cloudconform.js, as
// `npm run build` made it) with real databases in temporary directories. Attack cases first: names
// full of escapes in what `history` shows, a database that is not one, an installation without
// the native module.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'bin', 'cloudconform.js');
const work = mkdtempSync(join(tmpdir(), 'cc-history-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

/** A repository (it has .git, so it is the scan's scope) holding one notebook template. */
function repo(name: string, access: 'Enabled' | 'Disabled' = 'Enabled'): string {
  const dir = join(work, `r${n++}`, name);
  mkdirSync(join(dir, '.git'), { recursive: true });
  writeFileSync(join(dir, 'nb.yaml'), NOTEBOOK_CFN_YAML('Nb', access, access === 'Disabled' ? 'subnet-0123456789abcdef0' : undefined));
  return dir;
}

function run(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; cli?: string } = {}) {
  const { CLOUDCONFORM_DB, NO_COLOR, FORCE_COLOR, ...base } = process.env;
  const r = spawnSync(process.execPath, [options.cli ?? CLI, ...args], { cwd: options.cwd ?? work, env: { ...base, XDG_DATA_HOME: join(work, 'xdg'), ...options.env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('attack: scope labels and keys full of escapes, newlines and markup are shown escaped by history', () => {
  const name = 'evil\u001b]0;owned\u0007\n<img src=x onerror=alert(1)>\u202e';
  const dir = repo(name);
  const db = join(work, `h${n++}.db`);
  const scan = run(['scan', '.', '--db', db, '-q'], { cwd: dir });
  assert.equal(scan.code, 1, scan.stderr);
  const h = run(['history', '--db', db]);
  assert.equal(h.code, 0, h.stderr);
  assert.doesNotMatch(h.stdout, /[\u001b\u0007\u202e]/);
  assert.equal(h.stdout.split('\n').length, 3, 'a heading, one run, the final newline: no line break from the name');
  assert.ok(h.stdout.includes('/evil\\x1b]0;owned\\x07\\x0a<img src=x onerror=alert(1)>\\u202e'), h.stdout);
  // JSON keeps the value (escaped as JSON) and no raw control character.
  const j = run(['history', '--db', db, '--format', 'json']);
  assert.doesNotMatch(j.stdout, /[\u001b\u0007\u202e]/);
  assert.equal((JSON.parse(j.stdout) as { runs: { run: { scope: { key: string } } }[] }).runs[0]!.run.scope.key, `scan:${dir}`);
});

test('attack: a --db that is not a history database: the report is still written, the run is not recorded (exit 2), the file is untouched', () => {
  const dir = repo('app');
  const db = join(work, `notes${n++}.txt`);
  writeFileSync(db, 'my notes\n'.repeat(500));
  const before = readFileSync(db);
  const out = join(work, `out${n++}.json`);
  const r = run(['scan', '.', '--db', db, '--format', 'json', '-o', out], { cwd: dir });
  assert.equal(r.code, 2);
  const report = JSON.parse(r.stdout) as { findings: { result: string }[] };
  assert.equal(report.findings[0]?.result, 'fail');
  assert.ok(existsSync(out));
  assert.match(r.stderr, /this run was not recorded \(exit code 2; --no-history skips recording\): .*is not a SQLite database/);
  assert.deepEqual(readFileSync(db), before);
  const h = run(['history', '--db', db]);
  assert.equal(h.code, 2);
  assert.match(h.stderr, /is not a SQLite database/);
});

test('attack: an installation without better-sqlite3 scans as usual, says once that the run was not recorded; history says why (exit 2)', () => {
  // The built command copied where no node_modules can be found: the module is really absent.
  const install = mkdtempSync(join(tmpdir(), 'cc-no-sqlite-'));
  try {
    for (const f of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, f), join(install, f), { recursive: true });
    const cli = join(install, 'bin', 'cloudconform.js');
    const dir = repo('app');
    const r = run(['scan', '.', '-q'], { cwd: dir, cli });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^cloudconform: this run was not recorded: the history is not available: the better-sqlite3 module could not be loaded \(it is not installed\)/);
    // A database asked for by name: the user wants the history, so not recording it is a failure.
    const asked = run(['scan', '.', '-q', '--db', join(work, `h${n++}.db`)], { cwd: dir, cli });
    assert.equal(asked.code, 2);
    assert.match(asked.stderr, /not recorded \(exit code 2/);
    const none = run(['scan', '.', '-q', '--no-history'], { cwd: dir, cli });
    assert.equal(none.code, 1);
    assert.equal(none.stderr, '');
    const h = run(['history'], { cli });
    assert.equal(h.code, 2);
    assert.match(h.stderr, /the history is not available: the better-sqlite3 module could not be loaded/);
  } finally {
    rmSync(install, { recursive: true, force: true });
  }
});

test('every scan is recorded in $XDG_DATA_HOME/cloudconform/history.db; history lists runs newest first with counts and changes', () => {
  const xdg = join(work, `xdg${n++}`);
  const env = { XDG_DATA_HOME: xdg };
  const dir = repo('service');
  assert.equal(run(['scan', '.', '-q'], { cwd: dir, env }).code, 1);
  // Fixed: resolved.
  writeFileSync(join(dir, 'nb.yaml'), NOTEBOOK_CFN_YAML('Nb', 'Disabled', 'subnet-0123456789abcdef0'));
  assert.equal(run(['scan', '.', '-q'], { cwd: dir, env }).code, 0);
  // Broken again: regressed.
  writeFileSync(join(dir, 'nb.yaml'), NOTEBOOK_CFN_YAML('Nb', 'Enabled'));
  assert.equal(run(['scan', '.', '-q'], { cwd: dir, env }).code, 1);
  assert.ok(existsSync(join(xdg, 'cloudconform', 'history.db')));

  const h = run(['history'], { env });
  assert.equal(h.code, 0, h.stderr);
  const lines = h.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^RUN\s+STARTED \(UTC\)\s+COMMAND\s+RESOURCES\s+FAIL\s+UNKNOWN\s+SUPPRESSED\s+NEW\s+RESOLVED\s+REGRESSED\s+SCOPE$/);
  assert.equal(lines.length, 4);
  const cells = lines.slice(1).map((l) => l.split(/\s{2,}/));
  // Newest first: regressed, then resolved, then new.
  assert.deepEqual(cells.map((c) => c.slice(2, 10)), [
    ['scan', '1', '1', '0', '0', '0', '0', '1'],
    ['scan', '1', '0', '0', '0', '0', '1', '0'],
    ['scan', '1', '1', '0', '0', '1', '0', '0'],
  ]);
  for (const c of cells) assert.equal(c[10], `scan:${dir} (.)`);

  const j = JSON.parse(run(['history', '--format', 'json', '--limit', '2'], { env }).stdout) as { runs: { run: { id: string; command: string }; summary: { fail: number }; changes: { regressed: number } }[] };
  assert.equal(j.runs.length, 2);
  assert.equal(j.runs[0]!.changes.regressed, 1);
  assert.match(j.runs[0]!.run.id, /^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
  const limited = run(['history', '--limit', '2'], { env });
  assert.match(limited.stdout, /The 2 newest runs; --limit N shows more\./);
});

test('--no-history records nothing; --db and CLOUDCONFORM_DB choose the database; --scope filters', () => {
  const xdg = join(work, `xdg${n++}`);
  const a = repo('alpha');
  const b = repo('beta');
  assert.equal(run(['scan', '.', '-q', '--no-history'], { cwd: a, env: { XDG_DATA_HOME: xdg } }).code, 1);
  assert.equal(existsSync(join(xdg, 'cloudconform')), false, 'nothing created');
  const db = join(work, `chosen${n++}`, 'h.db');
  assert.equal(run(['scan', '.', '-q', '--db', db], { cwd: a }).code, 1);
  assert.equal(run(['scan', '.', '-q'], { cwd: b, env: { CLOUDCONFORM_DB: db } }).code, 1);
  const all = run(['history', '--format', 'json'], { env: { CLOUDCONFORM_DB: db } });
  assert.deepEqual((JSON.parse(all.stdout) as { runs: { run: { scope: { key: string } } }[] }).runs.map((r) => r.run.scope.key), [`scan:${b}`, `scan:${a}`]);
  const beta = run(['history', '--db', db, '--scope', `scan:${b}`]);
  assert.equal(beta.stdout.trimEnd().split('\n').length, 2);
  assert.match(beta.stdout, /scan:\S*\/beta/);
  const none = run(['history', '--db', db, '--scope', 'scan:gamma']);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /^No runs recorded for scope scan:gamma in /);
});

test('history with no database says no runs are recorded yet (exit 0) and creates nothing', () => {
  const xdg = join(work, `xdg${n++}`);
  const h = run(['history'], { env: { XDG_DATA_HOME: xdg } });
  assert.equal(h.code, 0);
  assert.equal(h.stdout, `No runs recorded yet: there is no history database at ${join(xdg, 'cloudconform', 'history.db')}.\n`);
  assert.equal(existsSync(xdg), false);
  const j = run(['history', '--format', 'json'], { env: { XDG_DATA_HOME: xdg } });
  assert.deepEqual(JSON.parse(j.stdout), { runs: [] });
});
