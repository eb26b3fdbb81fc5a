import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultJournalPath, isDomainJournal, newJournal, readJournal, writeFileAtomic, writeJournal, JournalError } from './journal';
import { TEST_DOMAIN_PLAN, TEST_PLAN } from './test-plan';

const made: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'cc-journal-'));
  made.push(d);
  return d;
};
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

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

test('readJournal reads a domain journal as written, and a notebook journal as before', () => {
  const d = dir();
  const domainPath = join(d, 'domain.json');
  const domain = newJournal(TEST_DOMAIN_PLAN, new Date('2026-01-01T00:00:00Z'));
  writeJournal(domainPath, domain);
  const back = readJournal(domainPath);
  assert.ok(isDomainJournal(back));
  assert.deepEqual(back, domain);
  assert.equal(statSync(domainPath).mode & 0o777, 0o600, 'readable by its owner only');

  const notebookPath = join(d, 'notebook.json');
  const notebook = newJournal(TEST_PLAN);
  writeJournal(notebookPath, notebook);
  const nb = readJournal(notebookPath);
  assert.equal(isDomainJournal(nb), false);
  assert.deepEqual(nb, notebook);
});

test("a domain journal whose steps or plan are wrong is refused with its path; torn files get the notebook reader's message", () => {
  const d = dir();
  const mismatched = join(d, 'mismatch.json');
  const j = newJournal(TEST_DOMAIN_PLAN);
  j.steps.pop();
  writeFileSync(mismatched, JSON.stringify(j));
  assert.throws(() => readJournal(mismatched), (e: Error) => e instanceof JournalError && e.message.startsWith(mismatched) && /steps don't match its plan/.test(e.message));

  const unknownStep = join(d, 'unknown-step.json');
  const k = newJournal({ ...TEST_DOMAIN_PLAN, steps: [{ id: 'drop-domain' as never, title: 'x' }] });
  writeFileSync(unknownStep, JSON.stringify(k));
  assert.throws(() => readJournal(unknownStep), /unknown step/);

  const noUpdate = join(d, 'no-update.json');
  writeFileSync(noUpdate, JSON.stringify({ ...newJournal(TEST_DOMAIN_PLAN), plan: { ...TEST_DOMAIN_PLAN, update: { DomainId: 'd-other' } } }));
  assert.throws(() => readJournal(noUpdate), /plan is incomplete/);

  const torn = join(d, 'torn.json');
  writeFileSync(torn, JSON.stringify(newJournal(TEST_DOMAIN_PLAN)).slice(0, 80));
  assert.throws(() => readJournal(torn), /invalid JSON/);
});

test("each kind's own plan, steps and outcomes are checked: a notebook step in a domain plan, a rollback outcome for a domain, a notebook plan without its source", () => {
  const d = dir();
  const write = (name: string, journal: unknown) => {
    const path = join(d, name);
    writeFileSync(path, JSON.stringify(journal));
    return path;
  };
  const notebookStepInDomain = newJournal({ ...TEST_DOMAIN_PLAN, steps: [{ id: 'delete-source' as never, title: 'x' }] });
  assert.throws(() => readJournal(write('mixed.json', notebookStepInDomain)), /plan has an unknown step/);
  const unknownNotebookStep = newJournal({ ...TEST_PLAN, steps: [{ id: 'update-domain' as never, title: 'x' }] });
  assert.throws(() => readJournal(write('nb-unknown-step.json', unknownNotebookStep)), /plan has an unknown step/);

  assert.throws(() => readJournal(write('domain-rolled-back.json', { ...newJournal(TEST_DOMAIN_PLAN), outcome: 'rolled-back' })), /unknown outcome 'rolled-back'/);
  assert.equal(readJournal(write('nb-rolled-back.json', { ...newJournal(TEST_PLAN), outcome: 'rolled-back' })).outcome, 'rolled-back');
  assert.throws(() => readJournal(write('nb-bad-outcome.json', { ...newJournal(TEST_PLAN), outcome: 'maybe' })), /unknown outcome 'maybe'/);

  const { source: _, ...sourceless } = TEST_PLAN;
  assert.throws(() => readJournal(write('nb-no-source.json', { ...newJournal(TEST_PLAN), plan: sourceless })), /plan is incomplete \(source, replacement and region are required\)/);
  assert.throws(() => readJournal(write('no-kind.json', { ...newJournal(TEST_PLAN), plan: { ...TEST_PLAN, kind: undefined } })), /plan is incomplete/);
});

test('the default journal name holds the domain id for a domain run', () => {
  assert.match(defaultJournalPath('d-abc', new Date('2026-03-04T05:06:07.890Z')), /cloudconform-remediate-d-abc-20260304T050607Z\.json$/);
});
