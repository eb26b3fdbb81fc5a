// A module scanned on its own: its authors need its verdicts with its own defaults (what a
// caller who passes nothing gets) even when its examples/ or test/ call it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { emptyConfig } from '../src/engine/config';
import { scan } from '../src/engine/scan';
import { makeTree } from './helpers/fixtures';

const MODULE = [
  'variable "direct_internet_access" {',
  '  default = "Enabled"',
  '}',
  'variable "subnet_id" {',
  '  default = null',
  '}',
  'resource "aws_sagemaker_notebook_instance" "this" {',
  '  direct_internet_access = var.direct_internet_access',
  '  subnet_id              = var.subnet_id',
  '}',
  '',
].join('\n');

const CALLER = (source: string) =>
  `module "nb" {\n  source                 = "${source}"\n  direct_internet_access = "Disabled"\n  subnet_id              = "subnet-0123456789abcdef0"\n}\n`;

async function verdicts(paths: string[]): Promise<string[]> {
  const report = await scan(paths, { config: emptyConfig(), ruleIds: ['SageMaker-004'], jobs: 1 });
  assert.deepEqual(report.errors, []);
  return report.findings.map((f) => `${f.resource.id} ${f.result}`).sort();
}

test('a named module called only from beneath it (examples/, Example/, test/) is reported as a root too, with its defaults', async () => {
  for (const sub of ['examples/basic', 'Example', 'test/fixture']) {
    const t = makeTree({ 'mod/main.tf': MODULE, [`mod/${sub}/main.tf`]: CALLER(sub.includes('/') ? '../..' : '..') });
    try {
      assert.deepEqual(await verdicts([join(t.root, 'mod')]), ['aws_sagemaker_notebook_instance.this fail', 'module.nb.aws_sagemaker_notebook_instance.this pass'], sub);
    } finally {
      t.cleanup();
    }
  }
});

test('the module alone, as the current directory: a variable without a default is unknown as usual', async () => {
  const t = makeTree({
    'main.tf': MODULE.replace('  default = "Enabled"\n', '  default = "Disabled"\n').replace('  default = null\n', ''),
    'examples/basic/main.tf': CALLER('../..'),
  });
  const cwd = process.cwd();
  try {
    process.chdir(t.root);
    assert.deepEqual(await verdicts(['.']), ['aws_sagemaker_notebook_instance.this unknown', 'module.nb.aws_sagemaker_notebook_instance.this pass']);
  } finally {
    process.chdir(cwd);
    t.cleanup();
  }
});

test('a module not named, or called from outside its own directory too, is evaluated only through its callers', async () => {
  const t = makeTree({ 'repo/mod/main.tf': MODULE, 'repo/mod/examples/basic/main.tf': CALLER('../..'), 'repo/env/main.tf': CALLER('../mod') });
  try {
    // The repository is named, not the module.
    assert.deepEqual(await verdicts([join(t.root, 'repo')]), ['module.nb.aws_sagemaker_notebook_instance.this pass', 'module.nb.aws_sagemaker_notebook_instance.this pass']);
    // The module is named, but env/ (not beneath it) calls it: it is deployed through that caller.
    assert.deepEqual(await verdicts([join(t.root, 'repo', 'mod'), join(t.root, 'repo', 'env')]), [
      'module.nb.aws_sagemaker_notebook_instance.this pass',
      'module.nb.aws_sagemaker_notebook_instance.this pass',
    ]);
  } finally {
    t.cleanup();
  }
});
