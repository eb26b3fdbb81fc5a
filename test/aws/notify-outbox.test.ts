// At-least-once notifications of event runs, with the history in DynamoDB on moto: a webhook that
// fails keeps the run's new failure pending (written with the run), and the next event batch of
// the scope (nothing new in it) delivers it; a handler killed between recording and notifying
// (the SQS retry finds the failure still-failing) delivers it on the retry; two channels, one
// failing: only that one sends again; the built Lambda handler does the same; no channel URL is
// stored (the table's items are read back and searched).
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { handleEvents, type HandleEventsOptions } from '../../src/events/handler';
import { openDynamoHistory } from '../../src/history/dynamodb';
import { HistoryError } from '../../src/history/store';
import { findingKey } from '../../src/model/report';
import type { AsyncHistoryStore } from '../../src/history/types';
import { channelId, outboxPlan, parseNotifyFilters, parseNotifyTarget } from '../../src/notify/index';
import { fileFinding, report } from '../helpers/history-fixtures';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { seed, TEST_CREDENTIALS } from './seed';
import { useAuditEmulator } from './audit-helpers';
import { PROJECT_ROOT } from './venv';
import { notebookEvent, sqsBatch } from '../helpers/cloudtrail';
import { ok, startNotifyServer, type NotifyServer } from '../helpers/notify-server';
import { createHistoryTable, lambdaContext } from './events-drain';

const REGION = 'us-east-1';
const SECRET_PATH = '/hooks/T0PSECRETPATH?token=QUERYSECRET';
const NAMES = ['cc-outbox-a', 'cc-outbox-b', 'cc-outbox-c', 'cc-outbox-d', 'cc-outbox-lambda'];

const emulator = useAuditEmulator({
  seed: async (moto) => {
    const seeded = await seed(moto.endpoint, [{ region: REGION, notebooks: [...NAMES.map((name) => ({ name })), { name: 'cc-outbox-private', access: 'Disabled', inSubnet: true }] }]);
    for (const t of ['outbox-1', 'outbox-2', 'outbox-3', 'outbox-4', 'outbox-5', 'outbox-lambda']) await createHistoryTable(moto.endpoint, REGION, t);
    return seeded;
  },
});

let server: NotifyServer;
before(async () => (server = await startNotifyServer()));
after(async () => server.stop());
beforeEach(() => {
  server.received.length = 0;
  server.behave(ok);
});

const filters = parseNotifyFilters({}, (id) => id);
const store = (table: string) =>
  openDynamoHistory({ table, client: new DynamoDBClient({ endpoint: emulator.moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS }) });
const run = (data: unknown, history: HandleEventsOptions['history'], urls: string[]) =>
  handleEvents(
    { source: 'test', data },
    {
      endpointUrl: emulator.proxy.endpoint,
      maxAttempts: 1,
      notFoundDelaysMs: [10],
      history,
      notify: { channels: urls.map((u) => parseNotifyTarget(`webhook=${u}`)), filters, options: { attempts: 1, backoffMs: [0] } },
    },
  );
const findingsOf = (body: string) => JSON.parse(body).findings as { resource: { name?: string }; change: string; late?: { runId: string } }[];

async function tableText(table: string): Promise<string> {
  const client = new DynamoDBClient({ endpoint: emulator.moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
  try {
    return JSON.stringify((await client.send(new ScanCommand({ TableName: table }))).Items ?? []);
  } finally {
    client.destroy();
  }
}

describe('notifications at least once (DynamoDB history on moto)', () => {
  it('a webhook answering 500: the next batch of the scope (nothing new) delivers the first batch\'s new failure, said late; no URL stored', async () => {
    const history = store('outbox-1');
    const url = `${server.origin}${SECRET_PATH}`;
    server.behave((_req, res) => res.writeHead(500).end('down'));
    const first = await run(notebookEvent('create-notebook-default-access.json', 'cc-outbox-a'), history, [url]);
    assert.equal(first.comparison?.counts.new, 1);
    assert.equal(first.notifications.length, 0);
    assert.ok(first.errors.some((e) => e.file === 'notify:webhook'));
    server.received.length = 0;
    server.behave(ok);
    const second = await run(notebookEvent('create-notebook-disabled.json', 'cc-outbox-private'), history, [url]);
    assert.equal(second.comparison?.counts.new, 0);
    assert.equal(server.received.length, 1);
    const items = findingsOf(server.received[0]!.body);
    assert.deepEqual(items.map((f) => [f.resource.name, f.change]), [['cc-outbox-a', 'new']]);
    assert.equal(items[0]!.late?.runId, first.report.run!.id);
    const third = await run(notebookEvent('create-notebook-disabled.json', 'cc-outbox-private'), history, [url]);
    assert.equal(third.notifications.length, 0);
    assert.equal(server.received.length, 1, 'delivered once');
    const text = await tableText('outbox-1');
    for (const secret of ['T0PSECRETPATH', 'QUERYSECRET', server.origin]) assert.ok(!text.includes(secret), `${secret} stored`);
    await history.close();
  });

  it('killed between recording and notifying: the SQS retry (still-failing by then) delivers the failure', async () => {
    const real = store('outbox-2');
    // The run is written, then the handler dies before notifying (a timeout, a crash).
    const dying: AsyncHistoryStore = {
      ...real,
      record: async (report, options) => {
        await real.record(report, options);
        throw new Error('Task timed out after 60.00 seconds');
      },
    };
    const batch = sqsBatch([notebookEvent('create-notebook-default-access.json', 'cc-outbox-b')], ['m-b']);
    const first = await run(batch, dying, [`${server.origin}/h`]);
    assert.deepEqual(first.batchItemFailures, [{ itemIdentifier: 'm-b' }]);
    assert.equal(server.received.length, 0);
    const retry = await run(batch, real, [`${server.origin}/h`]);
    assert.equal(retry.comparison?.counts['still-failing'], 1, 'the history already had it');
    assert.equal(server.received.length, 1);
    assert.deepEqual(findingsOf(server.received[0]!.body).map((f) => f.resource.name), ['cc-outbox-b']);
    await real.close();
  });

  it('two channels, one failing: only the failing one sends again', async () => {
    const history = store('outbox-3');
    server.behave((req, res) => (req.path === '/down' ? res.writeHead(503).end('later') : res.writeHead(200).end('ok')));
    const first = await run(notebookEvent('create-notebook-default-access.json', 'cc-outbox-c'), history, [`${server.origin}/up`, `${server.origin}/down`]);
    assert.equal(first.notifications.length, 1);
    server.received.length = 0;
    server.behave(ok);
    await run(notebookEvent('create-notebook-disabled.json', 'cc-outbox-private'), history, [`${server.origin}/up`, `${server.origin}/down`]);
    assert.deepEqual(server.received.map((r) => r.path), ['/down']);
    assert.deepEqual(findingsOf(server.received[0]!.body).map((f) => f.resource.name), ['cc-outbox-c']);
    await history.close();
  });

  it('attack: a forged outbox entry (a finding not of the report contract, its key not its own) is dropped and counted, never sent', async () => {
    const history = store('outbox-4');
    const url = `${server.origin}/forged`;
    const forged = JSON.stringify([{ key: '0'.repeat(64), change: 'new', finding: { ruleId: 'X', resource: { id: '<!channel> pwned' }, message: 'm', location: { file: 'f' } } }]);
    const client = new DynamoDBClient({ endpoint: emulator.moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
    const at = new Date().toISOString();
    await client.send(
      new PutItemCommand({
        TableName: 'outbox-4',
        Item: { pk: { S: `O#audit:caller:${MOTO_DEFAULT_ACCOUNT}` }, sk: { S: `${channelId(parseNotifyTarget(`webhook=${url}`))}#${at}#forged` }, rid: { S: 'forged' }, at: { S: at }, n: { N: '1' }, dr: { N: '0' }, items: { S: forged } },
      }),
    );
    client.destroy();
    const result = await run(notebookEvent('create-notebook-default-access.json', 'cc-outbox-d'), history, [url]);
    assert.deepEqual(result.errors, []);
    assert.equal(server.received.length, 1);
    const doc = JSON.parse(server.received[0]!.body);
    assert.deepEqual(findingsOf(server.received[0]!.body).map((f) => f.resource.name), ['cc-outbox-d']);
    assert.equal(doc.outbox.dropped, 1);
    assert.doesNotMatch(server.received[0]!.body, /pwned/);
    assert.ok(!(await tableText('outbox-4')).includes('pwned'), 'the forged entry is deleted');
    await history.close();
  });

  it('attack: an outbox entry holding more findings than its count says is dropped, never taken; one whose count is not a count is an error naming it', async () => {
    const history = store('outbox-4');
    const client = new DynamoDBClient({ endpoint: emulator.moto.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
    const channel = '1'.repeat(64);
    const at = new Date().toISOString();
    const failing = fileFinding('main.tf', 'x', 'fail');
    const items = JSON.stringify(Array.from({ length: 1001 }, () => ({ key: findingKey(failing), change: 'new', finding: failing })));
    const put = (scope: string, n: string) =>
      client.send(new PutItemCommand({ TableName: 'outbox-4', Item: { pk: { S: `O#${scope}` }, sk: { S: `${channel}#${at}#lie` }, rid: { S: 'lie' }, at: { S: at }, n: { N: n }, dr: { N: '0' }, items: { S: items } } }));
    await put('hostile-count', '0');
    await put('hostile-negative', '-1');
    client.destroy();
    const taken = await history.pending!('hostile-count', channel, { now: new Date() });
    assert.deepEqual(taken.entries, []);
    assert.ok(!(await tableText('outbox-4')).includes('O#hostile-count'), 'the entry is deleted');
    await assert.rejects(history.pending!('hostile-negative', channel, { now: new Date() }), (e: Error) => e instanceof HistoryError && /not an outbox entry/.test(e.message));
    await history.close();
  });

  it('a run over one transaction (150 new failures), killed before its run items: its notifications are pending all the same (written first)', async () => {
    // Through the fault proxy: the last transaction (the run items) fails, as if the process died before it.
    const history = openDynamoHistory({ table: 'outbox-5', client: new DynamoDBClient({ endpoint: emulator.proxy.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }) });
    emulator.proxy.addRule({ fault: 'server-error', action: 'TransactWriteItems', when: (call) => JSON.stringify(call.params).includes('"RUNS#') });
    const channels = [parseNotifyTarget(`webhook=${server.origin}/big`)];
    const r = report(Array.from({ length: 150 }, (_, i) => fileFinding('main.tf', `nb${i}`, 'fail')), { files: ['main.tf'] }, { minutes: 1 });
    await assert.rejects(history.record(r, { outbox: outboxPlan(channels, filters, r) }), /InternalFailure|500|not recorded|DynamoDB/);
    emulator.proxy.clearRules();
    const taken = await history.pending!(r.run!.scope.key, channelId(channels[0]!), { runId: r.run!.id, now: new Date(r.run!.startedAt) });
    assert.deepEqual(taken.entries.map((e) => [e.runId, e.items.length]), [[r.run!.id, 150]]);
    await history.close();
  });

  it('the built Lambda handler: a webhook down for one invocation, the next invocation delivers', async () => {
    const file = join(PROJECT_ROOT, 'dist', 'lambda.js');
    assert.ok(existsSync(file), 'dist/lambda.js: run npm run build');
    const lambda = (await import(pathToFileURL(file).href)) as { handler: (e: unknown, c: unknown) => Promise<unknown>; resetLambda: () => Promise<void> };
    const saved = { ...process.env };
    try {
      await lambda.resetLambda();
      Object.assign(process.env, { AWS_ENDPOINT_URL: emulator.proxy.endpoint, AWS_MAX_ATTEMPTS: '1', CLOUDCONFORM_TABLE: 'outbox-lambda', CLOUDCONFORM_NOTIFY: `webhook=${server.origin}/lambda` });
      const quiet = console.log;
      console.log = () => undefined;
      try {
        server.behave((_req, res) => res.writeHead(500).end('down'));
        await lambda.handler(sqsBatch([notebookEvent('create-notebook-default-access.json', 'cc-outbox-lambda')]), lambdaContext());
        server.received.length = 0;
        server.behave(ok);
        await lambda.handler(sqsBatch([notebookEvent('create-notebook-disabled.json', 'cc-outbox-private')]), lambdaContext());
      } finally {
        console.log = quiet;
      }
      assert.equal(server.received.length, 1);
      assert.deepEqual(findingsOf(server.received[0]!.body).map((f) => [f.resource.name, typeof f.late?.runId]), [['cc-outbox-lambda', 'string']]);
    } finally {
      await lambda.resetLambda();
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
