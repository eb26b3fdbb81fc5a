import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockJournal, JournalLockedError } from './journal-lock';

const dir = mkdtempSync(join(tmpdir(), 'cc-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the lock is exclusive: a second taker is refused naming the holder; release removes only our own lock', () => {
  const path = join(dir, 'a.json');
  const first = lockJournal(path);
  const info = JSON.parse(readFileSync(`${path}.lock`, 'utf8'));
  assert.equal(info.pid, process.pid);
  assert.equal(info.host, hostname());
  assert.throws(() => lockJournal(path), (e: Error) => e instanceof JournalLockedError && /locked by pid \d+ on /.test(e.message));
  first.release();
  assert.equal(existsSync(`${path}.lock`), false);
  const second = lockJournal(path);
  // A lock that is no longer ours (taken over meanwhile) is left alone.
  writeFileSync(`${path}.lock`, JSON.stringify({ ...info, startedAt: 'other' }));
  second.release();
  assert.equal(existsSync(`${path}.lock`), true);
  rmSync(`${path}.lock`);
});

test('a live pid whose process started at another time (the pid was reused) holds a stale lock: it is taken over, and said so', () => {
  const path = join(dir, 'b.json');
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, startedAt: '2026-01-01T00:00:00Z', host: hostname(), processStart: '1' }));
  const lock = lockJournal(path);
  assert.match(lock.tookOver ?? '', /took over the stale lock of pid \d+ .* no longer running/);
  lock.release();
});

test("a lock from another host is never taken over; a file that isn't a lock is refused with what to do", () => {
  const path = join(dir, 'c.json');
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, startedAt: 'x', host: 'elsewhere.example' }));
  assert.throws(() => lockJournal(path), /its host is another machine, so it can't be checked from here/);
  writeFileSync(`${path}.lock`, 'garbage');
  assert.throws(() => lockJournal(path), /which is not a cloudconform lock; if no cloudconform uses this journal, remove it/);
});
