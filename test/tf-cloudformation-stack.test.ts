// CloudFormation deployed from Terraform: aws_cloudformation_stack / aws_cloudformation_stack_set
// deploy their template_body with their parameters. The template judged alone (its defaults) may
// pass while the stack deploys it open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { emptyConfig } from '../src/engine/config';
import { scan } from '../src/engine/scan';
import { fix } from '../src/remediation/iac/fix';
import { FORMAT_FIXERS } from '../src/remediation/iac/format-fixers';
import { makeTree } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;

const NB_YAML = [
  'AWSTemplateFormatVersion: "2010-09-09"',
  'Parameters:',
  '  Access:',
  '    Type: String',
  '    Default: Disabled',
  'Resources:',
  '  Nb:',
  '    Type: AWS::SageMaker::NotebookInstance',
  '    Properties:',
  '      InstanceType: ml.t3.medium',
  '      RoleArn: arn:aws:iam::111122223333:role/nb',
  '      SubnetId: subnet-0123456789abcdef0',
  '      DirectInternetAccess: !Ref Access',
  '',
].join('\n');

const STACK = (parameters: string, extra = '') =>
  [
    'resource "aws_cloudformation_stack" "s" {',
    extra,
    '  name          = "nb"',
    '  template_body = file("${path.module}/nb.yaml")',
    `  parameters    = ${parameters}`,
    '}',
    '',
  ].join('\n');

async function run(paths: string[]) {
  const report = await scan(paths, { config: emptyConfig(), ruleIds: ['SageMaker-004', 'SageMaker-005'], jobs: 1 });
  const findings = report.findings.filter((f) => f.resource.source === 'terraform');
  return { report, verdicts: findings.map((f) => `${f.resource.id} ${f.result}`).sort(), findings };
}

test('attack: a stack deploying a file() template with Access = "Enabled" fails, though the template alone passes', async () => {
  const t = makeTree({ 'main.tf': STACK('{ Access = "Enabled" }'), 'nb.yaml': NB_YAML });
  try {
    const { report, verdicts, findings } = await run([t.root]);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(verdicts, ['aws_cloudformation_stack.s/Nb fail']);
    // The template scanned on its own still passes: both verdicts are reported.
    assert.deepEqual(report.findings.filter((f) => f.resource.source === 'cloudformation').map((f) => `${f.resource.id} ${f.result}`), ['Nb pass']);
    const f = findings[0]!;
    assert.equal(f.location.file, join(t.root, 'main.tf'));
    assert.equal(f.location.line, 1);
    assert.match(f.message, new RegExp(`CloudFormation stack aws_cloudformation_stack.s at .*main.tf:1, resource Nb at ${join(t.root, 'nb.yaml').replace(/[.]/g, '\\.')}:7`));
  } finally {
    t.cleanup();
  }
});

test('parameters: per count/for_each instance, unknown values (variables without value, data sources) give unknown verdicts', async () => {
  const main = [
    'variable "access" {}',
    'data "aws_ssm_parameter" "p" {',
    '  name = "x"',
    '}',
    'resource "aws_cloudformation_stack" "each" {',
    '  for_each      = { open = "Enabled", closed = "Disabled" }',
    '  name          = each.key',
    '  template_body = file("nb.yaml")',
    '  parameters    = { Access = each.value }',
    '}',
    'resource "aws_cloudformation_stack" "var" {',
    '  name          = "v"',
    '  template_body = file("nb.yaml")',
    '  parameters    = { Access = var.access }',
    '}',
    'resource "aws_cloudformation_stack" "data" {',
    '  name          = "d"',
    '  template_body = file("nb.yaml")',
    '  parameters    = data.aws_ssm_parameter.p.value == "x" ? { Access = "Disabled" } : {}',
    '}',
    'resource "aws_cloudformation_stack" "defaults" {',
    '  count         = 1',
    '  name          = "c"',
    '  template_body = file("nb.yaml")',
    '}',
    '',
  ].join('\n');
  const t = makeTree({ 'main.tf': main, 'nb.yaml': NB_YAML });
  try {
    const { report, verdicts } = await run([t.root]);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(verdicts, [
      'aws_cloudformation_stack.data/Nb unknown',
      'aws_cloudformation_stack.defaults[0]/Nb pass',
      'aws_cloudformation_stack.each["closed"]/Nb pass',
      'aws_cloudformation_stack.each["open"]/Nb fail',
      'aws_cloudformation_stack.var/Nb unknown',
    ]);
  } finally {
    t.cleanup();
  }
});

test('attack: an inline heredoc template_body and a stack set are evaluated; problems inside are placed at the Terraform resource', async () => {
  const inline = [
    'resource "aws_cloudformation_stack" "inline" {',
    '  name          = "nb"',
    '  template_body = <<-EOT',
    '    Resources:',
    '      Nb:',
    '        Type: AWS::SageMaker::NotebookInstance',
    '        Properties:',
    '          InstanceType: ml.t3.medium',
    '          RoleArn: arn:aws:iam::111122223333:role/nb',
    '  EOT',
    '}',
    'resource "aws_cloudformation_stack_set" "set" {',
    '  name          = "studio"',
    '  template_body = jsonencode({ Resources = { D = { Type = "AWS::SageMaker::Domain", Properties = { AuthMode = "IAM", DomainName = "d" } } } })',
    '}',
    '',
  ].join('\n');
  const t = makeTree({ 'main.tf': inline });
  try {
    const { report, verdicts, findings } = await run([t.root]);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(verdicts, ['aws_cloudformation_stack.inline/Nb fail', 'aws_cloudformation_stack_set.set/D fail']);
    assert.match(findings.find((f) => f.resource.id.endsWith('/Nb'))!.message, /resource Nb at line 2 of its template_body/);
    // A broken inline template: an error at the Terraform resource, not a silent pass.
    const broken = makeTree({ 'main.tf': 'resource "aws_cloudformation_stack" "b" {\n  name = "b"\n  template_body = "Resources: [\\n"\n}\n' });
    try {
      const r = await run([broken.root]);
      assert.equal(r.report.errors.length, 1, JSON.stringify(r.report.errors));
      assert.equal(r.report.errors[0]!.file, join(broken.root, 'main.tf'));
      assert.match(r.report.errors[0]!.message, /^aws_cloudformation_stack\.b: template_body/);
    } finally {
      broken.cleanup();
    }
  } finally {
    t.cleanup();
  }
});

test('a template_body not known offline, or a template_url, is a note saying the template was not evaluated', async () => {
  const main = [
    'variable "body" {}',
    'resource "aws_cloudformation_stack" "unknown" {',
    '  name          = "u"',
    '  template_body = var.body',
    '}',
    'resource "aws_cloudformation_stack" "url" {',
    '  name         = "r"',
    '  template_url = "https://s3.amazonaws.com/b/nb.yaml"',
    '}',
    '',
  ].join('\n');
  const t = makeTree({ 'main.tf': main });
  try {
    const { report, verdicts } = await run([t.root]);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(verdicts, []);
    const notes = (report.notes ?? []).map((n) => n.message);
    assert.ok(notes.some((n) => /^aws_cloudformation_stack\.unknown: the stack's template was not evaluated: template_body can't be known offline/.test(n)), JSON.stringify(notes));
    assert.ok(notes.some((n) => /^aws_cloudformation_stack\.url: the stack's template was not evaluated: its template_url/.test(n)), JSON.stringify(notes));
  } finally {
    t.cleanup();
  }
});

test('a stack set whose instances override parameters: verdicts that depend on them are unknown', async () => {
  const main = [
    'resource "aws_cloudformation_stack_set" "s" {',
    '  name          = "nb"',
    '  template_body = file("nb.yaml")',
    '}',
    'resource "aws_cloudformation_stack_set_instance" "i" {',
    '  stack_set_name      = aws_cloudformation_stack_set.s.name',
    '  parameter_overrides = { Access = "Enabled" }',
    '}',
    '',
  ].join('\n');
  const t = makeTree({ 'main.tf': main, 'nb.yaml': NB_YAML });
  try {
    const { report, verdicts } = await run([t.root]);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(verdicts, ['aws_cloudformation_stack_set.s/Nb unknown']);
  } finally {
    t.cleanup();
  }
});

test('attack through the CLI: the stack deploying the template open is exit 1; fix leaves it as a decision', async () => {
  const t = makeTree({ 'main.tf': STACK('{ Access = "Enabled" }'), 'nb.yaml': NB_YAML });
  try {
    const r = spawnSync(process.execPath, [CLI, 'scan', t.root], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /aws_cloudformation_stack\.s\/Nb/);
    const outcome = await fix([t.root], { config: emptyConfig(), inputs: {}, dryRun: true }, FORMAT_FIXERS);
    assert.deepEqual(outcome.errors, []);
    assert.deepEqual(outcome.diffs, []);
    assert.equal(outcome.manual.length, 1, JSON.stringify(outcome.manual));
    assert.match(outcome.manual[0]!.message, /CloudFormation template/);
  } finally {
    t.cleanup();
  }
});

test('attack: a NoEcho parameter the stack passes never appears in the report', async () => {
  const template = [
    'Parameters:',
    '  Token:',
    '    Type: String',
    '    NoEcho: true',
    '    AllowedPattern: "^[a-z]+$"',
    '  Access:',
    '    Type: String',
    'Resources:',
    '  Nb:',
    '    Type: AWS::SageMaker::NotebookInstance',
    '    Properties:',
    '      InstanceType: ml.t3.medium',
    '      RoleArn: arn:aws:iam::111122223333:role/nb',
    '      DirectInternetAccess: !Ref Access',
    '',
  ].join('\n');
  const main = STACK('{ Token = "Sup3r-Secret-Value-42", Access = "Sup3r-Secret-Value-42" }').replace('nb.yaml', 't.yaml');
  const t = makeTree({ 'main.tf': main, 't.yaml': template.replace('  Access:\n    Type: String', '  Access:\n    Type: String\n    NoEcho: true') });
  try {
    const { report } = await run([t.root]);
    assert.ok(report.findings.some((f) => f.resource.id === 'aws_cloudformation_stack.s/Nb'));
    assert.doesNotMatch(JSON.stringify(report), /Sup3r-Secret-Value-42/);
  } finally {
    t.cleanup();
  }
});

test('attack: a plan of a stack deploying its template open fails; parameters apply decides are unknown', async () => {
  const change = (name: string, parameters: unknown, parametersUnknown: unknown) => ({
    address: `aws_cloudformation_stack.${name}`,
    mode: 'managed',
    type: 'aws_cloudformation_stack',
    name,
    change: { actions: ['create'], after: { name, template_body: NB_YAML, parameters }, after_unknown: { parameters: parametersUnknown } },
  });
  const plan = {
    format_version: '1.2',
    terraform_version: '1.9.0',
    resource_changes: [
      change('open', { Access: 'Enabled' }, {}),
      change('closed', { Access: 'Disabled' }, {}),
      change('later', { }, { Access: true }),
      change('whole', null, true),
      {
        address: 'aws_cloudformation_stack.url',
        mode: 'managed',
        type: 'aws_cloudformation_stack',
        name: 'url',
        change: { actions: ['create'], after: { template_url: 'https://s3.amazonaws.com/b/t.yaml' }, after_unknown: {} },
      },
    ],
  };
  const t = makeTree({ 'plan.json': JSON.stringify(plan, null, 2) });
  try {
    const report = await scan([join(t.root, 'plan.json')], { config: emptyConfig(), ruleIds: ['SageMaker-004'], jobs: 1 });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.findings.map((f) => `${f.resource.id} ${f.result}`).sort(), [
      'aws_cloudformation_stack.closed/Nb pass',
      'aws_cloudformation_stack.later/Nb unknown',
      'aws_cloudformation_stack.open/Nb fail',
      'aws_cloudformation_stack.whole/Nb unknown',
    ]);
    assert.ok((report.notes ?? []).some((n) => /aws_cloudformation_stack\.url: the stack's template was not evaluated: its template_url/.test(n.message)), JSON.stringify(report.notes));
  } finally {
    t.cleanup();
  }
});

test('attack: more stacks than the limit is an error entry (the scan is incomplete), never a quiet pass', async () => {
  const main = [
    'resource "aws_cloudformation_stack" "many" {',
    '  count         = 201',
    '  name          = "s${count.index}"',
    '  template_body = count.index < 200 ? "Resources: {}" : "Resources: {Nb: {Type: AWS::SageMaker::NotebookInstance, Properties: {InstanceType: ml.t3.medium}}}"',
    '}',
    '',
  ].join('\n');
  const t = makeTree({ 'main.tf': main });
  try {
    const { report, verdicts } = await run([t.root]);
    assert.deepEqual(verdicts, []);
    assert.equal(report.errors.length, 1, JSON.stringify(report.errors));
    assert.match(report.errors[0]!.message, /^aws_cloudformation_stack\.many\[200\] and the stacks after it were not evaluated: over 200/);
  } finally {
    t.cleanup();
  }
});

test('attack: the Cloud Control provider\'s stack and stack set (parameters as a map, and as key/value objects) are evaluated too', async () => {
  const main = [
    'resource "awscc_cloudformation_stack" "s" {',
    '  stack_name    = "nb"',
    '  template_body = file("nb.yaml")',
    '  parameters    = { Access = "Enabled" }',
    '}',
    'resource "awscc_cloudformation_stack_set" "open" {',
    '  stack_set_name   = "open"',
    '  permission_model = "SELF_MANAGED"',
    '  template_body    = file("nb.yaml")',
    '  parameters       = [{ parameter_key = "Access", parameter_value = "Enabled" }]',
    '}',
    'resource "awscc_cloudformation_stack_set" "overridden" {',
    '  stack_set_name   = "overridden"',
    '  permission_model = "SELF_MANAGED"',
    '  template_body    = file("nb.yaml")',
    '  stack_instances_group = [{',
    '    deployment_targets  = { accounts = ["111122223333"] }',
    '    regions             = ["eu-west-1"]',
    '    parameter_overrides = [{ parameter_key = "Access", parameter_value = "Enabled" }]',
    '  }]',
    '}',
    '',
  ].join('\n');
  const t = makeTree({ 'main.tf': main, 'nb.yaml': NB_YAML });
  try {
    const { report, verdicts } = await run([t.root]);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(verdicts, [
      'awscc_cloudformation_stack.s/Nb fail',
      'awscc_cloudformation_stack_set.open/Nb fail',
      'awscc_cloudformation_stack_set.overridden/Nb unknown',
    ]);
    const outcome = await fix([t.root], { config: emptyConfig(), inputs: {}, dryRun: true }, FORMAT_FIXERS);
    assert.deepEqual(outcome.diffs, []);
    assert.deepEqual(outcome.manual.map((m) => m.message.startsWith('a resource of the CloudFormation template that ')), [true, true]);
  } finally {
    t.cleanup();
  }
});
