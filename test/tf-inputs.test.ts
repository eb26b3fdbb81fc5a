// Terraform's inputs from outside the configuration, read as Terraform reads them: TF_VAR_
// variables, -var / -var-file in command-line order, and the workspace (TF_WORKSPACE,
// .terraform/environment).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree } from './helpers/fixtures';
import { scanTerraformDirectories, type TerraformScanOptions } from '../src/sources/terraform/index';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;

const ACCESS_FROM_VARIABLE = [
  'variable "access" {}',
  'variable "tags" {',
  '  type    = map(string)',
  '  default = {}',
  '}',
  'variable "name" {',
  '  type    = string',
  '  default = "nb"',
  '}',
  'resource "aws_sagemaker_notebook_instance" "nb" {',
  '  name                   = var.name',
  '  direct_internet_access = var.access',
  '  subnet_id              = "subnet-0123456789abcdef0"',
  '  tags                   = var.tags',
  '}',
  '',
].join('\n');

function read(dir: string, property: string, options?: TerraformScanOptions): unknown {
  const result = scanTerraformDirectories([dir], options);
  const raw = result.resources[0]!.readProperty(property);
  return raw.state === 'set' ? raw.value : raw.state === 'unknown' ? `unknown: ${raw.reason}` : raw.state;
}

test('TF_VAR_ variables: raw text for string-like variables, HCL for complex types, lowest precedence', () => {
  const t = makeTree({ 'main.tf': ACCESS_FROM_VARIABLE });
  try {
    const env = { access: 'Disabled', tags: '{ team = "ml" }', name: '"quoted"', undeclared: 'x' };
    const result = scanTerraformDirectories([t.root], { env });
    assert.deepEqual(result.errors, []);
    assert.equal(read(t.root, 'DirectInternetAccess', { env }), 'Disabled');
    assert.deepEqual(read(t.root, 'Tags', { env }), [{ Key: 'team', Value: 'ml' }]);
    assert.equal(read(t.root, 'NotebookInstanceName', { env }), '"quoted"');
  } finally {
    t.cleanup();
  }
  // terraform.tfvars, *.auto.tfvars and -var all win over the environment.
  const u = makeTree({ 'main.tf': ACCESS_FROM_VARIABLE, 'terraform.tfvars': 'access = "Enabled"\n' });
  try {
    assert.equal(read(u.root, 'DirectInternetAccess', { env: { access: 'Disabled' } }), 'Enabled');
  } finally {
    u.cleanup();
  }
});

test('-var and -var-file apply in command-line order, later wins, as Terraform applies them', () => {
  const t = makeTree({ 'main.tf': ACCESS_FROM_VARIABLE, 'open.tfvars': 'access = "Enabled"\n', 'closed.tfvars': 'access = "Disabled"\n' });
  try {
    const file = (name: string) => ({ kind: 'file' as const, path: join(t.root, name) });
    const v = (text: string) => ({ kind: 'var' as const, name: 'access', text });
    // A -var before a -var-file loses to it: the file was given later.
    assert.equal(read(t.root, 'DirectInternetAccess', { args: [v('Disabled'), file('open.tfvars')] }), 'Enabled');
    assert.equal(read(t.root, 'DirectInternetAccess', { args: [file('open.tfvars'), v('Disabled')] }), 'Disabled');
    assert.equal(read(t.root, 'DirectInternetAccess', { args: [file('closed.tfvars'), file('open.tfvars')] }), 'Enabled');
  } finally {
    t.cleanup();
  }
});

const BY_WORKSPACE = [
  'resource "aws_sagemaker_notebook_instance" "nb" {',
  '  direct_internet_access = terraform.workspace == "prod" ? "Disabled" : "Enabled"',
  '  subnet_id              = "subnet-0123456789abcdef0"',
  '}',
  '',
].join('\n');

test('terraform.workspace: --workspace / TF_WORKSPACE, else .terraform/environment, else default', () => {
  const t = makeTree({ 'env/main.tf': BY_WORKSPACE, 'env/.terraform/environment': 'prod\n', 'plain/main.tf': BY_WORKSPACE });
  try {
    const env = join(t.root, 'env');
    assert.equal(read(env, 'DirectInternetAccess'), 'Disabled');
    assert.equal(read(env, 'DirectInternetAccess', { workspace: 'dev' }), 'Enabled');
    assert.equal(read(join(t.root, 'plain'), 'DirectInternetAccess'), 'Enabled');
    assert.equal(read(join(t.root, 'plain'), 'DirectInternetAccess', { workspace: 'prod' }), 'Disabled');
  } finally {
    t.cleanup();
  }
});

test('a .terraform/environment that is not a valid workspace name, or not a regular file, makes terraform.workspace unknown', () => {
  const t = makeTree({ 'bad/main.tf': BY_WORKSPACE, 'bad/.terraform/environment': '../../prod\n', 'fifo/main.tf': BY_WORKSPACE, 'big/main.tf': BY_WORKSPACE, 'big/.terraform/environment': 'p'.repeat(100_000), 'linked/main.tf': BY_WORKSPACE, 'elsewhere/environment': 'prod\n' });
  try {
    symlinkSync(join(t.root, 'elsewhere'), join(t.root, 'linked', '.terraform'));
    execFileSync('mkfifo', [join(t.root, 'fifo', '.terraform-env')]);
    execFileSync('mkdir', [join(t.root, 'fifo', '.terraform')]);
    execFileSync('mv', [join(t.root, 'fifo', '.terraform-env'), join(t.root, 'fifo', '.terraform', 'environment')]);
    for (const [dir, why] of [['bad', /not a valid workspace name/], ['fifo', /not a regular file/], ['big', /bytes/], ['linked', /leads out of the root module/]] as const) {
      const result = scanTerraformDirectories([join(t.root, dir)]);
      const raw = result.resources[0]!.readProperty('DirectInternetAccess');
      assert.equal(raw.state, 'unknown', dir);
      assert.match(raw.state === 'unknown' ? raw.reason : '', /terraform\.workspace/);
      assert.equal(result.errors.length, 1, dir);
      assert.equal(result.errors[0]!.file, join(t.root, dir, '.terraform', 'environment'));
      assert.match(result.errors[0]!.message, why);
    }
  } finally {
    t.cleanup();
  }
});

function cli(args: string[], env: Record<string, string>, cwd: string) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TF_VAR_') && k !== 'TF_WORKSPACE'));
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('CLI: TF_VAR_ and TF_WORKSPACE from the environment, --var and --var-file in command-line order, --workspace', () => {
  const t = makeTree({
    'tf/main.tf': ACCESS_FROM_VARIABLE,
    'open.tfvars': 'access = "Enabled"\n',
    'ws/main.tf': BY_WORKSPACE,
  });
  try {
    const scan = (args: string[], env: Record<string, string> = {}) => cli(['scan', '--format', 'json', ...args], env, t.root).code;
    assert.equal(scan(['tf'], { TF_VAR_access: 'Disabled' }), 0);
    assert.equal(scan(['tf'], { TF_VAR_access: 'Enabled' }), 1);
    assert.equal(scan(['tf', '--var-file', 'open.tfvars', '--var', 'access=Disabled']), 0);
    assert.equal(scan(['tf', '--var', 'access=Disabled', '--var-file', 'open.tfvars']), 1);
    assert.equal(scan(['ws']), 1);
    assert.equal(scan(['ws'], { TF_WORKSPACE: 'prod' }), 0);
    assert.equal(scan(['ws', '--workspace', 'prod']), 0);
    assert.equal(scan(['ws', '--workspace', 'dev'], { TF_WORKSPACE: 'prod' }), 1);
    const bad = cli(['scan', 'ws', '--workspace', 'a/b'], {}, t.root);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /workspace/);
    const badEnv = cli(['scan', 'ws'], { TF_WORKSPACE: 'a b' }, t.root);
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.stderr, /TF_WORKSPACE/);
  } finally {
    t.cleanup();
  }
});
