// parseEventInput: what a hostile or malformed input can and can't make the event handler do. Each
// bad record is an error for that record alone (ok: false) and the rest of the input goes on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_EVENT_BYTES, MAX_RECORDS, parseEventInput, type EventRecord } from '../src/events/parse';
import { fixture } from './helpers/cloudtrail';

const create = () => fixture('create-notebook-default-access.json');
const one = (input: unknown): EventRecord => {
  const { records } = parseEventInput(input);
  assert.equal(records.length, 1, JSON.stringify(records));
  return records[0]!;
};
const error = (input: unknown): string => {
  const r = one(input);
  assert.equal(r.ok, false, `expected an error, got ${JSON.stringify(r)}`);
  return (r as { error: string }).error;
};
const sqs = (bodies: string[], ids = bodies.map((_, i) => `m-${i}`)) => ({
  Records: bodies.map((body, i) => ({ messageId: ids[i], receiptHandle: 'rh', body, attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q', awsRegion: 'us-east-1' })),
});

describe('events: the fixtures', () => {
  it('names the resource of each handled event: account, region, name or domain id, ARN when given', () => {
    const nb = one(create());
    assert.deepEqual(nb, {
      ok: true,
      id: '0',
      target: {
        type: 'AWS::SageMaker::NotebookInstance',
        account: '123456789012',
        region: 'us-east-1',
        id: 'cc-event-open',
        arn: 'arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/cc-event-open',
        eventName: 'CreateNotebookInstance',
        action: 'create',
        eventTime: '2026-12-04T10:02:00Z',
        eventId: '5f1d8c33-2b7e-4f0a-8a61-3c9e2d4b0001',
      },
    });
    for (const [file, type, id, action] of [
      ['update-notebook.json', 'AWS::SageMaker::NotebookInstance', 'cc-event-open', 'update'],
      ['delete-notebook.json', 'AWS::SageMaker::NotebookInstance', 'cc-event-open', 'delete'],
      ['create-domain-default-access.json', 'AWS::SageMaker::Domain', 'd-abcdef123456', 'create'],
      ['update-domain.json', 'AWS::SageMaker::Domain', 'd-abcdef123456', 'update'],
      ['delete-domain.json', 'AWS::SageMaker::Domain', 'd-abcdef123456', 'delete'],
    ] as const) {
      const r = one(fixture(file));
      assert.ok(r.ok, `${file}: ${JSON.stringify(r)}`);
      assert.equal(r.target.type, type);
      assert.equal(r.target.id, id);
      assert.equal(r.target.action, action);
    }
  });

  it('reads the same event as text, as an SQS body, in an array and as JSON lines', () => {
    const text = JSON.stringify(create());
    for (const input of [text, JSON.stringify(sqs([text])), sqs([text]), `[${text},${text}]`, `${text}\n${text}\n`]) {
      const { records } = parseEventInput(input);
      assert.ok(records.length >= 1);
      for (const r of records) assert.ok(r.ok, JSON.stringify(r));
    }
    assert.equal(parseEventInput(sqs([text])).records[0]!.id, 'm-0');
    assert.deepEqual(parseEventInput(`${text}\n\n${text}`).records.map((r) => r.id), ['0', '1']);
  });

  it('a CreateDomain without domainId in its response takes the id from domainArn', () => {
    const e = fixture('create-domain-default-access.json');
    delete e.detail.responseElements.domainId;
    const r = one(e);
    assert.ok(r.ok);
    assert.equal(r.target.id, 'd-abcdef123456');
  });
});

describe('events: hostile and malformed records', () => {
  it('another detail-type, source or eventSource is an error naming what it is', () => {
    assert.match(error({ ...create(), 'detail-type': 'Scheduled Event' }), /detail-type "Scheduled Event" is not "AWS API Call via CloudTrail"/);
    assert.match(error({ ...create(), source: 'aws.ec2' }), /source "aws.ec2" is not "aws.sagemaker"/);
    const e = create();
    e.detail.eventSource = 'ec2.amazonaws.com';
    assert.match(error(e), /eventSource "ec2.amazonaws.com"/);
  });

  it('a call that failed (errorCode) created nothing: an error, never a target', () => {
    assert.match(error(fixture('create-notebook-failed.json')), /CreateNotebookInstance failed \(errorCode "ValidationException"\): nothing was changed/);
  });

  it('another SageMaker call is ignored with its reason (not an error)', () => {
    const r = one(fixture('stop-notebook.json'));
    assert.equal(r.ok, false);
    assert.equal((r as { ignored?: true }).ignored, true);
    assert.match((r as { error: string }).error, /StopNotebookInstance is ignored/);
  });

  it('eventNames that are names of Object.prototype members are not handled events', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const e = create();
      e.detail.eventName = name;
      const r = one(e);
      assert.equal(r.ok, false, name);
    }
  });

  it('missing or wrongly typed fields: each an error saying which', () => {
    const cases: [(e: Record<string, any>) => void, RegExp][] = [
      [(e) => delete e.detail, /detail is \(missing\)/],
      [(e) => (e.detail = [1]), /detail is a list/],
      [(e) => delete e.detail.recipientAccountId, /recipientAccountId \(missing\)/],
      [(e) => (e.detail.recipientAccountId = 123456789012), /recipientAccountId 123456789012 is not a 12-digit/],
      [(e) => (e.detail.recipientAccountId = '12345678901x'), /recipientAccountId/],
      [(e) => (e.detail.awsRegion = 'us-east-1; rm -rf'), /awsRegion .* is not an AWS region/],
      [(e) => (e.detail.awsRegion = ['us-east-1']), /awsRegion a list/],
      [(e) => (e.detail.eventName = 42), /eventName 42/],
      [(e) => (e.detail.eventTime = 'yesterday'), /eventTime "yesterday" is not a time/],
      [(e) => delete e.detail.eventID, /eventID \(missing\)/],
      [(e) => (e.detail.requestParameters = null), /notebookInstanceName \(missing\)/],
      [(e) => (e.detail.requestParameters = 'x'), /notebookInstanceName \(missing\)/],
      [(e) => (e.detail.requestParameters.notebookInstanceName = { a: 1 }), /notebookInstanceName an object/],
      [(e) => (e.detail.requestParameters.notebookInstanceName = ''), /is not a notebook instance name/],
      [(e) => (e.detail.responseElements.notebookInstanceArn = 7), /notebookInstanceArn 7 is not a SageMaker ARN/],
    ];
    for (const [mutate, expected] of cases) {
      const e = create();
      mutate(e);
      assert.match(error(e), expected);
    }
  });

  it('names with control characters, 10 KB names and path-like names are refused, and quoted escaped and cut', () => {
    for (const name of ['nb\u001b[2Jx', 'nb\nname', 'a'.repeat(10_240), '../etc', 'nb/x', 'nb name', 'nb\u202eexe']) {
      const e = create();
      e.detail.requestParameters.notebookInstanceName = name;
      delete e.detail.responseElements;
      const message = error(e);
      assert.match(message, /is not a notebook instance name/);
      assert.ok(!/[\u0000-\u001f\u202e]/.test(message), `unescaped: ${JSON.stringify(message)}`);
      assert.ok(message.length < 400, `message of ${message.length} characters`);
    }
    const d = fixture('update-domain.json');
    d.detail.requestParameters.domainId = 'd-ABC\u0000';
    assert.match(error(d), /domainId "d-ABC\\x00" is not a domain id/);
  });

  it('an ARN of another service, account, region, partition or resource than the record is an error', () => {
    const arn = (value: string) => {
      const e = create();
      e.detail.responseElements.notebookInstanceArn = value;
      return error(e);
    };
    assert.match(arn('arn:aws:ec2:us-east-1:123456789012:instance/cc-event-open'), /is not a SageMaker ARN/);
    assert.match(arn('arn:aws:sagemaker:us-east-1:123456789012:domain/cc-event-open'), /names a domain, not a notebook-instance/);
    assert.match(arn('arn:aws:sagemaker:us-east-1:210987654321:notebook-instance/cc-event-open'), /in account 210987654321, not the record's 123456789012/);
    assert.match(arn('arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/cc-event-open'), /in region eu-west-1, not the record's us-east-1/);
    assert.match(arn('arn:aws-cn:sagemaker:us-east-1:123456789012:notebook-instance/cc-event-open'), /partition aws-cn, not aws/);
    assert.match(arn('arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/other'), /names "other", not "cc-event-open"/);
    // SageMaker spells notebook names in lower case in ARNs.
    const e = create();
    e.detail.requestParameters.notebookInstanceName = 'CC-Event-Open';
    assert.ok(one(e).ok);
    const d = fixture('create-domain-default-access.json');
    d.detail.responseElements.domainArn = 'arn:aws:sagemaker:us-east-1:123456789012:domain/d-zzzzzzzzzzzz';
    assert.match(error(d), /domainArn .* names "d-zzzzzzzzzzzz", not "d-abcdef123456"/);
  });

  it("the envelope's account or region must be the record's", () => {
    assert.match(error({ ...create(), account: '210987654321' }), /the event's account "210987654321" is not the record's recipientAccountId 123456789012/);
    assert.match(error({ ...create(), region: 'eu-west-1' }), /the event's region "eu-west-1" is not the record's awsRegion us-east-1/);
  });

  it('__proto__ keys are data: they neither supply fields nor pollute Object.prototype', () => {
    const text = JSON.stringify(create()).replace('"detail":', '"__proto__":{"polluted":"yes"},"detail":');
    const noDetail = JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.sagemaker', __proto__: null }).replace('}', ',"__proto__":{"detail":' + JSON.stringify(create().detail) + '}}');
    assert.ok(one(text).ok);
    assert.match(error(noDetail), /detail is \(missing\)/);
    const e = create();
    const request = JSON.parse('{"__proto__": {"notebookInstanceName": "cc-event-open"}}');
    e.detail.requestParameters = request;
    assert.match(error(e), /notebookInstanceName \(missing\)/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).notebookInstanceName, undefined);
  });

  it('invalid JSON, a bad JSON line or a non-object: an error for that record, the others go on', () => {
    assert.match(error('{"detail-type": '), /invalid JSON/);
    assert.match(error('42'), /expected an EventBridge event, an SQS batch/);
    const good = JSON.stringify(create());
    const { records } = parseEventInput(`${good}\n{oops\n${good}\n"text"`);
    assert.deepEqual(records.map((r) => r.ok), [true, false, true, false]);
    assert.match((records[1] as { error: string }).error, /invalid JSON/);
    assert.match((records[3] as { error: string }).error, /must be a JSON object/);
  });

  it('a pretty-printed event with a syntax error is one error, not one per line', () => {
    const broken = JSON.stringify(create(), null, 2).replace('"eventName"', '"eventName",');
    assert.ok(broken.split('\n').length > 50);
    assert.match(error(broken), /invalid JSON/);
  });

  it('deeply nested JSON is read without recursion: an error, no crash', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    assert.match(error(deep), /an event must be a JSON object, not a list/);
    const e = create();
    e.detail.requestParameters = JSON.parse('{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000));
    assert.match(error(e), /notebookInstanceName/);
    const batch = parseEventInput(sqs(['{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000), JSON.stringify(create())]));
    assert.deepEqual(batch.records.map((r) => r.ok), [false, true]);
  });

  it('an SQS body over 256 KB, or a non-string body, is an error for that message only', () => {
    const big = create();
    big.detail.requestParameters.padding = 'x'.repeat(MAX_EVENT_BYTES);
    const batch = parseEventInput(sqs([JSON.stringify(big), JSON.stringify(create())]));
    assert.match((batch.records[0] as { error: string }).error, /over 256 KB/);
    assert.ok(batch.records[1]!.ok);
    assert.match(error(JSON.stringify(big)), /over 256 KB/);
    const odd = sqs(['x']);
    (odd.Records[0] as Record<string, unknown>).body = { event: 1 };
    assert.match(error(odd), /body must be a string, not an object/);
  });

  it('an event over 256 KB in a list (text or object) is an error for that event only, as in an SQS body or a JSON line', () => {
    const big = create();
    big.detail.requestParameters.padding = 'x'.repeat(MAX_EVENT_BYTES);
    for (const input of [JSON.stringify([big, create()]), [big, create()]]) {
      const { records } = parseEventInput(input);
      assert.match((records[0] as { error?: string }).error ?? JSON.stringify(records[0]), /over 256 KB/);
      assert.ok(records[1]!.ok);
    }
    const deep = parseEventInput([JSON.parse('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)), create()]);
    assert.deepEqual(deep.records.map((r) => r.ok), [false, true]);
  });

  it('SQS: a duplicate messageId is handled once; a missing messageId or another eventSource is an error', () => {
    const good = JSON.stringify(create());
    const { records } = parseEventInput(sqs([good, good, good], ['m-1', 'm-1', 'm-2']));
    assert.deepEqual(records.map((r) => [r.id, r.ok]), [['m-1', true], ['m-1', false], ['m-2', true]]);
    assert.match((records[1] as { error: string }).error, /appears twice/);
    const noId = sqs([good]);
    delete (noId.Records[0] as Record<string, unknown>).messageId;
    assert.match(error(noId), /needs a messageId/);
    const sns = sqs([good]);
    (sns.Records[0] as Record<string, unknown>).eventSource = 'aws:sns';
    assert.match(error(sns), /not an SQS record/);
    assert.match(error({ Records: 'x' }), /"Records" is "x", not a list/);
  });

  it(`${MAX_RECORDS.toLocaleString('en')} records at most per input: the rest is one error (SQS messages: each returned for retry)`, () => {
    const good = create();
    const many = Array.from({ length: 100_000 }, () => good);
    const before = process.memoryUsage().heapUsed;
    const { records } = parseEventInput(many);
    assert.equal(records.length, MAX_RECORDS + 1);
    assert.match((records.at(-1) as { error: string }).error, /90000 record\(s\) from 10000 on not read/);
    assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024);
    const batch = parseEventInput(sqs(Array.from({ length: MAX_RECORDS + 3 }, () => 'x')));
    const retried = batch.records.filter((r) => !r.ok && r.retry);
    assert.deepEqual(retried.map((r) => r.id), ['m-10000', 'm-10001', 'm-10002']);
  });

  it('an input over 32 MiB is refused whole', () => {
    assert.match(error(' '.repeat(33 * 1024 * 1024)), /over 32 MiB/);
  });
});
