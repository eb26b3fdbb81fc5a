// Faults moto can't produce, injected by the proxy between the SDK and moto: throttling,
// access denied, 500s, dropped connections, slow answers. Whatever happens, the audit finishes
// and keeps its two promises: nothing lost (every seeded resource has a verdict, or its region
// has an explicit error) and no false pass (a resource that must fail never passes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from '../../src/engine/audit';
import { emptyConfig } from '../../src/engine/config';
import type { ScanReport } from '../../src/model/report';
import { overRate, type CallInfo, MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { seed, mixedNotebooks, mixedDomains } from './seed';
import { useAuditEmulator, checkInvariants, selectSeeded, findingFor, NOTEBOOK_RULE } from './audit-helpers';

const ACCOUNT = MOTO_DEFAULT_ACCOUNT;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];

const emulator = useAuditEmulator({
  seed: (moto) =>
    seed(moto.endpoint, [
      { region: 'us-east-1', notebooks: mixedNotebooks('use1', 40), domains: mixedDomains('use1') },
      { region: 'eu-west-1', notebooks: mixedNotebooks('euw1', 21), domains: mixedDomains('euw1') },
      { region: 'ap-northeast-1', notebooks: mixedNotebooks('apne1', 21), domains: mixedDomains('apne1') },
    ]),
});

async function runAudit(regions: string[] | undefined = REGIONS, options: { maxAttempts?: number; retryMode?: 'standard' | 'adaptive' } = {}): Promise<ScanReport> {
  emulator.proxy.clearLog();
  return audit({ config: emptyConfig(), endpointUrl: emulator.proxy.endpoint, ...(regions ? { regions } : {}), ...options });
}

/** Matches each distinct call (action and parameters) the first time only: its retry goes through. */
function firstAttemptOnly(filter: (call: CallInfo) => boolean = () => true): (call: CallInfo) => boolean {
  const seen = new Set<string>();
  return (call) => {
    if (!filter(call)) return false;
    const key = `${call.account} ${call.region} ${call.action} ${JSON.stringify(call.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}

function assertKeepsPromises(report: ScanReport, opts: { regions?: string[]; allowUnknown?: boolean } = {}) {
  const expected = selectSeeded(emulator.seeded, opts.regions ?? REGIONS);
  const { problems, unknown } = checkInvariants(report, expected);
  assert.deepEqual(problems, []);
  if (!opts.allowUnknown) assert.deepEqual(unknown, []);
  return { expected, unknown };
}

const regionOf = (report: ScanReport, region: string) => report.findings.filter((f) => f.resource.details?.region === region);

// Adaptive mode gets 5 attempts here: with the default 3 it left one notebook unknown in 2 of 5
// full-suite runs on the loaded 2-core CI (its sending rate starts only at the first throttle, so
// the first burst can still run out). Standard mode keeps the default 3 below: with 5 it sometimes
// lost nothing (1 of 3 runs), so the two tests show the defaults' difference, not an equal match.
test('a request-rate limit per region (token bucket, 5 calls/s): adaptive retries (the default mode) pace the audit to it; every verdict, no error', async () => {
  const rule = emulator.proxy.addRule({ fault: 'throttle', service: 'sagemaker', when: overRate(5, 5) });
  const report = await runAudit(['us-east-1'], { maxAttempts: 5 });
  assertKeepsPromises(report, { regions: ['us-east-1'] });
  assert.deepEqual(report.errors, []);
  assert.ok(rule.hits > 0, 'the limit was reached');
});

test('the same limit in standard retry mode (default attempts) exhausts retries: notebooks end up unknown (never pass), with errors; why adaptive is the default', async () => {
  emulator.proxy.addRule({ fault: 'throttle', service: 'sagemaker', when: overRate(5, 5) });
  const report = await runAudit(['us-east-1'], { retryMode: 'standard' });
  const { unknown } = assertKeepsPromises(report, { regions: ['us-east-1'], allowUnknown: true });
  assert.ok(unknown.length > 0, 'some describes ran out of attempts');
  assert.equal(report.errors.filter((e) => /ThrottlingException/.test(e.message)).length, unknown.length);
});

// Standard mode here and in the exhaustion test below: throttles that don't depend on the rate
// are not what AWS sends, and adaptive mode would answer each with a slower sending rate, down to
// one call in two seconds, which proves nothing more and takes minutes.
test('standard retry mode: throttling of every first attempt (lists and describes, all regions) is absorbed by retries; every verdict, no error', async () => {
  const rule = emulator.proxy.addRule({ fault: 'throttle', service: 'sagemaker', when: firstAttemptOnly() });
  const report = await runAudit(REGIONS, { retryMode: 'standard' });
  assertKeepsPromises(report);
  assert.deepEqual(report.errors, []);
  assert.ok(rule.hits > 90, `${rule.hits} calls throttled`);
});

test('throttling exhausted for one region\'s notebook list: an error entry for that region and call, the other regions complete', async () => {
  emulator.proxy.addRule({ fault: 'throttle', action: 'ListNotebookInstances', region: 'eu-west-1' });
  const report = await runAudit();
  assertKeepsPromises(report);
  const errors = report.errors.filter((e) => e.region === 'eu-west-1');
  assert.equal(errors.length, 1, JSON.stringify(report.errors));
  assert.equal(errors[0]!.account, ACCOUNT);
  assert.equal(errors[0]!.call, 'sagemaker:ListNotebookInstances');
  assert.match(errors[0]!.message, /ThrottlingException/);
  assert.equal(report.errors.length, 1);
  // The region's domains were still audited; the other regions entirely.
  assert.equal(regionOf(report, 'eu-west-1').length, 3);
  assert.equal(regionOf(report, 'us-east-1').length, 43);
  assert.equal(regionOf(report, 'ap-northeast-1').length, 24);
});

test('throttling exhausted for one region\'s describes: its notebooks are unknown with errors, none passes', async () => {
  emulator.proxy.addRule({ fault: 'throttle', action: 'DescribeNotebookInstance', region: 'ap-northeast-1' });
  // Two attempts keep the backoff short; the default three are exercised by the CLI tests.
  const report = await runAudit(REGIONS, { maxAttempts: 2, retryMode: 'standard' });
  const { unknown } = assertKeepsPromises(report, { allowUnknown: true });
  const regionNotebooks = emulator.seeded.notebooks.filter((n) => n.region === 'ap-northeast-1');
  assert.deepEqual(unknown.sort(), regionNotebooks.map((n) => n.arn).sort());
  for (const nb of regionNotebooks) {
    assert.equal(findingFor(report, NOTEBOOK_RULE, nb.arn)?.result, 'unknown', nb.name);
    assert.ok(report.errors.some((e) => e.region === 'ap-northeast-1' && e.call === 'sagemaker:DescribeNotebookInstance' && e.message.includes(nb.name)), nb.name);
  }
  assert.equal(report.summary.unknown, regionNotebooks.length);
});

test('access denied in one region: error entries for that region\'s calls, not retried; the other regions complete', async () => {
  const rule = emulator.proxy.addRule({ fault: 'access-denied', service: 'sagemaker', region: 'eu-west-1' });
  const report = await runAudit();
  assertKeepsPromises(report);
  assert.equal(regionOf(report, 'eu-west-1').length, 0);
  const errors = report.errors.filter((e) => e.region === 'eu-west-1');
  assert.deepEqual(errors.map((e) => e.call).sort(), ['sagemaker:ListDomains', 'sagemaker:ListNotebookInstances']);
  for (const e of errors) assert.match(e.message, /AccessDeniedException/);
  assert.equal(rule.hits, 2, 'access denied is not retried');
});

test('a describe that fails for one notebook makes that notebook unknown (never pass) with an error naming it', async () => {
  const target = emulator.seeded.notebooks.find((n) => n.region === 'us-east-1' && n.expected === 'pass')!;
  emulator.proxy.addRule({ fault: 'access-denied', action: 'DescribeNotebookInstance', params: { NotebookInstanceName: target.name } });
  const report = await runAudit(['us-east-1']);
  const { unknown } = assertKeepsPromises(report, { regions: ['us-east-1'], allowUnknown: true });
  assert.deepEqual(unknown, [target.arn]);
  const f = findingFor(report, NOTEBOOK_RULE, target.arn)!;
  assert.equal(f.result, 'unknown');
  assert.deepEqual(f.resource.details, { account: ACCOUNT, region: 'us-east-1', name: target.name, status: 'InService' });
  assert.deepEqual(
    report.errors.map((e) => [e.account, e.region, e.call]),
    [[ACCOUNT, 'us-east-1', 'sagemaker:DescribeNotebookInstance']],
  );
  assert.match(report.errors[0]!.message, new RegExp(`${target.name}.*AccessDeniedException`));
});

test('500s: transient ones are retried away; a describe answering 500 every time leaves that notebook unknown', async () => {
  const target = emulator.seeded.notebooks.find((n) => n.region === 'eu-west-1' && n.expected === 'pass')!;
  emulator.proxy.addRule({ fault: 'server-error', action: 'DescribeNotebookInstance', params: { NotebookInstanceName: target.name } });
  emulator.proxy.addRule({ fault: 'server-error', service: 'sagemaker', when: firstAttemptOnly() });
  const report = await runAudit();
  const { unknown } = assertKeepsPromises(report, { allowUnknown: true });
  assert.deepEqual(unknown, [target.arn]);
  assert.equal(report.errors.length, 1);
  assert.match(report.errors[0]!.message, /InternalFailure.*after 3 attempts/);
});

test('dropped connections: one drop per call is retried away; a list whose connection always drops is an error for its region', async () => {
  emulator.proxy.addRule({ fault: 'drop', action: 'ListDomains', region: 'ap-northeast-1' });
  emulator.proxy.addRule({ fault: 'drop', service: 'sagemaker', when: firstAttemptOnly() });
  const report = await runAudit();
  assertKeepsPromises(report);
  assert.deepEqual(
    report.errors.map((e) => [e.account, e.region, e.call]),
    [[ACCOUNT, 'ap-northeast-1', 'sagemaker:ListDomains']],
  );
  assert.equal(regionOf(report, 'ap-northeast-1').length, 21, 'the region\'s notebooks are still audited');
});

test('slow responses (400 ms on every third call) change nothing', async () => {
  let n = 0;
  emulator.proxy.addRule({ fault: 'delay', delayMs: 400, service: 'sagemaker', when: () => n++ % 3 === 0 });
  const report = await runAudit();
  assertKeepsPromises(report);
  assert.deepEqual(report.errors, []);
});

test('DescribeRegions throttled to exhaustion: an error entry says so (exit 2), and the requested regions are still audited', async () => {
  emulator.proxy.addRule({ fault: 'throttle', action: 'ec2:DescribeRegions' });
  const report = await runAudit(undefined);
  assert.deepEqual(checkInvariants(report, emulator.seeded).problems, []);
  assert.deepEqual(
    report.errors.map((e) => [e.account, e.call]),
    [[ACCOUNT, 'ec2:DescribeRegions']],
  );
  assert.match(report.errors[0]!.message, /RequestLimitExceeded.*trying the requested regions/);
});

test('chaos: a seeded random mix of throttling, 500s, drops, denials and delays on every call; nothing lost, no false pass', async () => {
  // mulberry32: the same faults on every run.
  let state = 20261123;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // The first rule draws once per call and never matches; the rules after it read that draw
  // (rules are tried in order, synchronously, for each call).
  let current = 1;
  emulator.proxy.addRule({ fault: 'delay', delayMs: 0, service: 'sagemaker', when: () => ((current = random()), false) });
  emulator.proxy.addRule({ fault: 'throttle', service: 'sagemaker', when: () => current < 0.12 });
  emulator.proxy.addRule({ fault: 'server-error', service: 'sagemaker', when: () => current >= 0.12 && current < 0.16 });
  emulator.proxy.addRule({ fault: 'drop', service: 'sagemaker', when: () => current >= 0.16 && current < 0.2 });
  emulator.proxy.addRule({ fault: 'access-denied', service: 'sagemaker', when: () => current >= 0.2 && current < 0.22 });
  emulator.proxy.addRule({ fault: 'delay', delayMs: 150, service: 'sagemaker', when: () => current >= 0.22 && current < 0.3 });
  const report = await runAudit();
  const { problems } = checkInvariants(report, selectSeeded(emulator.seeded, REGIONS));
  assert.deepEqual(problems, []);
  const faulted = emulator.proxy.log.filter((c) => c.fault && c.fault !== 'delay').length;
  assert.ok(faulted > 20, `${faulted} faults injected`);
  assert.ok(report.summary.resources > 0);
});
