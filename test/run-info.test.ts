// Every scan report says which run it is and what it evaluated: the history resolves a finding
// only where its run looked, so a file the scan did not read must not be listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan, scanScope } from '../src/engine/scan';
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
    assert.equal(run.scope.key, `scan:${repo}`);
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

test('run: a scan\'s scope is the repository by its origin remote (no credentials), else its path, and the directory it runs from below the root', () => {
  const t = makeTree({ 'a/infra/nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled'), 'b/infra/nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled'), 'c/infra/sub/x.yaml': '' });
  const cwd = process.cwd();
  try {
    const [a, b, c] = ['a/infra', 'b/infra', 'c/infra'].map((d) => join(t.root, d));
    for (const d of [a, b, c]) mkdirSync(join(d!, '.git'));
    writeFileSync(join(a!, '.git', 'config'), '[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://example.com/other.git\n[remote "origin"]\n\turl = https://x-access-token:ghs_SECRET@github.com/team-a/infra.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n');
    writeFileSync(join(b!, '.git', 'config'), '[remote "origin"]\n\turl = git@github.com:team-b/infra.git\n');
    // Two repositories both named `infra`: two scopes (red team: they shared `scan:infra`).
    assert.equal(scanScope([join(a!, 'nb.yaml')]).key, 'scan:github.com/team-a/infra');
    assert.equal(scanScope([b!]).key, 'scan:github.com/team-b/infra');
    assert.ok(!JSON.stringify(scanScope([a!])).includes('SECRET'));
    // No remote: the repository's path. Run from below its root: that directory joins the key.
    process.chdir(c!);
    assert.equal(scanScope(['.']).key, `scan:${c}`);
    process.chdir(join(c!, 'sub'));
    assert.equal(scanScope(['.']).key, `scan:${c}@sub`);
    assert.equal(scanScope([]).label, '.');
  } finally {
    process.chdir(cwd);
    t.cleanup();
  }
});
