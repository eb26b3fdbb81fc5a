// The DynamoDB history (src/history/dynamodb.ts) against moto server (DynamoDB with conditions and
// TransactWriteItems, ReturnValuesOnConditionCheckFailure included), through the fault proxy.
// The behavioural cases run on both stores, SQLite through asyncHistory and DynamoDB, from one
// table: the two are proved to classify alike. Then DynamoDB's own: concurrency, what an event run
// reads, item sizes, hostile items, the IAM actions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_ACTIONS, dynamoTableDefinition, MAX_FINDING_BYTES, openDynamoHistory } from '../../src/history/dynamodb';
import { HistoryError, openHistory } from '../../src/history/store';
import { asyncHistory, type AsyncHistoryStore, type RunComparison } from '../../src/history/types';
import { findingKey, type Finding, type ScanReport } from '../../src/model/report';
import { liveFinding, report } from '../helpers/history-fixtures';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { startMoto, type MotoServer } from './moto-server';
import { useAwsTestEnv } from './audit-helpers';

const A = '111111111111';
const R = 'us-east-1';
const RULES = ['SageMaker-004', 'SageMaker-005'];
const SCOPE = `audit:caller:${A}`;
const audited = { regions: [{ account: A, region: R, ruleIds: RULES }] };
const described = (...fs: Finding[]) => ({ resources: fs.map((f) => ({ ...f.resource.live!, ruleIds: RULES })) });
const nb = (name: string, result: 'pass' | 'fail' | 'unknown' = 'fail') => liveFinding(A, R, name, result);

let moto: MotoServer;
let proxy: FaultProxy;
let client: DynamoDBClient;
const work = mkdtempSync(join(tmpdir(), 'cc-history-dynamodb-'));

before(async () => {
  useAwsTestEnv();
  moto = await startMoto();
  proxy = await startFaultProxy({ target: moto.endpoint });
  client = new DynamoDBClient({ endpoint: proxy.endpoint, region: R, maxAttempts: 2 });
});
after(async () => {
  client?.destroy();
  await proxy?.stop();
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

let n = 0;
async function newTable(): Promise<string> {
  const table = `history-${n++}`;
  const { TimeToLiveSpecification: _ttl, ...definition } = dynamoTableDefinition();
  await client.send(new CreateTableCommand({ TableName: table, ...definition, AttributeDefinitions: [...definition.AttributeDefinitions], KeySchema: [...definition.KeySchema] }));
  return table;
}

interface Opened {
  store: AsyncHistoryStore;
  /** Another store on the same history (a second process or Lambda invocation). */
  other(): AsyncHistoryStore;
  table?: string;
}

const STORES: [string, () => Promise<Opened>][] = [
  [
    'sqlite',
    async () => {
      const path = join(work, `h${n++}.db`);
      return { store: asyncHistory(openHistory({ path })), other: () => asyncHistory(openHistory({ path })) };
    },
  ],
  [
    'dynamodb',
    async () => {
      const table = await newTable();
      return { store: openDynamoHistory({ table, client }), other: () => openDynamoHistory({ table, client }), table };
    },
  ],
];

const changesOf = (c: RunComparison) => c.changes.map((x) => [x.finding.message, x.change]);
const change = (c: RunComparison, f: Finding) => c.changes.find((x) => x.key === findingKey(f))?.change;

/** The behaviour both stores must share. */
const CASES: [string, (h: Opened) => Promise<void>][] = [
  [
    'first run new, the same again still-failing; runs() newest first with their counts, by scope and in all',
    async ({ store }) => {
      const first = await store.record(report([nb('a'), nb('b', 'pass')], audited, { minutes: 0 }));
      assert.deepEqual(changesOf(first), [['a fail', 'new'], ['b pass', 'unchanged']]);
      assert.equal(first.previous, undefined);
      const again = report([nb('a'), nb('b', 'pass')], audited, { minutes: 1 });
      const second = await store.record(again);
      assert.deepEqual(changesOf(second), [['a fail', 'still-failing'], ['b pass', 'unchanged']]);
      assert.equal(second.previous?.scope.key, SCOPE);
      await store.record(report([], { files: ['x.yaml'] }, { minutes: 2 }));
      const runs = await store.runs({ scopeKey: SCOPE });
      assert.deepEqual(runs.map((r) => r.run.id), [again.run!.id, first.current.id]);
      assert.equal(runs[1]!.changes.new, 1);
      assert.equal(runs[0]!.changes['still-failing'], 1);
      assert.equal(runs[0]!.summary.findings, 2);
      assert.equal((await store.runs()).length, 3);
      assert.equal((await store.runs({ limit: 1 })).length, 1);
      assert.deepEqual(await store.runs({ scopeKey: 'audit:caller:999999999999' }), []);
    },
  ],
  [
    'an event run listing a resource with no finding (deleted) resolves it; failing again is regressed',
    async ({ store }) => {
      await store.record(report([nb('a'), nb('b')], audited, { minutes: 0 }));
      const gone = await store.record(report([], described(nb('a')), { minutes: 1 }));
      assert.deepEqual(changesOf(gone), [['a fail', 'resolved']]);
      const back = await store.record(report([nb('a')], described(nb('a')), { minutes: 2 }));
      assert.deepEqual(changesOf(back), [['a fail', 'regressed']]);
      const fixed = await store.record(report([nb('b', 'pass')], described(nb('b')), { minutes: 3 }));
      assert.deepEqual(changesOf(fixed), [['b pass', 'resolved']]);
    },
  ],
  [
    'an event run leaves every other resource untouched: not in its changes; a full audit later finds them still failing, not new',
    async ({ store }) => {
      await store.record(report([nb('a'), nb('b'), nb('c', 'pass'), liveFinding(A, 'eu-west-1', 'w', 'fail')], { regions: [...audited.regions, { account: A, region: 'eu-west-1', ruleIds: RULES }] }));
      const event = await store.record(report([nb('a')], described(nb('a')), { minutes: 1 }));
      assert.deepEqual(changesOf(event), [['a fail', 'still-failing']]);
      const nothing = await store.record(report([], { resources: [] }, { minutes: 2 }));
      assert.deepEqual(nothing.changes, []);
      const audit = await store.record(report([nb('a'), nb('b'), nb('c', 'pass'), liveFinding(A, 'eu-west-1', 'w', 'fail')], { regions: [...audited.regions, { account: A, region: 'eu-west-1', ruleIds: RULES }] }, { minutes: 3 }));
      assert.deepEqual(changesOf(audit), [['w fail', 'still-failing'], ['a fail', 'still-failing'], ['b fail', 'still-failing'], ['c pass', 'unchanged']]);
    },
  ],
  [
    'a full audit after event runs: what events made new is still failing, what is gone from a listed region resolved',
    async ({ store }) => {
      await store.record(report([nb('a')], audited));
      assert.equal(change(await store.record(report([nb('e1')], described(nb('e1')), { minutes: 1 })), nb('e1')), 'new');
      assert.equal(change(await store.record(report([nb('e2', 'pass')], described(nb('e2')), { minutes: 2 })), nb('e2', 'pass')), 'unchanged');
      const audit = await store.record(report([nb('e1'), nb('e2', 'pass')], audited, { minutes: 3 }));
      assert.deepEqual(changesOf(audit), [['a fail', 'resolved'], ['e1 fail', 'still-failing'], ['e2 pass', 'unchanged']]);
      // The next event for the resolved one says regressed, even though an audit resolved it.
      assert.equal(change(await store.record(report([nb('a')], described(nb('a')), { minutes: 4 })), nb('a')), 'regressed');
    },
  ],
  [
    'two records of the same new failure at once (two handlers): one new, one still-failing',
    async ({ store, other }) => {
      const second = other();
      try {
        const results = await Promise.all([
          store.record(report([nb('x')], described(nb('x')), { minutes: 1 })),
          second.record(report([nb('x')], described(nb('x')), { minutes: 1 })),
        ]);
        assert.deepEqual(results.map((r) => change(r, nb('x'))).sort(), ['new', 'still-failing']);
        const third = await store.record(report([nb('x')], described(nb('x')), { minutes: 2 }));
        assert.equal(change(third, nb('x')), 'still-failing');
      } finally {
        await second.close();
      }
    },
  ],
  [
    'a run recorded twice is refused, and the second attempt changes nothing',
    async ({ store }) => {
      const r = report([nb('a')], audited);
      await store.record(r);
      await assert.rejects(store.record(r), (e: Error) => e instanceof HistoryError && /already recorded/.test(e.message));
      assert.equal((await store.runs()).length, 1);
      assert.equal(change(await store.record(report([nb('a')], audited, { minutes: 1 })), nb('a')), 'still-failing');
    },
  ],
  [
    'a finding with a 1 MB message is recorded (cut to fit an item where it must be) and is still failing next time',
    async ({ store }) => {
      const big = { ...nb('big'), message: 'é'.repeat(500_000) };
      assert.equal(change(await store.record(report([big], described(big))), big), 'new');
      assert.equal(change(await store.record(report([big], described(big), { minutes: 1 })), big), 'still-failing');
      assert.equal(change(await store.record(report([], described(big), { minutes: 2 })), big), 'resolved');
    },
  ],
  [
    'a report without a run is refused',
    async ({ store }) => {
      const r: ScanReport = { ...report([nb('a')], audited), run: undefined };
      await assert.rejects(store.record(r), HistoryError);
    },
  ],
];

for (const [storeName, open] of STORES) {
  for (const [name, fn] of CASES) {
    test(`${storeName}: ${name}`, async () => {
      const opened = await open();
      try {
        await fn(opened);
      } finally {
        await opened.store.close();
      }
    });
  }
}

// DynamoDB's own.

async function items(table: string): Promise<Record<string, AttributeValue>[]> {
  const res = await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `S#${SCOPE}` } } }));
  return res.Items ?? [];
}

test('dynamodb: the concurrent double record went through a refused conditional write and a reclassification', async () => {
  const table = await newTable();
  const one = openDynamoHistory({ table, client });
  const two = openDynamoHistory({ table, client });
  proxy.clearLog();
  // Both read before either writes: each transaction waits 300 ms at the proxy.
  const delay = proxy.addRule({ fault: 'delay', action: 'TransactWriteItems', delayMs: 300, times: 2 });
  const results = await Promise.all([one.record(report([nb('x')], described(nb('x')), { minutes: 1 })), two.record(report([nb('x')], described(nb('x')), { minutes: 1 }))]);
  proxy.clearRules();
  assert.equal(delay.hits, 2);
  assert.deepEqual(results.map((r) => r.counts.new + 10 * r.counts['still-failing']).sort(), [1, 10]);
  const writes = proxy.log.filter((c) => c.action === 'TransactWriteItems');
  assert.equal(writes.length, 3, 'two transactions, one cancelled and written again');
  assert.equal(writes.filter((c) => c.status !== 200).length, 1);
  // The one reclassified as still failing had nothing to change in the item: written once.
  const [item] = await items(table);
  assert.equal(item?.v?.N, '1');
  assert.equal(item?.since?.S, results.find((r) => r.counts.new === 1)!.current.id);
});

test('dynamodb: an event run reads only the resources it described (Query begins_with per ARN); an audit reads its scope', async () => {
  const table = await newTable();
  const store = openDynamoHistory({ table, client });
  await store.record(report(Array.from({ length: 30 }, (_, i) => nb(`nb${i}`)), audited));
  proxy.clearLog();
  const c = await store.record(report([nb('nb1')], described(nb('nb1'), nb('nb2')), { minutes: 1 }));
  assert.deepEqual(changesOf(c), [['nb1 fail', 'still-failing'], ['nb2 fail', 'resolved']]);
  const queries = proxy.log.filter((x) => x.action === 'Query' && JSON.stringify(x.params.ExpressionAttributeValues).includes('"S#'));
  assert.equal(queries.length, 2);
  for (const q of queries) assert.match(String(q.params.KeyConditionExpression), /begins_with/);
  // nb1 is a prefix of nb10..nb19: their items are not taken for nb1's (nothing else changed).
  const state = await items(table);
  assert.equal(state.length, 30);
  assert.deepEqual(state.filter((i) => i.st?.S === 'resolved').map((i) => JSON.parse(i.f!.S!).message), ['nb2 fail']);
  proxy.clearLog();
  await store.record(report([nb('nb1')], audited, { minutes: 2 }));
  const full = proxy.log.filter((x) => x.action === 'Query' && JSON.stringify(x.params.ExpressionAttributeValues).includes('"S#'));
  assert.equal(full.length, 1);
  assert.doesNotMatch(String(full[0]!.params.KeyConditionExpression), /begins_with/);
  await store.close();
});

test('dynamodb: a run larger than one transaction (250 findings) is written in several, then its run items; only what changed is written again', async () => {
  const table = await newTable();
  const store = openDynamoHistory({ table, client });
  const many = Array.from({ length: 250 }, (_, i) => nb(`n${i}`));
  proxy.clearLog();
  const first = await store.record(report(many, audited));
  assert.equal(first.counts.new, 250);
  const tx = proxy.log.filter((x) => x.action === 'TransactWriteItems');
  assert.deepEqual(tx.map((x) => [(x.params.TransactItems as unknown[]).length, x.status]), [[100, 200], [100, 200], [50, 200], [2, 200]]);
  proxy.clearLog();
  const again = await store.record(report(many.map((f, i) => (i === 7 ? { ...f, result: 'pass' as const } : f)), audited, { minutes: 1 }));
  assert.equal(again.counts['still-failing'], 249);
  assert.equal(again.counts.resolved, 1);
  const writes = proxy.log.filter((x) => x.action === 'TransactWriteItems');
  assert.equal(writes.length, 1);
  assert.equal((writes[0]!.params.TransactItems as unknown[]).length, 3, 'one state item and the two run items');
  const runs = await store.runs({ scopeKey: SCOPE });
  assert.deepEqual(runs.map((r) => r.changes.new), [0, 250]);
  await store.close();
});

test('dynamodb: no item exceeds 400 KB; a finding too large even without its message is refused with a clear error', async () => {
  const table = await newTable();
  const store = openDynamoHistory({ table, client });
  const big = { ...nb('big'), message: 'x'.repeat(2_000_000) };
  await store.record(report([big], described(big)));
  const [item] = await items(table);
  const stored = JSON.parse(item!.f!.S!) as Finding;
  assert.ok(Buffer.byteLength(item!.f!.S!) <= MAX_FINDING_BYTES);
  assert.match(stored.message, /\[cut: the message was 2000000 bytes/);
  assert.equal(findingKey(stored), findingKey(big));
  const huge = { ...nb('huge'), resource: { ...nb('huge').resource, details: { account: A, region: R, name: 'huge', tag: 'y'.repeat(500_000) } } };
  await assert.rejects(store.record(report([huge], described(huge), { minutes: 1 })), (e: Error) => e instanceof HistoryError && /more than one DynamoDB item holds \(400 KB\)/.test(e.message));
  assert.equal((await store.runs()).length, 1, 'the refused run is not recorded');
  await store.close();
});

test('attack: hostile table items (wrong types, 390 KB of junk, __proto__, another finding under a key, a forged run) are errors naming the item, never a pass', async () => {
  const good = nb('a');
  const key = findingKey(good);
  const sk = `R#${good.resource.live!.arn}#${key}`;
  const valid: Record<string, AttributeValue> = { pk: { S: `S#${SCOPE}` }, sk: { S: sk }, v: { N: '1' }, st: { S: 'failing' }, since: { S: '20260101T000000Z-00000000' }, f: { S: JSON.stringify(good) } };
  const hostile: [string, Record<string, AttributeValue>, RegExp][] = [
    ['version of the wrong type', { ...valid, v: { S: '1' } }, /no valid version/],
    ['finding of the wrong type', { ...valid, f: { N: '1' } }, /no finding/],
    ['unknown standing', { ...valid, st: { S: 'passing-ish' } }, /no valid standing/],
    ['390 KB of junk', { ...valid, f: { S: '{'.repeat(390_000) } }, /not valid JSON/],
    ['__proto__', { ...valid, f: { S: JSON.stringify(good).replace('{', '{"__proto__":{"result":"pass"},') } }, /__proto__/],
    ['a finding of the wrong shape', { ...valid, f: { S: JSON.stringify({ ...good, result: 'maybe' }) } }, /finding is not valid/],
    ['another finding under the key', { ...valid, f: { S: JSON.stringify(nb('b')) } }, /not the finding its key names/],
    ['a sort key that is no finding key', { ...valid, sk: { S: `R#${good.resource.live!.arn}#nothex` } }, /not a finding key/],
  ];
  for (const [what, item, message] of hostile) {
    const table = await newTable();
    await client.send(new PutItemCommand({ TableName: table, Item: item }));
    const store = openDynamoHistory({ table, client });
    // An event run for the resource, and a full audit: both read the item, both refuse it.
    for (const r of [report([], described(good), { minutes: 1 }), report([], audited, { minutes: 1 })]) {
      await assert.rejects(
        store.record(r),
        (e: Error) => e instanceof HistoryError && message.test(e.message) && e.message.includes('not a cloudconform history item') && e.message.length < 600,
        what,
      );
    }
    assert.deepEqual(await store.runs(), [], `${what}: nothing recorded`);
    await store.close();
  }
  // A forged run item: runs() refuses it rather than listing what it claims.
  const table = await newTable();
  const store = openDynamoHistory({ table, client });
  await store.record(report([good], audited));
  const [run] = (await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'RUNS' } } }))).Items!;
  await client.send(new PutItemCommand({ TableName: table, Item: { ...run!, counts: { S: '{"new":-5,"__proto__":{}}' } } }));
  await assert.rejects(store.runs(), (e: Error) => e instanceof HistoryError && /counts/.test(e.message));
  await client.send(new PutItemCommand({ TableName: table, Item: { ...run!, counts: { S: JSON.stringify({ new: 'many' }) } } }));
  await assert.rejects(store.runs(), (e: Error) => e instanceof HistoryError && /counts is not valid/.test(e.message));
  await store.close();
  assert.equal(({} as Record<string, unknown>).result, undefined, 'no prototype polluted');
});

test('dynamodb: a missing table is a clear error; DYNAMODB_ACTIONS are exactly the calls made (a transaction is authorised as its puts and deletes)', async () => {
  const missing = openDynamoHistory({ table: 'no-such-table', client });
  await assert.rejects(missing.record(report([nb('a')], audited)), (e: Error) => e instanceof HistoryError && /does not exist/.test(e.message));
  assert.throws(() => openDynamoHistory({ table: 'a b', client }), HistoryError);

  const table = await newTable();
  const store = openDynamoHistory({ table, client });
  proxy.clearLog();
  await store.record(report([nb('a'), nb('b')], audited));
  await store.record(report([nb('a')], audited, { minutes: 1 }));
  await store.record(report([nb('a', 'pass')], described(nb('a')), { minutes: 60 * 24 * 500 })); // b's resolved entry is long past: deleted
  await store.record(report([nb('a', 'pass')], audited, { minutes: 60 * 24 * 501 }));
  await store.runs();
  const used = new Set<string>();
  for (const c of proxy.log) {
    if (c.action !== 'TransactWriteItems') used.add(c.iamAction);
    else for (const t of c.params.TransactItems as Record<string, unknown>[]) for (const op of Object.keys(t)) used.add(`dynamodb:${op === 'Put' ? 'PutItem' : op === 'Delete' ? 'DeleteItem' : op}`);
  }
  assert.deepEqual([...used].sort(), [...DYNAMODB_ACTIONS].sort());
  await store.close();
});

test('dynamodb: a run item stays under 400 KB: changes beyond it and an organization audit\'s evaluated lists are left out, and it says so', async () => {
  const table = await newTable();
  const store = openDynamoHistory({ table, client });
  const many = Array.from({ length: 600 }, (_, i) => ({ ...nb(`n${i}`), message: `n${i} ${'m'.repeat(1_000)}` }));
  const regions = Array.from({ length: 3_000 }, (_, i) => ({ account: String(100000000000 + i), region: R, ruleIds: RULES }));
  const first = await store.record(report(many, { regions: [...audited.regions, ...regions] }));
  assert.equal(first.counts.new, 600, 'the comparison handed back is whole');
  const [scoped] = (await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `RUNS#${SCOPE}` } } }))).Items!;
  const size = Object.entries(scoped!).reduce((a, [k, v]) => a + Buffer.byteLength(k) + Buffer.byteLength(v.S ?? v.N ?? ''), 0);
  assert.ok(size < 400 * 1024, `${size} bytes`);
  const kept = JSON.parse(scoped!.changes!.S!) as { change: string }[];
  assert.ok(kept.length > 100 && kept.length < 600, `${kept.length} changes kept`);
  assert.match(scoped!.cut!.S!, new RegExp(`${600 - kept.length} of 600 new, regressed and resolved changes not kept`));
  assert.match(scoped!.cut!.S!, /evaluated \(0 files, 3001 regions, 0 resources\) not kept/);
  const [listed] = await store.runs();
  assert.deepEqual(listed!.run.evaluated, {});
  assert.equal(listed!.changes.new, 600);
  await store.close();
});

test('dynamodb: a transaction cancelled for a conflict with another in flight (TransactionConflict, injected: moto serialises) is read again and retried', async () => {
  const table = await newTable();
  const store = openDynamoHistory({ table, client });
  await store.record(report([nb('a')], audited));
  const conflict = proxy.addRule({
    fault: 'raw',
    action: 'TransactWriteItems',
    times: 1,
    status: 400,
    contentType: 'application/x-amz-json-1.0',
    body: JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      Message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None, None]',
      CancellationReasons: [{ Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }, { Code: 'None' }, { Code: 'None' }],
    }),
  });
  proxy.clearLog();
  const c = await store.record(report([], described(nb('a')), { minutes: 1 }));
  proxy.clearRules();
  assert.equal(conflict.hits, 1);
  assert.deepEqual(changesOf(c), [['a fail', 'resolved']]);
  assert.deepEqual(proxy.log.map((x) => x.action).filter((a) => a !== 'Query'), ['GetItem', 'TransactWriteItems', 'GetItem', 'TransactWriteItems']);
  assert.equal((await store.runs()).length, 2);
  await store.close();
});

test('dynamodb: six handlers recording overlapping batches at once: each failure is new exactly once, the rest still failing', async () => {
  const table = await newTable();
  const patient = new DynamoDBClient({ endpoint: proxy.endpoint, region: R, maxAttempts: 6 });
  try {
    const names = ['p', 'q', 'r', 's'];
    const batches = Array.from({ length: 6 }, (_, i) => [names[i % 4]!, names[(i + 1) % 4]!, names[(i + 2) % 4]!].map((x) => nb(x)));
    const results = await Promise.all(batches.map((b, i) => openDynamoHistory({ table, client: patient }).record(report(b, described(...b), { minutes: i }))));
    for (const name of names) {
      const seen = results.map((r) => change(r, nb(name))).filter((x) => x !== undefined);
      assert.equal(seen.filter((x) => x === 'new').length, 1, `${name}: ${seen.join(', ')}`);
      assert.ok(seen.every((x) => x === 'new' || x === 'still-failing'), `${name}: ${seen.join(', ')}`);
    }
    assert.equal((await items(table)).length, 4);
  } finally {
    patient.destroy();
  }
});
