#!/usr/bin/env node
// History database benchmark: `npm run bench:history` (builds, then runs this through tsx so it
// records through the real store, src/history/store.ts).
//
//   node --import tsx bench/history-bench.mjs [--runs 1000] [--findings 50000] [--churn 0.005] [--db FILE]
//        [--max-minutes M]   (stop recording after M minutes and measure what was recorded: a
//                             machine shared with other work can make 1,000 runs take hours)
//
// 1. Records --runs reports of one scope, each of --findings findings (live-style notebooks in 10
//    accounts × 5 regions, every region evaluated), through HistoryStore.record. Between runs a
//    --churn share of the findings changes: half flip pass/fail (with a new message), a quarter of
//    the churn are notebooks deleted and a quarter new ones created, so the state and the bodies
//    grow as a real estate's would. Times each record (what a scan or audit adds).
// 2. Then, on the database of 1,000 runs: its size on disk; `cloudconform history` (the built
//    command, default limit and --limit 1000, text and JSON); HistoryStore.report and .comparison
//    of the newest run and of the first (what diff, report --html and export read).
// 3. Prints a summary and writes every figure to .bench/history-results.json.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openHistory } from '../src/history/store.ts';
import { ALL_RULES } from '../src/rules/index.ts';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const RUNS = Number(opt('runs', 1000));
const FINDINGS = Number(opt('findings', 50000));
const CHURN = Number(opt('churn', 0.005));
const MAX_MS = Number(opt('max-minutes', Infinity)) * 60_000;
const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, '.bench');
const DB = opt('db', join(OUT, 'history-bench.db'));
mkdirSync(OUT, { recursive: true });
// The built command, copied now: `npm run build` elsewhere meanwhile would pull dist/ from under
// the timings at the end. Inside the repository, so better-sqlite3 resolves from node_modules/.
const CLI_COPY = join(OUT, 'history-bench-cli');
rmSync(CLI_COPY, { recursive: true, force: true });
for (const f of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, f), join(CLI_COPY, f), { recursive: true });
for (const suffix of ['', '-wal', '-shm']) rmSync(DB + suffix, { force: true });

const rules = ALL_RULES.map((r) => r.meta);
const ACCOUNTS = Array.from({ length: 10 }, (_, i) => String(100000000000 + i * 1111));
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];

// A seeded generator: the same database every time.
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

function finding(i, result, generation) {
  const account = ACCOUNTS[i % ACCOUNTS.length];
  const region = REGIONS[Math.floor(i / ACCOUNTS.length) % REGIONS.length];
  const ruleId = i % 4 === 0 ? 'SageMaker-005' : 'SageMaker-004';
  const name = `team-${i % 97}-notebook-${i}`;
  const arn = `arn:aws:sagemaker:${region}:${account}:notebook-instance/${name}`;
  return {
    ruleId,
    result,
    resource: {
      type: 'AWS::SageMaker::NotebookInstance',
      id: arn,
      source: 'live',
      details: { account, region, name, status: 'InService' },
      live: { account, region, arn },
    },
    location: { file: `aws://${account}/${region}`, line: 0 },
    message:
      result === 'fail'
        ? `Notebook instance ${name} has DirectInternetAccess Enabled (checked ${generation})`
        : `Notebook instance ${name} has DirectInternetAccess Disabled and a SubnetId`,
    risk: 'Medium',
    suppressed: false,
  };
}

// The estate: index -> [result, generation]; deleted ones are removed, new ones get new indexes.
const estate = new Map();
let next = 0;
for (; next < FINDINGS; next++) estate.set(next, [random() < 0.3 ? 'fail' : 'pass', 0]);

// Finding objects are made once per notebook and state (as a scan makes new ones each run, but the
// generator's own cost stays out of the way of the figures).
const made = new Map();
function findingOf(i, result, gen) {
  const tag = `${i}/${result}/${gen}`;
  let f = made.get(i);
  if (!f || f.tag !== tag) made.set(i, (f = { tag, finding: finding(i, result, gen) }));
  return f.finding;
}

function reportOf(runIndex) {
  const started = new Date(Date.UTC(2026, 0, 1) + runIndex * 3_600_000);
  const stamp = started.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  // In the report's order (file, rule, resource), kept sorted as notebooks come and go.
  const findings = order.map((i) => {
    const [result, gen] = estate.get(i);
    return findingOf(i, result, gen);
  });
  const fail = findings.filter((f) => f.result === 'fail').length;
  return {
    version: 1,
    tool: { name: 'cloudconform', version: '0.2.0' },
    rules,
    findings,
    errors: [],
    summary: { resources: findings.length, findings: findings.length, pass: findings.length - fail, fail, unknown: 0, suppressed: 0, errors: 0, filesScanned: 0, failing: fail },
    run: {
      id: `${stamp}-${runIndex.toString(16).padStart(8, '0')}`,
      command: 'audit',
      startedAt: started.toISOString(),
      endedAt: new Date(started.getTime() + 60_000).toISOString(),
      scope: { key: 'audit:organization', label: 'organization, every enabled region' },
      evaluated: { regions: ACCOUNTS.flatMap((account) => REGIONS.map((region) => ({ account, region, ruleIds: ['SageMaker-004', 'SageMaker-005'] }))) },
    },
  };
}

const sortKey = (i) => {
  const f = finding(i, 'pass', 0);
  return `${f.location.file}\u0000${f.ruleId}\u0000${f.resource.id}`;
};
const keyOf = new Map([...estate.keys()].map((i) => [i, sortKey(i)]));
let order = [...estate.keys()].sort((a, b) => (keyOf.get(a) < keyOf.get(b) ? -1 : keyOf.get(a) > keyOf.get(b) ? 1 : 0));

function churn(runIndex) {
  const changes = Math.round(FINDINGS * CHURN);
  const keys = [...estate.keys()];
  for (let c = 0; c < changes; c++) {
    const roll = random();
    if (roll < 0.5) {
      const i = keys[Math.floor(random() * keys.length)];
      const was = estate.get(i);
      if (was) estate.set(i, [was[0] === 'fail' ? 'pass' : 'fail', runIndex]);
    } else if (roll < 0.75) {
      estate.delete(keys[Math.floor(random() * keys.length)]);
    } else {
      const i = next++;
      estate.set(i, [random() < 0.3 ? 'fail' : 'pass', runIndex]);
      keyOf.set(i, sortKey(i));
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (keyOf.get(order[mid]) < keyOf.get(i)) lo = mid + 1;
        else hi = mid;
      }
      order.splice(lo, 0, i);
    }
  }
  order = order.filter((i) => estate.has(i));
}

const recordMs = [];
// CPU time too: on a machine shared with other work, wall time measures the neighbours as well.
const recordCpuMs = [];
const started = performance.now();
const ids = [];
for (let r = 0; r < RUNS; r++) {
  if (performance.now() - started > MAX_MS) {
    process.stderr.write(`--max-minutes reached after ${r} runs: measuring those\n`);
    break;
  }
  if (r > 0) churn(r);
  const report = reportOf(r);
  ids.push(report.run.id);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  // A new connection per run, as each scan or audit opens the database.
  const store = openHistory({ path: DB });
  store.record(report);
  store.close();
  recordMs.push(performance.now() - t0);
  const cpu = process.cpuUsage(c0);
  recordCpuMs.push((cpu.user + cpu.system) / 1000);
  if (r % 25 === 0 || r === RUNS - 1) {
    process.stderr.write(`run ${r + 1}/${RUNS}: record ${recordMs.at(-1).toFixed(0)} ms, db ${(statSync(DB).size / 1e6).toFixed(1)} MB\n`);
    writeFileSync(join(OUT, 'history-progress.json'), JSON.stringify({ runs: r + 1, recordMs: recordMs.map(Math.round), recordCpuMs: recordCpuMs.map(Math.round), dbBytes: statSync(DB).size }) + '\n');
  }
}
const generationSeconds = (performance.now() - started) / 1000;

const size = (f) => (existsSync(f) ? statSync(f).size : 0);
const dbBytes = size(DB) + size(`${DB}-wal`);

/** Median of 3 timings of a command. */
function timeCli(cliArgs) {
  const times = [];
  let out = '';
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    out = execFileSync(process.execPath, [join(CLI_COPY, 'bin', 'cloudconform.js'), ...cliArgs, '--db', DB], { encoding: 'utf8', maxBuffer: 1 << 28 });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: Math.round(times[1]), lines: out.split('\n').length - 1 };
}

function timeStore(fn) {
  const times = [];
  const cpus = [];
  let result;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const store = openHistory({ path: DB, readonly: true });
    result = fn(store);
    store.close();
    times.push(performance.now() - t0);
    const cpu = process.cpuUsage(c0);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  return { ms: Math.round(times[1]), cpuMs: Math.round(cpus[1]), result };
}

const sorted = [...recordMs].sort((a, b) => a - b);
const pct = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
const last = ids.at(-1);
const reportNewest = timeStore((s) => s.report(last).findings.length);
const comparisonNewest = timeStore((s) => s.comparison(last).changes.length);
const reportFirst = timeStore((s) => s.report(ids[0]).findings.length);
const results = {
  runs: ids.length,
  runsAsked: RUNS,
  findingsPerRun: FINDINGS,
  churnPerRun: CHURN,
  generationSeconds: Math.round(generationSeconds),
  recordCpuMs: { mean: Math.round(recordCpuMs.reduce((a, b) => a + b, 0) / recordCpuMs.length), max: Math.round(Math.max(...recordCpuMs)) },
  recordMs: { mean: Math.round(recordMs.reduce((a, b) => a + b, 0) / recordMs.length), p50: pct(50), p95: pct(95), max: Math.round(sorted.at(-1)), first: Math.round(recordMs[0]), last: Math.round(recordMs.at(-1)) },
  loadAverage: loadavg().map((l) => Number(l.toFixed(1))),
  dbMB: Number((dbBytes / 1e6).toFixed(1)),
  historyCli: timeCli(['history']),
  historyCliAll: timeCli(['history', '--limit', String(ids.length)]),
  historyCliJsonAll: timeCli(['history', '--limit', String(ids.length), '--format', 'json']),
  reportNewestMs: reportNewest.ms,
  reportNewestCpuMs: reportNewest.cpuMs,
  comparisonNewestCpuMs: comparisonNewest.cpuMs,
  reportNewestFindings: reportNewest.result,
  comparisonNewestMs: comparisonNewest.ms,
  comparisonNewestChanges: comparisonNewest.result,
  reportFirstMs: reportFirst.ms,
};
writeFileSync(join(OUT, 'history-results.json'), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results, null, 2));
