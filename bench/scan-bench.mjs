#!/usr/bin/env node
// cloudconform scan benchmark: `npm run bench` (builds, then runs this with --expose-gc).
//
//   node --expose-gc bench/scan-bench.mjs [--count N] [--seed S] [--jobs N]
//        [--skip-checkov] [--skip-ours] [--checkov-sizes 50,150] [--version-runs 20] [--bomb-timeout 60]
//        [--checkov-timeout 1800] [--repeat 3] [--cli PATH]
//
// 1. Generates the corpus if needed (bench/generate-corpus.mjs, .bench/corpus-<N>/).
// 2. Ours: median wall time of `cloudconform --version` (target < 150 ms); the scan of 1,000,
//    5,000 and N files with the default --jobs (wall time, files/s (target ≥ 1,000), peak RSS
//    (target < 300 MB for 10,000, and flat across sizes)); checks the JSON report against the
//    generator's manifest (notebooks and domains found, failures expected vs. reported).
// 3. Checkov (pinned, in the venv .bench/venv, installed on first run; skipped with the reason if
//    that fails): a sample of the same corpus (.bench/checkov-sample/, 150 files by default, plus a
//    smaller one to see how its memory grows), wall time, files/s, peak RSS; ours on exactly the
//    same sample; the ratio of files/s (target ≥ 300×).
// 4. Both on a ~1 KB YAML alias bomb ("billion laughs"), each with a timeout.
// 5. Prints a summary table and writes it, with every figure, to .bench/results.json.
//
// Peak RSS: GNU time's "maximum resident set size" of the measured command (our CLI's worker
// threads are in-process, so that is the whole scan) combined with sampling /proc every 50 ms for
// the process tree (sum of VmRSS and of PSS over all descendants, which matters for Checkov's
// forked workers).

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { BENCH_DIR, DEFAULT_SEED, REPO_ROOT, SHARD_SIZE, ensureCorpus, summarize } from './generate-corpus.mjs';

const CHECKOV_VERSION = '3.3.30';
const OUT_DIR = join(BENCH_DIR, 'out');
const NOTEBOOK = 'AWS::SageMaker::NotebookInstance';
const DOMAIN = 'AWS::SageMaker::Domain';
const TARGETS = { versionMs: 150, filesPerSec: 1000, rssMB10k: 300, checkovRatio: 300 };

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
};
const flag = (name) => argv.includes(name);
const COUNT = Number(opt('--count', 10000));
const SEED = Number(opt('--seed', DEFAULT_SEED));
const JOBS = opt('--jobs');
const VERSION_RUNS = Number(opt('--version-runs', 20));
const BOMB_TIMEOUT_S = Number(opt('--bomb-timeout', 60));
const CHECKOV_SIZES = String(opt('--checkov-sizes', '50,150'))
  .split(',')
  .map(Number)
  .filter((n) => n > 0)
  .sort((a, b) => a - b);
const CHECKOV_TIMEOUT_S = Number(opt('--checkov-timeout', 1800));
// Each scan size runs this many times; the fastest counts (the machine is shared), peak RSS is the
// largest over the runs, and the first run's report is checked against the manifest.
const REPEAT = Math.max(1, Number(opt('--repeat', 3)));
// Another build of the CLI can be measured with --cli PATH (default: this checkout's bin/cloudconform.js).
const CLI = resolve(opt('--cli', join(REPO_ROOT, 'bin', 'cloudconform.js')));

const log = (...a) => console.log(...a);
const gc = () => globalThis.gc?.();

// ---------------------------------------------------------------------------------------------
// Measuring a command: wall time, exit status, peak RSS of its process tree
// ---------------------------------------------------------------------------------------------

const HAVE_GNU_TIME = (() => {
  if (!existsSync('/usr/bin/time')) return false;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', '/dev/null', 'true']);
  return r.status === 0;
})();

function readProcStatus(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => {
      const m = s.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm'));
      return m ? Number(m[1]) : 0;
    };
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}
function readPss(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
/** pid -> parent pid for every process, from /proc/<pid>/stat. */
function processTree(root) {
  const children = new Map();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(e));
    } catch {
      /* gone */
    }
  }
  const out = [];
  const queue = [root];
  while (queue.length) {
    const p = queue.shift();
    out.push(p);
    for (const c of children.get(p) ?? []) queue.push(c);
  }
  return out;
}

class TreeSampler {
  constructor(root, intervalMs = 50) {
    this.root = root;
    this.peakTreeRssKB = 0;
    this.peakTreePssKB = 0;
    this.maxHwmKB = 0;
    this.maxProcs = 0;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
  }
  sample() {
    const pids = processTree(this.root);
    let rss = 0;
    let pss = 0;
    let n = 0;
    for (const pid of pids) {
      const st = readProcStatus(pid);
      if (!st || st.rss === 0) continue; // zombie or kernel thread
      n++;
      rss += st.rss;
      pss += readPss(pid);
      this.maxHwmKB = Math.max(this.maxHwmKB, st.hwm);
    }
    this.peakTreeRssKB = Math.max(this.peakTreeRssKB, rss);
    this.peakTreePssKB = Math.max(this.peakTreePssKB, pss);
    this.maxProcs = Math.max(this.maxProcs, n);
  }
  stop() {
    clearInterval(this.timer);
  }
}

let runSeq = 0;
/**
 * Runs cmd with args, stdout to stdoutFile (or discarded), stderr to a file; kills the whole
 * process group after timeoutS. Returns wall time, exit code, peak RSS figures.
 */
async function runMeasured(cmd, args, { cwd = REPO_ROOT, env = process.env, timeoutS = 1800, stdoutFile = null, label = 'run' } = {}) {
  mkdirSync(OUT_DIR, { recursive: true });
  const id = `${label}-${++runSeq}`;
  const timeFile = join(OUT_DIR, `${id}.time`);
  const errFile = join(OUT_DIR, `${id}.stderr`);
  const outFd = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const errFd = openSync(errFile, 'w');
  const [file, fileArgs] = HAVE_GNU_TIME ? ['/usr/bin/time', ['-f', '%M %e %x', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const child = spawn(file, fileArgs, { cwd, env, stdio: ['ignore', outFd, errFd], detached: true });
  const sampler = new TreeSampler(child.pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, timeoutS * 1000);
  const [code, signal] = await new Promise((res) => child.on('exit', (c, s) => res([c, s])));
  const wallMs = performance.now() - t0;
  clearTimeout(timer);
  sampler.stop();
  if (typeof outFd === 'number') closeSync(outFd);
  closeSync(errFd);
  let timeRssKB = 0;
  let exitCode = code;
  let termSignal = signal;
  if (HAVE_GNU_TIME && existsSync(timeFile)) {
    const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
    const last = lines[lines.length - 1].trim().split(/\s+/);
    timeRssKB = Number(last[0]) || 0;
    const sig = lines.find((l) => l.startsWith('Command terminated by signal'));
    if (sig) termSignal = `signal ${sig.split(' ').pop()}`;
    else if (last.length >= 3 && !Number.isNaN(Number(last[2]))) exitCode = Number(last[2]);
  }
  const stderrTail = readFileSync(errFile, 'utf8').trim().split('\n').slice(-5).join('\n');
  return {
    wallMs,
    exitCode: timedOut ? null : exitCode,
    signal: termSignal ?? null,
    timedOut,
    peakRssMB: Math.max(timeRssKB, sampler.maxHwmKB, sampler.peakTreeRssKB) / 1024,
    timeMaxRssMB: timeRssKB / 1024,
    peakTreeRssMB: sampler.peakTreeRssKB / 1024,
    peakTreePssMB: sampler.peakTreePssKB / 1024,
    maxProcs: sampler.maxProcs,
    stderrTail,
  };
}

// ---------------------------------------------------------------------------------------------
// Our CLI
// ---------------------------------------------------------------------------------------------

function cliReady() {
  if (CLI === join(REPO_ROOT, 'bin', 'cloudconform.js') && !existsSync(join(REPO_ROOT, 'dist', 'cli.js')))
    return { ok: false, reason: 'dist/cli.js missing (npm run build failed or not run)' };
  const r = spawnSync(process.execPath, [CLI, '--version'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) return { ok: false, reason: `'cloudconform --version' exited ${r.status}: ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}` };
  return { ok: true, version: r.stdout.trim() };
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function percentile(xs, p) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function benchVersion(runs) {
  spawnSync(process.execPath, [CLI, '--version'], { cwd: REPO_ROOT }); // warm the page cache
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, '--version'], { cwd: REPO_ROOT, stdio: 'ignore' });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`--version exited ${r.status}`);
  }
  return { runs, medianMs: median(times), minMs: Math.min(...times), p90Ms: percentile(times, 90), maxMs: Math.max(...times) };
}

function scanArgs(paths, outFile) {
  // --no-history: the scan itself, as Checkov's is measured (and the user's history stays clean);
  // recording has its own bench, npm run bench:history.
  const a = ['scan', ...paths, '--format', 'json', '--output', `json=${outFile}`, '--no-history'];
  if (JOBS) a.push('--jobs', String(JOBS));
  return a;
}

async function runOurs(label, paths, { timeoutS = 1800, parse = true } = {}) {
  const outFile = join(OUT_DIR, `ours-${label}.json`);
  rmSync(outFile, { force: true });
  const m = await runMeasured(process.execPath, [CLI, ...scanArgs(paths, outFile)], { label: `ours-${label}`, timeoutS });
  let report = null;
  let reportError = null;
  if (existsSync(outFile)) {
    if (!parse) return { ...m, outFile, report: null, reportError: null };
    try {
      report = JSON.parse(readFileSync(outFile, 'utf8'));
    } catch (e) {
      reportError = `report is not JSON: ${e.message}`;
    }
  } else reportError = m.timedOut ? `timed out after ${timeoutS} s` : `no report written (exit ${m.exitCode}${m.signal ? ', ' + m.signal : ''}): ${m.stderrTail}`;
  return { ...m, outFile, report, reportError };
}

/** The rules deciding each expectation, found in the report's rule list. */
function findRules(report) {
  const rules = report.rules ?? [];
  const aliasOf = (r, id) => (r.aliases ?? []).some((a) => a.id === id);
  const nb =
    rules.find((r) => r.resourceTypes?.includes(NOTEBOOK) && aliasOf(r, 'CKV_AWS_122')) ??
    rules.find((r) => r.resourceTypes?.includes(NOTEBOOK) && /internet/i.test(`${r.title} ${r.id}`));
  const dom =
    rules.find((r) => r.resourceTypes?.includes(DOMAIN) && /internet|network|vpc/i.test(`${r.title} ${r.id}`)) ??
    rules.find((r) => r.resourceTypes?.includes(DOMAIN));
  return { notebookRule: nb?.id ?? null, domainRule: dom?.id ?? null };
}

/**
 * Compares a report with the manifest entries of the files scanned: resources found per file, and
 * the verdict of the deciding rule.
 */
function verify(report, files, corpusDir, cwd = REPO_ROOT) {
  const { notebookRule, domainRule } = findRules(report);
  const expected = new Map(files.map((f) => [resolve(corpusDir, f.path), f]));
  const found = new Map(); // abs file -> Map(type|id -> {fail, verdicts})
  const keyFile = (file) => {
    const abs = resolve(cwd, file);
    if (expected.has(abs)) return abs;
    const tf = join(abs, 'main.tf');
    return expected.has(tf) ? tf : abs;
  };
  for (const f of report.findings ?? []) {
    const type = f.resource?.type;
    if (type !== NOTEBOOK && type !== DOMAIN) continue;
    const file = keyFile(f.location?.file ?? f.resource?.source ?? '');
    if (!found.has(file)) found.set(file, new Map());
    const byId = found.get(file);
    const k = `${type}|${f.resource.id}`;
    if (!byId.has(k)) byId.set(k, { type, id: f.resource.id, verdict: null });
    const decidingRule = type === NOTEBOOK ? notebookRule : domainRule;
    if (f.ruleId === decidingRule) byId.get(k).verdict = f.suppressed ? 'suppressed' : f.result;
  }
  const res = {
    notebookRule,
    domainRule,
    notebooks: { expected: 0, found: 0, expectedFail: 0, reportedFail: 0, reportedUnknown: 0, wrongVerdict: 0, missing: 0 },
    domains: { expected: 0, found: 0, expectedFail: 0, reportedFail: 0, reportedUnknown: 0, wrongVerdict: 0, missing: 0 },
    extraResources: 0,
    examples: [],
  };
  for (const [, byId] of found) {
    for (const r of byId.values()) {
      const bucket = r.type === NOTEBOOK ? res.notebooks : res.domains;
      bucket.found++;
      if (r.verdict === 'fail') bucket.reportedFail++;
      if (r.verdict === 'unknown') bucket.reportedUnknown++;
    }
  }
  const matchId = (got, want) => got === want || got.endsWith(`.${want}`) || got.endsWith(`/${want}`) || got.endsWith(want);
  for (const [abs, f] of expected) {
    const byId = found.get(abs) ?? new Map();
    const used = new Set();
    for (const [type, list, bucket] of [[NOTEBOOK, f.notebooks, res.notebooks], [DOMAIN, f.domains, res.domains]]) {
      for (const e of list) {
        bucket.expected++;
        if (e.expected === 'fail') bucket.expectedFail++;
        const hit = [...byId.entries()].find(([k, r]) => !used.has(k) && r.type === type && matchId(r.id, e.id));
        if (!hit) {
          bucket.missing++;
          if (res.examples.length < 8) res.examples.push(`missing ${type} ${e.id} in ${relative(REPO_ROOT, abs)}`);
          continue;
        }
        used.add(hit[0]);
        if (hit[1].verdict !== e.expected) {
          bucket.wrongVerdict++;
          if (res.examples.length < 8) res.examples.push(`${type} ${e.id} in ${relative(REPO_ROOT, abs)}: expected ${e.expected}, reported ${hit[1].verdict}`);
        }
      }
    }
    res.extraResources += byId.size - used.size;
  }
  for (const [abs] of found) if (!expected.has(abs)) res.extraResources += found.get(abs).size;
  return res;
}

function describeOurs(run, files, corpusDir) {
  const n = files.length;
  const out = {
    files: n,
    bytes: files.reduce((s, f) => s + f.bytes, 0),
    wallMs: run.wallMs,
    filesPerSec: n / (run.wallMs / 1000),
    peakRssMB: run.peakRssMB,
    timeMaxRssMB: run.timeMaxRssMB,
    peakTreePssMB: run.peakTreePssMB,
    exitCode: run.exitCode,
    signal: run.signal,
    timedOut: run.timedOut,
    reportError: run.reportError,
  };
  if (run.report) {
    const s = run.report.summary ?? {};
    out.summary = s;
    out.errors = (run.report.errors ?? []).length;
    out.firstErrors = (run.report.errors ?? []).slice(0, 3).map((e) => `${relative(REPO_ROOT, resolve(REPO_ROOT, e.file ?? ''))}: ${e.message}`);
    out.verify = verify(run.report, files, corpusDir);
  }
  return out;
}

function printOurs(label, r) {
  const mb = (x) => `${x.toFixed(0)} MB`;
  log(`  ${label}: ${r.files} files (${(r.bytes / 1e6).toFixed(0)} MB) in ${(r.wallMs / 1000).toFixed(2)} s = ${r.filesPerSec.toFixed(0)} files/s, peak RSS ${mb(r.peakRssMB)}, exit ${r.exitCode}${r.signal ? ` (${r.signal})` : ''}`);
  if (r.reportError) log(`    report: ${r.reportError}`);
  if (r.summary) log(`    summary: ${JSON.stringify(r.summary)}`);
  if (r.errors) log(`    ${r.errors} scan errors, e.g.\n      ${r.firstErrors.join('\n      ')}`);
  const v = r.verify;
  if (v) {
    log(`    rules: notebook=${v.notebookRule ?? '(not found)'} domain=${v.domainRule ?? '(not found)'}`);
    log(`    expected ${v.notebooks.expected} notebooks, found ${v.notebooks.found}; expected ${v.notebooks.expectedFail} failing, reported ${v.notebooks.reportedFail} (unknown ${v.notebooks.reportedUnknown}, missing ${v.notebooks.missing}, wrong verdict ${v.notebooks.wrongVerdict})`);
    log(`    expected ${v.domains.expected} domains, found ${v.domains.found}; expected ${v.domains.expectedFail} failing, reported ${v.domains.reportedFail} (unknown ${v.domains.reportedUnknown}, missing ${v.domains.missing}, wrong verdict ${v.domains.wrongVerdict})`);
    if (v.extraResources) log(`    ${v.extraResources} notebook/domain resources reported that the generator did not write`);
    for (const e of v.examples) log(`      e.g. ${e}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Checkov
// ---------------------------------------------------------------------------------------------

function ensureCheckov() {
  const venv = join(BENCH_DIR, 'venv');
  const bin = join(venv, 'bin', 'checkov');
  const version = () => {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 120000, env: checkovEnv() });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  if (existsSync(bin) && version() === CHECKOV_VERSION) return { ok: true, bin, version: CHECKOV_VERSION, installed: false };
  log(`installing checkov==${CHECKOV_VERSION} into ${relative(REPO_ROOT, venv)} (a few minutes; log in .bench/checkov-install.log) ...`);
  if (!existsSync(join(venv, 'bin', 'python'))) {
    const r = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8' });
    if (r.status !== 0) return { ok: false, reason: `python3 -m venv failed (exit ${r.status}): ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-2).join(' | ')}` };
  }
  const logFile = join(BENCH_DIR, 'checkov-install.log');
  const fd = openSync(logFile, 'w');
  const r = spawnSync(join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', `checkov==${CHECKOV_VERSION}`], { stdio: ['ignore', fd, fd], timeout: 30 * 60 * 1000 });
  closeSync(fd);
  if (r.status !== 0) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').filter((l) => !l.startsWith('WARNING: Location')).slice(-3).join(' | ');
    return { ok: false, reason: `pip install checkov==${CHECKOV_VERSION} failed (exit ${r.status ?? r.signal}): ${tail}` };
  }
  const v = version();
  if (!v) return { ok: false, reason: 'checkov installed but `checkov --version` fails' };
  return { ok: true, bin, version: v, installed: true };
}

function checkovEnv() {
  // No update check and no platform download: this machine is offline, and they only add latency.
  return { ...process.env, CKV_SKIP_PACKAGE_UPDATE_CHECK: 'true', BC_SKIP_MAPPING: 'TRUE', PYTHONWARNINGS: 'ignore' };
}

/** Every stride-th file of the corpus (so the mix of kinds is kept), copied under dir. */
function makeSample(manifest, corpusDir, size, dir) {
  const stride = Math.max(1, Math.floor(manifest.files.length / size));
  const files = [];
  for (let i = 0; i < manifest.files.length && files.length < size; i += stride) files.push(manifest.files[i]);
  const stamp = JSON.stringify({ seed: manifest.seed, count: manifest.count, v: manifest.generatorVersion, size, paths: files.map((f) => f.path) });
  const stampFile = `${dir}.sample.json`;
  if (!(existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && existsSync(dir))) {
    rmSync(dir, { recursive: true, force: true });
    for (const f of files) {
      const dest = join(dir, f.path);
      mkdirSync(dirname(dest), { recursive: true });
      cpSync(join(corpusDir, f.path), dest);
    }
    writeFileSync(stampFile, stamp);
  }
  return files;
}

function parseCheckov(stdoutFile) {
  let data;
  try {
    const text = readFileSync(stdoutFile, 'utf8');
    data = JSON.parse(text.slice(Math.max(0, Math.min(...['[', '{'].map((c) => (text.indexOf(c) < 0 ? Infinity : text.indexOf(c)))))));
  } catch (e) {
    return { error: `output is not JSON: ${e.message}` };
  }
  const reports = Array.isArray(data) ? data : [data];
  const notebooks = new Set();
  const out = { notebooks: 0, ckv122Failed: 0, ckv122Passed: 0, resourceCount: 0, parsingErrors: 0, byFramework: {} };
  for (const r of reports) {
    if (!r || !r.results) continue;
    out.byFramework[r.check_type] = r.summary;
    out.resourceCount += r.summary?.resource_count ?? 0;
    out.parsingErrors += r.summary?.parsing_errors ?? 0;
    for (const [kind, list] of [['passed', r.results.passed_checks ?? []], ['failed', r.results.failed_checks ?? []]]) {
      for (const c of list) {
        if (c.check_id === 'CKV_AWS_371' || c.check_id === 'CKV_AWS_122') notebooks.add(`${c.file_abs_path ?? c.file_path}|${c.resource}`);
        if (c.check_id === 'CKV_AWS_122') kind === 'failed' ? out.ckv122Failed++ : out.ckv122Passed++;
      }
    }
  }
  out.notebooks = notebooks.size;
  return out;
}

async function runCheckov(bin, args, { label, timeoutS }) {
  const stdoutFile = join(OUT_DIR, `${label}.json`);
  const m = await runMeasured(bin, args, { label, timeoutS, env: checkovEnv(), stdoutFile });
  return { ...m, stdoutFile };
}

// ---------------------------------------------------------------------------------------------
// Alias bomb
// ---------------------------------------------------------------------------------------------

function writeBomb() {
  const dir = join(BENCH_DIR, 'bomb');
  mkdirSync(dir, { recursive: true });
  const names = 'abcdefghi'.split('');
  let s = "AWSTemplateFormatVersion: '2010-09-09'\nDescription: YAML alias bomb (billion laughs), 9^9 = 387,420,489 leaves\nMetadata:\n";
  s += `  ${names[0]}: &${names[0]} [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n`;
  for (let i = 1; i < names.length; i++) s += `  ${names[i]}: &${names[i]} [${Array(9).fill('*' + names[i - 1]).join(', ')}]\n`;
  s += `Resources:
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/sagemaker
      DirectInternetAccess: Enabled
      Tags: *${names[names.length - 1]}
`;
  const file = join(dir, 'bomb.yaml');
  writeFileSync(file, s);
  return { dir, file, bytes: Buffer.byteLength(s) };
}

function outcome(run, { okCodes = [0, 1, 2] } = {}) {
  if (run.timedOut) return `did not finish in ${BOMB_TIMEOUT_S} s (killed)`;
  if (run.signal) return `killed by ${run.signal}`;
  return okCodes.includes(run.exitCode) ? `finished, exit ${run.exitCode}` : `crashed, exit ${run.exitCode}`;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

const fmtS = (ms) => `${(ms / 1000).toFixed(2)} s`;
const fmtMB = (mb) => `${mb.toFixed(0)} MB`;
const fmtN = (n) => Math.round(n).toLocaleString('en-US');

async function main() {
  const started = new Date();
  const results = {
    date: started.toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, gnuTime: HAVE_GNU_TIME },
    targets: TARGETS,
  };
  results.machine.loadAvgStart = loadavg().map((x) => +x.toFixed(2));
  log(`cloudconform scan benchmark — ${cpus().length} cores, node ${process.version}, load average ${results.machine.loadAvgStart.join(' ')}`);
  if (loadavg()[0] > cpus().length / 2) log('  (the machine is busy: figures will be noisy; the scans are repeated and the fastest run kept)');
  log('');

  // 1. Corpus
  const { dir: corpusDir, manifest } = ensureCorpus({ count: COUNT, seed: SEED, log });
  const t = manifest.totals;
  results.corpus = { dir: relative(REPO_ROOT, corpusDir), seed: manifest.seed, ...t };
  log(`  ${t.files} files (${Object.entries(t.byKind).map(([k, v]) => `${k} ${v}`).join(', ')}), ${(t.bytes / 1e6).toFixed(0)} MB, ${t.minBytes}–${t.maxBytes} bytes each`);
  log(`  ${t.notebooks} notebooks (${t.notebookFailures} should fail), ${t.domains} domains (${t.domainFailures} should fail)\n`);
  gc();

  // 2. Ours
  const ready = flag('--skip-ours') ? { ok: false, reason: '--skip-ours given' } : cliReady();
  results.ours = {
    ready: ready.ok,
    version: ready.version ?? null,
    reason: ready.reason ?? null,
    command: `node ${relative(REPO_ROOT, CLI)} ${scanArgs(['PATH...'], 'FILE').join(' ')}`,
    scans: [],
  };
  if (ready.ok) {
    log(`cloudconform ${ready.version}`);
    results.ours.startup = benchVersion(VERSION_RUNS);
    const st = results.ours.startup;
    log(`  --version: median ${st.medianMs.toFixed(0)} ms over ${st.runs} runs (min ${st.minMs.toFixed(0)}, p90 ${st.p90Ms.toFixed(0)}, max ${st.maxMs.toFixed(0)})`);
    const sizes = [...new Set([1000, 5000, COUNT].filter((n) => n <= COUNT && (n === COUNT || n % SHARD_SIZE === 0)))];
    for (const n of sizes) {
      const shards = n === COUNT ? [corpusDir] : Array.from({ length: n / SHARD_SIZE }, (_, i) => join(corpusDir, `s${String(i).padStart(2, '0')}`));
      const files = manifest.files.slice(0, n);
      const runs = [];
      for (let i = 0; i < REPEAT; i++) {
        gc();
        // Verify the first run's report only: parsing a 10,000-file report takes a while.
        const run = await runOurs(`${n}`, shards, { parse: i === 0 });
        runs.push(describeOurs(run, files, corpusDir));
      }
      const best = runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
      const r = { ...runs[0], wallMs: best.wallMs, filesPerSec: best.filesPerSec, peakRssMB: Math.max(...runs.map((x) => x.peakRssMB)), wallMsRuns: runs.map((x) => x.wallMs), peakRssMBRuns: runs.map((x) => x.peakRssMB), exitCodes: runs.map((x) => x.exitCode) };
      results.ours.scans.push(r);
      printOurs(`scan ${fmtN(n)} (best of ${REPEAT}: ${r.wallMsRuns.map((x) => (x / 1000).toFixed(2)).join(', ')} s)`, r);
    }
    log('');
  } else {
    log(`cloudconform: not measured — ${ready.reason}\n`);
  }

  // 3. Checkov
  results.checkov = { pinned: CHECKOV_VERSION, runs: [] };
  if (flag('--skip-checkov')) {
    results.checkov.skipped = '--skip-checkov given';
  } else {
    const ck = ensureCheckov();
    if (!ck.ok) {
      results.checkov.skipped = ck.reason;
      log(`checkov: comparison skipped — ${ck.reason}\n`);
    } else {
      results.checkov.version = ck.version;
      log(`checkov ${ck.version} (${relative(REPO_ROOT, ck.bin)})`);
      for (const size of CHECKOV_SIZES) {
        const sampleDir = join(BENCH_DIR, size === Math.max(...CHECKOV_SIZES) ? 'checkov-sample' : `checkov-sample-${size}`);
        const files = makeSample(manifest, corpusDir, size, sampleDir);
        const exp = summarize(files);
        const tfEnabled = files.filter((f) => f.kind === 'terraform').reduce((s, f) => s + f.notebooks.filter((n) => n.mode === 'enabled').length, 0);
        const args = ['-d', sampleDir, '--framework', 'cloudformation,terraform', '--check', 'CKV_AWS_122,CKV_AWS_371', '-o', 'json', '--skip-download'];
        log(`  sample of ${files.length} files (${relative(REPO_ROOT, sampleDir)}): checkov ${args.join(' ')}`);
        const run = await runCheckov(ck.bin, args, { label: `checkov-${size}`, timeoutS: CHECKOV_TIMEOUT_S });
        const parsed = run.timedOut ? { error: `timed out after ${CHECKOV_TIMEOUT_S} s` } : parseCheckov(run.stdoutFile);
        const entry = {
          command: `checkov ${args.join(' ')}`,
          files: files.length,
          dir: relative(REPO_ROOT, sampleDir),
          expected: exp,
          expectedTfExplicitEnabled: tfEnabled,
          checkov: {
            wallMs: run.wallMs,
            filesPerSec: files.length / (run.wallMs / 1000),
            peakRssMB: run.peakRssMB,
            timeMaxRssMB: run.timeMaxRssMB,
            peakTreeRssMB: run.peakTreeRssMB,
            peakTreePssMB: run.peakTreePssMB,
            maxProcs: run.maxProcs,
            exitCode: run.exitCode,
            timedOut: run.timedOut,
            ...parsed,
          },
        };
        const c = entry.checkov;
        log(`    checkov: ${fmtS(c.wallMs)} = ${c.filesPerSec.toFixed(2)} files/s, peak RSS ${fmtMB(c.peakRssMB)} (tree PSS ${fmtMB(c.peakTreePssMB)}, ${c.maxProcs} processes), exit ${c.exitCode}`);
        if (c.error) log(`    checkov output: ${c.error}\n    ${run.stderrTail}`);
        else
          log(`    checkov: expected ${exp.notebooks} notebooks, found ${c.notebooks}; CKV_AWS_122 (Terraform only, missing attribute = PASSED) failing ${c.ckv122Failed}, Terraform notebooks with explicit Enabled ${tfEnabled}; parsing errors ${c.parsingErrors}`);
        if (ready.ok) {
          // Ours on exactly the same files: best of 3 (these runs are short, so noise matters).
          const runs = [];
          for (let i = 0; i < 3; i++) {
            gc();
            const o = await runOurs(`sample-${size}-${i}`, [sampleDir]);
            runs.push(describeOurs(o, files, sampleDir));
          }
          runs.sort((a, b) => a.wallMs - b.wallMs);
          const best = runs[0];
          entry.ours = { ...best, wallMsRuns: runs.map((r) => r.wallMs), peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)) };
          entry.ratioFilesPerSec = best.filesPerSec / c.filesPerSec;
          entry.ratioMemory = c.peakRssMB / entry.ours.peakRssMB;
          const v = best.verify;
          log(`    ours:    ${fmtS(best.wallMs)} = ${best.filesPerSec.toFixed(0)} files/s (best of 3: ${runs.map((r) => (r.wallMs / 1000).toFixed(2)).join(', ')} s), peak RSS ${fmtMB(entry.ours.peakRssMB)}, exit ${best.exitCode}`);
          if (v) log(`    ours:    expected ${v.notebooks.expected} notebooks, found ${v.notebooks.found}; expected ${v.notebooks.expectedFail} failing, reported ${v.notebooks.reportedFail}`);
          log(`    ratio ours/checkov: ${entry.ratioFilesPerSec.toFixed(0)}× files/s, ${entry.ratioMemory.toFixed(1)}× less peak memory`);
        }
        results.checkov.runs.push(entry);
        gc();
      }
      log('');
    }
  }

  // 4. Alias bomb
  const bomb = writeBomb();
  results.bomb = { file: relative(REPO_ROOT, bomb.file), bytes: bomb.bytes, timeoutS: BOMB_TIMEOUT_S };
  log(`alias bomb ${relative(REPO_ROOT, bomb.file)} (${bomb.bytes} bytes, 9^9 leaves), timeout ${BOMB_TIMEOUT_S} s`);
  if (ready.ok) {
    const o = await runOurs('bomb', [bomb.dir], { timeoutS: BOMB_TIMEOUT_S });
    const errs = (o.report?.errors ?? []).map((e) => e.message);
    results.bomb.ours = { wallMs: o.wallMs, peakRssMB: o.peakRssMB, exitCode: o.exitCode, timedOut: o.timedOut, outcome: outcome(o), errors: errs.slice(0, 3), findings: o.report?.findings?.length ?? null };
    log(`  ours:    ${results.bomb.ours.outcome} in ${fmtS(o.wallMs)}, peak RSS ${fmtMB(o.peakRssMB)}${errs.length ? `; error: ${errs[0]}` : ''}`);
  }
  if (results.checkov.version) {
    const ck = join(BENCH_DIR, 'venv', 'bin', 'checkov');
    const run = await runCheckov(ck, ['-f', bomb.file, '--framework', 'cloudformation', '-o', 'json', '--skip-download'], { label: 'checkov-bomb', timeoutS: BOMB_TIMEOUT_S });
    results.bomb.checkov = { wallMs: run.wallMs, peakRssMB: run.peakRssMB, exitCode: run.exitCode, timedOut: run.timedOut, outcome: outcome(run), stderrTail: run.stderrTail.slice(-400) };
    log(`  checkov: ${results.bomb.checkov.outcome} in ${fmtS(run.wallMs)}, peak RSS ${fmtMB(run.peakRssMB)}`);
  }
  log('');

  // 5. Summary
  const rows = [];
  const row = (measure, value, target, ok) => rows.push({ measure, value, target: target ?? '', ok: ok === undefined ? '' : ok ? 'yes' : 'NO' });
  if (results.ours.ready) {
    const st = results.ours.startup;
    row('cloudconform --version (median of ' + st.runs + ')', `${st.medianMs.toFixed(0)} ms`, `< ${TARGETS.versionMs} ms`, st.medianMs < TARGETS.versionMs);
    for (const s of results.ours.scans) {
      const big = s.files === COUNT;
      row(`scan ${fmtN(s.files)} files: wall (best of ${s.wallMsRuns?.length ?? 1})`, fmtS(s.wallMs));
      row(`scan ${fmtN(s.files)} files: throughput`, `${fmtN(s.filesPerSec)} files/s`, big ? `≥ ${fmtN(TARGETS.filesPerSec)} files/s` : '', big ? s.filesPerSec >= TARGETS.filesPerSec : undefined);
      row(`scan ${fmtN(s.files)} files: peak RSS`, fmtMB(s.peakRssMB), big && s.files >= 10000 ? `< ${TARGETS.rssMB10k} MB` : '', big && s.files >= 10000 ? s.peakRssMB < TARGETS.rssMB10k : undefined);
      if (s.verify) {
        const v = s.verify;
        row(`scan ${fmtN(s.files)} files: notebooks found`, `${fmtN(v.notebooks.found)} of ${fmtN(v.notebooks.expected)}`, 'all', v.notebooks.found === v.notebooks.expected && v.notebooks.missing === 0);
        row(`scan ${fmtN(s.files)} files: notebook failures`, `${fmtN(v.notebooks.reportedFail)} of ${fmtN(v.notebooks.expectedFail)}`, 'exact', v.notebooks.reportedFail === v.notebooks.expectedFail && v.notebooks.wrongVerdict === 0);
        row(`scan ${fmtN(s.files)} files: domains found / failing`, `${fmtN(v.domains.found)} of ${fmtN(v.domains.expected)} / ${fmtN(v.domains.reportedFail)} of ${fmtN(v.domains.expectedFail)}`, 'exact', v.domains.found === v.domains.expected && v.domains.reportedFail === v.domains.expectedFail && v.domains.wrongVerdict === 0);
      } else row(`scan ${fmtN(s.files)} files: report`, s.reportError ?? 'unreadable', 'valid JSON', false);
      if (s.errors) row(`scan ${fmtN(s.files)} files: scan errors`, fmtN(s.errors), '0', false);
    }
    const rss = results.ours.scans.map((s) => s.peakRssMB);
    if (rss.length > 1) row('peak RSS growth, smallest → largest scan', `${fmtMB(rss[0])} → ${fmtMB(rss[rss.length - 1])} (×${(rss[rss.length - 1] / rss[0]).toFixed(2)})`, 'flat', rss[rss.length - 1] / rss[0] < 1.5);
  } else row('cloudconform', `not measured: ${results.ours.reason}`);
  if (results.checkov.version) {
    for (const e of results.checkov.runs) {
      const c = e.checkov;
      row(`checkov ${results.checkov.version}, ${e.files} files: wall / throughput`, `${fmtS(c.wallMs)} / ${c.filesPerSec.toFixed(2)} files/s`);
      row(`checkov ${results.checkov.version}, ${e.files} files: peak RSS`, `${fmtMB(c.peakRssMB)} (tree PSS ${fmtMB(c.peakTreePssMB)})`);
      row(`checkov ${results.checkov.version}, ${e.files} files: notebooks found`, c.error ? c.error : `${c.notebooks} of ${e.expected.notebooks}`);
      if (e.ours) {
        row(`ours, same ${e.files} files: wall / throughput`, `${fmtS(e.ours.wallMs)} / ${fmtN(e.ours.filesPerSec)} files/s`);
        row(`ours, same ${e.files} files: peak RSS`, fmtMB(e.ours.peakRssMB));
        row(`ratio ours/checkov files/s (${e.files} files)`, `${e.ratioFilesPerSec.toFixed(0)}×`, `≥ ${TARGETS.checkovRatio}×`, e.ratioFilesPerSec >= TARGETS.checkovRatio);
      }
    }
    const big = results.ours.scans?.find((s) => s.files === COUNT);
    const ck = results.checkov.runs[results.checkov.runs.length - 1];
    if (big && ck) {
      results.steadyStateRatio = big.filesPerSec / ck.checkov.filesPerSec;
      row(`ratio ours (${fmtN(COUNT)} files) / checkov (${ck.files} files), files/s`, `${results.steadyStateRatio.toFixed(0)}×`, `≥ ${TARGETS.checkovRatio}×`, results.steadyStateRatio >= TARGETS.checkovRatio);
    }
  } else row('checkov comparison', `skipped: ${results.checkov.skipped}`);
  if (results.bomb.ours) row(`alias bomb (${results.bomb.bytes} B): ours`, `${results.bomb.ours.outcome}, ${fmtS(results.bomb.ours.wallMs)}, ${fmtMB(results.bomb.ours.peakRssMB)}`, `< ${BOMB_TIMEOUT_S} s`, !results.bomb.ours.timedOut && !results.bomb.ours.signal);
  if (results.bomb.checkov) row(`alias bomb (${results.bomb.bytes} B): checkov`, `${results.bomb.checkov.outcome}, ${fmtS(results.bomb.checkov.wallMs)}, ${fmtMB(results.bomb.checkov.peakRssMB)}`);
  results.summary = rows;
  results.durationS = (Date.now() - started.getTime()) / 1000;
  results.machine.loadAvgEnd = loadavg().map((x) => +x.toFixed(2));

  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => String(Object.values(r)[i]).length), ['measure', 'value', 'target', 'ok'][i].length));
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(w[i])).join(' | ') + ' |';
  log('Summary');
  log(line(['measure', 'value', 'target', 'ok']));
  log('|' + w.map((x) => '-'.repeat(x + 2)).join('|') + '|');
  for (const r of rows) log(line([r.measure, r.value, r.target, r.ok]));
  const resultsFile = join(BENCH_DIR, 'results.json');
  writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
  log(`\nwritten to ${relative(REPO_ROOT, resultsFile)} (${results.durationS.toFixed(0)} s in all)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});


