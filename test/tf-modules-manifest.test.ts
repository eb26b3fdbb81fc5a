// `.terraform/modules/modules.json` is a file anyone can commit or edit: it is used only where
// Terraform would use it (internal/configs/configload/loader_load.go checks Source and Version)
// and only for directories `terraform init` writes (under .terraform/modules).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyConfig } from '../src/engine/config';
import { scan } from '../src/engine/scan';
import type { ScanReport } from '../src/model/report';
import { makeTree } from './helpers/fixtures';

const PASSING_NOTEBOOK =
  'resource "aws_sagemaker_notebook_instance" "this" {\n  direct_internet_access = "Disabled"\n  subnet_id = "subnet-0123456789abcdef0"\n}\n';

const CALL = (version?: string) => `module "nb" {\n  source = "example/notebook/aws"\n${version ? `  version = "${version}"\n` : ''}}\n`;

function manifest(record: { Source: string; Dir: string; Version?: string }): string {
  return JSON.stringify({ Modules: [{ Key: '', Source: '', Dir: '.' }, { Key: 'nb', ...record }] });
}

async function scanRoot(dir: string): Promise<ScanReport> {
  return scan([dir], { config: emptyConfig(), ruleIds: ['SageMaker-004'], jobs: 1 });
}

const verdicts = (r: ScanReport) => r.findings.map((f) => `${f.resource.id} ${f.result}`);

test('modules.json whose Dir leaves .terraform/modules is not followed: an error entry, never a pass', async () => {
  for (const dir of ['../outside', 'ABSOLUTE', 'modules/fake', '.terraform/modules/../../../outside']) {
    const t = makeTree({ 'root/main.tf': CALL(), 'outside/main.tf': PASSING_NOTEBOOK, 'root/modules/fake/main.tf': PASSING_NOTEBOOK });
    try {
      mkdirSync(join(t.root, 'root', '.terraform', 'modules'), { recursive: true });
      const recorded = dir === 'ABSOLUTE' ? join(t.root, 'outside') : dir;
      writeFileSync(join(t.root, 'root', '.terraform', 'modules', 'modules.json'), manifest({ Source: 'registry.terraform.io/example/notebook/aws', Dir: recorded }));
      const report = await scanRoot(join(t.root, 'root'));
      assert.deepEqual(verdicts(report).filter((v) => v.startsWith('module.')), [], dir);
      assert.equal(report.errors.length, 1, dir);
      assert.match(report.errors[0]!.message, /module "nb": .*modules\.json.*outside \.terraform\/modules/, dir);
    } finally {
      t.cleanup();
    }
  }
});

test('a downloaded module directory that is a symbolic link out of .terraform/modules is not followed', async () => {
  const t = makeTree({
    'root/main.tf': CALL(),
    'root/.terraform/modules/modules.json': manifest({ Source: 'registry.terraform.io/example/notebook/aws', Dir: '.terraform/modules/nb' }),
    'outside/main.tf': PASSING_NOTEBOOK,
  });
  try {
    symlinkSync(join(t.root, 'outside'), join(t.root, 'root', '.terraform', 'modules', 'nb'));
    const report = await scanRoot(join(t.root, 'root'));
    assert.deepEqual(verdicts(report), []);
    assert.match(report.errors[0]?.message ?? '', /outside \.terraform\/modules/);
  } finally {
    t.cleanup();
  }
});

test('a downloaded module whose Source or Version does not match the call: its resources are unknown, with a note', async () => {
  const cases = [
    { call: CALL(), record: { Source: 'registry.terraform.io/attacker/notebook/aws' }, why: /source/ },
    { call: CALL('~> 2.0'), record: { Source: 'registry.terraform.io/example/notebook/aws', Version: '1.4.0' }, why: /version 1\.4\.0/ },
    { call: CALL('2.0.0'), record: { Source: 'registry.terraform.io/example/notebook/aws' }, why: /version/ },
  ];
  for (const { call, record, why } of cases) {
    const t = makeTree({
      'main.tf': call,
      '.terraform/modules/modules.json': manifest({ ...record, Dir: '.terraform/modules/nb' }),
      '.terraform/modules/nb/main.tf': PASSING_NOTEBOOK,
    });
    try {
      const report = await scanRoot(t.root);
      assert.deepEqual(verdicts(report), ['module.nb.aws_sagemaker_notebook_instance.this unknown'], String(why));
      assert.match(report.findings[0]!.message, /terraform init/);
      assert.deepEqual(report.errors, []);
      assert.equal(report.notes?.length, 1);
      assert.match(report.notes![0]!.message, why);
      assert.equal(report.notes![0]!.file, join(t.root, 'main.tf'));
    } finally {
      t.cleanup();
    }
  }
});

test('a downloaded module matching the call (registry source normalised, version within the constraint) is evaluated', async () => {
  for (const [constraint, version] of [['~> 2.0', '2.3.1'], ['>= 1.2, < 3', '2.0.0'], ['2.0.0', '2.0.0'], [undefined, '5.1.0']] as const) {
    const t = makeTree({
      'main.tf': CALL(constraint),
      '.terraform/modules/modules.json': manifest({ Source: 'registry.terraform.io/example/notebook/aws', Version: version, Dir: '.terraform/modules/nb' }),
      '.terraform/modules/nb/main.tf': PASSING_NOTEBOOK,
    });
    try {
      const report = await scanRoot(t.root);
      assert.deepEqual(verdicts(report), ['module.nb.aws_sagemaker_notebook_instance.this pass'], `${constraint} ${version}`);
      assert.equal(report.notes, undefined);
    } finally {
      t.cleanup();
    }
  }
});

test('a remote module that was never downloaded gets a note, not silence', async () => {
  const t = makeTree({ 'main.tf': CALL() + PASSING_NOTEBOOK });
  try {
    const report = await scanRoot(t.root);
    assert.deepEqual(verdicts(report), ['aws_sagemaker_notebook_instance.this pass']);
    assert.equal(report.notes?.length, 1);
    assert.match(report.notes![0]!.message, /module "nb".*example\/notebook\/aws.*not downloaded.*terraform init/);
    assert.deepEqual([report.notes![0]!.file, report.notes![0]!.line], [join(t.root, 'main.tf'), 2]);
  } finally {
    t.cleanup();
  }
});

test('sources as terraform init records them, and version constraints as go-version reads them', async () => {
  const { sameModuleSource, versionSatisfies } = await import('../src/sources/terraform/downloaded-modules');
  assert.equal(sameModuleSource('ns/name/aws', 'registry.terraform.io/ns/name/aws'), true);
  assert.equal(sameModuleSource('ns/name/aws//modules/x', 'registry.terraform.io/ns/name/aws//modules/x'), true);
  assert.equal(sameModuleSource('App.Terraform.io/org/name/aws', 'app.terraform.io/org/name/aws'), true);
  assert.equal(sameModuleSource('github.com/org/repo?ref=v1', 'git::https://github.com/org/repo.git?ref=v1'), true);
  assert.equal(sameModuleSource('github.com/org/repo//sub?ref=v1', 'git::https://github.com/org/repo.git//sub?ref=v1'), true);
  assert.equal(sameModuleSource('git::https://example.com/x.git?ref=v1', 'git::https://example.com/x.git?ref=v1'), true);
  assert.equal(sameModuleSource('ns/name/aws', 'registry.terraform.io/ns/other/aws'), false);
  assert.equal(sameModuleSource('ns/name/aws', 'ns/name/aws//x'), false);
  assert.equal(sameModuleSource('git::https://example.com/x.git?ref=v1', 'git::https://example.com/x.git?ref=v2'), false);
  const cases: [string, string, boolean | undefined][] = [
    ['1.2.9', '~> 1.2.3', true],
    ['1.3.0', '~> 1.2.3', false],
    ['1.9.0', '~> 1.2', true],
    ['2.0.0', '~> 1.2', false],
    ['7.0.0', '~> 1', true],
    ['1.2.0', '>= 1.0, < 2.0, != 1.2.0', false],
    ['1.2.1', '>= 1.0, < 2.0, != 1.2.0', true],
    ['v1.0.0', '1.0', true],
    ['1.0.0-beta', '>= 1.0.0', undefined],
    ['1.0.0', 'latest', undefined],
  ];
  for (const [v, c, want] of cases) assert.equal(versionSatisfies(v, c), want, `${v} ${c}`);
});

test('a modules.json that is a named pipe is refused without blocking: an error entry and a note', async () => {
  const t = makeTree({ 'main.tf': CALL() });
  try {
    mkdirSync(join(t.root, '.terraform', 'modules'), { recursive: true });
    execFileSync('mkfifo', [join(t.root, '.terraform', 'modules', 'modules.json')]);
    const report = await scanRoot(t.root);
    assert.deepEqual(
      report.errors.map((e) => [e.file, e.message]),
      [[join(t.root, '.terraform', 'modules', 'modules.json'), "can't be used: not a regular file, not read; remote modules are not evaluated"]],
    );
    assert.match(report.notes?.[0]?.message ?? '', /module "nb" .*not evaluated/);
  } finally {
    t.cleanup();
  }
});

test('a downloaded module\'s files are spelled as its root is (red team: the absolute real path changed every finding key with the checkout\'s location)', async () => {
  const t = makeTree({
    'repo/main.tf': CALL(),
    'repo/.terraform/modules/modules.json': manifest({ Source: 'registry.terraform.io/example/notebook/aws', Version: '1.0.0', Dir: '.terraform/modules/nb' }),
    'repo/.terraform/modules/nb/main.tf': PASSING_NOTEBOOK,
  });
  const cwd = process.cwd();
  try {
    // Through a link to the checkout too: the files keep the spelling the scan was given.
    symlinkSync(join(t.root, 'repo'), join(t.root, 'link'));
    process.chdir(t.root);
    for (const root of ['repo', 'link']) {
      const report = await scanRoot(root);
      assert.deepEqual(report.findings.map((f) => f.location.file), [`${root}/.terraform/modules/nb/main.tf`]);
      assert.ok(report.run!.evaluated.files!.includes(`${root}/.terraform/modules/nb/main.tf`), report.run!.evaluated.files!.join(', '));
    }
  } finally {
    process.chdir(cwd);
    t.cleanup();
  }
});
