#!/usr/bin/env node
// cloudconform event-handling benchmark: `npm run bench:events` (builds, then runs this through tsx
// to reuse the test harness in test/aws/: the pinned moto venv, moto server, seeding).
//
//   node --import tsx bench/events-bench.mjs [--events 10000] [--notebooks 1000] [--skip-lambda]
//        [--lambda-store dynamodb|sqlite]
//
// 1. moto (pinned, .venv/), seeded with --notebooks notebook instances in one region (a mix of
//    verdicts: mixedNotebooks).
// 2. --events CloudTrail events (Create/Update of random seeded notebooks, written from the
//    fixtures of test/fixtures/cloudtrail) as 1,000 SQS batches of 10.
// 3. The CLI: `node bin/cloudconform.js handle-event FILE -f json -q --db …` over all of them in
//    one run (the SQLite history), under /usr/bin/time: wall time, events/s, peak RSS. Checked:
//    every seeded notebook an event named has a finding with its expected verdict, no error.
// 4. The Lambda handler (dist/lambda.js) in one warm process: every batch of 10 one invocation,
//    the history in DynamoDB (moto; moto copies the whole table for each transaction, so its time
//    grows with the table and dominates) or, with --lambda-store sqlite, in a SQLite file (the
//    handler's own cost): wall time, events/s, peak RSS.
// 5. Cold start: `import('dist/lambda.js')` in a fresh process, best and median of 7.
// Figures go to .bench/events-results.json. moto (one Python process, ~2.5 ms of CPU per call) is
// the floor on this machine: the describes and history writes are moto's calls.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT, ensureVenv } from '../test/aws/venv.ts';
import { startMoto } from '../test/aws/moto-server.ts';
import { MOTO_DEFAULT_ACCOUNT } from '../test/aws/fault-proxy.ts';
import { seed, mixedNotebooks } from '../test/aws/seed.ts';
import { awsTestEnv } from '../test/aws/audit-helpers.ts';
import { notebookEvent, sqsBatch } from '../test/helpers/cloudtrail.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
};
const EVENTS = Number(opt('--events', '10000'));
const NOTEBOOKS = Number(opt('--notebooks', '1000'));
const REGION = 'us-east-1';
const BENCH_DIR = join(PROJECT_ROOT, '.bench');
const CLI = join(PROJECT_ROOT, 'bin', 'cloudconform.js');
const LAMBDA = join(PROJECT_ROOT, 'dist', 'lambda.js');
const TABLE = 'cloudconform-bench';
const LAMBDA_STORE = opt('--lambda-store', 'dynamodb');

/**
 * A child process run asynchronously: moto's output pipe is drained by this process's event loop,
 * which a spawnSync would block (moto then stalls writing its request log, and so does the run).
 */
function run(cmd, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', options.debug ? 'inherit' : 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr?.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

mkdirSync(BENCH_DIR, { recursive: true });
await ensureVenv();
const moto = await startMoto();
const results = { events: EVENTS, notebooks: NOTEBOOKS, cpus: (await import('node:os')).cpus().length };
try {
  console.log(`seeding ${NOTEBOOKS} notebooks…`);
  const seeded = await seed(moto.endpoint, [{ region: REGION, notebooks: mixedNotebooks('cc-bench', NOTEBOOKS) }], { concurrency: 16 });
  const expected = new Map(seeded.notebooks.map((n) => [n.name, n.expected]));
  const names = [...expected.keys()];

  // Deterministic choice of notebooks (a linear congruential sequence), so runs compare.
  let x = 12345;
  // The high bits: the low bits of this sequence repeat with short periods.
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) >>> 12;
  const events = Array.from({ length: EVENTS }, (_, i) =>
    notebookEvent(i % 3 === 0 ? 'update-notebook.json' : 'create-notebook-default-access.json', names[next() % names.length], { account: MOTO_DEFAULT_ACCOUNT, region: REGION, eventId: `bench-${i}` }),
  );
  const named = new Set(events.map((e) => e.detail.requestParameters.notebookInstanceName));
  const batches = [];
  for (let i = 0; i < events.length; i += 10) batches.push(sqsBatch(events.slice(i, i + 10), events.slice(i, i + 10).map((_, j) => `b${i}-${j}`)));
  const file = join(BENCH_DIR, 'events.json');
  writeFileSync(file, JSON.stringify(events));
  results.inputBytes = readFileSync(file).length;

  // --- the CLI, one run over every event --------------------------------------------------------
  const db = join(BENCH_DIR, 'events-bench.db');
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  const env = { ...process.env, ...awsTestEnv({ AWS_ENDPOINT_URL: moto.endpoint }) };
  const started = performance.now();
  const cli = await run('/usr/bin/time', ['-f', '%M', process.execPath, CLI, 'handle-event', file, '-f', 'json', '--db', db], { env });
  const cliMs = performance.now() - started;
  const rssKb = Number(cli.stderr.trim().split('\n').pop());
  if (cli.status !== 1) throw new Error(`handle-event exited ${cli.status}: ${cli.stderr.slice(0, 2000)}`);
  const report = JSON.parse(cli.stdout);
  if (report.errors.length) throw new Error(`handle-event reported errors: ${JSON.stringify(report.errors.slice(0, 3))}`);
  let checked = 0;
  for (const f of report.findings.filter((f) => f.ruleId === 'SageMaker-004')) {
    const name = f.resource.id.split('/').pop();
    const want = [...expected].find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
    if (want !== f.result) throw new Error(`${name}: ${f.result}, expected ${want}`);
    checked++;
  }
  if (checked !== named.size) throw new Error(`${checked} notebook findings for ${named.size} notebooks named`);
  results.cli = { ms: Math.round(cliMs), eventsPerSecond: Math.round(EVENTS / (cliMs / 1000)), peakRssMb: Math.round(rssKb / 1024), notebooksDescribed: checked };
  console.log(`CLI handle-event: ${EVENTS} events (${checked} notebooks) in ${(cliMs / 1000).toFixed(1)} s = ${results.cli.eventsPerSecond} events/s, peak RSS ${results.cli.peakRssMb} MB`);

  // --- the Lambda handler, warm, one invocation per batch of 10 ---------------------------------
  if (!argv.includes('--skip-lambda')) {
    const batchesFile = join(BENCH_DIR, 'events-batches.json');
    writeFileSync(batchesFile, JSON.stringify(batches));
    const lambdaDb = join(BENCH_DIR, 'events-bench-lambda.db');
    for (const f of [lambdaDb, `${lambdaDb}-wal`, `${lambdaDb}-shm`]) rmSync(f, { force: true });
    const script = `
      import { readFileSync } from 'node:fs';
      if (process.env.CLOUDCONFORM_TABLE) {
        const { createHistoryTable } = await import(${JSON.stringify(pathToFileURL(join(PROJECT_ROOT, 'test', 'aws', 'events-drain.ts')).href)});
        await createHistoryTable(process.env.AWS_ENDPOINT_URL, ${JSON.stringify(REGION)}, process.env.CLOUDCONFORM_TABLE);
      }
      const batches = JSON.parse(readFileSync(${JSON.stringify(batchesFile)}, 'utf8'));
      const { handler } = await import(${JSON.stringify(pathToFileURL(LAMBDA).href)});
      const log = console.log; console.log = process.env.BENCH_DEBUG ? (...a) => console.error(...a) : () => {};
      let peak = 0, failures = 0;
      const t = performance.now();
      for (const batch of batches) {
        const deadline = Date.now() + 120000;
        const out = await handler(batch, { functionName: 'bench', awsRequestId: 'r', getRemainingTimeInMillis: () => deadline - Date.now() });
        failures += out.batchItemFailures.length;
        peak = Math.max(peak, process.memoryUsage().rss);
      }
      console.log = log;
      console.log(JSON.stringify({ ms: Math.round(performance.now() - t), peakRssMb: Math.round(peak / 1048576), failures }));
    `;
    const lambdaRun = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...env, ...(LAMBDA_STORE === 'sqlite' ? { CLOUDCONFORM_DB: lambdaDb } : { CLOUDCONFORM_TABLE: TABLE }) }, cwd: PROJECT_ROOT, debug: Boolean(process.env.BENCH_DEBUG) });
    if (lambdaRun.status !== 0) throw new Error(`lambda run failed: ${lambdaRun.stderr.slice(-2000)}`);
    const out = JSON.parse(lambdaRun.stdout.trim().split('\n').pop());
    if (out.failures) throw new Error(`${out.failures} batch item failures`);
    results.lambda = { ...out, store: LAMBDA_STORE, invocations: batches.length, eventsPerSecond: Math.round(EVENTS / (out.ms / 1000)) };
    console.log(`Lambda handler (warm, ${LAMBDA_STORE === 'sqlite' ? 'SQLite' : 'DynamoDB on moto'}): ${batches.length} batches of 10 in ${(out.ms / 1000).toFixed(1)} s = ${results.lambda.eventsPerSecond} events/s, peak RSS ${out.peakRssMb} MB`);
  }

  // --- cold start -------------------------------------------------------------------------------
  const times = Array.from({ length: 7 }, () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(LAMBDA).href)}); console.log(performance.now() - t);`], { encoding: 'utf8' });
    return Number(r.stdout.trim());
  }).sort((a, b) => a - b);
  results.coldStartMs = { best: Math.round(times[0]), median: Math.round(times[3]) };
  console.log(`cold start (import dist/lambda.js): best ${results.coldStartMs.best} ms, median ${results.coldStartMs.median} ms (target < 300 ms)`);
} finally {
  await moto.stop();
}
writeFileSync(join(BENCH_DIR, 'events-results.json'), JSON.stringify(results, null, 2));
