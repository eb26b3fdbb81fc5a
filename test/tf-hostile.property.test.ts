// A hostile contributor adds files Terraform never reads or a doctored modules.json next to a
// failing configuration: whatever the combination, the failing notebook never passes, and
// nothing from a module copy Terraform would not use passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { join } from 'node:path';
import { emptyConfig } from '../src/engine/config';
import { scan } from '../src/engine/scan';
import { makeTree } from './helpers/fixtures';

const PASSING = (name: string) =>
  `resource "aws_sagemaker_notebook_instance" "${name}" {\n  direct_internet_access = "Disabled"\n  subnet_id = "subnet-0123456789abcdef0"\n}\n`;

const BASE: Record<string, string> = {
  'root/main.tf': [
    'resource "aws_sagemaker_notebook_instance" "nb" {',
    '  direct_internet_access = terraform.workspace == "prod" ? "Disabled" : "Enabled"',
    '}',
    'module "remote" {',
    '  source  = "example/notebook/aws"',
    '  version = "~> 2.0"',
    '}',
    '',
  ].join('\n'),
  'outside/main.tf': PASSING('this'),
};

const manifest = (record: Record<string, string>) => JSON.stringify({ Modules: [{ Key: '', Source: '', Dir: '.' }, { Key: 'remote', ...record }] });

/** Files a hostile change may add; none of them is something Terraform would apply. */
const HIDDEN: Record<string, Record<string, string>> = {
  hiddenOverride: { 'root/.x_override.tf': PASSING('nb') },
  hiddenPrimary: { 'root/.nb.tf': PASSING('nb').replace('"nb"', '"nb2"') },
  emacsLock: { 'root/.#main.tf': PASSING('nb') },
  invalidWorkspace: { 'root/.terraform/environment': 'prod/../x\n' },
  overrideOfUndeclared: { 'root/z_override.tf': PASSING('ghost') },
};

const MANIFESTS: Record<string, Record<string, string>> = {
  dirOutside: { 'root/.terraform/modules/modules.json': manifest({ Source: 'registry.terraform.io/example/notebook/aws', Version: '2.1.0', Dir: '../outside' }) },
  otherSource: {
    'root/.terraform/modules/modules.json': manifest({ Source: 'registry.terraform.io/evil/notebook/aws', Version: '2.1.0', Dir: '.terraform/modules/remote' }),
    'root/.terraform/modules/remote/main.tf': PASSING('this'),
  },
  oldVersion: {
    'root/.terraform/modules/modules.json': manifest({ Source: 'registry.terraform.io/example/notebook/aws', Version: '1.9.9', Dir: '.terraform/modules/remote' }),
    'root/.terraform/modules/remote/main.tf': PASSING('this'),
  },
  noVersion: {
    'root/.terraform/modules/modules.json': manifest({ Source: 'registry.terraform.io/example/notebook/aws', Dir: '.terraform/modules/remote' }),
    'root/.terraform/modules/remote/main.tf': PASSING('this'),
  },
  duplicateKey: {
    'root/.terraform/modules/modules.json': JSON.stringify({
      Modules: [
        { Key: 'remote', Source: 'registry.terraform.io/evil/x/aws', Dir: '.terraform/modules/remote' },
        { Key: 'remote', Source: 'registry.terraform.io/example/notebook/aws', Version: '2.1.0', Dir: '.terraform/modules/remote' },
      ],
    }),
    'root/.terraform/modules/remote/main.tf': PASSING('this'),
  },
};

test('property: hidden files, editor files, a bad workspace file or a doctored modules.json never turn a fail into a pass', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.subarray(Object.keys(HIDDEN)),
      fc.option(fc.constantFrom(...Object.keys(MANIFESTS)), { nil: undefined }),
      async (hidden, manifestKind) => {
        const files = { ...BASE, ...Object.assign({}, ...hidden.map((k) => HIDDEN[k])), ...(manifestKind ? MANIFESTS[manifestKind] : {}) };
        const t = makeTree(files);
        try {
          const report = await scan([join(t.root, 'root')], { config: emptyConfig(), ruleIds: ['SageMaker-004'], jobs: 1 });
          const nb = report.findings.filter((f) => f.resource.id === 'aws_sagemaker_notebook_instance.nb');
          assert.equal(nb.length, 1);
          assert.notEqual(nb[0]!.result, 'pass', JSON.stringify({ hidden, manifestKind, nb: nb[0] }));
          for (const f of report.findings.filter((f) => f.resource.id.startsWith('module.remote.'))) {
            assert.notEqual(f.result, 'pass', JSON.stringify({ hidden, manifestKind, f }));
          }
        } finally {
          t.cleanup();
        }
      },
    ),
    { numRuns: 40 },
  );
});
