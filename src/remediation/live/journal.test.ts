import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultJournalPath, newJournal, readJournal, writeFileAtomic, writeJournal, JournalError } from './journal';
import { TEST_PLAN } from './test-plan';

const dir = () => mkdtempSync(join(tmpdir(), 'cc-journal-'));


test('a journal written then read back is the same; every step starts pending', () => {
  const path = join(dir(), 'j.json');
  const journal = newJournal(TEST_PLAN, new Date('2026-01-01T00:00:00Z'));
  writeJournal(path, journal);
  const back = readJournal(path);
  assert.deepEqual(back, journal);
  assert.deepEqual(back.steps.map((s) => s.state), ['pending', 'pending', 'pending']);
  assert.equal(statSync(path).mode & 0o777, 0o600, 'readable by its owner only');
});

test('an atomic write replaces the whole file and leaves no temp file; a failed write leaves the old journal intact', () => {
  const d = dir();
  const path = join(d, 'j.json');
  writeFileAtomic(path, 'first\n');
  writeFileAtomic(path, 'second\n');
  assert.equal(readFileSync(path, 'utf8'), 'second\n');
  assert.deepEqual(readdirSync(d), ['j.json']);

  // A write that can't complete (the directory refuses the temp file) must not touch the journal.
  chmodSync(d, 0o500);
  try {
    if (process.getuid?.() === 0) return; // root ignores the permission: nothing to test here
    assert.throws(() => writeFileAtomic(path, 'third\n'));
    assert.equal(readFileSync(path, 'utf8'), 'second\n');
  } finally {
    chmodSync(d, 0o700);
  }
  assert.deepEqual(readdirSync(d), ['j.json']);
});

test('a torn or foreign file is refused with its path and the reason', () => {
  const d = dir();
  const torn = join(d, 'torn.json');
  writeFileSync(torn, JSON.stringify(newJournal(TEST_PLAN)).slice(0, 100));
  assert.throws(() => readJournal(torn), (e: Error) => e instanceof JournalError && e.message.startsWith(torn) && /invalid JSON/.test(e.message));
  const foreign = join(d, 'package.json');
  writeFileSync(foreign, '{"name": "x"}');
  assert.throws(() => readJournal(foreign), /not a cloudconform remediate journal/);
  const mismatched = join(d, 'mismatch.json');
  const j = newJournal(TEST_PLAN);
  j.steps.pop();
  writeFileSync(mismatched, JSON.stringify(j));
  assert.throws(() => readJournal(mismatched), /steps don't match its plan/);
  assert.throws(() => readJournal(join(d, 'missing.json')), /can't read the journal/);
});

test('the default journal name holds the notebook and a UTC timestamp', () => {
  assert.match(defaultJournalPath('nb', new Date('2026-03-04T05:06:07.890Z')), /cloudconform-remediate-nb-20260304T050607Z\.json$/);
});
