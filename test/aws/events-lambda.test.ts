// The built Lambda handler (dist/lambda.js), invoked in-process with a real context shape against
// moto: SQS batches through the same handler as the CLI, the history in DynamoDB (new, then nothing
// new for the same event, then resolved), SNS notifications delivered to an SQS subscriber, partial
// batch failures, a scheduled event running the full audit in the same scope; and its cold start
// (no heavy module loaded by the entry; its import time is measured by npm run bench:events).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SageMakerClient, StopNotebookInstanceCommand, DeleteNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { seed, TEST_CREDENTIALS } from './seed';
import { useAuditEmulator } from './audit-helpers';
import { PROJECT_ROOT } from './venv';
import { fixture, notebookEvent, sqsBatch } from '../helpers/cloudtrail';
import { createHistoryTable, lambdaContext, processEnv } from './events-drain';

const REGION = 'us-east-1';
const LAMBDA = join(PROJECT_ROOT, 'dist', 'lambda.js');
const TABLE = 'cloudconform-history';

const emulator = useAuditEmulator({
  seed: async (moto) => {
    const seeded = await seed(moto.endpoint, [{ region: REGION, notebooks: [{ name: 'cc-lambda-open' }, { name: 'cc-lambda-private', access: 'Disabled', inSubnet: true }, { name: 'cc-lambda-denied' }] }]);
    const config = { endpoint: moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS };
    await createHistoryTable(moto.endpoint, REGION, TABLE);
    const sns = new SNSClient(config);
    const sqs = new SQSClient(config);
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'cloudconform-alerts' }))).TopicArn!;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'alerts-inbox' }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
    sns.destroy();
    sqs.destroy();
    return { ...seeded, topic, queueUrl };
  },
});

type LambdaModule = { handler: (event: unknown, context: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>; resetLambda: () => Promise<void> };
let lambda: LambdaModule;
const env = processEnv();
const setEnv = env.set;

async function notifications(): Promise<string[]> {
  const sqs = new SQSClient({ endpoint: emulator.moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
  try {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: emulator.seeded.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    return (out.Messages ?? []).map((m) => m.Body ?? '');
  } finally {
    sqs.destroy();
  }
}

/** Captures console.log lines (CloudWatch's) during `fn`. */
async function logged<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  try {
    return { value: await fn(), lines };
  } finally {
    console.log = original;
  }
}

describe('the Lambda handler (dist/lambda.js)', () => {
  before(async () => {
    assert.ok(existsSync(LAMBDA), 'dist/lambda.js: run npm run build');
    lambda = (await import(pathToFileURL(LAMBDA).href)) as LambdaModule;
  });
  after(async () => {
    await lambda?.resetLambda();
    env.restore();
  });

  it('SQS batches: a finding notified once, the same event again nothing, the delete resolved; only retryable messages returned', async () => {
    await lambda.resetLambda();
    setEnv({
      AWS_ENDPOINT_URL: emulator.proxy.endpoint,
      AWS_MAX_ATTEMPTS: '1',
      CLOUDCONFORM_TABLE: TABLE,
      CLOUDCONFORM_NOTIFY: `sns=${emulator.seeded.topic}`,
      CLOUDCONFORM_ACCOUNTS: undefined,
      CLOUDCONFORM_ROLE_NAME: undefined,
    });
    const open = notebookEvent('create-notebook-default-access.json', 'cc-lambda-open');
    const first = await logged(() => lambda.handler(sqsBatch([open, notebookEvent('create-notebook-disabled.json', 'cc-lambda-private'), '{junk']), lambdaContext()));
    assert.deepEqual(first.value, { batchItemFailures: [] }, 'a malformed message is not returned for retry');
    const summary = JSON.parse(first.lines.find((l) => l.includes('"cloudconform":"event"'))!);
    assert.equal(summary.fail, 1);
    assert.equal(summary.new, 1);
    assert.equal(summary.scope, `audit:caller:${MOTO_DEFAULT_ACCOUNT}`);
    assert.ok(first.lines.some((l) => l.includes('"cloudconform":"error"') && l.includes('m-2')));
    const sent = await notifications();
    assert.equal(sent.length, 1);
    assert.match(sent[0]!, /cc-lambda-open/);
    assert.doesNotMatch(sent[0]!, /cc-lambda-private/);

    // Delivered again (SQS at-least-once, or a second trail): recorded, nothing new, no message.
    const again = await logged(() => lambda.handler(sqsBatch([open, open], ['x-1', 'x-2']), lambdaContext()));
    assert.deepEqual(again.value.batchItemFailures, []);
    assert.equal(JSON.parse(again.lines.find((l) => l.includes('"cloudconform":"event"'))!).new, 0);
    assert.deepEqual(await notifications(), []);

    // A describe that fails now may work later: that message alone comes back.
    emulator.proxy.addRule({ fault: 'server-error', action: 'DescribeNotebookInstance', params: { NotebookInstanceName: 'cc-lambda-denied' } });
    const partial = await logged(() => lambda.handler(sqsBatch([notebookEvent('create-notebook-default-access.json', 'cc-lambda-denied'), open], ['retry-me', 'fine']), lambdaContext()));
    assert.deepEqual(partial.value.batchItemFailures, [{ itemIdentifier: 'retry-me' }]);
    emulator.proxy.clearRules();

    const sm = new SageMakerClient({ endpoint: emulator.moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
    await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: 'cc-lambda-open' }));
    await sm.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: 'cc-lambda-open' }));
    sm.destroy();
    const deleted = await logged(() => lambda.handler(sqsBatch([notebookEvent('delete-notebook.json', 'cc-lambda-open')]), lambdaContext()));
    assert.equal(JSON.parse(deleted.lines.find((l) => l.includes('"cloudconform":"event"'))!).resolved, 1);
  });

  it('one EventBridge event invoked directly: handled; a failure worth retrying throws (Lambda retries it)', async () => {
    const direct = await logged(() => lambda.handler(notebookEvent('create-notebook-disabled.json', 'cc-lambda-private'), lambdaContext()));
    assert.deepEqual(direct.value, { batchItemFailures: [] });
    emulator.proxy.addRule({ fault: 'throttle', action: 'DescribeNotebookInstance' });
    await assert.rejects(
      logged(() => lambda.handler(notebookEvent('create-notebook-disabled.json', 'cc-lambda-private'), lambdaContext())),
      /1 record\(s\) could not be handled now/,
    );
    emulator.proxy.clearRules();
    // A malformed event is not retried: it would fail the same way.
    const bad = await logged(() => lambda.handler(fixture('create-notebook-failed.json'), lambdaContext()));
    assert.deepEqual(bad.value, { batchItemFailures: [] });
  });

  it('a scheduled event runs the full audit, recorded in the same scope as the events', async () => {
    const { value, lines } = await logged(() => lambda.handler({ version: '0', id: 'sched-1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: MOTO_DEFAULT_ACCOUNT, time: '2026-12-05T00:00:00Z', region: REGION, resources: [`arn:aws:events:${REGION}:${MOTO_DEFAULT_ACCOUNT}:rule/cloudconform-daily`], detail: {} }, lambdaContext(120_000)));
    assert.deepEqual(value, { batchItemFailures: [] });
    const summary = JSON.parse(lines.find((l) => l.includes('"cloudconform":"audit"'))!);
    assert.equal(summary.scope, `audit:caller:${MOTO_DEFAULT_ACCOUNT}`);
    assert.ok(summary.resources >= 2, JSON.stringify(summary));
    // cc-lambda-denied was unknown (describe failed) and now fails: new; cc-lambda-open is gone.
    assert.equal(summary.new, 1, JSON.stringify(summary));
  });

  it('a "Scheduled Event" inside an SQS batch is not an audit trigger: an error for that message', async () => {
    const { value, lines } = await logged(() => lambda.handler(sqsBatch([{ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }]), lambdaContext()));
    assert.deepEqual(value, { batchItemFailures: [] });
    assert.ok(lines.some((l) => l.includes('"cloudconform":"error"') && l.includes('Scheduled Event')));
    assert.ok(!lines.some((l) => l.includes('"cloudconform":"audit"')));
  });

  // Its import time is measured by `npm run bench:events` (a benchmark, not a timed test): what
  // keeps it small is that the entry loads nothing else until the first invocation.
  it('cold start: importing dist/lambda.js reads a few KB (the SDK, rules and history are chunks loaded on the first invocation)', () => {
    // Every file the entry loads statically, transitively (esbuild's shared helpers chunk is one).
    const loaded = new Map<string, number>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      const text = readFileSync(file, 'utf8');
      loaded.set(file, Buffer.byteLength(text));
      const specs = [...text.matchAll(/^\s*import\s[^;(]*?from\s*["']([^"']+)["']/gm), ...text.matchAll(/^\s*import\s*["']([^"']+)["']/gm)].map((m) => m[1]!);
      for (const spec of specs) if (!spec.startsWith('node:')) visit(join(dirname(file), spec));
    };
    visit(LAMBDA);
    const bytes = [...loaded.values()].reduce((a, b) => a + b, 0);
    assert.ok(bytes < 32 * 1024, `the entry loads ${loaded.size} files, ${bytes} bytes, before any invocation: ${[...loaded.keys()].join(', ')}`);
    assert.ok(/import\("\.\/lambda-chunk-handler-/.test(readFileSync(LAMBDA, 'utf8')), 'the handler is a chunk loaded on demand');
  });
});
