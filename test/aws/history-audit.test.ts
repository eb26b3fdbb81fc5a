// Audits recorded in the history, end to end: the built CLI against moto (through the fault
// proxy), two audits of the caller's account, the second narrower (--regions) and then with a
// region whose listing fails: nothing outside what it read is resolved, and `history` lists both
// with the audit's scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHistory } from '../../src/history/store';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { mergeSeeded, mixedNotebooks, seed } from './seed';
import { runCli, useAuditEmulator } from './audit-helpers';

const emulator = useAuditEmulator({
  seed: async (moto) =>
    mergeSeeded(
      await seed(moto.endpoint, [
        { region: 'us-east-1', notebooks: mixedNotebooks('use1', 7), domains: [] },
        { region: 'us-west-2', notebooks: mixedNotebooks('usw2', 7), domains: [] },
      ]),
    ),
});

test('audits are recorded: a narrower or failing audit resolves nothing it did not read; history lists them under the audit scope', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-history-audit-'));
  try {
    const db = join(dir, 'history.db');
    const audit = (regions: string) => runCli(['audit', '--endpoint-url', emulator.proxy.endpoint, '--regions', regions, '--db', db, '-q', '--max-attempts', '1']);
    const full = await audit('us-east-1,us-west-2');
    assert.equal(full.code, 1, full.stderr);
    const narrow = await audit('us-east-1');
    assert.equal(narrow.code, 1, narrow.stderr);
    // us-west-2's listing fails: an error entry, exit 2, and still recorded.
    emulator.proxy.addRule({ fault: 'server-error', service: 'sagemaker', region: 'us-west-2', action: 'ListNotebookInstances' });
    const failing = await audit('us-east-1,us-west-2');
    assert.equal(failing.code, 2, failing.stderr);

    const store = openHistory({ path: db, readonly: true });
    try {
      const runs = store.runs();
      assert.equal(runs.length, 3);
      for (const r of runs) assert.equal(r.run.scope.key, `audit:caller:${MOTO_DEFAULT_ACCOUNT}`);
      const [third, second, first] = runs;
      assert.ok(first!.changes.new > 0);
      const west = (c: { finding: { resource: { live?: { region: string } } } }) => c.finding.resource.live?.region === 'us-west-2';
      for (const r of [second!, third!]) {
        const cmp = store.comparison(r.run.id)!;
        assert.equal(cmp.counts.resolved, 0, `${r.run.id}: nothing resolved`);
        const westChanges = cmp.changes.filter((c) => west(c) && c.change !== 'unchanged');
        assert.ok(westChanges.length > 0);
        assert.deepEqual([...new Set(westChanges.map((c) => c.change))], ['not-evaluated']);
        assert.equal(cmp.counts['still-failing'], first!.changes.new - westChanges.length);
      }
    } finally {
      store.close();
    }
    const listed = await runCli(['history', '--db', db]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout.trimEnd().split('\n').filter((l) => l.includes(`audit:caller:${MOTO_DEFAULT_ACCOUNT}`)).length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
