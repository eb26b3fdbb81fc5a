// path.cwd is the absolute directory Terraform runs in (GetPathAttr: filepath.Abs of the working
// directory), which a scan can't know; path.root and path.module are relative source directories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { emptyConfig } from '../src/engine/config';
import { scan } from '../src/engine/scan';
import { makeTree } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;

const HIDDEN = [
  'resource "aws_sagemaker_notebook_instance" "nb" {',
  '  count         = startswith(path.cwd, "/") ? 1 : 0',
  '  name          = "nb"',
  '  instance_type = "ml.t3.medium"',
  '  role_arn      = "arn:aws:iam::111122223333:role/nb"',
  '}',
  '',
].join('\n');

async function verdicts(root: string): Promise<{ findings: string[]; errors: unknown[] }> {
  const report = await scan([root], { config: emptyConfig(), ruleIds: ['SageMaker-004'], jobs: 1 });
  return { findings: report.findings.map((f) => `${f.resource.id} ${f.result}`).sort(), errors: report.errors };
}

test('attack: count = startswith(path.cwd, "/") ? 1 : 0 does not hide an open notebook (path.cwd is absolute when Terraform runs)', async () => {
  const t = makeTree({ 'main.tf': HIDDEN });
  try {
    const r = await verdicts(t.root);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.findings, ['aws_sagemaker_notebook_instance.nb[*] fail']);
  } finally {
    t.cleanup();
  }
});

test('attack through the CLI: a notebook hidden behind path.cwd is not exit 0', () => {
  const t = makeTree({ 'main.tf': HIDDEN });
  try {
    const r = spawnSync(process.execPath, [CLI, 'scan', t.root, '--format', 'json'], { encoding: 'utf8' });
    assert.notEqual(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /path\.cwd/);
  } finally {
    t.cleanup();
  }
});

test('path.root and path.module stay the relative source directories Terraform uses', async () => {
  const t = makeTree({
    'main.tf': 'module "m" {\n  source = "./modules/nb"\n}\n',
    'modules/nb/main.tf': [
      'resource "aws_sagemaker_notebook_instance" "nb" {',
      '  count                  = path.root == "." && path.module == "modules/nb" ? 1 : 0',
      '  direct_internet_access = "Disabled"',
      '  subnet_id              = "subnet-0123456789abcdef0"',
      '}',
      '',
    ].join('\n'),
  });
  try {
    const r = await verdicts(t.root);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.findings, ['module.m.aws_sagemaker_notebook_instance.nb[0] pass']);
  } finally {
    t.cleanup();
  }
});
