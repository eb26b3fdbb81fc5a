// CloudTrail-via-EventBridge events for tests: the fixtures of test/fixtures/cloudtrail (AWS's
// documented shape, see its README) with their placeholders filled, re-pointed at another resource,
// account or region, and wrapped in SQS batches as a Lambda function receives them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'cloudtrail');

export type CloudTrailEvent = Record<string, any>;

/** A fixture event (parsed), with its placeholders filled (`DOMAIN_ID` defaults to a valid-looking id). */
export function fixture(name: string, fill: Record<string, string> = {}): CloudTrailEvent {
  let text = readFileSync(join(FIXTURES, name), 'utf8');
  for (const [k, v] of Object.entries({ DOMAIN_ID: 'd-abcdef123456', ...fill })) text = text.replaceAll(k, v);
  return JSON.parse(text);
}

/** Puts the event (EventBridge envelope and CloudTrail detail) in the given account and region, else leaves it where it is; returns where it is. */
function moveTo(e: CloudTrailEvent, where: { account?: string; region?: string }): { account: string; region: string } {
  const account = where.account ?? e.detail.recipientAccountId;
  const region = where.region ?? e.detail.awsRegion;
  e.account = account;
  e.region = region;
  e.detail.recipientAccountId = account;
  e.detail.awsRegion = region;
  return { account, region };
}

/** A notebook event (create, update or delete fixture) for another notebook, account or region. */
export function notebookEvent(
  file: 'create-notebook-default-access.json' | 'create-notebook-disabled.json' | 'update-notebook.json' | 'delete-notebook.json',
  name: string,
  where: { account?: string; region?: string; eventId?: string } = {},
): CloudTrailEvent {
  const e = fixture(file);
  const { account, region } = moveTo(e, where);
  e.detail.requestParameters.notebookInstanceName = name;
  if (e.detail.responseElements?.notebookInstanceArn) e.detail.responseElements.notebookInstanceArn = `arn:aws:sagemaker:${region}:${account}:notebook-instance/${name}`;
  if (where.eventId) e.detail.eventID = where.eventId;
  return e;
}

/** A domain event (create, update or delete fixture) for a domain id, account or region. */
export function domainEvent(
  file: 'create-domain-default-access.json' | 'update-domain.json' | 'delete-domain.json',
  domainId: string,
  where: { account?: string; region?: string } = {},
): CloudTrailEvent {
  const e = fixture(file, { DOMAIN_ID: domainId });
  const { account, region } = moveTo(e, where);
  if (e.detail.responseElements?.domainArn) e.detail.responseElements.domainArn = `arn:aws:sagemaker:${region}:${account}:domain/${domainId}`;
  return e;
}

/** An SQS batch as Lambda delivers it: one record per body, messageIds `m-0`, `m-1`... unless given. */
export function sqsBatch(bodies: (string | CloudTrailEvent)[], ids?: string[]): { Records: Record<string, unknown>[] } {
  return {
    Records: bodies.map((body, i) => ({
      messageId: ids?.[i] ?? `m-${i}`,
      receiptHandle: `rh-${i}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1733306520000', SenderId: 'AIDAEXAMPLE', ApproximateFirstReceiveTimestamp: '1733306520001' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:cloudconform-events',
      awsRegion: 'us-east-1',
    })),
  };
}
