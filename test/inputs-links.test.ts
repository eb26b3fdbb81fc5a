// Symbolic links planted in a repository, through the built command: the scan stays inside the
// paths it was given (unless --follow-external-symlinks), a dangling link is a note, and nothing
// read through a planted link is quoted into the output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;

function run(args: string[], cwd?: string) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.signal, null, `cloudconform ${args.join(' ')} did not end`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

test('a link to / in the repository is noted, not walked (was: the whole file system)', () => {
  const t = makeTree({ 'repo/ok.yaml': NOTEBOOK_CFN_YAML('Ok', 'Disabled', 'subnet-0123456789abcdef0') });
  try {
    symlinkSync('/', join(t.root, 'repo', 'rootfs'));
    const r = run(['scan', join(t.root, 'repo')]);
    assert.equal(r.code, 0, r.stdout);
    assert.ok(r.ms < 10_000, `${r.ms} ms`);
    assert.match(r.stdout, /Notes\n {2}.*rootfs: symbolic link to \/, outside the scanned paths: not followed \(--follow-external-symlinks follows it\)/);
    assert.match(r.stdout, /1 passed.*, 1 note/);
  } finally {
    t.cleanup();
  }
});

test('a link to a template outside the repository is followed only with --follow-external-symlinks', () => {
  const t = makeTree({ 'repo/ok.yaml': NOTEBOOK_CFN_YAML('Ok', 'Disabled', 'subnet-0123456789abcdef0'), 'shared/open.yaml': NOTEBOOK_CFN_YAML('Open', 'Enabled') });
  try {
    symlinkSync(join(t.root, 'shared'), join(t.root, 'repo', 'shared'));
    const plain = run(['scan', '-f', 'json', join(t.root, 'repo')]);
    assert.equal(plain.code, 0);
    assert.deepEqual(JSON.parse(plain.stdout).notes.map((n: { file: string }) => n.file), [join(t.root, 'repo', 'shared')]);
    const followed = run(['scan', '-f', 'json', '--follow-external-symlinks', join(t.root, 'repo')]);
    assert.equal(followed.code, 1);
    assert.deepEqual(JSON.parse(followed.stdout).findings.map((f: { resource: { id: string } }) => f.resource.id).sort(), ['Ok', 'Open']);
  } finally {
    t.cleanup();
  }
});

test('a dangling link is a note, not exit 2', () => {
  const t = makeTree({ 'ok.yaml': NOTEBOOK_CFN_YAML('Ok', 'Disabled', 'subnet-0123456789abcdef0') });
  try {
    symlinkSync(join(t.root, 'gone.yaml'), join(t.root, 'template.yaml'));
    const r = run(['scan', '-f', 'json', t.root]);
    assert.equal(r.code, 0);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.errors, []);
    assert.match(report.notes[0].message, /dangling symbolic link/);
  } finally {
    t.cleanup();
  }
});

test('a .cloudconform.yml linked to a credentials file: the error names the position, never the lines', () => {
  const t = makeTree({
    'home/.aws/credentials': '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
    'repo/ok.yaml': NOTEBOOK_CFN_YAML('Ok', 'Disabled', 'subnet-0123456789abcdef0'),
  });
  try {
    symlinkSync(join(t.root, 'home', '.aws', 'credentials'), join(t.root, 'repo', '.cloudconform.yml'));
    const r = run(['scan', '.'], join(t.root, 'repo'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\.cloudconform\.yml:2:1: end of the stream or a document separator is expected/);
    assert.doesNotMatch(r.stderr + r.stdout, /AKIA|wJalr|aws_/);
  } finally {
    t.cleanup();
  }
});

test('a terraform.tfvars.json linked to a secrets file outside the scanned paths: its values are unknown, never quoted', () => {
  const secret = 'd-FL95Q19q7MQmFpd7hHD0Ty';
  const t = makeTree({
    'home/adc.json': JSON.stringify({ client_id: '123.apps', client_secret: secret, type: 'authorized_user' }),
    'repo/main.tf': [
      'variable "client_secret" {',
      '  default = "Disabled"',
      '}',
      'resource "aws_sagemaker_notebook_instance" "nb" {',
      '  name                   = "nb"',
      '  role_arn               = "arn:aws:iam::111122223333:role/nb"',
      '  instance_type          = "ml.t3.medium"',
      '  subnet_id              = "subnet-1"',
      '  direct_internet_access = var.client_secret',
      '}',
      '',
    ].join('\n'),
  });
  try {
    symlinkSync(join(t.root, 'home', 'adc.json'), join(t.root, 'repo', 'terraform.tfvars.json'));
    for (const format of ['text', 'json', 'sarif']) {
      const r = run(['scan', '-f', format, join(t.root, 'repo')]);
      assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret), format);
      assert.equal(r.code, 0, format);
    }
    const report = JSON.parse(run(['scan', '-f', 'json', join(t.root, 'repo')]).stdout);
    assert.equal(report.findings[0].result, 'unknown', 'the file may set the variable: not the default, not a pass');
    assert.match(report.findings[0].message, /links to .*adc\.json, outside the scanned paths: its values are not used/);
    // Scanning the tree that holds the file, or opting in, uses its values as Terraform would.
    const opted = run(['scan', '-f', 'json', '--follow-external-symlinks', join(t.root, 'repo')]);
    assert.equal(JSON.parse(opted.stdout).findings[0].result, 'fail');
  } finally {
    t.cleanup();
  }
});

test('a .tf named on the command line: the terraform.tfvars beside it is inside the scanned paths', () => {
  const t = makeTree({
    'main.tf': 'variable "access" {\n  default = "Enabled"\n}\nresource "aws_sagemaker_notebook_instance" "nb" {\n  subnet_id = "subnet-1"\n  direct_internet_access = var.access\n}\n',
    'terraform.tfvars': 'access = "Disabled"\n',
  });
  try {
    const r = run(['scan', '-f', 'json', join(t.root, 'main.tf')]);
    assert.deepEqual(JSON.parse(r.stdout).findings.map((f: { result: string }) => f.result), ['pass']);
  } finally {
    t.cleanup();
  }
});

test('attack: a .tf in the repository linking to a file outside is not read or quoted; the module is incomplete (exit 2)', () => {
  const t = makeTree({
    'repo/main.tf': 'resource "aws_sagemaker_notebook_instance" "nb" {\n  direct_internet_access = var.dia\n  subnet_id = "subnet-0123456789abcdef0"\n}\n',
    'outside/vars.tf': 'variable "dia" { default = "TOPSECRET-value-from-outside" }\n',
  });
  try {
    symlinkSync(join(t.root, 'outside', 'vars.tf'), join(t.root, 'repo', 'vars.tf'));
    const plain = run(['scan', '-f', 'json', join(t.root, 'repo')]);
    assert.equal(plain.code, 2, plain.stdout + plain.stderr);
    assert.ok(!plain.stdout.includes('TOPSECRET'), plain.stdout);
    assert.match(JSON.parse(plain.stdout).errors.map((e: { message: string }) => e.message).join('\n'), /outside the scanned paths: not read/);
    const followed = run(['scan', '-f', 'json', '--follow-external-symlinks', join(t.root, 'repo')]);
    assert.equal(followed.code, 1, followed.stdout + followed.stderr);
  } finally {
    t.cleanup();
  }
});
