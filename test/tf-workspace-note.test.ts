// A committed .terraform/environment selects terraform.workspace for every scan of the directory:
// the report says so, so nobody mistakes the verdicts for the default workspace's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { emptyConfig } from '../src/engine/config';
import { scan } from '../src/engine/scan';
import { makeTree } from './helpers/fixtures';

const BY_WORKSPACE = [
  'resource "aws_sagemaker_notebook_instance" "nb" {',
  '  direct_internet_access = terraform.workspace == "sandbox" ? "Disabled" : "Enabled"',
  '  subnet_id              = "subnet-0123456789abcdef0"',
  '}',
  '',
].join('\n');

test('attack: a committed .terraform/environment silently choosing the workspace is noted', async () => {
  const t = makeTree({ 'main.tf': BY_WORKSPACE, '.terraform/environment': 'sandbox\n' });
  try {
    const report = await scan([t.root], { config: emptyConfig(), ruleIds: ['SageMaker-004'], jobs: 1 });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.findings.map((f) => f.result), ['pass']);
    const notes = (report.notes ?? []).map((n) => n.message);
    const expected = `terraform.workspace is "sandbox", read from ${join(t.root, '.terraform', 'environment')}; give --workspace to choose`;
    assert.ok(notes.includes(expected), JSON.stringify(notes));
    // Given by --workspace (or TF_WORKSPACE): no note.
    const given = await scan([t.root], { config: emptyConfig(), ruleIds: ['SageMaker-004'], jobs: 1, terraform: { workspace: 'prod' } });
    assert.deepEqual(given.findings.map((f) => f.result), ['fail']);
    assert.ok(!(given.notes ?? []).some((n) => n.message.includes('terraform.workspace')), JSON.stringify(given.notes));
  } finally {
    t.cleanup();
  }
});
