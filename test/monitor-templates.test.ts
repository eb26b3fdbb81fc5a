// `monitor deploy`: what the templates hold, read back as CloudFormation and Terraform read them:
// the exact event pattern, the queue's sizes, the role equal to the handler's calls (scoped to the
// stack's resources), the organization's bus and the member template; both formats alike, and
// both passing our own scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scan } from '../src/engine/scan';
import { emptyConfig } from '../src/engine/config';
import { emitCloudFormation } from '../src/monitor/cloudformation';
import { emitTerraform } from '../src/monitor/terraform';
import { monitorIamPolicy } from '../src/monitor/deps';
import { EVENT_FUNCTION_TIMEOUT, LOG_ACTIONS, QUEUE_CONSUMER_ACTIONS, monitorSpec, type MonitorDeployOptions } from '../src/monitor/spec';
import { AUDIT_ACTIONS } from '../src/sources/aws/actions';
import { cfnValue, loadCfn, loadTf, tfResource, type TfBlock } from './helpers/monitor-templates';

const EXPECTED_PATTERN = {
  source: ['aws.sagemaker'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['sagemaker.amazonaws.com'],
    eventName: ['CreateNotebookInstance', 'UpdateNotebookInstance', 'DeleteNotebookInstance', 'CreateDomain', 'UpdateDomain', 'DeleteDomain'],
    errorCode: [{ exists: false }],
  },
};

const VARIANTS: [string, MonitorDeployOptions][] = [
  ['single account', {}],
  ['schedule, notify, respond stop', { schedule: 'rate(1 day)', notify: [{ kind: 'sns', arn: 'arn:aws:sns:eu-west-1:123456789012:sec' }, { kind: 'slack' }, { kind: 'webhook' }], respond: 'stop' }],
  ['organization', { organization: true, schedule: 'cron(0 3 * * ? *)', respond: 'tag' }],
  ['accounts', { accounts: ['111111111111', '222222222222'], roleName: 'audit-reader' }],
];

const cfn = (o: MonitorDeployOptions) => {
  const out = emitCloudFormation(monitorSpec(o));
  return { central: loadCfn(out.central), member: out.member === undefined ? undefined : loadCfn(out.member), text: out };
};

function roleActions(template: any): string[] {
  const policy = template.Resources.FunctionRole.Properties.Policies[0].PolicyDocument;
  return policy.Statement.flatMap((s: any) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
}

const policyOf = (o: MonitorDeployOptions) =>
  monitorIamPolicy({ respond: o.respond, organization: o.organization, accounts: (o.accounts ?? []).length > 0, schedule: o.schedule !== undefined, store: 'dynamodb' });

/** monitorIamPolicy's statement for the function's own role. */
function expectedHandlerActions(o: MonitorDeployOptions): string[] {
  return [...policyOf(o).Statement.find((s) => s.Sid === 'CloudConformMonitor')!.Action].sort();
}

test('the rule matches exactly the six SageMaker calls from CloudTrail, and not failed calls (errorCode must not exist)', () => {
  for (const [name, o] of VARIANTS) {
    const t = cfn(o);
    assert.deepEqual(t.central.Resources.SageMakerEventRule.Properties.EventPattern, EXPECTED_PATTERN, name);
    if (t.member) assert.deepEqual(t.member.Resources.ForwardRule.Properties.EventPattern, EXPECTED_PATTERN, `${name} member`);
    const tf = emitTerraform(monitorSpec(o));
    assert.deepEqual(tfResource(loadTf(tf.central), 'aws_cloudwatch_event_rule', 'sagemaker').attrs.event_pattern, EXPECTED_PATTERN, `${name} terraform`);
    if (tf.member) assert.deepEqual(tfResource(loadTf(tf.member), 'aws_cloudwatch_event_rule', 'forward').attrs.event_pattern, EXPECTED_PATTERN);
  }
});

test('queue: SSE, a dead-letter queue by redrive, visibility timeout ≥ 6× the function timeout; batches of 10 with ReportBatchItemFailures', () => {
  const r = cfnValue(cfn({}).central.Resources);
  assert.equal(r.EventQueue.Properties.SqsManagedSseEnabled, true);
  assert.equal(r.DeadLetterQueue.Properties.SqsManagedSseEnabled, true);
  assert.deepEqual(r.EventQueue.Properties.RedrivePolicy, { deadLetterTargetArn: '<DeadLetterQueue.Arn>', maxReceiveCount: 5 });
  assert.equal(r.EventFunction.Properties.Timeout, EVENT_FUNCTION_TIMEOUT);
  assert.ok(r.EventQueue.Properties.VisibilityTimeout >= 6 * r.EventFunction.Properties.Timeout);
  assert.deepEqual(r.EventSourceMapping.Properties, {
    EventSourceArn: '<EventQueue.Arn>',
    FunctionName: '<EventFunction>',
    BatchSize: 10,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
  assert.equal(r.EventFunction.Properties.Handler, 'lambda.handler');
  assert.match(r.EventFunction.Properties.Runtime, /^nodejs(2[0-9])\.x$/);
  assert.deepEqual(r.EventFunction.Properties.Code, { S3Bucket: '<CodeBucket>', S3Key: '<CodeKey>' });
  assert.equal(r.FindingsTopic.Properties.KmsMasterKeyId, 'alias/aws/sns');

  const tf = loadTf(emitTerraform(monitorSpec({})).central);
  const q = tfResource(tf, 'aws_sqs_queue', 'events').attrs;
  const fn = tfResource(tf, 'aws_lambda_function', 'events').attrs;
  assert.ok(q.visibility_timeout_seconds >= 6 * fn.timeout);
  assert.deepEqual(q.redrive_policy, { deadLetterTargetArn: '<aws_sqs_queue.dead_letter.arn>', maxReceiveCount: 5 });
  assert.equal(q.sqs_managed_sse_enabled, true);
  const esm = tfResource(tf, 'aws_lambda_event_source_mapping', 'events').attrs;
  assert.equal(esm.batch_size, 10);
  assert.deepEqual(esm.function_response_types, ['ReportBatchItemFailures']);
});

test('the queue policy lets only this rule send (events.amazonaws.com with aws:SourceArn = the rule), over TLS only', () => {
  for (const [name, o] of VARIANTS) {
    const p = cfnValue(cfn(o).central.Resources.EventQueuePolicy.Properties.PolicyDocument);
    const allows = p.Statement.filter((s: any) => s.Effect === 'Allow');
    assert.deepEqual(allows, [
      {
        Sid: 'OnlyTheSageMakerRule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: ['<EventQueue.Arn>', '<DeadLetterQueue.Arn>'],
        Condition: { ArnEquals: { 'aws:SourceArn': '<SageMakerEventRule.Arn>' } },
      },
    ], name);
    assert.ok(p.Statement.some((s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'));
  }
});

test("the Lambda role's actions EQUAL monitorIamPolicy's CloudConformMonitor statement, plus the queue consumer's and the logs' (CloudFormation and Terraform)", () => {
  for (const [name, o] of VARIANTS) {
    const expected = [...expectedHandlerActions(o), ...QUEUE_CONSUMER_ACTIONS, ...LOG_ACTIONS].sort();
    assert.deepEqual(roleActions(cfn(o).central), expected, name);
    const tf = loadTf(emitTerraform(monitorSpec(o)).central);
    const doc = tfResource(tf, 'aws_iam_role_policy', 'function').attrs.policy;
    assert.deepEqual(doc.Statement.flatMap((s: any) => s.Action).sort(), expected, `${name} terraform`);
    // --schedule: the audit function's own role, CloudConformMonitorAudit's actions and its logs.
    const audit = policyOf(o).Statement.find((s) => s.Sid === 'CloudConformMonitorAudit');
    assert.equal(audit !== undefined, o.schedule !== undefined, name);
    if (audit) {
      const doc = cfn(o).central.Resources.AuditFunctionRole.Properties.Policies[0].PolicyDocument;
      assert.deepEqual(doc.Statement.flatMap((s: any) => s.Action).sort(), [...audit.Action, ...LOG_ACTIONS].sort(), `${name} audit role`);
      assert.deepEqual(tfResource(tf, 'aws_iam_role_policy', 'audit').attrs.policy.Statement.flatMap((s: any) => s.Action).sort(), [...audit.Action, ...LOG_ACTIONS].sort(), `${name} terraform audit role`);
    }
  }
});

test("the role's statements are scoped to the stack's resources where the action allows it", () => {
  const o: MonitorDeployOptions = { accounts: ['111111111111'], schedule: 'rate(1 day)', respond: 'stop', notify: [{ kind: 'sns', arn: 'arn:aws:sns:eu-west-1:123456789012:sec' }] };
  const doc = cfnValue(cfn(o).central.Resources.FunctionRole.Properties.Policies[0].PolicyDocument);
  const on = (action: string) => {
    const s = doc.Statement.find((x: any) => (Array.isArray(x.Action) ? x.Action : [x.Action]).includes(action));
    assert.ok(s, action);
    return Array.isArray(s.Resource) ? s.Resource : [s.Resource];
  };
  for (const a of expectedHandlerActions(o).filter((x) => x.startsWith('dynamodb:'))) assert.deepEqual(on(a), ['<HistoryTable.Arn>'], a);
  assert.deepEqual(on('sns:Publish'), ['<FindingsTopic>', 'arn:aws:sns:eu-west-1:123456789012:sec']);
  assert.deepEqual(on('sts:AssumeRole'), ['arn:<AWS::Partition>:iam::111111111111:role/cloudconform-monitor-read']);
  assert.deepEqual(on('sagemaker:StopNotebookInstance'), ['arn:<AWS::Partition>:sagemaker:*:*:notebook-instance/*']);
  assert.deepEqual(on('sqs:ReceiveMessage'), ['<EventQueue.Arn>']);
  // Each function writes its own log group only.
  assert.deepEqual(on('logs:PutLogEvents'), ['<EventFunctionLogs.Arn>']);
  // Organization: any account of it, the one role name.
  const org = cfnValue(cfn({ organization: true }).central.Resources.FunctionRole.Properties.Policies[0].PolicyDocument);
  const assume = org.Statement.find((x: any) => x.Sid === 'AssumeMemberRole');
  assert.equal(assume.Resource, 'arn:<AWS::Partition>:iam::*:role/cloudconform-monitor-read');
});

test('--schedule: a schedule rule invoking the audit function (Lambda permission only from that rule), no retries; none without it', () => {
  const r = cfnValue(cfn({ schedule: 'rate(12 hours)' }).central.Resources);
  assert.equal(r.AuditSchedule.Properties.ScheduleExpression, 'rate(12 hours)');
  assert.deepEqual(r.AuditSchedule.Properties.Targets, [{ Id: 'cloudconform-audit', Arn: '<AuditFunction.Arn>' }]);
  assert.deepEqual(r.AuditPermission.Properties, { Action: 'lambda:InvokeFunction', FunctionName: '<AuditFunction>', Principal: 'events.amazonaws.com', SourceArn: '<AuditSchedule.Arn>' });
  assert.equal(r.AuditFunction.Properties.Timeout, 900);
  assert.equal(r.AuditInvokeConfig.Properties.MaximumRetryAttempts, 0);
  const none = cfn({}).central.Resources;
  for (const k of ['AuditSchedule', 'AuditPermission', 'AuditFunction', 'AuditFunctionLogs']) assert.equal(none[k], undefined, k);
  const tf = loadTf(emitTerraform(monitorSpec({ schedule: 'rate(12 hours)' })).central);
  assert.equal(tfResource(tf, 'aws_cloudwatch_event_rule', 'audit').attrs.schedule_expression, 'rate(12 hours)');
  assert.equal(tfResource(tf, 'aws_lambda_permission', 'audit').attrs.source_arn, '<aws_cloudwatch_event_rule.audit.arn>');
});

test("the handler's environment: CLOUDCONFORM_TABLE, NOTIFY (the stack's topic first, one target a line), ROLE_NAME, ACCOUNTS, RESPOND", () => {
  assert.equal(cfnValue(cfn({ organization: true }).central.Resources.EventFunction.Properties.Environment.Variables).CLOUDCONFORM_ORGANIZATION, 'true');
  const env = cfnValue(
    cfn({ organization: true, accounts: ['111111111111'], respond: 'tag', notify: [{ kind: 'sns', arn: 'arn:aws:sns:eu-west-1:123456789012:sec' }, { kind: 'slack' }, { kind: 'webhook' }] }).central.Resources
      .EventFunction.Properties.Environment.Variables,
  );
  assert.deepEqual(env, {
    CLOUDCONFORM_TABLE: '<HistoryTable>',
    CLOUDCONFORM_NOTIFY: 'sns=<FindingsTopic>\nsns=arn:aws:sns:eu-west-1:123456789012:sec\nslack=<SlackWebhookUrl>\nwebhook=<WebhookUrl>',
    CLOUDCONFORM_WEBHOOK_SECRET: '<WebhookSecret>',
    CLOUDCONFORM_ROLE_NAME: 'cloudconform-monitor-read',
    // --organization with --accounts: the bus takes the organization, the handler the listed accounts
    // (CLOUDCONFORM_ORGANIZATION with CLOUDCONFORM_ACCOUNTS made every invocation fail).
    CLOUDCONFORM_ACCOUNTS: '111111111111',
    CLOUDCONFORM_RESPOND: 'tag',
  });
  assert.deepEqual(cfnValue(cfn({}).central.Resources.EventFunction.Properties.Environment.Variables), { CLOUDCONFORM_TABLE: '<HistoryTable>', CLOUDCONFORM_NOTIFY: 'sns=<FindingsTopic>' });
});

test('secrets are parameters, never in the template: SlackWebhookUrl, WebhookUrl and WebhookSecret are NoEcho (Terraform: sensitive variables)', () => {
  const o: MonitorDeployOptions = { notify: [{ kind: 'slack' }, { kind: 'webhook' }] };
  const p = cfn(o).central.Parameters;
  assert.equal(p.SlackWebhookUrl.NoEcho, true);
  assert.equal(p.SlackWebhookUrl.Default, undefined);
  assert.equal(p.WebhookSecret.NoEcho, true);
  assert.equal(p.WebhookUrl.NoEcho, true);
  assert.equal(p.WebhookUrl.Default, undefined);
  const tf = loadTf(emitTerraform(monitorSpec(o)).central);
  for (const v of ['slack_webhook_url', 'webhook_url', 'webhook_secret']) assert.equal(tf.find((b) => b.type === 'variable' && b.labels[0] === v)?.attrs.sensitive, true, v);
});

test("--organization: the central bus admits only the organization's accounts (aws:PrincipalOrgID), the rule is on it", () => {
  const t = cfnValue(cfn({ organization: true }).central);
  assert.equal(t.Parameters.OrganizationId.AllowedPattern, '^o-[a-z0-9]{10,32}$');
  assert.deepEqual(t.Resources.EventBusPolicy.Properties.Statement, {
    Effect: 'Allow',
    Principal: '*',
    Action: 'events:PutEvents',
    Resource: '<EventBus.Arn>',
    Condition: { StringEquals: { 'aws:PrincipalOrgID': '<OrganizationId>' } },
  });
  assert.equal(t.Resources.SageMakerEventRule.Properties.EventBusName, '<EventBus.Name>');
  assert.equal(t.Outputs.EventBusArn.Value, '<EventBus.Arn>');
  // --accounts: those accounts by name, no one else.
  const a = cfnValue(cfn({ accounts: ['111111111111', '222222222222'] }).central);
  assert.deepEqual(a.Resources.EventBusPolicy.Properties.Statement.Principal, { AWS: ['arn:<AWS::Partition>:iam::111111111111:root', 'arn:<AWS::Partition>:iam::222222222222:root'] });
  assert.equal(a.Resources.EventBusPolicy.Properties.Statement.Condition, undefined);
  const tf = loadTf(emitTerraform(monitorSpec({ organization: true })).central);
  assert.deepEqual(tfResource(tf, 'aws_cloudwatch_event_bus_policy', 'sagemaker').attrs.policy.Statement[0].Condition, { StringEquals: { 'aws:PrincipalOrgID': '<var.organization_id>' } });
});

test("member template: forwards to the central bus with a role EventBridge assumes (this account only); the read-only role trusts only the central Lambda role and holds the handler's reads", () => {
  for (const respond of [undefined, 'tag', 'stop'] as const) {
    const m = cfnValue(cfn({ organization: true, respond, roleName: 'cc-read' }).member!);
    const r = m.Resources;
    assert.deepEqual(r.ForwardRule.Properties.Targets, [{ Id: 'cloudconform-central-bus', Arn: '<CentralEventBusArn>', RoleArn: '<ForwardRole.Arn>' }]);
    assert.deepEqual(r.ForwardRole.Properties.Policies[0].PolicyDocument.Statement, [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: '<CentralEventBusArn>' }]);
    assert.deepEqual(r.ForwardRole.Properties.AssumeRolePolicyDocument.Statement[0].Condition, { StringEquals: { 'aws:SourceAccount': '<AWS::AccountId>' } });
    assert.equal(r.ReadRole.Properties.RoleName, 'cc-read');
    assert.equal(r.ReadRole.Condition, 'CreateReadRole');
    assert.deepEqual(r.ReadRole.Properties.AssumeRolePolicyDocument.Statement, [{ Effect: 'Allow', Principal: { AWS: '<CentralLambdaRoleArn>' }, Action: 'sts:AssumeRole' }]);
    const actions = r.ReadRole.Properties.Policies[0].PolicyDocument.Statement.flatMap((s: any) => s.Action).sort();
    // monitorIamPolicy's statement for the member accounts' role: the handler's reads, and --respond's call (no --schedule: no audit listing).
    assert.deepEqual(actions, [...policyOf({ organization: true, respond }).Statement.find((s) => s.Sid === 'CloudConformMonitoredAccount')!.Action].sort(), String(respond));
    const audited = [AUDIT_ACTIONS.describeNotebookInstance, AUDIT_ACTIONS.describeDomain, AUDIT_ACTIONS.listTags].map((a) => a.action);
    const respondActions = respond === 'tag' ? ['sagemaker:AddTags'] : respond === 'stop' ? ['sagemaker:StopNotebookInstance'] : [];
    assert.deepEqual(actions, [...new Set([...audited, ...respondActions])].sort(), String(respond));
    const tfm = loadTf(emitTerraform(monitorSpec({ organization: true, respond, roleName: 'cc-read' })).member!);
    assert.equal(tfResource(tfm, 'aws_iam_role', 'read').attrs.name, 'cc-read');
    assert.deepEqual(tfResource(tfm, 'aws_iam_role_policy', 'read').attrs.policy.Statement.flatMap((s: any) => s.Action).sort(), actions);
    assert.deepEqual(tfResource(tfm, 'aws_iam_role', 'read').attrs.assume_role_policy.Statement[0].Principal, { AWS: '<var.central_lambda_role_arn>' });
  }
  assert.equal(cfn({}).member, undefined, 'no member template for a single account');
});

test('usage: --role-name needs --organization or --accounts; bad account ids and schedules refused before anything is emitted', () => {
  assert.throws(() => monitorSpec({ roleName: 'x' }), /--organization or --accounts/);
  assert.throws(() => monitorSpec({ accounts: ['1234'] }), /--accounts/);
  assert.throws(() => monitorSpec({ schedule: 'rate(1 days)' }), /--schedule/);
  assert.throws(() => monitorSpec({ organization: true, roleName: 'a\nb' }), /--role-name/);
  // Lambda's 4 KB of environment: refused here, not half-way through a deployment.
  const topics = (n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'sns' as const, arn: `arn:aws:sns:eu-west-1:123456789012:t${i}-${'x'.repeat(240)}` }));
  assert.ok(monitorSpec({ notify: [...topics(6), { kind: 'webhook' }] }));
  assert.throws(() => monitorSpec({ notify: [...topics(8), { kind: 'webhook' }] }), /over Lambda's 4096: give fewer or shorter --notify targets/);
});

const TF_TYPES_CENTRAL = [
  'aws_cloudwatch_event_rule',
  'aws_cloudwatch_event_target',
  'aws_cloudwatch_log_group',
  'aws_dynamodb_table',
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_lambda_event_source_mapping',
  'aws_lambda_function',
  'aws_sns_topic',
  'aws_sqs_queue',
  'aws_sqs_queue_policy',
];

test('Terraform: the same resources, every ${…} in a string one of ours (a log group ARN)', () => {
  const types = (blocks: TfBlock[]) => [...new Set(blocks.filter((b) => b.type === 'resource').map((b) => b.labels[0]))].sort();
  assert.deepEqual(types(loadTf(emitTerraform(monitorSpec({})).central)), TF_TYPES_CENTRAL);
  const full = loadTf(emitTerraform(monitorSpec({ organization: true, schedule: 'rate(1 day)' })).central);
  assert.deepEqual(types(full), [...TF_TYPES_CENTRAL, 'aws_cloudwatch_event_bus', 'aws_cloudwatch_event_bus_policy', 'aws_lambda_function_event_invoke_config', 'aws_lambda_permission'].sort());
  for (const b of full) for (const i of b.interpolations) assert.match(i, /^aws_cloudwatch_log_group\.(events|audit)\.arn$/);
});

test('our own scan reads every emitted template and configuration without an error, and nothing fails', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-monitor-scan-'));
  try {
    let n = 0;
    for (const [, o] of [...VARIANTS, ['org + schedule + respond', { organization: true, schedule: 'rate(1 day)', respond: 'stop', notify: [{ kind: 'slack' }] }] as [string, MonitorDeployOptions]]) {
      const c = emitCloudFormation(monitorSpec(o));
      const t = emitTerraform(monitorSpec(o));
      writeFileSync(join(dir, `central-${n}.yaml`), c.central);
      if (c.member) writeFileSync(join(dir, `member-${n}.yaml`), c.member);
      mkdirSync(join(dir, `tf-${n}`));
      writeFileSync(join(dir, `tf-${n}`, 'main.tf'), t.central);
      if (t.member) {
        mkdirSync(join(dir, `tf-member-${n}`));
        writeFileSync(join(dir, `tf-member-${n}`, 'main.tf'), t.member);
      }
      n++;
    }
    const report = await scan([dir], { config: emptyConfig(), jobs: 1 });
    assert.deepEqual(report.errors, []);
    assert.equal(report.summary.filesScanned, 16);
    assert.deepEqual(report.findings.filter((f) => f.result !== 'pass'), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CloudFormation and Terraform alike: the role statements (Sid, actions, resources), the environment and the member role', () => {
  const norm = (s: string) =>
    s
      .replace(/<AWS::Partition>|<data\.aws_partition\.current\.partition>/g, '<partition>')
      .replace(/<(HistoryTable\.Arn|aws_dynamodb_table\.history\.arn)>/g, '<table>')
      .replace(/<(FindingsTopic|aws_sns_topic\.findings\.arn)>/g, '<topic>')
      .replace(/<(EventQueue\.Arn|aws_sqs_queue\.events\.arn)>/g, '<queue>')
      .replace(/<(EventFunctionLogs\.Arn|aws_cloudwatch_log_group\.events\.arn>:\*)>?/g, '<event-logs>')
      .replace(/<(AuditFunctionLogs\.Arn|aws_cloudwatch_log_group\.audit\.arn>:\*)>?/g, '<audit-logs>')
      .replace(/<(HistoryTable|aws_dynamodb_table\.history\.name)>/g, '<table-name>')
      .replace(/<(SlackWebhookUrl|var\.slack_webhook_url)>/g, '<slack>')
      .replace(/<(WebhookSecret|var\.webhook_secret)>/g, '<secret>')
      .replace(/<(WebhookUrl|var\.webhook_url)>/g, '<webhook>');
  for (const [name, o] of [...VARIANTS, ['all', { organization: true, accounts: ['111111111111'], schedule: 'rate(1 day)', respond: 'stop', notify: [{ kind: 'slack' }, { kind: 'webhook' }] }] as [string, MonitorDeployOptions]]) {
    const c = cfnValue(cfn(o).central.Resources);
    const tfText = emitTerraform(monitorSpec(o));
    const t = loadTf(tfText.central);
    const list = (v: unknown) => (Array.isArray(v) ? v : [v]);
    const statements = (doc: any) => norm(JSON.stringify(doc.Statement.map((s: any) => [s.Sid, list(s.Action), list(s.Resource)])));
    assert.equal(statements(tfResource(t, 'aws_iam_role_policy', 'function').attrs.policy), statements(c.FunctionRole.Properties.Policies[0].PolicyDocument), name);
    const fn = tfResource(t, 'aws_lambda_function', 'events');
    assert.equal(norm(JSON.stringify(fn.blocks.find((b) => b.type === 'environment')!.attrs.variables)), norm(JSON.stringify(c.EventFunction.Properties.Environment.Variables)), name);
    if (tfText.member) {
      const m = cfnValue(cfn(o).member!.Resources);
      const tm = loadTf(tfText.member);
      assert.equal(statements(tfResource(tm, 'aws_iam_role_policy', 'read').attrs.policy), statements(m.ReadRole.Properties.Policies[0].PolicyDocument), `${name} member`);
    }
  }
});
