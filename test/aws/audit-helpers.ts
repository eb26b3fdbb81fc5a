// Shared by the live-audit integration tests: a clean AWS environment for the SDK (test
// credentials, no shared config, no instance metadata), each file's moto and fault proxy, the CLI
// runner, and the invariants every audit report must keep: nothing lost, no false pass.
import { before, after, afterEach } from 'node:test';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Finding, ScanReport } from '../../src/model/report';
import { PROJECT_ROOT } from './venv';
import { startMoto, type MotoServer } from './moto-server';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { TEST_CREDENTIALS, type Seeded, type SeededNotebook, type SeededDomain } from './seed';

export const NOTEBOOK_RULE = 'SageMaker-004';
export const DOMAIN_RULE = 'SageMaker-005';

/**
 * What the SDK reads from the environment, for tests: the `testing` credentials, a home region,
 * and nothing from this machine's ~/.aws or instance metadata.
 */
export function awsTestEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(PROJECT_ROOT, 'test', 'aws', 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(PROJECT_ROOT, 'test', 'aws', 'no-such-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

/** Sets `awsTestEnv()` in this process (for in-process `audit()` calls); removes other AWS_* settings. */
export function useAwsTestEnv(): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  Object.assign(process.env, awsTestEnv());
}

/** What a live-audit test file runs against; each getter throws until the file's `before` hook has run. */
export interface AuditEmulator<S> {
  readonly moto: MotoServer;
  /** In front of moto: the audit's calls go through it, faults are injected here. */
  readonly proxy: FaultProxy;
  /** What the file's `seed` returned. */
  readonly seeded: S;
}

/**
 * Registers the test file's hooks: `before` (the test AWS environment, moto, the fault proxy in
 * front of it, then the file's own `seed`), `afterEach` (the proxy's fault rules cleared, so each
 * test starts without faults) and `after` (proxy and moto stopped). The file's seeding goes through
 * here: Node 20 runs a file's top-level `before` hooks concurrently, so a second one could not
 * count on this one.
 */
export function useAuditEmulator<S>(opts: { seed: (moto: MotoServer, proxy: FaultProxy) => Promise<S> }): AuditEmulator<S> {
  let moto: MotoServer | undefined;
  let proxy: FaultProxy | undefined;
  let seeded: { value: S } | undefined;
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the audit emulator's ${what} is not there: its before hook has not run or failed`);
    return value;
  };
  before(async () => {
    useAwsTestEnv();
    moto = await startMoto();
    proxy = await startFaultProxy({ target: moto.endpoint });
    seeded = { value: await opts.seed(moto, proxy) };
  });
  afterEach(() => proxy?.clearRules());
  after(async () => {
    await proxy?.stop();
    await moto?.stop();
  });
  return {
    get moto() {
      return ready(moto, 'moto server');
    },
    get proxy() {
      return ready(proxy, 'fault proxy');
    },
    get seeded() {
      return ready(seeded, 'seeded resources').value;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node bin/cloudconform.js ...args` (the built CLI) with the test AWS environment, or with
 * `awsEnv` in its place (no other AWS_* variable reaches the child then).
 */
export function runCli(args: string[], opts: { env?: Record<string, string>; awsEnv?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_')) env[k] = v;
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'cloudconform.js'), ...args], {
      cwd: opts.cwd ?? PROJECT_ROOT,
      env: { ...env, ...(opts.awsEnv ?? awsTestEnv()), NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function findingFor(report: ScanReport, ruleId: string, arn: string): Finding | undefined {
  return report.findings.find((f) => f.ruleId === ruleId && f.resource.id === arn);
}

export function findingsOf(report: ScanReport, ruleId: string): Finding[] {
  return report.findings.filter((f) => f.ruleId === ruleId);
}

export interface InvariantOptions {
  /** account/region pairs the test made unavailable on purpose: a note must say they were skipped. */
  skipped?: { account: string; region: string }[];
  /** Resources the test deleted mid-audit: a note must name them. */
  gone?: string[];
}

/**
 * The audit's two promises, checked for every seeded resource:
 * - nothing lost: each is in the report with a verdict, or its account/region has an explicit
 *   error (or the test skipped that region, and a note says so);
 * - no false pass: a resource that must fail never passes, whatever went wrong.
 * Returns the problems found (empty when the report keeps both), and the resources left unknown.
 */
export function checkInvariants(report: ScanReport, seeded: Pick<Seeded, 'notebooks' | 'domains'>, opts: InvariantOptions = {}): { problems: string[]; unknown: string[]; covered: number } {
  const problems: string[] = [];
  const unknown: string[] = [];
  let covered = 0;
  const errorFor = (account: string, region: string) =>
    report.errors.some((e) => e.account === account && (e.region === region || e.region === undefined));
  // A region's own note, or the account's one-line note listing it (`4 regions skipped, …: a, b`).
  const noteFor = (account: string, region: string) =>
    (report.notes ?? []).some((n) => n.account === account && (n.region === region || (n.region === undefined && n.message.split(/: |, /).includes(region))));
  const check = (ruleId: string, r: SeededNotebook | SeededDomain, label: string) => {
    if (opts.gone?.includes(r.arn)) {
      if (findingFor(report, ruleId, r.arn)) problems.push(`${label}: deleted mid-audit but reported`);
      else if (!(report.notes ?? []).some((n) => n.message.includes(r.name))) problems.push(`${label}: deleted mid-audit, no note names it`);
      return;
    }
    const skipped = opts.skipped?.some((s) => s.account === r.account && s.region === r.region);
    const f = findingFor(report, ruleId, r.arn);
    if (!f) {
      if (skipped && noteFor(r.account, r.region)) return;
      if (errorFor(r.account, r.region)) return;
      problems.push(`${label}: lost (no finding, no error for ${r.account}/${r.region})`);
      return;
    }
    covered++;
    if (f.result === 'pass' && r.expected !== 'pass') problems.push(`${label}: FALSE PASS`);
    else if (f.result === 'unknown') {
      unknown.push(r.arn);
      if (!errorFor(r.account, r.region) && !/error|fail|denied|throttl|could not|can't/i.test(f.message)) problems.push(`${label}: unknown without a reason`);
    } else if (f.result !== r.expected) problems.push(`${label}: ${f.result}, expected ${r.expected}`);
  };
  for (const nb of seeded.notebooks) check(NOTEBOOK_RULE, nb, `notebook ${nb.account}/${nb.region}/${nb.name}`);
  for (const d of seeded.domains) check(DOMAIN_RULE, d, `domain ${d.account}/${d.region}/${d.name}`);
  const known = new Set([...seeded.notebooks.map((n) => n.arn), ...seeded.domains.map((d) => d.arn)]);
  for (const f of report.findings) if (!known.has(f.resource.id)) problems.push(`unexpected finding ${f.ruleId} ${f.resource.id}`);
  return { problems, unknown, covered };
}

/** The seeded resources in these regions (and accounts). */
export function only<T extends { region: string; account: string }>(items: T[], regions: string[], accounts?: string[]): T[] {
  return items.filter((i) => regions.includes(i.region) && (!accounts || accounts.includes(i.account)));
}

export function selectSeeded(seeded: Pick<Seeded, 'notebooks' | 'domains'>, regions: string[], accounts?: string[]): Pick<Seeded, 'notebooks' | 'domains'> {
  return { notebooks: only(seeded.notebooks, regions, accounts), domains: only(seeded.domains, regions, accounts) };
}
