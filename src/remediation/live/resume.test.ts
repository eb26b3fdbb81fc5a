// Resume re-observes the world before each step: it does what is left, never a step twice, and
// never stops or deletes the source unless the replacement is InService. A small in-memory
// SageMaker (a real client whose `send` answers from a map) plays the world after a crash.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { resumeRun } from './resume';
import type { LiveClients } from './clients';
import { newJournal, readJournal, writeJournal, type NotebookRemediationJournal } from './journal';
import { TEST_PLAN } from './test-plan';

interface Nb {
  status: string;
  tags: Record<string, string>;
  subnet?: string;
  access: string;
  /** Default: the plan's creation time of the source. */
  created?: string;
}

function world(notebooks: Record<string, Nb>) {
  const calls: string[] = [];
  const client = new SageMakerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const gone = () => Object.assign(new Error('RecordNotFound'), { name: 'ValidationException' });
  client.send = (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const action = command.constructor.name.replace(/Command$/, '');
    const name = String(command.input.NotebookInstanceName ?? String(command.input.ResourceArn ?? '').split('/').pop());
    calls.push(`${action} ${name}`);
    const nb = notebooks[name];
    switch (action) {
      case 'DescribeNotebookInstance':
        if (!nb) throw gone();
        return {
          NotebookInstanceName: name,
          NotebookInstanceArn: `arn:aws:sagemaker:eu-west-1:111122223333:notebook-instance/${name}`,
          NotebookInstanceStatus: nb.status,
          SubnetId: nb.subnet,
          DirectInternetAccess: nb.access,
          CreationTime: new Date(nb.created ?? TEST_PLAN.source.creationTime),
        };
      case 'ListTags':
        return { Tags: Object.entries(nb?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) };
      case 'CreateNotebookInstance':
        notebooks[name] = { status: 'InService', tags: { 'cloudconform:remediated-from': 'nb' }, subnet: 'subnet-1', access: 'Disabled' };
        return {};
      case 'StopNotebookInstance':
        nb!.status = 'Stopped';
        return {};
      case 'DeleteNotebookInstance':
        delete notebooks[name];
        return {};
      default:
        throw new Error(`unexpected ${action}`);
    }
  }) as unknown as SageMakerClient['send'];
  const clients = { sageMaker: client, destroy() {} } as unknown as LiveClients;
  return { clients, calls, mutating: () => calls.filter((c) => /^(Create|Stop|Delete|Start|Update)/.test(c)) };
}

const ours: Nb = { status: 'InService', tags: { 'cloudconform:remediated-from': 'nb' }, subnet: 'subnet-1', access: 'Disabled' };
const WAITS = { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 1 };

const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const keyDir = mkdtempSync(join(tmpdir(), 'cc-resume-key-'));
made.push(keyDir);
process.env.CLOUDCONFORM_JOURNAL_KEY_FILE = join(keyDir, 'journal.key');

function journalWith(states: Record<string, 'pending' | 'started' | 'done'>): { journal: NotebookRemediationJournal; path: string } {
  const journal = newJournal(TEST_PLAN);
  for (const s of journal.steps) s.state = states[s.id] ?? 'pending';
  const dir = mkdtempSync(join(tmpdir(), 'cc-resume-'));
  made.push(dir);
  const path = join(dir, 'j.json');
  writeJournal(path, journal);
  return { journal, path };
}

test('create interrupted after its call (journal says started): the replacement exists, so it is not created again', async () => {
  const w = world({ nb: { status: 'InService', tags: {}, access: 'Enabled' }, 'nb-vpc': { ...ours } });
  const { journal, path } = journalWith({ 'create-replacement': 'started' });
  const done = await resumeRun(w.clients, journal, { journalPath: path, waits: WAITS });
  assert.equal(done.outcome, 'done');
  assert.deepEqual(w.mutating(), ['StopNotebookInstance nb', 'DeleteNotebookInstance nb']);
  assert.match(done.steps[0]!.observed.join('\n'), /not created again/);
  assert.equal(readJournal(path).outcome, 'done');
});

test('the source already Stopped (a stop whose journal write was lost) is not stopped again; already gone is not deleted again', async () => {
  const stopped = world({ nb: { status: 'Stopped', tags: {}, access: 'Enabled' }, 'nb-vpc': { ...ours } });
  const a = journalWith({ 'create-replacement': 'done' });
  assert.equal((await resumeRun(stopped.clients, a.journal, { journalPath: a.path, waits: WAITS })).outcome, 'done');
  assert.deepEqual(stopped.mutating(), ['DeleteNotebookInstance nb']);

  const deleted = world({ 'nb-vpc': { ...ours } });
  const b = journalWith({ 'create-replacement': 'done', 'stop-source': 'done', 'delete-source': 'started' });
  const done = await resumeRun(deleted.clients, b.journal, { journalPath: b.path, waits: WAITS });
  assert.equal(done.outcome, 'done');
  assert.deepEqual(deleted.mutating(), []);
  assert.match(done.steps[2]!.observed.join('\n'), /no longer exists: nothing to delete/);
});

test('a notebook with the replacement name that this run did not make is left alone: no create, no rollback, the source untouched', async () => {
  const w = world({ nb: { status: 'InService', tags: {}, access: 'Enabled' }, 'nb-vpc': { status: 'InService', tags: {}, subnet: 'subnet-9', access: 'Enabled' } });
  const { journal, path } = journalWith({});
  const done = await resumeRun(w.clients, journal, { journalPath: path, waits: WAITS });
  assert.equal(done.outcome, 'failed');
  assert.match(done.steps[0]!.error!, /was not made by this run/);
  assert.deepEqual(w.mutating(), []);
});

test('the journal says the replacement was made, but it is not InService now: the source is neither stopped nor deleted', async () => {
  const w = world({ nb: { status: 'InService', tags: {}, access: 'Enabled' }, 'nb-vpc': { ...ours, status: 'Stopped' } });
  const { journal, path } = journalWith({ 'create-replacement': 'done' });
  const done = await resumeRun(w.clients, journal, { journalPath: path, waits: WAITS });
  assert.equal(done.outcome, 'failed');
  assert.match(done.steps[1]!.error!, /refusing to stop or delete 'nb'.*Stopped, not InService/);
  assert.deepEqual(w.mutating(), []);
});

test('the source re-created under its name (another CreationTime), or now compliant: refused before the first step, nothing is created, stopped or deleted', async () => {
  const recreated = world({ nb: { status: 'InService', tags: {}, access: 'Enabled', created: '2026-02-02T00:00:00.000Z' } });
  const a = journalWith({});
  const refused = await resumeRun(recreated.clients, a.journal, { journalPath: a.path, waits: WAITS });
  assert.equal(refused.outcome, 'failed');
  assert.match(refused.steps[0]!.error!, /'nb' is not the notebook that was planned: it was created 2026-02-02T00:00:00\.000Z, the planned one 2025-12-01T10:00:00\.000Z/);
  assert.deepEqual(recreated.mutating(), []);
  assert.equal(readJournal(a.path).steps[0]!.state, 'failed');

  const compliant = world({ nb: { status: 'InService', tags: {}, access: 'Disabled', subnet: 'subnet-7' }, 'nb-vpc': { ...ours } });
  const b = journalWith({ 'create-replacement': 'done' });
  const done = await resumeRun(compliant.clients, b.journal, { journalPath: b.path, waits: WAITS });
  assert.equal(done.outcome, 'failed');
  assert.match(done.steps[1]!.error!, /'nb' no longer fails SageMaker-004/);
  assert.deepEqual(compliant.mutating(), []);
});
