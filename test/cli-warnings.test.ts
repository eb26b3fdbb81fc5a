// Warnings, run as a user would: problems that can't change a verdict don't change the exit code,
// and everything else that could hide a checked resource stays an error (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { DEFAULT_READ_LIMITS } from '../src/engine/files';
import { emptyUnitResult, type UnitResult } from '../src/engine/report';
import { createWorker, mergeInto } from '../src/engine/scan';
import { UnitScanner, type ScanUnit, type ScanUnitContext } from '../src/engine/scan-unit';
import { makeTree, NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `scan … -f json`: the exit code and the parsed report. */
function scanJson(args: string[], cwd = ROOT) {
  const r = run(['scan', ...args, '-f', 'json'], cwd);
  assert.ok(r.stdout.trim().startsWith('{'), `no JSON report: ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout), stderr: r.stderr };
}

const NOTEBOOK_TF = (name: string, access: string) => `
resource "aws_sagemaker_notebook_instance" "${name}" {
  name                   = "${name}"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  instance_type          = "ml.t3.medium"
  subnet_id              = "subnet-0123456789abcdef0"
  security_groups        = ["sg-0123456789abcdef0"]
  direct_internet_access = ${access}
}
`;
const POD = (name: string, extra = '') => `
resource "kubernetes_pod" "${name}" {
${extra}  metadata { name = "${name}" }
}
`;
const DOMAIN_CFN = [
  'AWSTemplateFormatVersion: "2010-09-09"',
  'Parameters:',
  '  Access:',
  '    Type: String',
  '    Default: VpcOnly',
  'Resources:',
  '  Domain:',
  '    Type: AWS::SageMaker::Domain',
  '    Properties:',
  '      DomainName: d',
  '      AuthMode: IAM',
  '      AppNetworkAccessType: !Ref Access',
  '',
].join('\n');

type Entry = { file: string; message: string; line?: number };
const messages = (entries: Entry[] | undefined) => (entries ?? []).map((e) => `${e.file}: ${e.message}`);

test('a duplicate kubernetes_pod beside a notebook is a warning: the exit code follows the notebook (issue 11)', () => {
  const t = makeTree({
    'ok/main.tf': NOTEBOOK_TF('nb', '"Disabled"'),
    'ok/pods.tf': POD('x') + POD('x'),
    'bad/main.tf': NOTEBOOK_TF('nb', '"Enabled"'),
    'bad/pods.tf': POD('x') + POD('x'),
  });
  try {
    const ok = scanJson([join(t.root, 'ok')]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(ok.report.errors, []);
    assert.equal(ok.report.warnings.length, 1);
    assert.match(ok.report.warnings[0].message, /duplicate resource kubernetes_pod\.x/);
    assert.equal(ok.report.warnings[0].resourceType, 'kubernetes_pod');
    assert.equal(ok.report.summary.warnings, 1);
    assert.equal(ok.report.summary.errors, 0);
    assert.equal(ok.report.findings[0].result, 'pass');

    const bad = scanJson([join(t.root, 'bad')]);
    assert.equal(bad.code, 1, bad.stderr);
    assert.deepEqual(bad.report.errors, []);
    assert.equal(bad.report.warnings.length, 1);

    // The text report shows it too, and the exit code is the same.
    const text = run(['scan', join(t.root, 'ok')]);
    assert.equal(text.code, 0);
    assert.match(text.stdout + text.stderr, /duplicate resource kubernetes_pod\.x/);
  } finally {
    t.cleanup();
  }
});

test('a duplicate notebook block stays an error (exit 2); with --rules SageMaker-005 no rule checks it, so it is a warning', () => {
  const t = makeTree({ 'main.tf': NOTEBOOK_TF('nb', '"Disabled"') + NOTEBOOK_TF('nb', '"Enabled"') });
  try {
    const r = scanJson([t.root]);
    assert.equal(r.code, 2);
    assert.match(messages(r.report.errors).join('\n'), /duplicate resource aws_sagemaker_notebook_instance\.nb/);
    assert.equal(r.report.warnings, undefined);
    const narrowed = scanJson([t.root, '--rules', 'SageMaker-005']);
    assert.equal(narrowed.code, 0, narrowed.stderr);
    assert.deepEqual(narrowed.report.errors, []);
    assert.match(messages(narrowed.report.warnings).join('\n'), /duplicate resource aws_sagemaker_notebook_instance\.nb/);
  } finally {
    t.cleanup();
  }
});

test('attack: a notebook whose value depends on a duplicated kubernetes_pod stays an error, and its verdict is not decided by the first block', () => {
  // Which pod block Terraform would keep is undefined (it refuses both); a notebook that reads
  // the pod's count must not pass on the first one.
  const t = makeTree({
    'a.tf': POD('x', '  count = 1\n'),
    'b.tf': POD('x', '  count = 0\n'),
    'main.tf': NOTEBOOK_TF('nb', 'length(kubernetes_pod.x) > 0 ? "Disabled" : "Enabled"'),
  });
  try {
    const r = scanJson([t.root]);
    assert.equal(r.code, 2, JSON.stringify(r.report.warnings));
    assert.match(messages(r.report.errors).join('\n'), /kubernetes_pod\.x/);
    assert.notEqual(r.report.findings[0].result, 'pass');
  } finally {
    t.cleanup();
  }
});

test('errors in what a notebook depends on stay errors: a duplicate variable, a duplicate stack resource, a YAML duplicate logical id', () => {
  const t = makeTree({
    'var/main.tf': `variable "access" { default = "Disabled" }\nvariable "access" { default = "Enabled" }\n${NOTEBOOK_TF('nb', 'var.access')}`,
    // A stack deploys a template that may hold notebooks: its duplicate is never a warning.
    'stack/main.tf': NOTEBOOK_TF('nb', '"Disabled"') +
      'resource "aws_cloudformation_stack" "s" {\n  name = "s"\n  template_body = jsonencode({ Resources = { B = { Type = "AWS::S3::Bucket" } } })\n}\n'.repeat(2),
    'cfn/t.yaml': NOTEBOOK_CFN_YAML('Nb', 'Disabled', 'subnet-0123456789abcdef0') + '  Pod:\n    Type: AWS::S3::Bucket\n  Pod:\n    Type: AWS::S3::Bucket\n',
  });
  try {
    const expected = { var: /duplicate variable "access"/, stack: /duplicate resource aws_cloudformation_stack\.s/, cfn: /duplicated mapping key/ };
    for (const [dir, error] of Object.entries(expected)) {
      const r = scanJson([join(t.root, dir)]);
      assert.equal(r.code, 2, `${dir}: ${JSON.stringify(r.report)}`);
      assert.equal(r.report.errors.length, 1, `${dir}: ${JSON.stringify(r.report.errors)}`);
      assert.match(r.report.errors[0].message, error);
      assert.equal(r.report.warnings, undefined, dir);
    }
  } finally {
    t.cleanup();
  }
});

test('--var, --var-file and --parameter that no scanned configuration declares are warnings; declared ones are not', () => {
  const t = makeTree({
    'tf/main.tf': `variable "access" { default = "Enabled" }\n${NOTEBOOK_TF('nb', 'var.access')}`,
    'cfn/domain.yaml': DOMAIN_CFN,
    'vars.tfvars': 'access = "Disabled"\ntypo_name = 1\n',
  });
  try {
    const r = scanJson([
      join(t.root, 'tf'), join(t.root, 'cfn'),
      '--var', 'access=Disabled', '--var', 'acess=Disabled', '--var', 'Access=x',
      '--var-file', join(t.root, 'vars.tfvars'),
      '--parameter', 'Access=VpcOnly', '--parameter', 'Acess=VpcOnly', '--parameter', 'access=x',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.report.errors, []);
    const shown = messages(r.report.warnings).join('\n');
    // A --var is about Terraform (the template's parameter Access doesn't count), --parameter about CloudFormation.
    assert.match(shown, /--var acess: no scanned configuration declares it/);
    assert.match(shown, /--var Access: no scanned configuration declares it/);
    assert.match(shown, /--parameter Acess: no scanned configuration declares it/);
    assert.match(shown, /--parameter access: no scanned configuration declares it/);
    assert.match(shown, /vars\.tfvars: --var-file sets typo_name, which no scanned configuration declares/);
    assert.doesNotMatch(shown, /--var access:|--parameter Access:|--var-file sets .*\baccess\b/);
    assert.equal(r.report.warnings.length, 5);
    assert.equal(r.report.findings.find((f: { ruleId: string }) => f.ruleId === 'SageMaker-004').result, 'pass');
  } finally {
    t.cleanup();
  }
});

test('--var when only CloudFormation is scanned, --parameter when only Terraform is: warnings', () => {
  const t = makeTree({ 'domain.yaml': DOMAIN_CFN, 'tf/main.tf': NOTEBOOK_TF('nb', '"Disabled"') });
  try {
    const cfn = scanJson([join(t.root, 'domain.yaml'), '--var', 'Access=x']);
    assert.equal(cfn.code, 0);
    assert.deepEqual(messages(cfn.report.warnings), ['--var Access: no scanned configuration declares it']);
    const tf = scanJson([join(t.root, 'tf'), '--parameter', 'Access=x']);
    assert.equal(tf.code, 0);
    assert.deepEqual(messages(tf.report.warnings), ['--parameter Access: no scanned configuration declares it']);
  } finally {
    t.cleanup();
  }
});

test('declared inputs are gathered across worker threads', async () => {
  // A worker's batch result carries the names its units declare, and merging unions them: the
  // scan decides once every unit is in (scheduling decides which thread scans which batch).
  const t = makeTree({ 'a.yaml': DOMAIN_CFN, 'b.yaml': DOMAIN_CFN.replace('  Access:', '  Other:').replace('!Ref Access', '!Ref Other') });
  try {
    const context: ScanUnitContext = {
      ruleIds: ['SageMaker-005'],
      exceptions: [],
      readLimits: DEFAULT_READ_LIMITS,
      terraform: { args: [] },
      cloudFormation: { parameters: {} },
      givenInputs: { variables: [], parameters: ['Access', 'Other', 'Nope'] },
    };
    const worker = createWorker(context);
    worker.postMessage([{ kind: 'file', path: join(t.root, 'a.yaml') }] satisfies ScanUnit[]);
    const [fromWorker] = (await once(worker, 'message')) as [UnitResult];
    await worker.terminate();
    assert.deepEqual(fromWorker.declaredInputs?.parameters, ['Access']);
    const total = emptyUnitResult();
    new UnitScanner(context).scan({ kind: 'file', path: join(t.root, 'b.yaml') }, total);
    mergeInto(total, fromWorker);
    assert.deepEqual(total.declaredInputs?.parameters.sort(), ['Access', 'Other']);
  } finally {
    t.cleanup();
  }
});

test('an explicitly named file that is not a template says so; the exit code stays 0', () => {
  const t = makeTree({
    'README.md': '# hello\n',
    'package.json': '{"name": "x"}\n',
    'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Disabled', 'subnet-0123456789abcdef0'),
  });
  try {
    const r = scanJson(['README.md', 'package.json', 'nb.yaml'], t.root);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(messages(r.report.warnings).sort(), [
      'README.md: not a CloudFormation template, Terraform configuration or plan',
      'package.json: not a CloudFormation template, Terraform configuration or plan',
    ]);
    const text = run(['scan', 'README.md'], t.root);
    assert.equal(text.code, 0);
    assert.match(text.stdout + text.stderr, /README\.md: not a CloudFormation template/);
    // Files found in a directory are not named: a directory's package.json stays silent.
    const dir = scanJson(['.'], t.root);
    assert.equal(dir.report.warnings, undefined);
  } finally {
    t.cleanup();
  }
});

test('an empty directory, or one with no templates, says "no templates found" (exit 0), in every format', () => {
  const t = makeTree({ 'docs/README.md': '# hello\n', 'docs/package.json': '{}', 'ok/nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Disabled', 'subnet-0123456789abcdef0') });
  mkdirSync(join(t.root, 'empty'));
  try {
    for (const dir of ['empty', 'docs']) {
      const r = scanJson([dir], t.root);
      assert.equal(r.code, 0);
      assert.deepEqual(messages(r.report.warnings), [`${dir}: no templates found (no CloudFormation template, Terraform configuration or plan)`]);
    }
    // Only the directory that has none is named.
    const both = scanJson(['ok', 'empty'], t.root);
    assert.deepEqual(messages(both.report.warnings), ['empty: no templates found (no CloudFormation template, Terraform configuration or plan)']);
    const text = run(['scan', 'empty'], t.root);
    assert.equal(text.code, 0);
    assert.match(text.stdout + text.stderr, /no templates found/);
    const sarif = JSON.parse(run(['scan', 'empty', '-f', 'sarif'], t.root).stdout);
    const invocation = sarif.runs[0].invocations[0];
    assert.equal(invocation.executionSuccessful, true);
    assert.deepEqual(
      invocation.toolExecutionNotifications.map((n: { level: string; message: { text: string } }) => [n.level, n.message.text]),
      [['warning', 'empty: no templates found (no CloudFormation template, Terraform configuration or plan)']],
    );
    const junit = run(['scan', 'empty', '-f', 'junit'], t.root).stdout;
    assert.match(junit, /cloudconform\.warnings[\s\S]*no templates found/);
    assert.match(junit, /<testsuites [^>]*errors="0"/);
  } finally {
    t.cleanup();
  }
});
