// The Cloud Control provider (awscc) creates the same SageMaker resources as the aws provider,
// from the CloudFormation schema: rules check them, with AWS's defaults for what is not set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyConfig } from '../src/engine/config';
import { scan } from '../src/engine/scan';
import { fix } from '../src/remediation/iac/fix';
import { FORMAT_FIXERS } from '../src/remediation/iac/format-fixers';
import { makeTree } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;

const OPEN = [
  'resource "awscc_sagemaker_notebook_instance" "open" {',
  '  instance_type = "ml.t3.medium"',
  '  role_arn      = "arn:aws:iam::111122223333:role/nb"',
  '}',
  '',
  'resource "awscc_sagemaker_domain" "open" {',
  '  domain_name = "d"',
  '  auth_mode   = "IAM"',
  '  vpc_id      = "vpc-0123456789abcdef0"',
  '  subnet_ids  = ["subnet-0123456789abcdef0"]',
  '  default_user_settings = {',
  '    execution_role = "arn:aws:iam::111122223333:role/studio"',
  '  }',
  '}',
  '',
].join('\n');

const CLOSED = [
  'resource "awscc_sagemaker_notebook_instance" "closed" {',
  '  instance_type          = "ml.t3.medium"',
  '  role_arn               = "arn:aws:iam::111122223333:role/nb"',
  '  direct_internet_access = "Disabled"',
  '  subnet_id              = "subnet-0123456789abcdef0"',
  '  security_group_ids     = ["sg-0123456789abcdef0"]',
  '}',
  '',
  'resource "awscc_sagemaker_domain" "closed" {',
  '  domain_name             = "d"',
  '  auth_mode               = "IAM"',
  '  app_network_access_type = "VpcOnly"',
  '  vpc_id                  = "vpc-0123456789abcdef0"',
  '  subnet_ids              = ["subnet-0123456789abcdef0"]',
  '  default_user_settings = {',
  '    execution_role = "arn:aws:iam::111122223333:role/studio"',
  '  }',
  '}',
  '',
].join('\n');

async function verdicts(paths: string[]): Promise<string[]> {
  const report = await scan(paths, { config: emptyConfig(), ruleIds: ['SageMaker-004', 'SageMaker-005'], jobs: 1 });
  assert.deepEqual(report.errors, []);
  return report.findings.map((f) => `${f.ruleId} ${f.resource.id} ${f.result}`).sort();
}

test('attack: awscc_sagemaker_notebook_instance / awscc_sagemaker_domain left at AWS defaults (open) fail', async () => {
  const t = makeTree({ 'open/main.tf': OPEN, 'closed/main.tf': CLOSED });
  try {
    assert.deepEqual(await verdicts([join(t.root, 'open')]), [
      'SageMaker-004 awscc_sagemaker_notebook_instance.open fail',
      'SageMaker-005 awscc_sagemaker_domain.open fail',
    ]);
    assert.deepEqual(await verdicts([join(t.root, 'closed')]), [
      'SageMaker-004 awscc_sagemaker_notebook_instance.closed pass',
      'SageMaker-005 awscc_sagemaker_domain.closed pass',
    ]);
  } finally {
    t.cleanup();
  }
});

test('attack through the CLI: an open awscc notebook is exit 1', () => {
  const t = makeTree({ 'main.tf': OPEN });
  try {
    const r = spawnSync(process.execPath, [CLI, 'scan', t.root], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /awscc_sagemaker_notebook_instance\.open/);
  } finally {
    t.cleanup();
  }
});

test('a plan with awscc resources: after values are checked; computed attributes apply decides are unknown', async () => {
  const plan = {
    format_version: '1.2',
    terraform_version: '1.9.0',
    planned_values: { root_module: {} },
    resource_changes: [
      {
        address: 'awscc_sagemaker_notebook_instance.nb',
        mode: 'managed',
        type: 'awscc_sagemaker_notebook_instance',
        name: 'nb',
        change: { actions: ['create'], after: { direct_internet_access: 'Enabled', subnet_id: 'subnet-0123456789abcdef0' }, after_unknown: {} },
      },
      {
        address: 'awscc_sagemaker_domain.d',
        mode: 'managed',
        type: 'awscc_sagemaker_domain',
        name: 'd',
        change: { actions: ['create'], after: { vpc_id: 'vpc-0123456789abcdef0' }, after_unknown: { app_network_access_type: true } },
      },
    ],
  };
  const t = makeTree({ 'plan.json': JSON.stringify(plan) });
  try {
    assert.deepEqual(await verdicts([join(t.root, 'plan.json')]), [
      'SageMaker-004 awscc_sagemaker_notebook_instance.nb fail',
      'SageMaker-005 awscc_sagemaker_domain.d unknown',
    ]);
  } finally {
    t.cleanup();
  }
});

test('fix writes the awscc attribute names (security_group_ids, app_network_access_type), and the fixed files pass', async () => {
  const t = makeTree({ 'main.tf': OPEN });
  try {
    const inputs = { 'subnet-id': 'subnet-0f1x', 'security-group-ids': ['sg-0f1x'], 'subnet-ids': ['subnet-0f1x'], 'vpc-id': 'vpc-0f1x' };
    const outcome = await fix([t.root], { config: emptyConfig(), inputs, dryRun: false }, FORMAT_FIXERS);
    assert.deepEqual(outcome.errors, []);
    assert.deepEqual(outcome.manual, []);
    const text = readFileSync(join(t.root, 'main.tf'), 'utf8');
    assert.match(text, /direct_internet_access\s*=\s*"Disabled"/);
    assert.match(text, /security_group_ids\s*=\s*\["sg-0f1x"\]/);
    assert.doesNotMatch(text, /security_groups\s*=/);
    assert.match(text, /app_network_access_type\s*=\s*"VpcOnly"/);
    assert.deepEqual(await verdicts([t.root]), [
      'SageMaker-004 awscc_sagemaker_notebook_instance.open pass',
      'SageMaker-005 awscc_sagemaker_domain.open pass',
    ]);
  } finally {
    t.cleanup();
  }
});
