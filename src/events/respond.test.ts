// The respond journal's file (what a hostile directory can plant under its name), its lines, and
// the --respond option. respond() itself is tested against moto in test/aws/respond.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, linkSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../model/report';
import { fileJournal, journalLine, parseRespondMode, respond, respondIamActions, streamJournal, type RespondJournalEntry } from './respond';

const dir = () => mkdtempSync(join(tmpdir(), 'cc-respond-journal-'));

const entry = (over: Partial<RespondJournalEntry> = {}): RespondJournalEntry => ({
  journal: 'cloudconform-respond',
  v: 1,
  time: '2026-12-04T22:00:00.000Z',
  phase: 'decision',
  action: 'stop',
  target: 'arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb',
  ruleIds: ['SageMaker-004'],
  outcome: 'skipped',
  reason: 'already Stopped',
  ...over,
});

test('a symbolic link at the journal path is refused, not followed: its target is untouched', () => {
  const d = dir();
  const victim = join(d, 'victim');
  writeFileSync(victim, 'precious\n');
  symlinkSync(victim, join(d, 'journal.jsonl'));
  assert.throws(() => fileJournal(join(d, 'journal.jsonl')), /is a symbolic link/);
  // A dangling link (whose target would be created) too.
  symlinkSync(join(d, 'created-through-link'), join(d, 'dangling.jsonl'));
  assert.throws(() => fileJournal(join(d, 'dangling.jsonl')), /is a symbolic link/);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
});

test('a FIFO at the journal path is refused at once (no wait for a reader), a directory too', () => {
  const d = dir();
  execFileSync('mkfifo', [join(d, 'fifo.jsonl')]);
  assert.throws(() => fileJournal(join(d, 'fifo.jsonl')), /not a regular file/);
  mkdirSync(join(d, 'folder.jsonl'));
  assert.throws(() => fileJournal(join(d, 'folder.jsonl')), /not a regular file/);
});

test('a hard link planted under the journal name (appending would write into its other name) is refused', () => {
  const d = dir();
  const victim = join(d, 'victim');
  writeFileSync(victim, 'precious\n');
  linkSync(victim, join(d, 'journal.jsonl'));
  assert.throws(() => fileJournal(join(d, 'journal.jsonl')), /hard links/);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
});

test("another user's file under the journal name is refused", { skip: process.getuid?.() !== 0 ? 'needs root to give a file away' : false }, () => {
  const d = dir();
  const theirs = join(d, 'journal.jsonl');
  writeFileSync(theirs, '');
  chownSync(theirs, 4242, 4242);
  assert.throws(() => fileJournal(theirs), /belongs to another user/);
});

test('the journal file: created with its folders, appended to by each opening, one line per entry', () => {
  const d = dir();
  const file = join(d, 'sub', 'dir', 'journal.jsonl');
  const first = fileJournal(file);
  first.write(entry());
  first.close?.();
  assert.throws(() => first.write(entry()), /closed/);
  const second = fileJournal(file);
  second.write(entry({ phase: 'intent', outcome: undefined, call: 'sagemaker:StopNotebookInstance' }));
  second.close?.();
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[2], '');
  assert.deepEqual(lines.slice(0, 2).map((l) => JSON.parse(l).phase), ['decision', 'intent']);
});

test('journal lines: newlines, C0/C1 controls, line and paragraph separators and bidi overrides escaped; read back the same', () => {
  const hostile = 'nb\n{"phase":"outcome"}\r\u0085\u2028\u2029\u202e\u001b[2J\u0000';
  const line = journalLine(entry({ name: hostile, reason: hostile }));
  assert.equal(line.indexOf('\n'), line.length - 1);
  assert.doesNotMatch(line.slice(0, -1), /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
  const back = JSON.parse(line) as RespondJournalEntry;
  assert.equal(back.name, hostile);
  const lines: string[] = [];
  streamJournal((l) => void lines.push(l)).write(entry({ name: hostile }));
  assert.deepEqual(lines, [journalLine(entry({ name: hostile }))]);
});

test('--respond: tag, stop; off, none, empty or absent mean no response; anything else is an error naming the choices', () => {
  assert.equal(parseRespondMode('tag'), 'tag');
  assert.equal(parseRespondMode(' STOP '), 'stop');
  for (const off of ['off', 'none', '', undefined]) assert.equal(parseRespondMode(off), undefined);
  assert.throws(() => parseRespondMode('delete'), /--respond delete: expected tag, stop or off/);
  assert.throws(() => parseRespondMode('stop\n\u001b[31m'), (e: Error) => !/[\n\u001b]/.test(e.message) && /expected tag, stop or off/.test(e.message));
});

test('IAM actions per mode: the describe and ListTags re-done, then the one mutating call; never a delete or a domain call', () => {
  assert.deepEqual(respondIamActions('tag'), ['sagemaker:AddTags', 'sagemaker:DescribeNotebookInstance', 'sagemaker:ListTags']);
  assert.deepEqual(respondIamActions('stop'), ['sagemaker:DescribeNotebookInstance', 'sagemaker:ListTags', 'sagemaker:StopNotebookInstance']);
});

test('passing and unknown findings are not acted on: no client asked, no journal line, no action', async () => {
  const arn = 'arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb';
  const finding = (result: Finding['result']): Finding => ({
    ruleId: 'SageMaker-004',
    result,
    resource: { type: 'AWS::SageMaker::NotebookInstance', id: arn, source: 'aws', live: { account: '123456789012', region: 'us-east-1', arn } },
    location: { file: 'aws://123456789012/us-east-1', line: 0 },
    message: result === 'unknown' ? 'sagemaker:DescribeNotebookInstance failed: ThrottlingException' : 'ok',
    risk: 'Medium',
    suppressed: false,
  });
  const lines: string[] = [];
  for (const mode of ['tag', 'stop'] as const) {
    const actions = await respond([finding('pass'), finding('unknown')], mode, () => assert.fail('no client for a finding that does not fail'), streamJournal((l) => void lines.push(l)));
    assert.deepEqual(actions, []);
  }
  assert.deepEqual(lines, []);
});
