// `cloudconform diff` of real audits (the built CLI, the real SDK, moto behind the fault proxy):
// Prowler's two archiving bugs as diff cases. A region that errored or was left out of --regions
// resolves nothing there (#1626); a region listed completely with nothing left in it resolves what
// was there (#2190); a notebook deleted from a region that was read is resolved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DeleteNotebookInstanceCommand, SageMakerClient, StopNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { makeTree } from '../helpers/fixtures';
import { clientConfig, seed } from './seed';
import { runCli, useAuditEmulator } from './audit-helpers';

const REGIONS = 'us-east-1,eu-west-1,ap-south-1';

const emulator = useAuditEmulator({
  seed: (moto) =>
    seed(moto.endpoint, [
      { region: 'us-east-1', notebooks: [{ name: 'east-open' }, { name: 'east-deleted' }, { name: 'east-private', access: 'Disabled', inSubnet: true }], domains: [] },
      { region: 'eu-west-1', notebooks: [{ name: 'west-open' }], domains: [] },
      { region: 'ap-south-1', notebooks: [{ name: 'south-only' }], domains: [] },
    ]),
});

async function deleteNotebook(region: string, name: string): Promise<void> {
  const client = new SageMakerClient(clientConfig(emulator.moto.endpoint, region));
  await client.send(new StopNotebookInstanceCommand({ NotebookInstanceName: name }));
  await client.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: name }));
}

async function auditTo(file: string, args: string[], db?: string): Promise<number | null> {
  const r = await runCli(['audit', '--endpoint-url', emulator.proxy.endpoint, '--format', 'json', '-q', '-o', `json=${file}`, ...(db ? ['--db', db] : ['--no-history']), ...args]);
  assert.ok(r.code === 1 || r.code === 2, `audit exit ${r.code}: ${r.stderr}`);
  return r.code;
}

function changesByName(stdout: string): Record<string, string> {
  const diff = JSON.parse(stdout) as { changes: { change: string; finding: { resource: { details?: Record<string, string> } } }[] };
  return Object.fromEntries(diff.changes.map((c) => [c.finding.resource.details?.name ?? '?', c.change]));
}

test('diff of audits: an errored or left-out region resolves nothing (Prowler #1626); an emptied region and a deleted notebook are resolved (#2190)', async () => {
  const t = makeTree({});
  try {
    const db = join(t.root, 'history.db');
    const before = join(t.root, 'before.json');
    assert.equal(await auditTo(before, ['--regions', REGIONS], db), 1);

    await deleteNotebook('us-east-1', 'east-deleted');
    await deleteNotebook('ap-south-1', 'south-only');
    // eu-west-1's listing is refused: the notebook there was not seen, and must not read as fixed.
    emulator.proxy.addRule({ fault: 'access-denied', service: 'sagemaker', region: 'eu-west-1' });
    const partial = join(t.root, 'partial.json');
    assert.equal(await auditTo(partial, ['--regions', REGIONS], db), 2);
    emulator.proxy.clearRules();

    const files = await runCli(['diff', before, partial, '--format', 'json']);
    assert.equal(files.code, 0, files.stderr);
    assert.deepEqual(changesByName(files.stdout), {
      'east-open': 'still-failing',
      'east-deleted': 'resolved',
      'south-only': 'resolved',
      'west-open': 'not-evaluated',
    });
    // The history's own classification of the same two runs, as recorded.
    const history = await runCli(['diff', '--db', db, '--format', 'json']);
    assert.equal(history.code, 0, history.stderr);
    assert.deepEqual(changesByName(history.stdout), changesByName(files.stdout));

    // A narrower --regions: what it did not read stays as it was.
    const narrow = join(t.root, 'narrow.json');
    await auditTo(narrow, ['--regions', 'us-east-1']);
    const r = await runCli(['diff', before, narrow, '--format', 'json']);
    assert.deepEqual(changesByName(r.stdout), { 'east-open': 'still-failing', 'east-deleted': 'resolved', 'south-only': 'not-evaluated', 'west-open': 'not-evaluated' });

    // The history carries eu-west-1's notebook over: read again, it is still failing, not new.
    const later = join(t.root, 'later.json');
    assert.equal(await auditTo(later, ['--regions', REGIONS], db), 1);
    const carried = await runCli(['diff', '--db', db, '--format', 'json']);
    assert.equal(carried.code, 0, carried.stderr);
    assert.equal(changesByName(carried.stdout)['west-open'], 'still-failing');
  } finally {
    t.cleanup();
  }
});
