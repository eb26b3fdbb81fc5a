// End to end through AWS's own event plumbing on moto: a notebook created with direct internet
// access, its CloudTrail record put on EventBridge, matched by the rule `monitor deploy` emits
// (eventPattern(): the same object the templates carry), delivered by EventBridge to the SQS queue,
// and consumed as Lambda's event source mapping would (drainQueue: receive up to 10, invoke, delete
// all but the batchItemFailures) by the built handler (dist/lambda.js) with its history in DynamoDB (the
// table as dynamoTableDefinition() describes it) and its notifications on SNS, read back from an
// SQS subscriber. moto delivers EventBridge to SQS but does not invoke Lambda (it needs Docker for
// that): the consuming loop stands in for the event source mapping, and the handler runs in-process.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { DeleteNotebookInstanceCommand, SageMakerClient, StopNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { eventPattern } from '../../src/monitor/spec';
import { openDynamoHistory } from '../../src/history/dynamodb';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { seed, TEST_CREDENTIALS } from './seed';
import { useAuditEmulator } from './audit-helpers';
import { PROJECT_ROOT } from './venv';
import { notebookEvent, type CloudTrailEvent } from '../helpers/cloudtrail';
import { createHistoryTable, drainQueue, lambdaContext, processEnv } from './events-drain';

const REGION = 'us-east-1';
const LAMBDA = join(PROJECT_ROOT, 'dist', 'lambda.js');
const TABLE = 'cloudconform-e2e-history';
const NOTEBOOK = 'cc-e2e-open';

const emulator = useAuditEmulator({
  seed: async (moto) => {
    const seeded = await seed(moto.endpoint, [{ region: REGION, notebooks: [{ name: NOTEBOOK }] }]);
    const config = { endpoint: moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS };
    await createHistoryTable(moto.endpoint, REGION, TABLE);
    const sqs = new SQSClient(config);
    const queue = async (name: string) => {
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      return { url, arn };
    };
    const events = await queue('cloudconform-events');
    const inbox = await queue('alerts-inbox');
    sqs.destroy();
    const bridge = new EventBridgeClient(config);
    await bridge.send(new PutRuleCommand({ Name: 'cloudconform-sagemaker', EventPattern: JSON.stringify(eventPattern()), State: 'ENABLED' }));
    await bridge.send(new PutTargetsCommand({ Rule: 'cloudconform-sagemaker', Targets: [{ Id: 'queue', Arn: events.arn }] }));
    bridge.destroy();
    const sns = new SNSClient(config);
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'cloudconform-alerts' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: inbox.arn, Attributes: { RawMessageDelivery: 'true' } }));
    sns.destroy();
    return { ...seeded, topic, events, inbox };
  },
});

type LambdaModule = { handler: (event: unknown, context: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>; resetLambda: () => Promise<void> };
let lambda: LambdaModule;
const env = processEnv();
const setEnv = env.set;

const client = <T>(make: (config: object) => T) => make({ endpoint: emulator.moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS });

/** Puts events on the default bus as CloudTrail does: Source, DetailType and Detail of each record. */
async function putEvents(events: CloudTrailEvent[]): Promise<void> {
  const bridge = client((c) => new EventBridgeClient(c));
  try {
    const out = await bridge.send(
      new PutEventsCommand({ Entries: events.map((e) => ({ Source: e.source, DetailType: e['detail-type'], Detail: JSON.stringify(e.detail), Resources: e.resources ?? [] })) }),
    );
    assert.equal(out.FailedEntryCount, 0);
  } finally {
    bridge.destroy();
  }
}

async function receive(url: string): Promise<Message[]> {
  const sqs = client((c) => new SQSClient(c));
  try {
    const all: Message[] = [];
    for (;;) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30 }));
      if (!out.Messages?.length) return all;
      all.push(...out.Messages);
    }
  } finally {
    sqs.destroy();
  }
}

/** The event source mapping: batches of 10 through the handler, all but the batchItemFailures deleted. Returns the messages handled. */
async function drainThroughHandler(): Promise<number> {
  const { received, failed } = await drainQueue({ endpoint: emulator.moto.endpoint, region: REGION, queueUrl: emulator.seeded.events.url, handler: lambda.handler, context: lambdaContext() });
  assert.deepEqual(failed, []);
  return received;
}

async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const original = console.log;
  console.log = () => undefined;
  try {
    return await fn();
  } finally {
    console.log = original;
  }
}

describe('end to end: EventBridge → SQS → the Lambda handler → DynamoDB history and SNS', () => {
  before(async () => {
    assert.ok(existsSync(LAMBDA), 'dist/lambda.js: run npm run build');
    lambda = (await import(pathToFileURL(LAMBDA).href)) as LambdaModule;
    await lambda.resetLambda();
    setEnv({
      AWS_ENDPOINT_URL: emulator.moto.endpoint,
      AWS_MAX_ATTEMPTS: '1',
      CLOUDCONFORM_TABLE: TABLE,
      CLOUDCONFORM_NOTIFY: `sns=${emulator.seeded.topic}`,
      CLOUDCONFORM_ACCOUNTS: undefined,
      CLOUDCONFORM_ORGANIZATION: undefined,
      CLOUDCONFORM_ROLE_NAME: undefined,
      CLOUDCONFORM_RESPOND: undefined,
      CLOUDCONFORM_DB: undefined,
    });
  });
  after(async () => {
    await lambda?.resetLambda();
    env.restore();
  });

  it('a notebook created with direct internet access: one finding and one notification; the same event again: none; deleted: resolved', async () => {
    const created = notebookEvent('create-notebook-default-access.json', NOTEBOOK, { account: MOTO_DEFAULT_ACCOUNT, region: REGION });
    // The rule's pattern keeps out a call that failed (errorCode) and calls that change nothing checked.
    const failedCall = { ...created, detail: { ...created.detail, errorCode: 'ValidationException', errorMessage: 'nothing was created' } };
    const otherCall = { ...created, detail: { ...created.detail, eventName: 'StartNotebookInstance' } };
    await putEvents([created, failedCall, otherCall]);
    assert.equal(await quietly(drainThroughHandler), 1, 'EventBridge delivered the create only');

    const inbox = await receive(emulator.seeded.inbox.url);
    assert.equal(inbox.length, 1, 'one notification');
    const message = inbox[0]!.Body!;
    assert.match(message, new RegExp(NOTEBOOK));
    assert.match(message, /SageMaker-004/);

    const history = openDynamoHistory({ table: TABLE, client: client((c) => new DynamoDBClient(c)) });
    try {
      const [latest] = await history.runs({ limit: 1 });
      assert.equal(latest!.run.command, 'event');
      assert.equal(latest!.changes.new, 1);
      assert.equal(latest!.summary.fail, 1);

      // Delivered again (a replay, or SQS's at-least-once): recorded, nothing new, no message.
      await putEvents([created]);
      assert.equal(await quietly(drainThroughHandler), 1);
      assert.deepEqual(await receive(emulator.seeded.inbox.url), [], 'no second notification');
      const [again] = await history.runs({ limit: 1 });
      assert.notEqual(again!.run.id, latest!.run.id);
      assert.equal(again!.changes.new, 0);
      assert.equal(again!.changes['still-failing'], 1);

      // Deleted: its delete event resolves the finding.
      const sm = client((c) => new SageMakerClient(c));
      await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: NOTEBOOK }));
      await sm.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: NOTEBOOK }));
      sm.destroy();
      await putEvents([notebookEvent('delete-notebook.json', NOTEBOOK, { account: MOTO_DEFAULT_ACCOUNT, region: REGION })]);
      assert.equal(await quietly(drainThroughHandler), 1);
      const [gone] = await history.runs({ limit: 1 });
      assert.equal(gone!.changes.resolved, 1);
      assert.deepEqual(await receive(emulator.seeded.events.url), [], 'every message handled and deleted');
    } finally {
      await history.close();
    }
  });
});
