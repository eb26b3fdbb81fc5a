import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultJournalPath, isDomainJournal, newJournal, readJournal, writeFileAtomic, writeJournal, JournalError } from './journal';
import { journalKeyPath, signJournalBody } from './journal-key';
import { TEST_DOMAIN_PLAN, TEST_PLAN } from './test-plan';

const made: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'cc-journal-'));
  made.push(d);
  return d;
};
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
// Journals are signed with a key of this test's own.
process.env.CLOUDCONFORM_JOURNAL_KEY_FILE = join(dir(), 'journal.key');

/** A hand-made journal, signed as cloudconform signs it (so the checks after the signature run). */
function signed(journal: Record<string, unknown>): string {
  const { signature: _, ...body } = journal;
  return JSON.stringify({ ...body, signature: signJournalBody(body, String((journal.plan as { account?: string } | undefined)?.account ?? '')) });
}

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
  writeFileSync(mismatched, signed(j as never));
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
  writeFileSync(mismatched, signed(j as never));
  assert.throws(() => readJournal(mismatched), (e: Error) => e instanceof JournalError && e.message.startsWith(mismatched) && /steps don't match its plan/.test(e.message));

  const unknownStep = join(d, 'unknown-step.json');
  const k = newJournal({ ...TEST_DOMAIN_PLAN, steps: [{ id: 'drop-domain' as never, title: 'x' }] });
  writeFileSync(unknownStep, signed(k as never));
  assert.throws(() => readJournal(unknownStep), /unknown step/);

  const noUpdate = join(d, 'no-update.json');
  writeFileSync(noUpdate, signed({ ...newJournal(TEST_DOMAIN_PLAN), plan: { ...TEST_DOMAIN_PLAN, update: { DomainId: 'd-other' } } } as never));
  assert.throws(() => readJournal(noUpdate), /plan is incomplete/);

  const torn = join(d, 'torn.json');
  writeFileSync(torn, JSON.stringify(newJournal(TEST_DOMAIN_PLAN)).slice(0, 80));
  assert.throws(() => readJournal(torn), /invalid JSON/);
});

test("each kind's own plan, steps and outcomes are checked: a notebook step in a domain plan, a rollback outcome for a domain, a notebook plan without its source", () => {
  const d = dir();
  const write = (name: string, journal: unknown) => {
    const path = join(d, name);
    writeFileSync(path, signed(journal as never));
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
  assert.throws(() => readJournal(write('nb-no-source.json', { ...newJournal(TEST_PLAN), plan: sourceless })), /plan is incomplete \(source \(name, ARN and creation time\), replacement, account and region are required\)/);
  assert.throws(() => readJournal(write('no-kind.json', { ...newJournal(TEST_PLAN), plan: { ...TEST_PLAN, kind: undefined } })), /plan is incomplete/);
});

test('the default journal name holds the domain id for a domain run', () => {
  assert.match(defaultJournalPath('d-abc', new Date('2026-03-04T05:06:07.890Z')), /cloudconform-remediate-d-abc-20260304T050607Z\.json$/);
});

test('the journal is signed: any edit, a missing or loose key, another account or an unsigned (version 1) journal is refused, naming why', () => {
  const d = dir();
  const path = join(d, 'j.json');
  writeJournal(path, newJournal(TEST_PLAN));
  const text = readFileSync(path, 'utf8');
  assert.match(JSON.parse(text).signature, /^hmac-sha256:[0-9a-f]{64}$/);
  assert.doesNotThrow(() => readJournal(path));

  const edit = (change: (j: Record<string, any>) => void) => {
    const j = JSON.parse(text);
    change(j);
    writeFileSync(path, JSON.stringify(j, null, 1));
    return () => readJournal(path);
  };
  // Reformatting and key order don't matter; content does.
  assert.doesNotThrow(edit((j) => Object.assign(j, { ...j })));
  const refusedEdit = /refused, nothing was changed: its signature does not verify .*plan and apply again/;
  assert.throws(edit((j) => (j.steps[1].state = 'done')), refusedEdit);
  assert.throws(edit((j) => (j.plan.source.name = 'other')), refusedEdit);
  assert.throws(edit((j) => (j.plan.connection.endpointUrl = 'http://attacker.example')), refusedEdit);
  assert.throws(edit((j) => (j.plan.account = '999999999999')), refusedEdit, 'the account is part of the key');
  assert.throws(edit((j) => delete j.signature), /refused, nothing was changed: it has no signature/);
  assert.throws(edit((j) => (j.version = 1)), /written by an earlier cloudconform, unsigned .*plan and apply again/);

  // The key is the user's: 0600, 64 hex digits; a loose or missing key signs nothing that resume trusts.
  writeFileSync(path, text);
  const key = process.env.CLOUDCONFORM_JOURNAL_KEY_FILE!;
  assert.equal(statSync(key).mode & 0o777, 0o600);
  assert.match(readFileSync(key, 'utf8'), /^[0-9a-f]{64}\n$/);
  chmodSync(key, 0o644);
  try {
    assert.throws(() => readJournal(path), /has mode 644: others could read or change it/);
  } finally {
    chmodSync(key, 0o600);
  }
  const saved = process.env.CLOUDCONFORM_JOURNAL_KEY_FILE;
  process.env.CLOUDCONFORM_JOURNAL_KEY_FILE = join(d, 'no-such-key');
  try {
    assert.throws(() => readJournal(path), /there is no journal key at .*no-such-key/);
  } finally {
    process.env.CLOUDCONFORM_JOURNAL_KEY_FILE = saved;
  }
  assert.doesNotThrow(() => readJournal(path));
});

test('a journal path that is a FIFO is refused at once, not waited on', () => {
  const d = dir();
  const fifo = join(d, 'fifo.json');
  execFileSync('mkfifo', [fifo]);
  assert.throws(() => readJournal(fifo), /can't read the journal: not a regular file/);
});

test('the key lives outside the journal: $CLOUDCONFORM_JOURNAL_KEY_FILE, else $XDG_STATE_HOME/cloudconform, else ~/.local/state/cloudconform', () => {
  assert.equal(journalKeyPath({ CLOUDCONFORM_JOURNAL_KEY_FILE: '/k/key', XDG_STATE_HOME: '/state' }), '/k/key');
  assert.equal(journalKeyPath({ XDG_STATE_HOME: '/state' }), '/state/cloudconform/journal.key');
  assert.match(journalKeyPath({}), /\/\.local\/state\/cloudconform\/journal\.key$/);
});
