// Inputs written with a byte-order mark, through the built command. PowerShell 5's
// `terraform show -json > plan.json` writes UTF-16 LE with a mark; editors on Windows write UTF-8
// with one. Every text input is decoded the same way (sources/read-file.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeText, type TextEncoding } from '../src/sources/read-file';
import { makeTree, NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;
const PLAN = readFileSync(new URL('../src/sources/terraform/testdata/plan/plan.json', import.meta.url), 'utf8');

function scanJson(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [CLI, 'scan', '-f', 'json', ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.signal, null, 'the scan did not end');
  assert.ok(r.stdout, r.stderr);
  const report = JSON.parse(r.stdout) as {
    findings: { resource: { id: string }; result: string; suppressed: boolean; location: { line: number } }[];
    errors: { file: string; message: string }[];
  };
  return { code: r.status, report, verdicts: report.findings.map((f) => `${f.resource.id}:${f.result}${f.suppressed ? ':suppressed' : ''}`).sort() };
}

const utf16le = (text: string) => encodeText(text, 'utf16le-bom');

test('a Terraform plan written by PowerShell (UTF-16 LE with a byte-order mark) is read like the UTF-8 one (was: binary data)', () => {
  const t = makeTree({ 'utf8/plan.json': PLAN, 'utf16/plan.json': utf16le(PLAN) });
  try {
    const plain = scanJson([join(t.root, 'utf8')]);
    const powershell = scanJson([join(t.root, 'utf16')]);
    assert.deepEqual(powershell.report.errors, []);
    assert.ok(plain.verdicts.length >= 4);
    assert.deepEqual(powershell.verdicts, plain.verdicts);
    assert.deepEqual(
      powershell.report.findings.map((f) => f.location.line),
      plain.report.findings.map((f) => f.location.line),
      'lines are counted in the decoded text',
    );
    assert.equal(powershell.code, plain.code);
  } finally {
    t.cleanup();
  }
});

test('CloudFormation templates in UTF-16 BE, UTF-16 LE and UTF-8 with a byte-order mark', () => {
  const encodings: TextEncoding[] = ['utf16be-bom', 'utf16le-bom', 'utf8-bom'];
  const files: Record<string, Buffer> = {};
  encodings.forEach((encoding, i) => {
    files[`t${i}.yaml`] = encodeText(NOTEBOOK_CFN_YAML(`Yaml${i}`, 'Enabled'), encoding);
    files[`t${i}.json`] = encodeText(JSON.stringify({ Resources: { [`Json${i}`]: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { DirectInternetAccess: 'Enabled' } } } }), encoding);
  });
  const t = makeTree(files);
  try {
    const { code, report, verdicts } = scanJson([t.root]);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(verdicts, ['Json0:fail', 'Json1:fail', 'Json2:fail', 'Yaml0:fail', 'Yaml1:fail', 'Yaml2:fail']);
    assert.equal(code, 1);
  } finally {
    t.cleanup();
  }
});

test('Terraform files, variable files and .cloudconform.yml with a byte-order mark are read', () => {
  const main = [
    'variable "access" {',
    '  default = "Enabled"',
    '}',
    'resource "aws_sagemaker_notebook_instance" "nb" {',
    '  name                   = "nb"',
    '  role_arn               = "arn:aws:iam::111122223333:role/nb"',
    '  instance_type          = "ml.t3.medium"',
    '  subnet_id              = "subnet-1"',
    '  direct_internet_access = var.access',
    '}',
    '',
  ].join('\n');
  const t = makeTree({
    'tf/main.tf': utf16le(main),
    'tf/terraform.tfvars': utf16le('access = "Disabled"\n'),
    'cfn/t.yaml': NOTEBOOK_CFN_YAML('Legacy', 'Enabled'),
    '.cloudconform.yml': utf16le('exceptions:\n  - rules: [SageMaker-004]\n    resources: [Legacy]\n    reason: retired next sprint\n'),
  });
  try {
    const { code, report, verdicts } = scanJson(['.'], t.root);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(verdicts, ['Legacy:fail:suppressed', 'aws_sagemaker_notebook_instance.nb:pass']);
    assert.equal(code, 0);
  } finally {
    t.cleanup();
  }
});

test('UTF-16 cut in the middle of a character, and UTF-16 without a mark, are errors naming why', () => {
  const text = NOTEBOOK_CFN_YAML('Nb', 'Enabled');
  const t = makeTree({ 'odd.yaml': utf16le(text).subarray(0, 101), 'nomark.yaml': Buffer.from(text, 'utf16le') });
  try {
    const { code, report } = scanJson([t.root]);
    assert.equal(code, 2);
    const byFile = Object.fromEntries(report.errors.map((e) => [e.file.slice(t.root.length + 1), e.message]));
    assert.match(byFile['odd.yaml']!, /UTF-16 text with an odd number of bytes/);
    assert.match(byFile['nomark.yaml']!, /binary data/);
  } finally {
    t.cleanup();
  }
});
