// What a Lambda SQS event source mapping does, for tests against moto (which does not invoke
// Lambda): receive up to `batchSize` messages, hand them to the handler as the Lambda `event`
// ({ Records: [...] } with messageId, receiptHandle, body, attributes...), then delete the messages
// the handler did not return in `batchItemFailures` (ReportBatchItemFailures), until the queue is
// empty. Failed messages become visible again after `visibilityTimeout` seconds, as in SQS.
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { dynamoTableDefinition } from '../../src/history/dynamodb';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { TEST_CREDENTIALS } from './seed';

export interface DrainOptions {
  endpoint: string;
  region: string;
  queueUrl: string;
  /** The Lambda handler (dist/lambda.js's `handler`, or a wrapper of handleEvents). */
  handler: (event: { Records: object[] }, context: object) => Promise<{ batchItemFailures?: { itemIdentifier: string }[] } | void>;
  /** The event source mapping's BatchSize (SQS: at most 10 per receive). */
  batchSize?: number;
  /** Seconds a received message stays invisible (a failed one is delivered again after that). */
  visibilityTimeout?: number;
  /** Stop after this many handler invocations (default: until a receive comes back empty). */
  maxBatches?: number;
  context?: object;
}

export interface DrainResult {
  batches: number;
  received: number;
  deleted: number;
  /** messageIds the handler returned for retry (left on the queue). */
  failed: string[];
}

export async function drainQueue(options: DrainOptions): Promise<DrainResult> {
  const sqs = new SQSClient({ endpoint: options.endpoint, region: options.region, credentials: TEST_CREDENTIALS });
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: options.queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
  const result: DrainResult = { batches: 0, received: 0, deleted: 0, failed: [] };
  try {
    while (options.maxBatches === undefined || result.batches < options.maxBatches) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(options.batchSize ?? 10, 10),
          VisibilityTimeout: options.visibilityTimeout ?? 30,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) break;
      result.batches++;
      result.received += messages.length;
      const event = {
        Records: messages.map((m) => ({
          messageId: m.MessageId,
          receiptHandle: m.ReceiptHandle,
          body: m.Body ?? '',
          attributes: m.Attributes ?? {},
          messageAttributes: m.MessageAttributes ?? {},
          md5OfBody: m.MD5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: queueArn,
          awsRegion: options.region,
        })),
      };
      const answer = await options.handler(event, options.context ?? {});
      const failed = new Set((answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      result.failed.push(...failed);
      const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
      if (done.length > 0) {
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
        result.deleted += done.length;
      }
    }
    return result;
  } finally {
    sqs.destroy();
  }
}

/** A context as Lambda passes it (the fields and methods of the Node.js runtime's context object). */
export function lambdaContext(remainingMs = 60_000, region = 'us-east-1') {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'cloudconform-monitor',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${MOTO_DEFAULT_ACCOUNT}:function:cloudconform-monitor`,
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/cloudconform-monitor',
    logStreamName: '2026/12/04/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The history table as the monitor's templates create it: CreateTable, then its TTL (a separate call in the API). */
export async function createHistoryTable(endpoint: string, region: string, table: string): Promise<void> {
  const { TimeToLiveSpecification, ...definition } = dynamoTableDefinition();
  const dynamo = new DynamoDBClient({ endpoint, region, credentials: TEST_CREDENTIALS });
  try {
    await dynamo.send(new CreateTableCommand({ TableName: table, ...definition, AttributeDefinitions: [...definition.AttributeDefinitions], KeySchema: [...definition.KeySchema] }));
    await dynamo.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification }));
  } finally {
    dynamo.destroy();
  }
}

/**
 * Sets environment variables for the in-process Lambda handler (undefined: removed) and puts back
 * what they were: `set` as often as needed, `restore` once after.
 */
export function processEnv(): { set(vars: Record<string, string | undefined>): void; restore(): void } {
  const saved: Record<string, string | undefined> = {};
  const set = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (!(k in saved)) saved[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  return { set, restore: () => set({ ...saved }) };
}
