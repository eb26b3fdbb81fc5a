#!/usr/bin/env node
// cloudconform live-audit benchmark: `npm run bench:audit` (builds, then runs this through tsx so
// it can reuse the test harness in test/aws/: the pinned moto venv, moto server, fault proxy, seeding).
//
//   node --import tsx bench/audit-bench.mjs [--latency 50] [--regions 17] [--per-region 200]
//        [--concurrency 64,32,96] [--accounts 50] [--account-regions 2] [--account-notebooks 10]
//        [--skip-single] [--skip-accounts] [--skip-prowler] [--prowler-timeout 1800]
//
// 1. moto (pinned, .venv/) behind our fault proxy. Seeding goes straight to moto (no latency).
// 2. Single account: 17 regions × 200 notebooks (+ 2 Studio domains per region). The CLI audit
//    (`node bin/cloudconform.js audit --format json`) runs first with no added latency (the floor
//    this machine sets: moto, one Python process, and the SDK's CPU cost), then with 50 ms added
//    to every request at each concurrency of --concurrency (the first is the CLI's default). Each
//    run is checked: every seeded resource with its expected verdict, no error.
//    Critical-path limit = latency × (sequential calls + ⌈describes ÷ C⌉), where the sequential
//    calls are the set-up (GetCallerIdentity, with DescribeRegions alongside) plus the notebook list pages
//    of one region (2 for 200 notebooks), and C = min(--concurrency, regions × --region-concurrency).
//    Target: wall time ≤ 1.5 × that limit.
// 3. Many accounts: 50 AWS Organizations member accounts (moto), each with notebooks in 2
//    regions, audited with --accounts … --role-name (one AssumeRole per account), same checks.
// 4. Prowler (pinned, .bench/prowler-venv, installed on first run; skipped with the reason if that
//    fails): its `sagemaker_notebook_instance_without_direct_internet_access_configured` check and
//    our audit on the same moto, 3 regions / 142 notebooks: with nothing added (the setting of the
//    team's reference figure, 29 s), with 50 ms per call, and with 50 ms and the proxy replaying
//    moto's recorded answers to both (each tool's own cost); the ratio of wall times (target: ours
//    ≥ 30× faster). boto3 honours AWS_ENDPOINT_URL.
// 5. Prints a summary table and writes every figure to .bench/audit-results.json.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, ensureVenv } from '../test/aws/venv.ts';
import { startMoto } from '../test/aws/moto-server.ts';
import { startFaultProxy, MOTO_DEFAULT_ACCOUNT } from '../test/aws/fault-proxy.ts';
import { seed, seedOrganization, mixedNotebooks, mergeSeeded, pool } from '../test/aws/seed.ts';
import { awsTestEnv, checkInvariants } from '../test/aws/audit-helpers.ts';
// The CLI's defaults; each run's limit is computed from the concurrency it used.
import { DEFAULT_CONCURRENCY, DEFAULT_REGION_CONCURRENCY } from '../src/engine/audit-limits.ts';

// The SDK's notice that its future releases need Node 22 is not news for a benchmark run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const BENCH_DIR = join(PROJECT_ROOT, '.bench');
const RESULTS = join(BENCH_DIR, 'audit-results.json');
const CLI = join(PROJECT_ROOT, 'bin', 'cloudconform.js');
const PROWLER_VERSION = '5.46.0';
const PROWLER_VENV = join(BENCH_DIR, 'prowler-venv');
const PROWLER_CHECK = 'sagemaker_notebook_instance_without_direct_internet_access_configured';
const TARGETS = { limitRatio: 1.5, prowlerSpeedup: 30 };

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
};
const flag = (name) => argv.includes(name);
const LATENCY_MS = Number(opt('--latency', 50));
const REGION_COUNT = Number(opt('--regions', 17));
const PER_REGION = Number(opt('--per-region', 200));
const CONCURRENCIES = String(opt('--concurrency', `${DEFAULT_CONCURRENCY},32,96`))
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const REGION_CONCURRENCY = Number(opt('--region-concurrency', DEFAULT_REGION_CONCURRENCY));
const ACCOUNTS = Number(opt('--accounts', 50));
const ACCOUNT_REGIONS = Number(opt('--account-regions', 2));
const ACCOUNT_NOTEBOOKS = Number(opt('--account-notebooks', 10));
const PROWLER_TIMEOUT_S = Number(opt('--prowler-timeout', 1800));

// Regions moto treats as enabled (opt-in not required) where notebook instances are offered.
const ALL_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
  'eu-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2',
  'ca-central-1', 'sa-east-1', 'af-south-1', 'ap-southeast-3',
];
if (REGION_COUNT > ALL_REGIONS.length) throw new Error(`--regions: at most ${ALL_REGIONS.length}`);
const REGIONS = ALL_REGIONS.slice(0, REGION_COUNT);
// The comparison setup: 3 regions, 142 notebooks, two list pages in the first.
const PROWLER_PLAN = [
  { region: 'us-east-1', count: 102 },
  { region: 'eu-west-1', count: 25 },
  { region: 'ap-southeast-2', count: 15 },
];

const log = (...a) => console.error('[bench:audit]', ...a);
const secs = (ms) => (ms / 1000).toFixed(2);

// ---------------------------------------------------------------------------------------------
// Running the CLI
// ---------------------------------------------------------------------------------------------

function cliEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return { ...env, ...awsTestEnv(), NO_COLOR: '1', ...extra };
}

/** Runs the built CLI; resolves with exit code, wall time and the parsed JSON report. */
function runAuditCli(args, timeoutMs = 15 * 60_000) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'audit', '--format', 'json', '--no-history', ...args], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      let report;
      try {
        report = JSON.parse(Buffer.concat(out).toString('utf8'));
      } catch {
        reject(new Error(`audit (exit ${code}) printed no JSON report: ${err.slice(0, 2000)}`));
        return;
      }
      resolve({ code, ms, report, stderr: err });
    });
  });
}

function callCounts(proxyLog) {
  const counts = {};
  for (const c of proxyLog) counts[c.iamAction] = (counts[c.iamAction] ?? 0) + 1;
  return counts;
}

/** Checks the report against what was seeded; returns a short verdict for the table. */
function verify(report, seeded) {
  const { problems, covered } = checkInvariants(report, seeded);
  const errors = report.errors.length;
  const ok = problems.length === 0 && errors === 0 && covered === seeded.notebooks.length + seeded.domains.length;
  return { ok, covered, errors, problems: problems.slice(0, 5) };
}

// ---------------------------------------------------------------------------------------------
// Prowler
// ---------------------------------------------------------------------------------------------

function ensureProwler() {
  const bin = join(PROWLER_VENV, 'bin', 'prowler');
  const marker = join(PROWLER_VENV, '.installed-version');
  if (existsSync(bin) && existsSync(marker) && readFileSync(marker, 'utf8').trim() === PROWLER_VERSION) return { ok: true, bin };
  log(`installing prowler==${PROWLER_VERSION} into .bench/prowler-venv (a few minutes; log in .bench/prowler-install.log) ...`);
  mkdirSync(BENCH_DIR, { recursive: true });
  if (!existsSync(join(PROWLER_VENV, 'bin', 'python'))) {
    const r = spawnSync('python3', ['-m', 'venv', PROWLER_VENV], { encoding: 'utf8' });
    if (r.status !== 0) return { ok: false, reason: `python3 -m venv failed (exit ${r.status}): ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-2).join(' | ')}` };
  }
  const logFile = join(BENCH_DIR, 'prowler-install.log');
  const fd = openSync(logFile, 'w');
  const r = spawnSync(join(PROWLER_VENV, 'bin', 'pip'), ['install', '--disable-pip-version-check', `prowler==${PROWLER_VERSION}`], {
    stdio: ['ignore', fd, fd],
    timeout: 30 * 60 * 1000,
  });
  closeSync(fd);
  if (r.status !== 0 || !existsSync(bin)) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-2).join(' | ');
    return { ok: false, reason: `pip install prowler==${PROWLER_VERSION} failed (exit ${r.status ?? r.signal}): ${tail}` };
  }
  writeFileSync(marker, `${PROWLER_VERSION}\n`);
  return { ok: true, bin };
}

/** Runs Prowler's notebook check against the endpoint; wall time and its PASS/FAIL counts from the OCSF output. */
function runProwler(bin, endpoint, regions) {
  const outDir = join(BENCH_DIR, 'prowler-out');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const env = {
    PATH: process.env.PATH,
    HOME: join(BENCH_DIR, 'prowler-home'),
    ...awsTestEnv({ AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: endpoint }),
  };
  const args = ['aws', '--checks', PROWLER_CHECK, '-f', ...regions, '--output-formats', 'json-ocsf', '-o', outDir, '--no-banner', '--no-color', '--ignore-exit-code-3'];
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), PROWLER_TIMEOUT_S * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const results = { pass: 0, fail: 0, other: 0 };
      for (const name of readdirSync(outDir).filter((n) => n.endsWith('.ocsf.json'))) {
        for (const finding of JSON.parse(readFileSync(join(outDir, name), 'utf8'))) {
          const status = String(finding.status_code ?? '').toUpperCase();
          if (status === 'PASS') results.pass++;
          else if (status === 'FAIL') results.fail++;
          else results.other++;
        }
      }
      resolve({ code: code ?? signal, ms, results, tail: output.trim().split('\n').slice(-5).join('\n') });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

const results = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGB: Math.round(totalmem() / 2 ** 30), node: process.version },
  latencyMs: LATENCY_MS,
  defaults: { concurrency: DEFAULT_CONCURRENCY, regionConcurrency: DEFAULT_REGION_CONCURRENCY },
  targets: TARGETS,
  runs: [],
};

if (!existsSync(join(PROJECT_ROOT, 'dist', 'cli.js'))) throw new Error('dist/ is missing: run `node scripts/build.mjs` (npm run bench:audit does)');
await ensureVenv();
const moto = await startMoto();
const proxy = await startFaultProxy({ target: moto.endpoint });
const rows = [];

/**
 * One timed CLI audit through the proxy. `mode`: `record` (moto answers, and the proxy keeps
 * them), `off` (moto answers), `replay` (the proxy answers from the record).
 */
async function timed({ label, args, seeded, latency, mode, limit, repeat = 1 }) {
  proxy.setLatency(latency);
  const walls = [];
  let run;
  let check;
  let calls;
  // Each run is checked; the median is reported (short runs on a shared 2-core host are noisy).
  for (let i = 0; i < repeat; i++) {
    proxy.setReplay(mode);
    proxy.clearLog();
    const attempt = await runAuditCli(args);
    proxy.setReplay('off');
    const attemptCheck = verify(attempt.report, seeded);
    walls.push(attempt.ms);
    if (!check || !attemptCheck.ok) check = attemptCheck;
    calls = proxy.log.length;
    run = attempt;
  }
  run = { ...run, ms: [...walls].sort((a, b) => a - b)[Math.floor(walls.length / 2)] };
  const entry = {
    label,
    answers: mode === 'replay' ? 'replay' : 'moto',
    latencyMs: latency,
    ms: Math.round(run.ms),
    ...(repeat > 1 ? { runsMs: walls.map(Math.round) } : {}),
    ...(limit ? { limitMs: limit.ms, limitFormula: limit.formula, ratio: run.ms / limit.ms } : {}),
    calls,
    replayed: proxy.replayed(),
    callsByAction: callCounts(proxy.log),
    check,
  };
  results.runs.push(entry);
  const median = repeat > 1 ? `median of ${repeat}; ` : '';
  rows.push({ run: label, answers: entry.answers, wall: run.ms, limit: limit?.ms, ok: check.ok, note: limit ? `${median}${limit.formula}` : `${median}${calls} calls` });
  log(`${label} [${entry.answers}, +${latency} ms]: ${secs(run.ms)} s${limit ? `, limit ${secs(limit.ms)} s, ${(run.ms / limit.ms).toFixed(2)}×` : ''}, check ${check.ok ? 'ok' : JSON.stringify(check)}`);
  return entry;
}

/** latency × (sequential calls + ⌈parallel calls ÷ C⌉) */
function criticalPath(sequential, parallel, effective) {
  return { ms: LATENCY_MS * (sequential + Math.ceil(parallel / effective)), formula: `${LATENCY_MS} ms × (${sequential} + ⌈${parallel}/${effective}⌉)` };
}

try {
  // The process start-up every wall time below includes (median of 5).
  const starts = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    spawnSync(process.execPath, [CLI, '--version'], { stdio: 'ignore' });
    starts.push(performance.now() - started);
  }
  results.startupMs = Math.round(starts.sort((a, b) => a - b)[2]);
  rows.push({ run: 'CLI start-up (cloudconform --version, median of 5)', wall: results.startupMs, ok: true, note: 'included in every wall time' });

  // --- 2. One account, 17 regions × 200 notebooks -------------------------------------------
  if (!flag('--skip-single')) {
    log(`seeding ${REGIONS.length} regions × ${PER_REGION} notebooks (+2 domains each) straight into moto ...`);
    const t = performance.now();
    const single = await seed(
      moto.endpoint,
      REGIONS.map((region, i) => ({
        region,
        notebooks: mixedNotebooks(`r${String(i).padStart(2, '0')}`, PER_REGION),
        domains: [
          { name: `r${i}-vpc`, access: 'VpcOnly' },
          { name: `r${i}-public`, access: 'PublicInternetOnly' },
        ],
      })),
      { concurrency: 4 },
    );
    results.seedSingleMs = Math.round(performance.now() - t);
    log(`seeded ${single.notebooks.length} notebooks, ${single.domains.length} domains in ${secs(results.seedSingleMs)} s`);

    const singleArgs = ['--regions', REGIONS.join(','), '--endpoint-url', proxy.endpoint, '--region-concurrency', String(REGION_CONCURRENCY)];
    const describes = single.notebooks.length + single.domains.length;
    // GetCallerIdentity (DescribeRegions goes out alongside it), then one region's notebook list pages.
    const singleSequential = 1 + Math.ceil(PER_REGION / 100);
    const singleLimit = (concurrency) => criticalPath(singleSequential, describes, Math.min(concurrency, REGIONS.length * REGION_CONCURRENCY));
    const what = `1 account, ${REGIONS.length} regions, ${describes} resources`;
    await timed({ label: `${what}, no added latency`, args: singleArgs, seeded: single, latency: 0, mode: 'record' });
    await timed({ label: `${what}, --concurrency ${DEFAULT_CONCURRENCY} (default)`, args: singleArgs, seeded: single, latency: LATENCY_MS, mode: 'off', limit: singleLimit(DEFAULT_CONCURRENCY) });
    for (const concurrency of CONCURRENCIES) {
      const label = `${what}, --concurrency ${concurrency}${concurrency === DEFAULT_CONCURRENCY ? ' (default)' : ''}`;
      await timed({ label, args: [...singleArgs, '--concurrency', String(concurrency)], seeded: single, latency: LATENCY_MS, mode: 'replay', limit: singleLimit(concurrency) });
    }

  }
  // --- 3. Many accounts ----------------------------------------------------------------------
  if (!flag('--skip-accounts')) {
    proxy.setLatency(0);
    log(`creating ${ACCOUNTS} organization accounts, ${ACCOUNT_REGIONS} regions × ${ACCOUNT_NOTEBOOKS} notebooks (+1 domain per region) each ...`);
    const t = performance.now();
    const accountIds = await seedOrganization(moto.endpoint, ACCOUNTS);
    const accountRegions = REGIONS.slice(0, ACCOUNT_REGIONS);
    const parts = await pool(accountIds, 6, (account, i) =>
      seed(
        moto.endpoint,
        accountRegions.map((region) => ({ region, notebooks: mixedNotebooks(`a${i}-${region}`, ACCOUNT_NOTEBOOKS), domains: [{ name: `a${i}-${region}-d`, access: 'VpcOnly' }] })),
        { account, concurrency: 4 },
      ),
    );
    const many = mergeSeeded(...parts);
    results.seedAccountsMs = Math.round(performance.now() - t);
    const accountArgs = ['--accounts', accountIds.join(','), '--role-name', 'CloudConformAudit', '--regions', accountRegions.join(','), '--endpoint-url', proxy.endpoint];
    const resources = many.notebooks.length + many.domains.length;
    const effective = Math.min(DEFAULT_CONCURRENCY, ACCOUNTS * ACCOUNT_REGIONS * DEFAULT_REGION_CONCURRENCY);
    // GetCallerIdentity; AssumeRole and DescribeRegions for every account, C at a time; one list page.
    const limit = criticalPath(1 + 2 * Math.ceil(ACCOUNTS / effective) + Math.ceil(ACCOUNT_NOTEBOOKS / 100), resources, effective);
    const label = `${ACCOUNTS} accounts (AssumeRole each), ${ACCOUNT_REGIONS} regions, ${resources} resources`;
    await timed({ label: `${label}, no added latency`, args: accountArgs, seeded: many, latency: 0, mode: 'record' });
    await timed({ label, args: accountArgs, seeded: many, latency: LATENCY_MS, mode: 'off', limit });
    await timed({ label, args: accountArgs, seeded: many, latency: LATENCY_MS, mode: 'replay', limit });
  }

  // --- 4. Prowler on 3 regions / 142 notebooks ----------------------------------------------
  if (!flag('--skip-prowler')) {
    await moto.reset();
    proxy.setLatency(0);
    const small = await seed(moto.endpoint, PROWLER_PLAN.map(({ region, count }) => ({ region, notebooks: mixedNotebooks(`p-${region}`, count) })), { concurrency: 4 });
    const smallSeeded = { notebooks: small.notebooks, domains: [] };
    const regions = PROWLER_PLAN.map((p) => p.region);
    const oursArgs = ['--regions', regions.join(','), '--endpoint-url', proxy.endpoint, '--rules', 'SageMaker-004'];
    const what = `3 regions, ${small.notebooks.length} notebooks (SageMaker-004)`;
    const expectedFail = small.notebooks.filter((n) => n.expected === 'fail').length;
    results.prowler = { notebooks: small.notebooks.length, regions, comparisons: [] };
    const installed = ensureProwler();
    if (!installed.ok) {
      results.prowler.skipped = installed.reason;
      log(`Prowler skipped: ${installed.reason}`);
    } else {
      // Both tools, same proxy, same answers, one setting at a time. The first is the setting of
      // the team's reference figure (moto, nothing added); its answers are recorded, so the last
      // setting can replay them to both tools: their own cost, without moto's CPU.
      const settings = [
        { name: 'moto, no added latency', latency: 0, mode: 'record' },
        { name: `moto, +${LATENCY_MS} ms per call`, latency: LATENCY_MS, mode: 'off' },
        { name: `replayed answers, +${LATENCY_MS} ms per call`, latency: LATENCY_MS, mode: 'replay' },
      ];
      for (const setting of settings) {
        const ours = await timed({ label: `ours: ${what}, ${setting.name}`, args: oursArgs, seeded: smallSeeded, latency: setting.latency, mode: setting.mode, repeat: 5 });
        proxy.setLatency(setting.latency);
        proxy.setReplay(setting.mode);
        proxy.clearLog();
        log(`Prowler ${PROWLER_VERSION}, ${setting.name} ...`);
        const prowler = await runProwler(installed.bin, proxy.endpoint, regions);
        proxy.setReplay('off');
        const calls = proxy.log.length;
        const agree = prowler.results.fail === expectedFail && prowler.results.pass === small.notebooks.length - expectedFail;
        const speedup = prowler.ms / ours.ms;
        results.prowler.comparisons.push({ setting: setting.name, oursMs: ours.ms, prowlerMs: Math.round(prowler.ms), speedup, prowlerExit: prowler.code, prowlerCalls: calls, prowlerReplayed: proxy.replayed(), prowlerResults: prowler.results, expectedFail, agree });
        rows.push({
          run: `Prowler ${PROWLER_VERSION}: same check, ${setting.name}`,
          answers: setting.mode === 'replay' ? 'replay' : 'moto',
          wall: prowler.ms,
          note: `${calls} calls; PASS ${prowler.results.pass} / FAIL ${prowler.results.fail} (expected FAIL ${expectedFail}); ${speedup.toFixed(1)}× ours`,
          ok: agree,
        });
        log(`Prowler: ${secs(prowler.ms)} s (exit ${prowler.code}); ours ${secs(ours.ms)} s: ${speedup.toFixed(1)}× faster`);
        if (prowler.results.pass + prowler.results.fail === 0) log(`Prowler reported nothing; its output ended with:\n${prowler.tail}`);
      }
      proxy.setLatency(0);
      proxy.clearLog();
      const empty = await runProwler(installed.bin, proxy.endpoint, ['ca-central-1']);
      results.prowler.emptyRegionMs = Math.round(empty.ms);
      rows.push({ run: 'Prowler: one region with no notebook (its fixed cost)', answers: 'moto', wall: empty.ms, note: `${proxy.log.length} calls`, ok: empty.code === 0 });
    }
  }
} finally {
  await proxy.stop();
  await moto.stop();
}

// --- 5. Summary -----------------------------------------------------------------------------
mkdirSync(BENCH_DIR, { recursive: true });
writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');

const table = [['run', 'answers', 'wall s', 'limit s', 'ratio', 'check', 'notes']];
const NUMERIC = new Set([2, 3, 4]);
for (const r of rows) {
  table.push([r.run, r.answers ?? '', secs(r.wall), r.limit ? secs(r.limit) : '', r.limit ? `${(r.wall / r.limit).toFixed(2)}×` : '', r.ok ? 'ok' : 'FAILED', r.note ?? '']);
}
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
console.log(`\ncloudconform audit benchmark: moto ${'5.2.5'} behind the fault proxy, ${LATENCY_MS} ms added per request, ${results.machine.cpus} CPUs\n`);
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, j) => (NUMERIC.has(j) ? cell.padStart(widths[j]) : cell.padEnd(widths[j]))).join('  ').trimEnd());
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
const defaults = results.runs.filter((r) => r.limitMs && r.label.includes('(default)'));
console.log(
  `\nlimit: the critical path, latency × (sequential calls + ⌈describes ÷ C⌉), C = min(--concurrency, regions × --region-concurrency).\n` +
    `answers: moto = moto answers live (one Python process sharing the ${results.machine.cpus} CPUs with the CLI and the proxy); ` +
    `replay = the proxy answers with moto's recorded answers, so the figure is the audit's own.`,
);
for (const r of defaults) console.log(`Default concurrency (${DEFAULT_CONCURRENCY}, ${DEFAULT_REGION_CONCURRENCY} per region), ${r.answers}: ${r.ratio.toFixed(2)}× the limit (target ≤ ${TARGETS.limitRatio}×)`);
for (const c of results.prowler?.comparisons ?? []) {
  console.log(`Prowler ÷ ours on 3 regions / ${results.prowler.notebooks} notebooks, ${c.setting}: ${c.speedup.toFixed(1)}× (target ≥ ${TARGETS.prowlerSpeedup}×)`);
}
if (results.prowler?.skipped) console.log(`Prowler: skipped (${results.prowler.skipped})`);
console.log(`\nAll figures: ${RESULTS}`);
const allOk = rows.every((r) => r.ok);
if (!allOk) {
  console.log('Some runs did not report every seeded resource with its expected verdict: see "check" in the results file.');
  process.exitCode = 1;
}
