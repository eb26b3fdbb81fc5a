// Every scan report says which run it is and what it evaluated: the history resolves a finding
// only where its run looked, so a file the scan did not read must not be listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { scan } from '../src/engine/scan';
import { emptyConfig } from '../src/engine/config';
import { compareFindings, newRunId } from '../src/model/report';
import { makeTree, NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const NOTEBOOK_TF = 'resource "aws_sagemaker_notebook_instance" "nb" {\n  name = "x"\n  role_arn = "arn:aws:iam::111122223333:role/r"\n  instance_type = "ml.t3.medium"\n}\n';

test('run: a scan names its run, its scope (the repository) and every file it read, and no file it left out', async () => {
  const t = makeTree({
    'repo/B.yaml': NOTEBOOK_CFN_YAML('Upper', 'Enabled'),
    'repo/a.yaml': NOTEBOOK_CFN_YAML('Lower', 'Enabled'),
    'repo/tf/main.tf': NOTEBOOK_TF,
    'repo/tf/extra.tf': 'locals { x = 1 }\n',
    'repo/skipped/c.yaml': NOTEBOOK_CFN_YAML('Skipped', 'Enabled'),
    'repo/broken.yaml': 'Resources: [unclosed\n',
  });
  try {
    const repo = join(t.root, 'repo');
    mkdirSync(join(repo, '.git'));
    const before = Date.now();
    const report = await scan([repo], { config: { ...emptyConfig(), exclude: ['skipped/**'], file: join(repo, '.cloudconform.yml') }, jobs: 1 });
    const run = report.run!;
    assert.equal(run.command, 'scan');
    assert.match(run.id, /^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    assert.ok(Date.parse(run.startedAt) >= before - 1000 && Date.parse(run.endedAt) >= Date.parse(run.startedAt));
    assert.equal(run.scope.key, `scan:${basename(repo)}`);
    const files = run.evaluated.files!;
    for (const f of ['B.yaml', 'a.yaml', 'tf/main.tf', 'tf/extra.tf']) assert.ok(files.includes(join(repo, f)), `${f} read: ${files.join(', ')}`);
    assert.ok(!files.some((f) => f.includes('skipped')), 'an excluded file is not evaluated');
    // Every finding's file is listed under the spelling the finding uses.
    for (const f of report.findings) assert.ok(files.includes(f.location.file), f.location.file);
    // One order: code units, so `B.yaml` sorts before `a.yaml` whatever the locale.
    assert.deepEqual([...files].sort(), files);
    assert.deepEqual([...report.findings].sort(compareFindings), report.findings);
    assert.ok(report.findings.findIndex((f) => f.location.file.endsWith('B.yaml')) < report.findings.findIndex((f) => f.location.file.endsWith('a.yaml')));
  } finally {
    t.cleanup();
  }
});

test('run: ids are unique and sort by start time', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => newRunId(new Date('2026-01-02T03:04:05.678Z'))));
  assert.equal(ids.size, 1000);
  assert.ok(newRunId(new Date('2026-01-02T03:04:05Z')) < newRunId(new Date('2026-01-02T03:04:06Z')));
});
