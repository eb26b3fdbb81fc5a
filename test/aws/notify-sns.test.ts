// SNS notifications against moto over HTTP: a topic with an SQS subscription (moto delivers SNS
// to SQS), the message read back from the queue and checked — the JSON document every machine
// subscriber gets, the subject, the 256 KB bound, FIFO topics, a topic that does not exist — and
// `audit --notify sns=…` through the built CLI: one message for a notebook with direct internet
// access, none when the same audit runs again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { SageMakerClient, CreateNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import type { Finding, ScanReport } from '../../src/model/report';
import { findingKey } from '../../src/model/report';
import type { RunComparison } from '../../src/history/types';
import { notify, parseNotifyTarget } from '../../src/notify/index';
import { startMoto, type MotoServer } from './moto-server';
import { awsTestEnv, runCli, useAwsTestEnv } from './audit-helpers';

let moto: MotoServer;
const work = mkdtempSync(join(tmpdir(), 'cc-notify-sns-'));
before(async () => {
  useAwsTestEnv();
  moto = await startMoto();
});
after(async () => {
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

const region = 'us-east-1';
const clients = () => ({ sns: new SNSClient({ region, endpoint: moto.endpoint }), sqs: new SQSClient({ region, endpoint: moto.endpoint }) });
let topics = 0;

/** A topic subscribed by a new queue; `read` drains the queue (SNS envelopes). */
async function topicWithQueue(fifo = false, raw = false) {
  const { sns, sqs } = clients();
  const name = `findings-${topics++}${fifo ? '.fifo' : ''}`;
  const topic = await sns.send(new CreateTopicCommand({ Name: name, ...(fifo ? { Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'false' } } : {}) }));
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: name, ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}) }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: attrs.Attributes!.QueueArn, ...(raw ? { Attributes: { RawMessageDelivery: 'true' } } : {}) }));
  const read = async (): Promise<{ Message: string; Subject?: string }[]> => {
    const out: { Message: string; Subject?: string }[] = [];
    for (;;) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!got.Messages?.length) return out;
      for (const m of got.Messages) {
        out.push(raw ? { Message: m.Body! } : JSON.parse(m.Body!));
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
  };
  return { arn: topic.TopicArn!, read };
}

function liveFinding(name: string, over: Partial<Finding> = {}): Finding {
  const arn = `arn:aws:sagemaker:${region}:123456789012:notebook-instance/${name}`;
  return {
    ruleId: 'SageMaker-004',
    result: 'fail',
    resource: { type: 'AWS::SageMaker::NotebookInstance', id: arn, source: 'aws', details: { name, account: '123456789012', region }, live: { account: '123456789012', region, arn } },
    location: { file: `aws://123456789012/${region}`, line: 0 },
    message: 'DirectInternetAccess is Enabled',
    risk: 'High',
    suppressed: false,
    ...over,
  };
}

function audited(findings: Finding[]): { report: ScanReport; comparison: RunComparison } {
  const run = { id: `20261204T220000Z-${String(topics).padStart(8, '0')}`, command: 'audit' as const, startedAt: '2026-12-04T22:00:00.000Z', endedAt: '2026-12-04T22:00:05.000Z', scope: { key: 'audit:caller:123456789012', label: '123456789012' }, evaluated: {} };
  const report: ScanReport = { version: 1, tool: { name: 'cloudconform', version: 'test' }, rules: [], findings, errors: [], summary: { resources: 0, findings: 0, pass: 0, fail: 0, unknown: 0, suppressed: 0, errors: 0, filesScanned: 0, failing: 0 }, run };
  const counts = { new: findings.length, regressed: 0, 'still-failing': 0, resolved: 0, 'newly-suppressed': 0, 'suppression-expired': 0, 'not-evaluated': 0, unchanged: 0 };
  return { report, comparison: { current: run, changes: findings.map((f) => ({ key: findingKey(f), change: 'new', finding: f })), counts } };
}

const FILTERS = { on: ['new' as const, 'regressed' as const] };

test('SNS → SQS: one message, the JSON document for machine subscribers, an ASCII subject', async () => {
  const { arn, read } = await topicWithQueue();
  const hostile = 'nb-<!channel>\u001b[31m\u202e';
  const { report, comparison } = audited([liveFinding('nb-open'), liveFinding(hostile, { message: 'line\nbreak \u2028 and <b>html</b>' })]);
  const out = await notify(comparison, report, [parseNotifyTarget(`sns=${arn}`)], FILTERS, { aws: { endpoint: moto.endpoint } });
  assert.deepEqual(out.errors, []);
  assert.equal(out.sent.length, 1);
  assert.ok(out.sent[0]!.messageId);
  const messages = await read();
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.Subject, 'cloudconform: 2 new failures');
  // Control and bidi characters arrive as JSON escapes, never raw: a consumer that logs the text shows them inert.
  assert.ok(!/[\u001b\u202e\u2028]/.test(messages[0]!.Message));
  const doc = JSON.parse(messages[0]!.Message);
  assert.equal(doc.source, 'cloudconform');
  assert.deepEqual(doc.counts, { new: 2 });
  assert.deepEqual(doc.findings.map((f: { resource: { name: string } }) => f.resource.name).sort(), ['nb-open', hostile].sort(), 'names round-trip exactly');
  assert.equal(doc.findings[0].resource.account, '123456789012');
  assert.equal(doc.run.scope, 'audit:caller:123456789012');
});

test('SNS: 3,000 findings stay under the 256 KB limit (the rest counted by rule); raw delivery gets the document as is', async () => {
  const { arn, read } = await topicWithQueue(false, true);
  const { report, comparison } = audited(Array.from({ length: 3000 }, (_, i) => liveFinding(`nb-${i}-${'n'.repeat(60)}`, { message: 'm'.repeat(400) })));
  const out = await notify(comparison, report, [parseNotifyTarget(`sns=${arn}`)], FILTERS, { aws: { endpoint: moto.endpoint } });
  assert.deepEqual(out.errors, []);
  const [m] = await read();
  assert.ok(Buffer.byteLength(m!.Message) < 262_144);
  const doc = JSON.parse(m!.Message);
  assert.equal(doc.findings.length + doc.omitted, 3000);
  assert.ok(doc.omitted > 0);
  assert.match(doc.omittedByRule, /^SageMaker-004: \d+$/);
});

test('SNS FIFO topic: published with a message group and a deduplication id (the run id)', async () => {
  const { arn, read } = await topicWithQueue(true);
  const { report, comparison } = audited([liveFinding('nb-fifo')]);
  const out = await notify(comparison, report, [parseNotifyTarget(`sns=${arn}`)], FILTERS, { aws: { endpoint: moto.endpoint } });
  assert.deepEqual(out.errors, []);
  assert.equal((await read()).length, 1);
});

test('SNS: a topic that does not exist is an error entry (notify:sns), the other channels still send', async () => {
  const { arn, read } = await topicWithQueue();
  const { report, comparison } = audited([liveFinding('nb-x')]);
  const missing = parseNotifyTarget(`sns=arn:aws:sns:${region}:123456789012:no-such-topic`);
  const out = await notify(comparison, report, [missing, parseNotifyTarget(`sns=${arn}`)], FILTERS, { aws: { endpoint: moto.endpoint }, attempts: 1 });
  assert.equal(out.sent.length, 1);
  assert.equal(out.errors.length, 1);
  assert.equal(out.errors[0]!.file, 'notify:sns');
  assert.match(out.errors[0]!.message, /^sns arn:aws:sns:us-east-1:123456789012:no-such-topic: not sent: NotFound/);
  assert.equal((await read()).length, 1);
});

test('audit --notify sns=…: one message for the notebook with direct internet access; the same audit again sends nothing', async () => {
  const { arn, read } = await topicWithQueue();
  const sm = new SageMakerClient({ region, endpoint: moto.endpoint });
  await sm.send(new CreateNotebookInstanceCommand({ NotebookInstanceName: 'open-notebook', InstanceType: 'ml.t3.medium', RoleArn: 'arn:aws:iam::123456789012:role/nb', DirectInternetAccess: 'Enabled' }));
  const db = join(work, 'audit.db');
  const args = ['audit', '--regions', region, '--db', db, '--notify', `sns=${arn}`, '-q'];
  const env = awsTestEnv({ AWS_ENDPOINT_URL: moto.endpoint });
  const first = await runCli(args, { awsEnv: env });
  assert.equal(first.code, 1, first.stderr);
  const messages = await read();
  assert.equal(messages.length, 1, first.stderr);
  const doc = JSON.parse(messages[0]!.Message);
  assert.deepEqual(doc.findings.map((f: { resource: { name: string }; change: string; ruleId: string }) => [f.resource.name, f.ruleId, f.change]), [['open-notebook', 'SageMaker-004', 'new']]);
  assert.equal(doc.run.command, 'audit');
  const second = await runCli(args, { awsEnv: env });
  assert.equal(second.code, 1, second.stderr);
  assert.equal((await read()).length, 0, 'still failing: not notified again');
});

test('audit --notify-tag: the live tags are read and kept in the findings; only the tagged notebook is notified', async () => {
  const { arn, read } = await topicWithQueue();
  const sm = new SageMakerClient({ region: 'eu-west-1', endpoint: moto.endpoint });
  const create = (name: string, team: string) =>
    sm.send(new CreateNotebookInstanceCommand({ NotebookInstanceName: name, InstanceType: 'ml.t3.medium', RoleArn: 'arn:aws:iam::123456789012:role/nb', Tags: [{ Key: 'team', Value: team }] }));
  await create('ml-notebook', 'ml');
  await create('web-notebook', 'web');
  const env = awsTestEnv({ AWS_ENDPOINT_URL: moto.endpoint });
  const r = await runCli(['audit', '--regions', 'eu-west-1', '--no-history', '--notify', `sns=${arn}`, '--notify-tag', 'team=ml', '-f', 'json'], { awsEnv: env });
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as ScanReport;
  assert.deepEqual(report.findings.map((f) => [f.resource.details?.name, f.resource.tags]).sort(), [['ml-notebook', { team: 'ml' }], ['web-notebook', { team: 'web' }]]);
  const messages = await read();
  assert.equal(messages.length, 1, r.stderr);
  assert.deepEqual(JSON.parse(messages[0]!.Message).findings.map((f: { resource: { name: string } }) => f.resource.name), ['ml-notebook']);
  // Without --notify-tag, tags are neither read nor kept: the report is as it was.
  const plain = await runCli(['audit', '--regions', 'eu-west-1', '--no-history', '-f', 'json'], { awsEnv: env });
  assert.ok((JSON.parse(plain.stdout) as ScanReport).findings.every((f) => f.resource.tags === undefined));
});

test('attack: a tag keyed __proto__ (AWS allows it) leaves that resource\'s tags unknown, so the report stays readable by diff', async () => {
  const { arn, read } = await topicWithQueue();
  const sm = new SageMakerClient({ region: 'ap-south-1', endpoint: moto.endpoint });
  await sm.send(new CreateNotebookInstanceCommand({ NotebookInstanceName: 'proto-notebook', InstanceType: 'ml.t3.medium', RoleArn: 'arn:aws:iam::123456789012:role/nb', Tags: [{ Key: '__proto__', Value: 'x' }, { Key: 'team', Value: 'ml' }] }));
  const env = awsTestEnv({ AWS_ENDPOINT_URL: moto.endpoint });
  const file = join(work, 'proto.json');
  const r = await runCli(['audit', '--regions', 'ap-south-1', '--no-history', '--notify', `sns=${arn}`, '--notify-tag', 'team=ml', '-o', `json=${file}`, '-q'], { awsEnv: env });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /warning: 1 finding\(s\) not notified: --notify-tag can't judge them/);
  assert.equal((await read()).length, 0);
  const diff = await runCli(['diff', file, file], { awsEnv: env });
  assert.equal(diff.code, 0, diff.stderr);
});
