// `monitor deploy --emit cloudformation`: every variant passes cfn-lint (the pinned one), and the
// templates deploy through moto's CloudFormation: CloudTrail events put on EventBridge reach the
// queue when they are one of the six calls, and only then — directly, or in an organization
// through the member stack's forwarding rule and the central bus.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageBatchCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { lambdaSettings } from '../../src/lambda';
import { emitCloudFormation } from '../../src/monitor/cloudformation';
import { packageLambda } from '../../src/monitor/package';
import { monitorSpec, type MonitorDeployOptions } from '../../src/monitor/spec';
import { awsTestEnv, useAwsTestEnv } from './audit-helpers';
import { startMoto, type MotoServer } from './moto-server';
import { PROJECT_ROOT, venvBin } from './venv';

const REGION = 'us-east-1';
const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'cloudtrail');

let moto: MotoServer;
let dir: string;

before(async () => {
  useAwsTestEnv();
  moto = await startMoto();
  dir = mkdtempSync(join(tmpdir(), 'cc-monitor-deploy-'));
});

after(async () => {
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function aws(args: string[]): string {
  const run = spawnSync(venvBin('aws'), [...args, '--region', REGION, '--output', 'json'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...awsTestEnv({ AWS_ENDPOINT_URL: moto.endpoint }) },
    timeout: 120_000,
  });
  assert.equal(run.status, 0, `aws ${args.join(' ')}:\n${run.stdout}${run.stderr}\n${moto.log()}`);
  return run.stdout;
}

test('cfn-lint: the central template and the member template pass in every variant', () => {
  const variants: MonitorDeployOptions[] = [
    {},
    { schedule: 'rate(1 day)' },
    { schedule: 'cron(0 3 ? * MON-FRI *)', respond: 'stop', notify: [{ kind: 'sns', arn: 'arn:aws:sns:us-east-1:123456789012:sec' }, { kind: 'slack' }, { kind: 'webhook' }] },
    { organization: true },
    { organization: true, schedule: 'rate(7 days)', respond: 'tag', roleName: 'cc-read' },
    { accounts: ['111111111111', '222222222222'] },
    { organization: true, accounts: ['111111111111'], respond: 'stop' },
  ];
  const files: string[] = [];
  variants.forEach((o, i) => {
    const out = emitCloudFormation(monitorSpec(o));
    files.push(join(dir, `central-${i}.yaml`));
    writeFileSync(files.at(-1)!, out.central);
    if (out.member) {
      files.push(join(dir, `member-${i}.yaml`));
      writeFileSync(files.at(-1)!, out.member);
    }
  });
  const run = spawnSync(venvBin('cfn-lint'), ['--regions', REGION, 'eu-west-1', 'ap-southeast-2', '--', ...files], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(run.status, 0, `cfn-lint:\n${run.stdout}${run.stderr}`);
});

interface Fixture {
  name: string;
  event: { source: string; 'detail-type': string; detail: { eventName: string; eventID: string; errorCode?: string } };
}

function fixtures(): Fixture[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => ({ name, event: JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) }));
}

/** Puts every fixture (and one of another detail-type) on the default bus; the CloudTrail eventIDs the queue then holds. */
async function deliverAndCollect(queueName: string): Promise<{ expected: string[]; received: string[] }> {
  const all = fixtures();
  const eb = new EventBridgeClient({ region: REGION, endpoint: moto.endpoint });
  const sqs = new SQSClient({ region: REGION, endpoint: moto.endpoint });
  try {
    const entries = [
      ...all.map((f) => ({ Source: f.event.source, DetailType: f.event['detail-type'], Detail: JSON.stringify(f.event.detail) })),
      // The same record under another detail-type: not a CloudTrail API call.
      { Source: 'aws.sagemaker', DetailType: 'SageMaker Notebook Instance State Change', Detail: JSON.stringify({ ...all[0]!.event.detail, eventID: 'other-detail-type' }) },
    ];
    for (let i = 0; i < entries.length; i += 10) {
      const put = await eb.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
      assert.equal(put.FailedEntryCount, 0);
    }
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    const received: string[] = [];
    for (;;) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      if (!got.Messages?.length) break;
      for (const m of got.Messages) received.push(JSON.parse(m.Body!).detail.eventID);
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: got.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    const six = new Set(['CreateNotebookInstance', 'UpdateNotebookInstance', 'DeleteNotebookInstance', 'CreateDomain', 'UpdateDomain', 'DeleteDomain']);
    const expected = all.filter((f) => six.has(f.event.detail.eventName) && f.event.detail.errorCode === undefined).map((f) => f.event.detail.eventID);
    return { expected: expected.sort(), received: received.sort() };
  } finally {
    eb.destroy();
    sqs.destroy();
  }
}

function uploadCode(): void {
  const dist = join(dir, 'dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, 'lambda.js'), 'export const handler = async () => ({ batchItemFailures: [] });\n');
  writeFileSync(join(dir, 'code.zip'), packageLambda(dist).zip);
  aws(['s3', 'mb', 's3://cc-monitor-code']);
  aws(['s3', 'cp', join(dir, 'code.zip'), 's3://cc-monitor-code/cloudconform-lambda.zip']);
}

function createStack(name: string, template: string, parameters: Record<string, string>): Record<string, string> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, template);
  aws([
    'cloudformation',
    'create-stack',
    '--stack-name',
    name,
    '--template-body',
    `file://${file}`,
    '--capabilities',
    'CAPABILITY_IAM',
    'CAPABILITY_NAMED_IAM',
    '--parameters',
    ...Object.entries(parameters).map(([k, v]) => `ParameterKey=${k},ParameterValue=${v}`),
  ]);
  const stack = JSON.parse(aws(['cloudformation', 'describe-stacks', '--stack-name', name])).Stacks[0];
  assert.equal(stack.StackStatus, 'CREATE_COMPLETE', JSON.stringify(stack));
  return Object.fromEntries((stack.Outputs ?? []).map((o: { OutputKey: string; OutputValue: string }) => [o.OutputKey, o.OutputValue]));
}

const queueName = (url: string) => url.slice(url.lastIndexOf('/') + 1);

/**
 * The mapping as deployed (batches of 10, ReportBatchItemFailures), then disabled: moto's own
 * mapping would consume the queue by invoking the function, which needs Docker; the test reads
 * the queue as Lambda would.
 */
function checkAndDisableMapping(): void {
  const esm = JSON.parse(aws(['lambda', 'list-event-source-mappings'])).EventSourceMappings;
  assert.equal(esm.length, 1);
  assert.equal(esm[0].BatchSize, 10);
  assert.deepEqual(esm[0].FunctionResponseTypes, ['ReportBatchItemFailures']);
  aws(['lambda', 'update-event-source-mapping', '--uuid', esm[0].UUID, '--no-enabled']);
}

// Without --schedule: moto 5.2.5's PutEvents fails (NotImplementedError) when any rule, even a
// schedule one, has a Lambda target; the schedule is checked by cfn-lint and the template tests.
test('moto (CloudFormation, EventBridge, SQS): deployed, the rule queues the six calls, and not a failed call, StopNotebookInstance or another detail-type', async () => {
  await moto.reset();
  uploadCode();
  const out = createStack('cc-monitor', emitCloudFormation(monitorSpec({ notify: [{ kind: 'slack' }, { kind: 'webhook' }] })).central, {
    CodeBucket: 'cc-monitor-code',
    SlackWebhookUrl: 'https://hooks.example.com/x',
    // A webhook URL is a secret too: given at deployment, never in the template.
    WebhookUrl: 'https://receiver.example.com/in/tok3n?key=s3cret',
  });
  checkAndDisableMapping();
  const { expected, received } = await deliverAndCollect(queueName(out.QueueUrl!));
  assert.equal(expected.length, 7, 'fixtures: seven records of the six calls');
  assert.deepEqual(received, expected);
  const fn = JSON.parse(aws(['lambda', 'list-functions'])).Functions.find((f: { FunctionName: string }) => f.FunctionName.startsWith('cc-monitor-EventFunction'));
  assert.equal(fn.Environment.Variables.CLOUDCONFORM_NOTIFY, `sns=${out.TopicArn}\nslack=https://hooks.example.com/x\nwebhook=https://receiver.example.com/in/tok3n?key=s3cret`);
  assert.equal(fn.Environment.Variables.CLOUDCONFORM_TABLE, out.TableName);
  // The handler reads its deployed environment as meant: both channels, the table.
  const settings = await lambdaSettings(fn.Environment.Variables);
  assert.deepEqual(settings.notify.map((c) => c.shown), [`sns ${out.TopicArn}`, 'slack https://hooks.example.com/…', 'webhook https://receiver.example.com/…']);
  const hook = settings.notify.find((c) => c.kind === 'webhook');
  assert.equal(hook && 'url' in hook ? hook.url.href : undefined, 'https://receiver.example.com/in/tok3n?key=s3cret');
  assert.deepEqual(settings.history, { table: out.TableName });
  assert.equal(settings.organization, undefined);
});

test('moto: --organization, the member stack forwards the default bus to the central bus, whose rule queues the six calls; the read-only role trusts only the central function role', async () => {
  await moto.reset();
  uploadCode();
  const emitted = emitCloudFormation(monitorSpec({ organization: true, roleName: 'cc-read' }));
  const central = createStack('cc-central', emitted.central, { CodeBucket: 'cc-monitor-code', OrganizationId: 'o-abcdefghij' });
  createStack('cc-member', emitted.member!, { CentralEventBusArn: central.EventBusArn!, CentralLambdaRoleArn: central.FunctionRoleArn!, RoleRegion: REGION });
  checkAndDisableMapping();
  const { expected, received } = await deliverAndCollect(queueName(central.QueueUrl!));
  assert.deepEqual(received, expected);
  const fn = JSON.parse(aws(['lambda', 'list-functions'])).Functions.find((f: { FunctionName: string }) => f.FunctionName.startsWith('cc-central-EventFunction'));
  const settings = await lambdaSettings(fn.Environment.Variables);
  assert.equal(settings.organization, true);
  assert.equal(settings.roleName, 'cc-read');
  const role = JSON.parse(aws(['iam', 'get-role', '--role-name', 'cc-read'])).Role;
  assert.deepEqual(role.AssumeRolePolicyDocument.Statement, [{ Effect: 'Allow', Principal: { AWS: central.FunctionRoleArn }, Action: 'sts:AssumeRole' }]);
});

test('moto: --schedule deploys a schedule rule whose one target is the audit function (900 s, its own role), beside the event function (120 s)', async () => {
  await moto.reset();
  uploadCode();
  createStack('cc-scheduled', emitCloudFormation(monitorSpec({ schedule: 'cron(0 3 * * ? *)' })).central, { CodeBucket: 'cc-monitor-code' });
  const rules = JSON.parse(aws(['events', 'list-rules'])).Rules;
  const schedule = rules.find((r: { ScheduleExpression?: string }) => r.ScheduleExpression);
  assert.equal(schedule.ScheduleExpression, 'cron(0 3 * * ? *)');
  const functions = JSON.parse(aws(['lambda', 'list-functions'])).Functions as { FunctionName: string; FunctionArn: string; Timeout: number; Runtime: string; Handler: string; Role: string }[];
  const audit = functions.find((f) => f.FunctionName.startsWith('cc-scheduled-AuditFunction'))!;
  const events = functions.find((f) => f.FunctionName.startsWith('cc-scheduled-EventFunction'))!;
  assert.equal(audit.Timeout, 900);
  assert.equal(events.Timeout, 120);
  for (const f of [audit, events]) assert.equal(f.Handler, 'lambda.handler');
  // Each function its own role: the event handler's holds none of the audit's listing.
  assert.notEqual(audit.Role, events.Role);
  const targets = JSON.parse(aws(['events', 'list-targets-by-rule', '--rule', schedule.Name])).Targets;
  assert.deepEqual(targets.map((t: { Arn: string }) => t.Arn), [audit.FunctionArn]);
});
