import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { scan } from '../src/engine/scan';
import { emptyConfig, parseConfig, ConfigError } from '../src/engine/config';
import { walkScanPaths } from '../src/engine/walk';
import { makeTree, NOTEBOOK_CFN_YAML } from './helpers/fixtures';

test('walk: finds templates and Terraform modules, skips tool folders, reports symlink loops', () => {
  const t = makeTree({
    'a/template.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled'),
    'a/notes.md': '# not a template',
    'tf/main.tf': 'resource "aws_s3_bucket" "b" {}\n',
    'tf/terraform.tfvars': 'x = 1\n',
    'node_modules/pkg/template.yaml': NOTEBOOK_CFN_YAML('Hidden', 'Enabled'),
    '.terraform/modules/m/main.tf': 'resource "aws_s3_bucket" "c" {}\n',
  });
  try {
    symlinkSync(t.root, join(t.root, 'a', 'loop'));
    const walk = walkScanPaths([t.root]);
    assert.deepEqual(walk.candidateFiles, [join(t.root, 'a', 'template.yaml')]);
    assert.deepEqual(walk.terraformDirs, [join(t.root, 'tf')]);
    assert.equal(walk.errors.length, 1);
    assert.match(walk.errors[0]!.message, /symbolic link loop/);
  } finally {
    t.cleanup();
  }
});

test('scan: a broken or hostile file is reported with its reason while the others are scanned', async () => {
  const t = makeTree({
    'good.yaml': NOTEBOOK_CFN_YAML('Good', 'Disabled', 'subnet-0123456789abcdef0'),
    'bad.yaml': 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties: [unclosed\n',
    'binary.json': Buffer.from([0x7b, 0x00, 0x01, 0x02, 0xff]),
    'big.yaml': 'Resources:\n' + '#'.repeat(3000) + '\n',
    'k8s.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n',
    'tf/main.tf': 'resource "aws_sagemaker_notebook_instance" "nb" {\n  direct_internet_access = "Enabled"\n',
    'tf2/main.tf': 'resource "aws_sagemaker_notebook_instance" "nb" {\n  name = "x"\n}\n',
  });
  try {
    const report = await scan([t.root], { config: emptyConfig(), jobs: 1, maxFileBytes: 2048 });
    const ids = report.findings.map((f) => `${f.resource.id}:${f.result}`).sort();
    assert.deepEqual(ids, ['Good:pass', 'aws_sagemaker_notebook_instance.nb:fail']);
    const errorFiles = report.errors.map((e) => e.file.slice(t.root.length + 1)).sort();
    assert.deepEqual(errorFiles, ['bad.yaml', 'big.yaml', 'binary.json', 'tf/main.tf']);
    const byFile = Object.fromEntries(report.errors.map((e) => [e.file.slice(t.root.length + 1), e.message]));
    assert.match(byFile['binary.json']!, /binary/);
    assert.match(byFile['big.yaml']!, /limit/);
    assert.equal(report.summary.errors, 4);
  } finally {
    t.cleanup();
  }
});

test('scan: unreadable inputs are reported, special files skipped without blocking', async () => {
  const t = makeTree({ 'locked.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled'), 'ok.yaml': NOTEBOOK_CFN_YAML('Ok', 'Enabled') });
  try {
    symlinkSync(join(t.root, 'missing.yaml'), join(t.root, 'dangling.yaml'));
    execFileSync('mkfifo', [join(t.root, 'pipe.json')]);
    chmodSync(join(t.root, 'locked.yaml'), 0o000);
    const report = await scan([t.root], { config: emptyConfig(), jobs: 1 });
    const byFile = Object.fromEntries(report.errors.map((e) => [e.file.slice(t.root.length + 1), e.message]));
    const notes = Object.fromEntries((report.notes ?? []).map((n) => [n.file!.slice(t.root.length + 1), n.message]));
    // A dangling link or a FIFO is a note (the scan completed), not an error.
    assert.match(notes['dangling.yaml']!, /dangling symbolic link/);
    // Opening a FIFO would block until something writes to it: the walk never opens one.
    assert.match(notes['pipe.json']!, /not a regular file \(a named pipe\)/);
    assert.equal(byFile['pipe.json'], undefined);
    // root reads files whatever their mode; everyone else gets the permission error.
    if (process.getuid?.() !== 0) assert.match(byFile['locked.yaml']!, /permission denied/);
    assert.ok(report.findings.some((f) => f.resource.id === 'Ok'));
  } finally {
    t.cleanup();
  }
});

test('scan: worker threads give the same report as a single thread', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 90; i++) {
    const access = ['Enabled', 'Disabled', undefined][i % 3];
    files[`cfn/t${String(i).padStart(3, '0')}.yaml`] = NOTEBOOK_CFN_YAML(`Nb${i}`, access, i % 2 ? 'subnet-0123456789abcdef0' : undefined);
  }
  for (let i = 0; i < 12; i++) {
    files[`tf/m${i}/main.tf`] = `resource "aws_sagemaker_notebook_instance" "nb" {\n  direct_internet_access = "${i % 2 ? 'Enabled' : 'Disabled'}"\n  subnet_id = "subnet-1"\n}\n`;
  }
  const t = makeTree(files);
  try {
    const single = await scan([t.root], { config: emptyConfig(), jobs: 1 });
    const parallel = await scan([t.root], { config: emptyConfig(), jobs: 2, workerThreshold: 0 });
    assert.equal(single.findings.length, 102);
    assert.deepEqual(parallel.findings, single.findings);
    assert.deepEqual(parallel.summary, single.summary);
  } finally {
    t.cleanup();
  }
});

test('config: exceptions need a reason, a rule, and valid dates', () => {
  assert.throws(() => parseConfig({ exceptions: [{ rules: ['SageMaker-004'] }] }), ConfigError);
  assert.throws(() => parseConfig({ exceptions: [{ reason: 'x' }] }), /name the rule/);
  assert.throws(() => parseConfig({ exceptions: [{ rules: '*', reason: 'x', expires: 'soon' }] }), /not a date/);
  assert.throws(() => parseConfig({ failOn: 'severe' }), /not a risk level/);
  assert.throws(() => parseConfig({ unknownKey: 1 }), /unknown setting/);
  const ok = parseConfig({ failOn: 'high', exceptions: [{ rule: 'SageMaker-004', resources: ['Legacy*'], reason: 'migrating' }] });
  assert.equal(ok.failOn, 'High');
  assert.deepEqual(ok.exceptions[0]!.resources, ['Legacy*']);
});

test('scan: config exceptions and inline suppressions mark findings suppressed with the reason', async () => {
  const t = makeTree({
    'legacy/old.yaml': NOTEBOOK_CFN_YAML('LegacyNotebook', 'Enabled'),
    'new.yaml': NOTEBOOK_CFN_YAML('NewNotebook', 'Enabled'),
    'inline.yaml': [
      'Resources:',
      '  Sandbox:',
      '    Type: AWS::SageMaker::NotebookInstance',
      '    Metadata:',
      '      cloudconform:',
      '        skip:',
      '          - id: SageMaker-004',
      '            reason: training sandbox',
      '    Properties:',
      '      InstanceType: ml.t3.medium',
      '  NoReason:',
      '    Type: AWS::SageMaker::NotebookInstance',
      '    Metadata:',
      '      cloudconform:',
      '        skip:',
      '          - id: SageMaker-004',
      '    Properties:',
      '      InstanceType: ml.t3.medium',
      '',
    ].join('\n'),
  });
  try {
    const config = parseConfig({
      exceptions: [
        { rules: ['SageMaker-004'], paths: ['**/legacy/**'], reason: 'decommissioned in Q1' },
        { rules: ['SageMaker-004'], resources: ['Legacy*'], reason: 'expired', expires: '2000-01-01' },
      ],
    });
    const report = await scan([t.root], { config, jobs: 1 });
    const byId = Object.fromEntries(report.findings.map((f) => [f.resource.id, f]));
    assert.equal(byId.LegacyNotebook!.suppressed, true);
    assert.deepEqual(byId.LegacyNotebook!.suppression, { reason: 'decommissioned in Q1', source: 'config' });
    assert.equal(byId.NewNotebook!.suppressed, false);
    assert.equal(byId.Sandbox!.suppressed, true);
    assert.equal(byId.Sandbox!.suppression!.source, 'inline');
    assert.equal(byId.Sandbox!.suppression!.reason, 'training sandbox');
    assert.equal(byId.NoReason!.suppressed, false);
    assert.match(byId.NoReason!.message, /reason is required/);
    assert.equal(report.summary.suppressed, 2);
    assert.equal(report.summary.fail, 2);
    assert.equal(report.summary.failing, 2);
  } finally {
    t.cleanup();
  }
});

test('scan: rule selection from the config and from the caller', async () => {
  const t = makeTree({
    'both.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') + '  Domain:\n    Type: AWS::SageMaker::Domain\n    Properties:\n      DomainName: d\n',
  });
  try {
    const all = await scan([t.root], { config: emptyConfig(), jobs: 1 });
    assert.deepEqual(all.findings.map((f) => f.ruleId).sort(), ['SageMaker-004', 'SageMaker-005']);
    const only005 = await scan([t.root], { config: emptyConfig(), ruleIds: ['SageMaker-005'], jobs: 1 });
    assert.deepEqual(only005.findings.map((f) => f.ruleId), ['SageMaker-005']);
    const excluded = await scan([t.root], { config: parseConfig({ rules: { exclude: ['sagemaker-005'] } }), jobs: 1 });
    assert.deepEqual(excluded.findings.map((f) => f.ruleId), ['SageMaker-004']);
  } finally {
    t.cleanup();
  }
});

test('scan: hostile inputs are reported quickly and pollute nothing', async () => {
  const bomb = [
    'AWSTemplateFormatVersion: "2010-09-09"',
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
    'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
    'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
    'Resources:',
    '  Nb:',
    '    Type: AWS::SageMaker::NotebookInstance',
    '    Properties:',
    '      DirectInternetAccess: Enabled',
    '      Tags: *i',
    '',
  ].join('\n');
  const deepJson = '{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"X":' + '['.repeat(100000) + ']'.repeat(100000) + '}}';
  const deepTf = 'resource "aws_sagemaker_notebook_instance" "nb" {\n  tags = ' + '['.repeat(50000) + ']'.repeat(50000) + '\n}\n';
  const proto = [
    'AWSTemplateFormatVersion: "2010-09-09"',
    'Parameters:',
    '  __proto__:',
    '    Type: String',
    '    Default: polluted',
    'Resources:',
    '  __proto__:',
    '    Type: AWS::SageMaker::NotebookInstance',
    '    Properties:',
    '      DirectInternetAccess: Enabled',
    '      constructor: { prototype: { polluted: yes } }',
    '',
  ].join('\n');
  const t = makeTree({
    'bomb.yaml': bomb,
    'deep.json': deepJson,
    'deep/main.tf': deepTf,
    'proto.yaml': proto,
    'proto/main.tf': 'locals {\n  m = { "__proto__" = { polluted = "yes" } }\n}\nresource "aws_sagemaker_notebook_instance" "nb" {\n  for_each = local.m\n  direct_internet_access = "Enabled"\n}\n',
    'fine.yaml': NOTEBOOK_CFN_YAML('Fine', 'Enabled'),
  });
  try {
    const started = Date.now();
    const report = await scan([t.root], { config: emptyConfig(), jobs: 1 });
    assert.ok(Date.now() - started < 20000, 'hostile inputs must not keep the scan busy');
    const errorFiles = new Set(report.errors.map((e) => e.file.slice(t.root.length + 1)));
    for (const f of ['bomb.yaml', 'deep.json', 'deep/main.tf']) assert.ok(errorFiles.has(f), `${f} is reported`);
    const ids = report.findings.map((f) => f.resource.id);
    assert.ok(ids.includes('Fine'));
    assert.ok(ids.includes('__proto__'), 'a resource named __proto__ is data, scanned like any other');
    assert.ok(ids.includes('aws_sagemaker_notebook_instance.nb["__proto__"]'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  } finally {
    t.cleanup();
  }
});
