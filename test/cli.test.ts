// The built command, run as a user would: exit codes, formats, files, colour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  const { NO_COLOR, FORCE_COLOR, ...base } = process.env;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const r = run(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), version);
});

test('exit code 0 when everything passes, 1 on a failure, 2 on an unreadable input', () => {
  const t = makeTree({
    'ok/t.yaml': NOTEBOOK_CFN_YAML('Nb', 'Disabled', 'subnet-0123456789abcdef0'),
    'bad/t.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled'),
    'broken/t.json': '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {',
  });
  try {
    assert.equal(run(['scan', join(t.root, 'ok')]).code, 0);
    const fail = run(['scan', join(t.root, 'bad')]);
    assert.equal(fail.code, 1);
    assert.match(fail.stdout, /SageMaker-004/);
    assert.match(fail.stdout, /t\.yaml/);
    const broken = run(['scan', join(t.root, 'broken'), join(t.root, 'ok')]);
    assert.equal(broken.code, 2);
    assert.match(broken.stdout, /t\.json/);
    // A higher threshold lets a Medium failure through.
    assert.equal(run(['scan', join(t.root, 'bad'), '--fail-on', 'high']).code, 0);
  } finally {
    t.cleanup();
  }
});

test('--format json on stdout and --output writes several formats at once', () => {
  const t = makeTree({ 't.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') });
  try {
    const sarif = join(t.root, 'out.sarif');
    const junit = join(t.root, 'out.xml');
    const r = run(['scan', join(t.root, 't.yaml'), '--format', 'json', '--output', `sarif=${sarif}`, '--output', `junit=${junit}`]);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.equal(report.version, 1);
    assert.equal(report.findings[0].ruleId, 'SageMaker-004');
    assert.equal(report.findings[0].result, 'fail');
    assert.equal(report.findings[0].location.line, 8); // the DirectInternetAccess line
    assert.equal(JSON.parse(readFileSync(sarif, 'utf8')).version, '2.1.0');
    assert.match(readFileSync(junit, 'utf8'), /<testsuites/);
  } finally {
    t.cleanup();
  }
});

test('bad usage exits 2 with a message', () => {
  const r = run(['scan', '--format', 'xml']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /xml/);
  const o = run(['scan', '--output', 'nonsense']);
  assert.equal(o.code, 2);
  assert.match(o.stderr, /FORMAT=FILE/);
  const rules = run(['scan', '--rules', 'NoSuchRule-1']);
  assert.equal(rules.code, 2);
});

test('colour only when forced or on a terminal, never with NO_COLOR', () => {
  const t = makeTree({ 't.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') });
  try {
    const ansi = /\x1b\[/;
    assert.doesNotMatch(run(['scan', t.root]).stdout, ansi);
    assert.match(run(['scan', t.root], { FORCE_COLOR: '1' }).stdout, ansi);
    assert.doesNotMatch(run(['scan', t.root], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout, ansi);
    assert.doesNotMatch(run(['scan', t.root, '--no-color'], { FORCE_COLOR: '1' }).stdout, ansi);
  } finally {
    t.cleanup();
  }
});

test('rules lists every rule; explain prints the page, also by alias', () => {
  const rules = run(['rules']);
  assert.equal(rules.code, 0);
  assert.match(rules.stdout, /SageMaker-004/);
  assert.match(rules.stdout, /SageMaker-005/);
  const page = run(['explain', 'SageMaker-004']);
  assert.equal(page.code, 0);
  assert.match(page.stdout, /## Remediation/);
  assert.match(page.stdout, /CKV_AWS_122/);
  assert.match(run(['explain', 'CKV_AWS_122']).stdout, /SageMaker-004/);
  assert.equal(run(['explain', 'nope']).code, 2);
});

test('a .cloudconform.yml in the working directory is used', () => {
  const t = makeTree({
    't.yaml': NOTEBOOK_CFN_YAML('Legacy', 'Enabled'),
    '.cloudconform.yml': 'exceptions:\n  - rules: [SageMaker-004]\n    resources: [Legacy]\n    reason: retired next sprint\n',
  });
  try {
    const r = run(['scan', '.', '--format', 'json'], {}, t.root);
    assert.equal(r.code, 0);
    const f = JSON.parse(r.stdout).findings[0];
    assert.equal(f.suppressed, true);
    assert.equal(f.suppression.reason, 'retired next sprint');
    const bad = makeTree({ '.cloudconform.yml': 'exceptions:\n  - rules: [SageMaker-004]\n' });
    try {
      const r2 = run(['scan', '.'], {}, bad.root);
      assert.equal(r2.code, 2);
      assert.match(r2.stderr, /reason is required/);
    } finally {
      bad.cleanup();
    }
  } finally {
    t.cleanup();
  }
});
