// Reading CloudTrail records delivered by EventBridge: one event, an SQS batch of them (what a
// Lambda function gets from an SQS event source), a JSON array of events, or JSON lines. Nothing
// here is trusted for a verdict: a record only names the resource to describe (account, region,
// id), and whatever in it is malformed or hostile becomes an error for that record alone while the
// rest of the input goes on. Ids and ARNs are checked by the live registry's own patterns.
import { printable } from '../reporters/printable';
import { DOMAIN_TYPE, NOTEBOOK_INSTANCE_TYPE, liveKind, parseSageMakerArn } from '../sources/aws/registry';
import { checkRegionName, partitionOfRegion } from '../sources/aws/regions';

/** An EventBridge event is at most 256 KB (PutEvents' limit): a larger SQS body or line is not one. */
export const MAX_EVENT_BYTES = 256 * 1024;
/** One input (a file, standard input): 32 MiB. A Lambda payload is at most 6 MB. */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024;
/**
 * Records read from one input; those past it are error entries (an SQS batch: returned for retry,
 * it can't exceed 10,000 anyway). Each record read keeps a target of a few hundred bytes, so the
 * records of one input hold a few MB at most, whatever the input.
 */
export const MAX_RECORDS = 10_000;

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const SAGEMAKER_SOURCE = 'aws.sagemaker';
export const SAGEMAKER_EVENT_SOURCE = 'sagemaker.amazonaws.com';

export { DOMAIN_TYPE, NOTEBOOK_INSTANCE_TYPE };

export type EventAction = 'create' | 'update' | 'delete';

/** The six calls that create a resource or may change its network settings, or delete it. */
export const HANDLED_EVENTS: ReadonlyMap<string, { type: string; action: EventAction }> = new Map([
  ['CreateNotebookInstance', { type: NOTEBOOK_INSTANCE_TYPE, action: 'create' }],
  ['UpdateNotebookInstance', { type: NOTEBOOK_INSTANCE_TYPE, action: 'update' }],
  ['DeleteNotebookInstance', { type: NOTEBOOK_INSTANCE_TYPE, action: 'delete' }],
  ['CreateDomain', { type: DOMAIN_TYPE, action: 'create' }],
  ['UpdateDomain', { type: DOMAIN_TYPE, action: 'update' }],
  ['DeleteDomain', { type: DOMAIN_TYPE, action: 'delete' }],
] as const);

/** The resource a record names, and the call that named it. */
export interface EventTarget {
  /** CloudFormation type name. */
  type: string;
  /** `recipientAccountId`: the account the call was made in, which owns the resource. */
  account: string;
  region: string;
  /** What the Describe call takes: the notebook instance's name, the domain's id. */
  id: string;
  /** The ARN the event's response gave (checked against account, region and id), when it gave one. */
  arn?: string;
  eventName: string;
  action: EventAction;
  eventTime: string;
  eventId: string;
}

export type EventRecord =
  | { ok: true; id: string; target: EventTarget }
  | {
      ok: false;
      id: string;
      error: string;
      /** A SageMaker call that can't change what the rules read (StopNotebookInstance...): a note, not an error. */
      ignored?: true;
      /** Not read (past MAX_RECORDS): an SQS message to deliver again, not a malformed one. */
      retry?: true;
    };

export interface ParsedInput {
  records: EventRecord[];
  /** What the input was, for messages. */
  shape: 'event' | 'sqs' | 'array' | 'lines' | 'invalid';
}

/**
 * Parses one input: text (a file, standard input) or an object (the Lambda `event`). Never throws:
 * anything unusable is an `ok: false` record. `id` is the SQS messageId for SQS records, else the
 * record's index in the input (`0` for a single event).
 */
export function parseEventInput(input: unknown): ParsedInput {
  if (typeof input !== 'string') return parseValue(input);
  if (input.length > MAX_INPUT_BYTES || Buffer.byteLength(input, 'utf8') > MAX_INPUT_BYTES) {
    return { shape: 'invalid', records: [fail('0', `the input is over ${MAX_INPUT_BYTES / 1024 / 1024} MiB: split it (at most ${MAX_RECORDS} events each)`)] };
  }
  const text = input.replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // JSON lines when the first line is a JSON value of its own; otherwise one document that is
    // not valid JSON (a pretty-printed event with a typo is one error, not one per line).
    const lines = text.split('\n');
    const first = lines.find((l) => l.trim() !== '');
    if (first !== undefined && first.trim() !== text.trim() && isJson(first)) return parseLines(lines);
    return { shape: 'invalid', records: [fail('0', `invalid JSON: ${(e as Error).message}`)] };
  }
  // One event given as text is held to the size of one event.
  if (isObject(value) && !Array.isArray(value) && !Object.hasOwn(value, 'Records') && Buffer.byteLength(text, 'utf8') > MAX_EVENT_BYTES) {
    return { shape: 'event', records: [fail('0', tooLarge('the event'))] };
  }
  return parseValue(value);
}

/** JSON lines: one event per line; a bad line is an error for that record only. */
function parseLines(lines: string[]): ParsedInput {
  const records: EventRecord[] = [];
  let index = 0;
  let skipped = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const id = String(index++);
    if (records.length >= MAX_RECORDS) {
      skipped++;
      continue;
    }
    if (Buffer.byteLength(line, 'utf8') > MAX_EVENT_BYTES) {
      records.push(fail(id, tooLarge(`line ${id}`)));
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      records.push(fail(id, `invalid JSON: ${(e as Error).message}`));
      continue;
    }
    records.push(parseEvent(value, id));
  }
  if (skipped > 0) records.push(pastCap(String(MAX_RECORDS), skipped));
  return { shape: 'lines', records };
}

function parseValue(value: unknown): ParsedInput {
  if (Array.isArray(value)) {
    const records = value.slice(0, MAX_RECORDS).map((event, i) => (oversized(event) ? fail(String(i), tooLarge(`event ${i}`)) : parseEvent(event, String(i))));
    if (value.length > MAX_RECORDS) records.push(pastCap(String(MAX_RECORDS), value.length - MAX_RECORDS));
    return { shape: 'array', records };
  }
  if (isObject(value) && Object.hasOwn(value, 'Records')) return { shape: 'sqs', records: parseSqsBatch(value.Records) };
  if (isObject(value)) return { shape: 'event', records: [parseEvent(value, '0')] };
  return { shape: 'invalid', records: [fail('0', `expected an EventBridge event, an SQS batch ({"Records": [...]}) or an array of events, not ${describeJson(value)}`)] };
}

const MAX_MESSAGE_ID = 128;

function parseSqsBatch(records: unknown): EventRecord[] {
  if (!Array.isArray(records)) return [fail('0', `"Records" is ${describeJson(records)}, not a list of SQS messages`)];
  const out: EventRecord[] = [];
  const seen = new Set<string>();
  records.forEach((record, index) => {
    const messageId = isObject(record) ? field(record, 'messageId') : undefined;
    const hasId = typeof messageId === 'string' && messageId.length > 0 && messageId.length <= MAX_MESSAGE_ID;
    const id = hasId ? messageId : `#${index}`;
    // Past the cap: an SQS message is delivered again (its id says which); the others are said once below.
    if (index >= MAX_RECORDS) {
      if (hasId) out.push({ ok: false, id, error: `not read: more than ${MAX_RECORDS} records in one input`, retry: true });
      return;
    }
    if (!isObject(record)) return out.push(fail(id, `an SQS record must be an object, not ${describeJson(record)}`));
    if (!hasId) return out.push(fail(id, `an SQS record needs a messageId (a string of 1 to ${MAX_MESSAGE_ID} characters)`));
    // Handled once: SQS delivers a message at most once per batch, so a second copy is not SQS's.
    if (seen.has(id)) return out.push(fail(id, `messageId ${shown(id)} appears twice in the batch: the first one is handled`));
    seen.add(id);
    const source = field(record, 'eventSource');
    if (source !== undefined && source !== 'aws:sqs') return out.push(fail(id, `not an SQS record: eventSource is ${describeJson(source)}, not "aws:sqs"`));
    const body = field(record, 'body');
    if (typeof body !== 'string') return out.push(fail(id, `an SQS record's body must be a string, not ${describeJson(body)}`));
    if (body.length > MAX_EVENT_BYTES || Buffer.byteLength(body, 'utf8') > MAX_EVENT_BYTES) return out.push(fail(id, tooLarge('the body')));
    let event: unknown;
    try {
      event = JSON.parse(body);
    } catch (e) {
      return out.push(fail(id, `the body is not valid JSON: ${(e as Error).message}`));
    }
    out.push(parseEvent(event, id));
  });
  const unread = records.length - MAX_RECORDS - out.filter((r) => !r.ok && r.retry).length;
  if (unread > 0) out.push(pastCap(`#${MAX_RECORDS}`, unread));
  return out;
}

const ACCOUNT_ID = /^\d{12}$/;
/** Whether `id` is an id of the type's live kind (the API's pattern and length). */
const validId = (type: string, id: unknown): id is string => typeof id === 'string' && liveKind(type)!.invalidId(id) === undefined;
/** An API operation's name: a made-up eventName longer or odder than this is malformed, not ignored. */
const OPERATION_NAME = /^[A-Za-z][A-Za-z0-9]{0,127}$/;
const EVENT_ID = /^[\x21-\x7e]{1,128}$/;

/** One EventBridge event: the resource a handled CloudTrail record names, or why it names none. */
export function parseEvent(event: unknown, id: string): EventRecord {
  if (!isObject(event) || Array.isArray(event)) return fail(id, `an event must be a JSON object, not ${describeJson(event)}`);
  const detailType = field(event, 'detail-type');
  if (detailType !== CLOUDTRAIL_DETAIL_TYPE) return fail(id, `detail-type ${describeJson(detailType)} is not "${CLOUDTRAIL_DETAIL_TYPE}"`);
  const source = field(event, 'source');
  if (source !== SAGEMAKER_SOURCE) return fail(id, `source ${describeJson(source)} is not "${SAGEMAKER_SOURCE}"`);
  const detail = field(event, 'detail');
  if (!isObject(detail) || Array.isArray(detail)) return fail(id, `detail is ${describeJson(detail)}, not a CloudTrail record`);
  const eventSource = field(detail, 'eventSource');
  if (eventSource !== SAGEMAKER_EVENT_SOURCE) return fail(id, `detail.eventSource ${describeJson(eventSource)} is not "${SAGEMAKER_EVENT_SOURCE}"`);
  const eventName = field(detail, 'eventName');
  if (typeof eventName !== 'string' || !OPERATION_NAME.test(eventName)) return fail(id, `detail.eventName ${describeJson(eventName)} is not an API operation name`);
  // The call failed: nothing was created or changed (the deployed rule leaves these out).
  const errorCode = field(detail, 'errorCode');
  if (errorCode !== undefined && errorCode !== null) return fail(id, `${eventName} failed (errorCode ${describeJson(errorCode)}): nothing was changed`);
  const handled = HANDLED_EVENTS.get(eventName);
  if (!handled) {
    return { ok: false, id, ignored: true, error: `${eventName} is ignored: only ${[...HANDLED_EVENTS.keys()].join(', ')} can create a resource, change its network settings or delete it` };
  }

  const account = field(detail, 'recipientAccountId');
  if (typeof account !== 'string' || !ACCOUNT_ID.test(account)) return fail(id, `detail.recipientAccountId ${describeJson(account)} is not a 12-digit account id`);
  const region = field(detail, 'awsRegion');
  if (typeof region !== 'string' || !isRegion(region)) return fail(id, `detail.awsRegion ${describeJson(region)} is not an AWS region`);
  // The envelope says where EventBridge got the event; a record claiming another place is not consistent.
  const envelopeAccount = field(event, 'account');
  if (envelopeAccount !== undefined && envelopeAccount !== account) return fail(id, `the event's account ${describeJson(envelopeAccount)} is not the record's recipientAccountId ${account}`);
  const envelopeRegion = field(event, 'region');
  if (envelopeRegion !== undefined && envelopeRegion !== region) return fail(id, `the event's region ${describeJson(envelopeRegion)} is not the record's awsRegion ${region}`);
  const eventTime = field(detail, 'eventTime');
  if (typeof eventTime !== 'string' || eventTime.length > 40 || Number.isNaN(Date.parse(eventTime))) return fail(id, `detail.eventTime ${describeJson(eventTime)} is not a time`);
  const eventId = field(detail, 'eventID');
  if (typeof eventId !== 'string' || !EVENT_ID.test(eventId)) return fail(id, `detail.eventID ${describeJson(eventId)} is not an event id`);

  const request = field(detail, 'requestParameters');
  const response = field(detail, 'responseElements');
  const requestObj = isObject(request) && !Array.isArray(request) ? request : undefined;
  const responseObj = isObject(response) && !Array.isArray(response) ? response : undefined;
  const where = { account, region, partition: partitionOfRegion(region) };
  const named = handled.type === NOTEBOOK_INSTANCE_TYPE ? notebookTarget(eventName, requestObj, responseObj, where) : domainTarget(eventName, requestObj, responseObj, where);
  if ('error' in named) return fail(id, named.error);
  return {
    ok: true,
    id,
    target: { type: handled.type, account, region, id: named.id, ...(named.arn ? { arn: named.arn } : {}), eventName, action: handled.action, eventTime, eventId },
  };
}

interface Where {
  account: string;
  region: string;
  partition: string;
}

type Named = { id: string; arn?: string } | { error: string };

function notebookTarget(eventName: string, request: Record<string, unknown> | undefined, response: Record<string, unknown> | undefined, where: Where): Named {
  const name = request ? field(request, 'notebookInstanceName') : undefined;
  if (!validId(NOTEBOOK_INSTANCE_TYPE, name)) return { error: `${eventName}: requestParameters.notebookInstanceName ${describeJson(name)} is not a notebook instance name` };
  const arn = response ? field(response, 'notebookInstanceArn') : undefined;
  if (arn === undefined || arn === null) return { id: name };
  // SageMaker spells the name in lower case in the ARN.
  const checked = checkArn(arn, 'responseElements.notebookInstanceArn', 'notebook-instance', where, (n) => n.toLowerCase() === name.toLowerCase(), name);
  return 'error' in checked ? { error: `${eventName}: ${checked.error}` } : { id: name, arn: checked.arn };
}

function domainTarget(eventName: string, request: Record<string, unknown> | undefined, response: Record<string, unknown> | undefined, where: Where): Named {
  let domainId: unknown;
  let from: string;
  if (eventName === 'CreateDomain') {
    // CreateDomain's request has the name; the id is in the response (domainId, and in the ARN).
    domainId = response ? field(response, 'domainId') : undefined;
    from = 'responseElements.domainId';
    const arn = response ? field(response, 'domainArn') : undefined;
    if ((domainId === undefined || domainId === null) && typeof arn === 'string') {
      domainId = /\/([^/]*)$/.exec(arn)?.[1];
      from = 'responseElements.domainArn';
    }
  } else {
    domainId = request ? field(request, 'domainId') : undefined;
    from = 'requestParameters.domainId';
  }
  if (!validId(DOMAIN_TYPE, domainId)) return { error: `${eventName}: ${from} ${describeJson(domainId)} is not a domain id` };
  const arn = response ? field(response, 'domainArn') : undefined;
  if (arn === undefined || arn === null) return { id: domainId };
  const checked = checkArn(arn, 'responseElements.domainArn', 'domain', where, (n) => n === domainId, domainId);
  return 'error' in checked ? { error: `${eventName}: ${checked.error}` } : { id: domainId, arn: checked.arn };
}

/** An ARN the record gives must name the record's own account, region and resource, else the record is inconsistent. */
function checkArn(arn: unknown, what: string, resource: string, where: Where, sameName: (name: string) => boolean, name: string): { arn: string } | { error: string } {
  const parsed = typeof arn === 'string' ? parseSageMakerArn(arn) : undefined;
  if (!parsed) return { error: `${what} ${describeJson(arn)} is not a SageMaker ARN` };
  const problems: string[] = [];
  if (parsed.resource !== resource) problems.push(`names a ${parsed.resource}, not a ${resource}`);
  else if (!sameName(parsed.id)) problems.push(`names ${describeJson(parsed.id)}, not ${describeJson(name)}`);
  if (parsed.account !== where.account) problems.push(`is in account ${parsed.account}, not the record's ${where.account}`);
  if (parsed.region !== where.region) problems.push(`is in region ${parsed.region}, not the record's ${where.region}`);
  if (parsed.partition !== where.partition) problems.push(`is in partition ${parsed.partition}, not ${where.partition}`);
  return problems.length ? { error: `${what} ${describeJson(arn)} ${problems.join('; ')}` } : { arn: arn as string };
}

/** An event of a list larger than one EventBridge event can be (as an SQS body or a JSON line is checked); one too deep to measure is not one either. */
function oversized(event: unknown): boolean {
  if (!isObject(event) || Array.isArray(event)) return false;
  try {
    return Buffer.byteLength(JSON.stringify(event), 'utf8') > MAX_EVENT_BYTES;
  } catch {
    return true;
  }
}

function isRegion(name: string): boolean {
  try {
    checkRegionName(name, 'awsRegion');
    return true;
  } catch {
    return false;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** An object's own property: `__proto__`, `constructor` and the like are never read from the prototype. */
function field(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function fail(id: string, error: string): EventRecord {
  return { ok: false, id, error };
}

function pastCap(from: string, count: number): EventRecord {
  return fail(from, `${count} record(s) from ${from} on not read: more than ${MAX_RECORDS} in one input (split it)`);
}

function tooLarge(what: string): string {
  return `${what} is over ${MAX_EVENT_BYTES / 1024} KB, the most an EventBridge event can be`;
}

/** A value as a message quotes it: short, escaped, and typed when not a string. */
export function describeJson(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (typeof value === 'string') return `"${shown(value)}"`;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'a list' : 'an object';
}

function shown(text: string): string {
  return text.length > 64 ? `${printable(text.slice(0, 64))}… (${text.length} characters)` : printable(text);
}
