// The path the monitor's events take on moto: EventBridge PutEvents -> a rule with the monitor's
// pattern (detail.errorCode must not exist) -> SQS -> drainQueue (a Lambda event source mapping's
// part) -> handleEvents. moto delivers to SQS but does not invoke Lambda.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { handleEvents } from '../../src/events/handler';
import { seed, TEST_CREDENTIALS } from './seed';
import { useAuditEmulator } from './audit-helpers';
import { drainQueue } from './events-drain';
import { fixture, notebookEvent } from '../helpers/cloudtrail';

const REGION = 'us-east-1';

const emulator = useAuditEmulator({
  seed: async (moto) => {
    const seeded = await seed(moto.endpoint, [{ region: REGION, notebooks: [{ name: 'cc-queue-open' }, { name: 'cc-queue-private', access: 'Disabled', inSubnet: true }] }]);
    const config = { endpoint: moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS };
    const sqs = new SQSClient(config);
    const events = new EventBridgeClient(config);
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'cloudconform-events' }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await events.send(
      new PutRuleCommand({
        Name: 'cloudconform-sagemaker',
        EventPattern: JSON.stringify({
          source: ['aws.sagemaker'],
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: {
            eventSource: ['sagemaker.amazonaws.com'],
            eventName: ['CreateNotebookInstance', 'UpdateNotebookInstance', 'DeleteNotebookInstance', 'CreateDomain', 'UpdateDomain', 'DeleteDomain'],
            errorCode: [{ exists: false }],
          },
        }),
      }),
    );
    await events.send(new PutTargetsCommand({ Rule: 'cloudconform-sagemaker', Targets: [{ Id: 'queue', Arn: queueArn }] }));
    sqs.destroy();
    events.destroy();
    return { ...seeded, queueUrl };
  },
});

describe('EventBridge -> SQS -> handler (moto)', () => {
  it('the rule keeps only handled, successful calls; the queue drained in batches through the handler', async () => {
    const events = new EventBridgeClient({ endpoint: emulator.moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
    const put = (e: Record<string, any>) => ({ Source: e.source, DetailType: e['detail-type'], Detail: JSON.stringify(e.detail), Time: new Date(e.time) });
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          put(notebookEvent('create-notebook-default-access.json', 'cc-queue-open')),
          put(notebookEvent('create-notebook-disabled.json', 'cc-queue-private')),
          put(fixture('create-notebook-failed.json')),
          put(fixture('stop-notebook.json')),
        ],
      }),
    );
    events.destroy();
    assert.equal(out.FailedEntryCount, 0);
    const runs: Awaited<ReturnType<typeof handleEvents>>[] = [];
    const drained = await drainQueue({
      endpoint: emulator.moto.endpoint,
      region: REGION,
      queueUrl: emulator.seeded.queueUrl,
      batchSize: 1,
      handler: async (event) => {
        const result = await handleEvents({ source: 'sqs', data: event }, { endpointUrl: emulator.proxy.endpoint, maxAttempts: 1 });
        runs.push(result);
        return { batchItemFailures: result.batchItemFailures };
      },
    });
    assert.deepEqual({ batches: drained.batches, received: drained.received, deleted: drained.deleted, failed: drained.failed }, { batches: 2, received: 2, deleted: 2, failed: [] });
    const verdicts = runs.flatMap((r) => r.report.findings.map((f) => [f.resource.details?.name, f.result])).sort();
    assert.deepEqual(verdicts, [
      ['cc-queue-open', 'fail'],
      ['cc-queue-private', 'pass'],
    ]);
    for (const r of runs) assert.deepEqual(r.errors, []);
  });
});
