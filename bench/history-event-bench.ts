// What recording one event batch costs against a large scope, in both history stores:
//
//   node --import tsx bench/history-event-bench.ts [--findings 20000] [--batches 10] [--store sqlite|dynamodb|both]
//
// Records one audit of --findings notebooks (a third failing), then --batches event runs of 10
// notebooks each (what one SQS batch gives the Lambda handler), and prints each record's time.
// DynamoDB runs against moto server (test/aws/moto-server.ts) through the fault proxy, which
// counts the calls; moto copies the whole table for every TransactWriteItems (its rollback), so
// its transaction time grows with the table where DynamoDB's does not (and at 20,000 items moto
// grew past 8 GB: use --findings 2000 with DynamoDB): the calls made, and this process's CPU per
// record, are the figures that carry over. Measured (2 shared cores, load ~9): SQLite, 20,000
// findings: event batch median 77 ms (36-150 ms); DynamoDB on moto, 2,000 findings: 13 calls per
// batch (1 GetItem, 11 Query, 1 TransactWriteItems) whatever the scope's size, 600-900 ms wall of
// which moto's Python most, and 30-40 ms of this process's CPU (the SDK, classify) per batch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoTableDefinition, openDynamoHistory } from '../src/history/dynamodb';
import { openHistory } from '../src/history/store';
import { asyncHistory, type AsyncHistoryStore } from '../src/history/types';
import { liveFinding, report } from '../test/helpers/history-fixtures';
import { startFaultProxy } from '../test/aws/fault-proxy';
import { startMoto } from '../test/aws/moto-server';
import { useAwsTestEnv } from '../test/aws/audit-helpers';

const { values } = parseArgs({ options: { findings: { type: 'string', default: '20000' }, batches: { type: 'string', default: '10' }, store: { type: 'string', default: 'both' } } });
const N = Number(values.findings);
const BATCHES = Number(values.batches);
const A = '111111111111';
const RULES = ['SageMaker-004', 'SageMaker-005'];

async function bench(name: string, store: AsyncHistoryStore, calls?: () => { n: number; tx: number; ms: number }): Promise<void> {
  const findings = Array.from({ length: N }, (_, i) => liveFinding(A, 'us-east-1', `nb${i}`, i % 3 === 0 ? 'fail' : 'pass'));
  let t = performance.now();
  await store.record(report(findings, { regions: [{ account: A, region: 'us-east-1', ruleIds: RULES }] }));
  console.log(`${name}: audit of ${N} findings recorded in ${(performance.now() - t).toFixed(0)} ms`);
  const times: number[] = [];
  for (let k = 1; k <= BATCHES; k++) {
    const batch = Array.from({ length: 10 }, (_, j) => liveFinding(A, 'us-east-1', `nb${(k * 37 + j * 101) % N}`, j % 2 ? 'fail' : 'pass'));
    const before = calls?.();
    t = performance.now();
    const cpu = process.cpuUsage();
    await store.record(report(batch, { resources: batch.map((f) => ({ ...f.resource.live!, ruleIds: RULES })) }, { minutes: k }));
    times.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    const after = calls?.();
    console.log(
      `${name}: event batch of 10: ${times.at(-1)!.toFixed(1)} ms (this process's CPU ${((used.user + used.system) / 1000).toFixed(1)} ms)` +
        (before && after ? `, ${after.n - before.n} calls (TransactWriteItems ${after.tx - before.tx}, ${(after.ms - before.ms).toFixed(0)} ms of it in moto)` : ''),
    );
  }
  times.sort((a, b) => a - b);
  console.log(`${name}: event batch median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms`);
  await store.close();
}

const dir = mkdtempSync(join(tmpdir(), 'cc-event-bench-'));
try {
  if (values.store !== 'dynamodb') await bench('sqlite', asyncHistory(openHistory({ path: join(dir, 'h.db') })));
  if (values.store !== 'sqlite') {
    useAwsTestEnv();
    const moto = await startMoto();
    const proxy = await startFaultProxy({ target: moto.endpoint });
    const client = new DynamoDBClient({ endpoint: proxy.endpoint, region: 'us-east-1' });
    try {
      const { TimeToLiveSpecification: _ttl, ...def } = dynamoTableDefinition();
      await client.send(new CreateTableCommand({ TableName: 'bench', ...def, AttributeDefinitions: [...def.AttributeDefinitions], KeySchema: [...def.KeySchema] }));
      const tx = () => proxy.log.filter((c) => c.action === 'TransactWriteItems');
      await bench('dynamodb', openDynamoHistory({ table: 'bench', client }), () => ({ n: proxy.log.length, tx: tx().length, ms: tx().reduce((a, c) => a + c.ms, 0) }));
    } finally {
      client.destroy();
      await proxy.stop();
      await moto.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
