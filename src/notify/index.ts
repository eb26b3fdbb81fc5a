// Notifications of a run's findings (`--notify`): one message per run (or event batch) per
// channel, only when the run has something to say (by default new and regressed failures), sent
// after the history recorded the run. A channel that fails is an error entry (`notify:KIND`); the
// other channels still send, and the findings are recorded and reported all the same.
//
// At least once (the outbox): with a history, the run's items for each channel are written with
// the run (record's `outbox` plan, outboxPlan), and each channel's message is what it has pending
// in the scope: this run's items and those earlier runs could not deliver (a channel that
// failed, a process that died between recording and notifying), marked "delivered late". An
// entry is deleted only once its channel took the message. Without a history, at most once.
//
// Webhook signatures (verification, for receivers): with CLOUDCONFORM_WEBHOOK_SECRET set, each
// POST carries `X-Cloudconform-Timestamp: UNIX_SECONDS` and
// `X-Cloudconform-Signature: sha256=HEX`, HEX = HMAC-SHA256(secret, TIMESTAMP + "." + RAW_BODY).
// Recompute it over the raw bytes, compare in constant time, refuse a timestamp more than 5
// minutes from your clock, and a body `delivery` id already seen (a retry repeats it).
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { findingKey, type Finding, type ScanError, type ScanReport } from '../model/report';
import type { AsyncHistoryStore, OutboxPlan, OutboxTake, RunComparison } from '../history/types';
import { describeAwsError, redactSecrets } from '../sources/aws/errors';
import { VERSION } from '../version';
import { DEFAULT_SEND_TIMEOUT_MS, postWithRetries, type PostOptions } from './deliver';
import { jsonDocument, plainText, selectItems, slackPayload, snsSubject, sortItems, type Digest, type NotifyItem, type OutboxCounts } from './message';
import { redactChannels, type NotifyChannel, type NotifyFilters } from './targets';

export { parseNotifyTarget, parseNotifyTargets, parseNotifyFilters, NotifyTargetError, DEFAULT_NOTIFY_ON, NOTIFY_ON } from './targets';
export type { NotifyChannel, NotifyFilters, NotifyFilterSpec, TagFilter } from './targets';

export const WEBHOOK_SECRET_ENV = 'CLOUDCONFORM_WEBHOOK_SECRET';
export const SIGNATURE_HEADER = 'x-cloudconform-signature';
export const TIMESTAMP_HEADER = 'x-cloudconform-timestamp';
/** The body's `delivery` id again, for receivers that dedupe before parsing (the signed copy is the body's). */
export const DELIVERY_HEADER = 'x-cloudconform-delivery';
const USER_AGENT = `cloudconform/${VERSION}`;

export interface NotifyResult {
  /** The channel as it may be shown (`slack https://hooks.slack.com/…`, `sns ARN`). */
  channel: string;
  kind: NotifyChannel['kind'];
  /** Findings the message is about (a message past its size budget lists the worst and counts the rest by rule). */
  findings: number;
  /** Webhooks: whether the body was signed. */
  signed?: boolean;
  /** SNS: the MessageId. */
  messageId?: string;
}

export interface NotifyOptions {
  env?: NodeJS.ProcessEnv;
  /** One attempt's deadline (ms). */
  timeoutMs?: number;
  attempts?: number;
  backoffMs?: readonly number[];
  /** SNS: `--endpoint-url` and `--profile` (AWS_ENDPOINT_URL and the SDK chain otherwise). */
  aws?: { endpoint?: string; profile?: string };
  /** A finding's tags when known (the tag filter leaves out findings whose tags are unknown). */
  tagsOf?: (f: Finding) => Record<string, string> | undefined;
  now?: () => Date;
  /** The history's outbox (the run was recorded with outboxPlan): each channel sends what it has pending. */
  outbox?: NotifyOutbox;
}

export interface NotifyOutbox {
  /** A store without an outbox (pending, delivered) leaves delivery at most once. */
  store: Pick<AsyncHistoryStore, 'pending' | 'delivered'>;
  scopeKey: string;
  /** The run notifying (its entry is this run's news, the others' are late). */
  runId?: string;
  /** What expiry is measured against (default: the run's start). */
  now?: Date;
}

/** A channel's id in the outbox: SHA-256 of its kind and URL or topic ARN (hex). Never the URL itself: a secret. */
export function channelId(channel: NotifyChannel): string {
  return createHash('sha256')
    .update(`cloudconform-channel\n${channel.kind}\n${channel.kind === 'sns' ? channel.topicArn : channel.url.href}`)
    .digest('hex');
}

/** What record() keeps pending for `channels`: the items notify would send for this run (the same selection). */
export function outboxPlan(channels: readonly NotifyChannel[], filters: NotifyFilters, report: ScanReport, tagsOf: (f: Finding) => Record<string, string> | undefined = tagsOfFinding): OutboxPlan {
  return {
    channels: channels.map(channelId),
    select: (comparison) => selectItems(comparison, report, filters, tagsOf).items.map((i) => ({ key: findingKey(i.finding), change: i.change, finding: i.finding })),
  };
}

export interface NotifyOutcome {
  sent: NotifyResult[];
  errors: ScanError[];
  /** Once per call: webhooks sent unsigned (no secret). */
  warnings: string[];
  /** Findings left out because the tag filter could not judge them (tags unknown). */
  tagsUnknown: number;
  /** With the outbox: its counts over every channel. */
  outbox?: OutboxCounts;
}

/**
 * Sends what the run's comparison selects (`selectItems`) to every channel, all at once. Without
 * a comparison (`--no-history`, or no history to compare with), every failure counts as new.
 */
export async function notify(
  comparison: RunComparison | undefined,
  report: ScanReport,
  channels: readonly NotifyChannel[],
  filters: NotifyFilters,
  opts: NotifyOptions = {},
): Promise<NotifyOutcome> {
  const env = opts.env ?? process.env;
  const digest = selectItems(comparison, report, filters, opts.tagsOf ?? tagsOfFinding);
  const outcome: NotifyOutcome = { sent: [], errors: [], warnings: [], tagsUnknown: digest.tagsUnknown };
  const outbox = opts.outbox?.store.pending && opts.outbox.store.delivered ? opts.outbox : undefined;
  if ((digest.items.length === 0 && !outbox) || channels.length === 0) return outcome;
  const secret = env[WEBHOOK_SECRET_ENV] || undefined;
  const totals: OutboxCounts = { late: 0, dropped: 0, expired: 0, settled: 0 };
  let unsigned = false;
  const results = await Promise.all(
    channels.map(async (channel): Promise<NotifyResult | ScanError | undefined> => {
      const fail = (reason: string): ScanError => ({ file: `notify:${channel.kind}`, message: redactChannels(`${channel.shown}: ${reason}`, channels) });
      let message = digest;
      let taken: OutboxTake | undefined;
      const id = outbox ? channelId(channel) : '';
      if (outbox) {
        try {
          taken = await outbox.store.pending!(outbox.scopeKey, id, { runId: outbox.runId ?? report.run?.id, now: outbox.now ?? (report.run ? new Date(report.run.startedAt) : new Date()) });
          message = withPending(digest, taken, outbox.runId ?? report.run?.id);
          for (const k of ['late', 'dropped', 'expired', 'settled'] as const) totals[k] += message.outbox![k];
        } catch (e) {
          // This run's items are sent all the same (they are pending: sent again next time, at worst twice).
          outcome.errors.push(fail(`the pending notifications could not be read (this run's are sent): ${redactSecrets((e as Error)?.message ?? String(e))}`));
        }
      }
      if (message.items.length === 0) return undefined;
      if (channel.kind === 'webhook' && !secret) unsigned = true;
      let result: NotifyResult;
      try {
        result = await send(channel, message, secret, opts);
      } catch (e) {
        const reason = channel.kind === 'sns' ? describeAwsError(e) : ((e as Error)?.message ?? String(e));
        return fail(`not sent: ${reason}${outbox ? ' (kept: sent with the next run of this scope)' : ''}`);
      }
      if (outbox && taken && taken.entries.length) {
        try {
          await outbox.store.delivered!(outbox.scopeKey, id, taken.entries.map((e) => e.id));
        } catch (e) {
          outcome.errors.push(fail(`sent, but not marked delivered (it may be sent again): ${redactSecrets((e as Error)?.message ?? String(e))}`));
        }
      }
      return result;
    }),
  );
  if (unsigned) outcome.warnings.push(`${WEBHOOK_SECRET_ENV} is not set: webhook messages are sent unsigned (receivers can't tell them from forgeries)`);
  for (const r of results) {
    if (r === undefined) continue;
    if ('file' in r) outcome.errors.push(r);
    else outcome.sent.push(r);
  }
  if (outbox) outcome.outbox = totals;
  return outcome;
}

/**
 * One channel's message: its pending entries (oldest first; a key in several, the newest) merged
 * with this run's own items (also pending, unless the run was recorded without the plan).
 */
function withPending(digest: Digest, taken: OutboxTake, runId: string | undefined): Digest {
  const byKey = new Map<string, NotifyItem>();
  for (const e of taken.entries) {
    for (const i of e.items) byKey.set(i.key, { change: i.change, finding: i.finding, ...(e.runId !== runId ? { late: { runId: e.runId, startedAt: e.startedAt } } : {}) });
  }
  for (const i of digest.items) byKey.set(findingKey(i.finding), i);
  const items = sortItems([...byKey.values()]);
  const late = items.filter((i) => i.late).length;
  return { ...digest, items, outbox: { late, dropped: taken.dropped, expired: taken.expired, settled: taken.settled } };
}

/** The tags a live finding carries when its run kept them (`RuleRunner` with keepTags: audit and events with --notify-tag). */
function tagsOfFinding(f: Finding): Record<string, string> | undefined {
  return f.resource.tags;
}

async function send(channel: NotifyChannel, digest: Digest, secret: string | undefined, opts: NotifyOptions): Promise<NotifyResult> {
  const base = { channel: channel.shown, kind: channel.kind, findings: digest.items.length };
  if (channel.kind === 'sns') return { ...base, messageId: await publishSns(channel, digest, opts) };
  const post: Omit<PostOptions, 'headers'> = { timeoutMs: opts.timeoutMs, attempts: opts.attempts, backoffMs: opts.backoffMs };
  if (channel.kind === 'slack') {
    await postWithRetries(channel.url, JSON.stringify(slackPayload(digest)), { ...post, headers: () => ({ 'user-agent': USER_AGENT }) });
    return base;
  }
  // The delivery id is in the signed body: a receiver that remembers it refuses a replay (and a retry it already has).
  const delivery = randomUUID();
  const body = jsonDocument(digest).replace(/^\{/, `{"delivery":"${delivery}",`);
  const now = opts.now ?? (() => new Date());
  await postWithRetries(channel.url, body, {
    ...post,
    headers: (): Record<string, string> => {
      const common = { 'user-agent': USER_AGENT, [DELIVERY_HEADER]: delivery };
      if (!secret) return common;
      const timestamp = String(Math.floor(now().getTime() / 1000));
      return { ...common, [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `sha256=${signWebhook(secret, timestamp, body)}` };
    },
  });
  return { ...base, signed: secret !== undefined };
}

/** HMAC-SHA256 of `TIMESTAMP.BODY`, hex: what a receiver recomputes. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/**
 * A receiver's check (the algorithm the README gives): the signature header matches the raw body
 * and timestamp (compared in constant time), and the timestamp is within `toleranceSeconds` of
 * now. Remembering `delivery` ids for that long refuses a replay within the window too.
 */
export function verifyWebhookSignature(input: { secret: string; timestamp: string | undefined; signature: string | undefined; body: string; now?: Date; toleranceSeconds?: number }): boolean {
  const { secret, timestamp, signature, body } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) return false;
  const age = Math.abs((input.now ?? new Date()).getTime() / 1000 - Number(timestamp));
  if (age > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(`sha256=${signWebhook(secret, timestamp, body)}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** SNS takes at most 256 KB (262,144 bytes) per message, attributes and subject included. */
const SNS_MAX_BYTES = 262_144;

/**
 * One Publish with a message per protocol: email gets plain text, SMS the headline, every other
 * subscriber (SQS, Lambda, HTTP/S, Firehose) the JSON document. Budgets halve until it fits.
 */
async function publishSns(channel: Extract<NotifyChannel, { kind: 'sns' }>, digest: Digest, opts: NotifyOptions): Promise<string | undefined> {
  let jsonBudget = 150_000;
  let textBudget = 40_000;
  let message: string;
  for (;;) {
    message = JSON.stringify({ default: jsonDocument(digest, jsonBudget), email: plainText(digest, textBudget), sms: snsSubject(digest) });
    if (Buffer.byteLength(message, 'utf8') + 200 <= SNS_MAX_BYTES || jsonBudget < 2_000) break;
    jsonBudget = Math.floor(jsonBudget / 2);
    textBudget = Math.floor(textBudget / 2);
  }
  const { SNSClient, PublishCommand } = await import('@aws-sdk/client-sns');
  const { AwsClientFactory } = await import('../sources/aws/clients');
  const factory = new AwsClientFactory({ endpoint: opts.aws?.endpoint, profile: opts.aws?.profile, maxSockets: 2, ...(opts.attempts ? { maxAttempts: opts.attempts } : {}) });
  const client = new SNSClient(factory.config(channel.region));
  const abort = AbortSignal.timeout((opts.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS) * (opts.attempts ?? 3));
  try {
    const out = await client.send(
      new PublishCommand({
        TopicArn: channel.topicArn,
        Subject: snsSubject(digest),
        Message: message,
        MessageStructure: 'json',
        ...(channel.fifo ? { MessageGroupId: 'cloudconform', MessageDeduplicationId: digest.run?.id ?? randomUUID() } : {}),
      }),
      { abortSignal: abort },
    );
    return out.MessageId;
  } finally {
    factory.destroy();
  }
}
