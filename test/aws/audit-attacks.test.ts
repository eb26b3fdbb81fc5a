// The live audit against an endpoint that answers badly on purpose (the fault proxy in front of
// moto), through the built CLI, as a user runs it: paging that never ends, answers that trickle,
// region lists that are junk or empty, an organization with no accounts, regions that reject the
// credentials, and secrets in error messages. Every run must end, with a report that keeps what was
// read and an error entry (exit 2) for what was not. Loops and hangs are bounded by the child
// process's own timeout, so the code before the fix shows up as a killed run, not a stuck suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit } from '../../src/engine/audit';
import { emptyConfig } from '../../src/engine/config';
import type { ScanReport } from '../../src/model/report';
import { MOTO_DEFAULT_ACCOUNT, type CallInfo } from './fault-proxy';
import { seed, seedOrganization, mixedNotebooks, mixedDomains, mergeSeeded } from './seed';
import { useAuditEmulator, runCli, checkInvariants, selectSeeded, findingsOf, NOTEBOOK_RULE, DOMAIN_RULE } from './audit-helpers';

const ACCOUNT = MOTO_DEFAULT_ACCOUNT;
const ROLE = 'CloudConformAudit';

const emulator = useAuditEmulator({
  seed: async (moto) => {
    const members = await seedOrganization(moto.endpoint, 1);
    const parts = await Promise.all([
      seed(moto.endpoint, [
        { region: 'us-east-1', notebooks: mixedNotebooks('use1', 7), domains: mixedDomains('use1') },
        { region: 'eu-west-1', notebooks: mixedNotebooks('euw1', 4), domains: mixedDomains('euw1') },
      ]),
      seed(moto.endpoint, [{ region: 'us-east-1', notebooks: mixedNotebooks('m0', 2) }], { account: members[0]! }),
    ]);
    return { ...mergeSeeded(...parts), members };
  },
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  report: ScanReport;
  ms: number;
}

/** `cloudconform audit --format json ...` through the proxy; a run still going after `timeoutMs` is killed (code null). */
async function cliAudit(args: string[], timeoutMs = 60_000): Promise<Run> {
  emulator.proxy.clearLog();
  const started = Date.now();
  const result = await runCli(['audit', '--endpoint-url', emulator.proxy.endpoint, '--format', 'json', ...args], { timeoutMs });
  const ms = Date.now() - started;
  assert.notEqual(result.code, null, `the audit did not end within ${timeoutMs / 1000} s (killed) after ${emulator.proxy.log.length} calls`);
  let report: ScanReport;
  try {
    report = JSON.parse(result.stdout) as ScanReport;
  } catch {
    assert.fail(`no JSON report (exit ${result.code}):\n${result.stdout.slice(0, 2000)}\n${result.stderr.slice(0, 2000)}`);
  }
  return { ...result, report, ms };
}

const mine = (regions: string[]) => selectSeeded(emulator.seeded, regions, [ACCOUNT]);
const inRegion = (report: ScanReport, ruleId: string, region: string) => findingsOf(report, ruleId).filter((f) => f.resource.details?.region === region);
const errorsOf = (report: ScanReport, call: string) => report.errors.filter((e) => e.call === call);

/** No resource reported twice: a page answered twice must not double the findings. */
function assertNoDuplicates(report: ScanReport) {
  const keys = report.findings.map((f) => `${f.ruleId} ${f.resource.id}`);
  assert.deepEqual(keys.length, new Set(keys).size, 'a finding is reported twice');
}

/** A made-up NextToken is taken out before moto sees the request, so moto answers its first page again. */
const withoutToken = (params: Record<string, unknown>) => {
  const { NextToken: _dropped, ...rest } = params;
  return rest;
};

test('paging loop: ListNotebookInstances answering the same NextToken forever ends with an error for that region (exit 2); its first page, its domains and the other region are reported once', async () => {
  emulator.proxy.addRule({
    fault: 'rewrite',
    action: 'ListNotebookInstances',
    region: 'us-east-1',
    request: withoutToken,
    rewrite: (answer) => ({ ...answer, NextToken: 'same-token-again' }),
  });
  const run = await cliAudit(['--regions', 'us-east-1,eu-west-1']);
  assert.equal(run.code, 2, run.stderr);
  const [error, ...more] = errorsOf(run.report, 'sagemaker:ListNotebookInstances');
  assert.deepEqual(more, []);
  assert.equal(error!.region, 'us-east-1');
  assert.match(error!.message, /NextToken/);
  assert.equal(run.report.errors.length, 1, JSON.stringify(run.report.errors));
  assertNoDuplicates(run.report);
  assert.deepEqual(checkInvariants(run.report, mine(['us-east-1', 'eu-west-1'])).problems, []);
  // What was listed before the loop was seen is described and reported.
  assert.equal(inRegion(run.report, NOTEBOOK_RULE, 'us-east-1').length, 7);
  assert.equal(inRegion(run.report, DOMAIN_RULE, 'us-east-1').length, 3);
  assert.equal(inRegion(run.report, NOTEBOOK_RULE, 'eu-west-1').length, 4);
});

test('paging loop: ListDomains cycling A -> B -> A ends with an error for that region and call; no domain twice', async () => {
  const next: Record<string, string> = { '': 'token-A', 'token-A': 'token-B', 'token-B': 'token-A' };
  emulator.proxy.addRule({
    fault: 'rewrite',
    action: 'ListDomains',
    region: 'eu-west-1',
    request: withoutToken,
    rewrite: (answer, call: CallInfo) => ({ ...answer, NextToken: next[String(call.params.NextToken ?? '')] }),
  });
  const run = await cliAudit(['--regions', 'us-east-1,eu-west-1']);
  assert.equal(run.code, 2, run.stderr);
  assert.deepEqual(
    run.report.errors.map((e) => [e.account, e.region, e.call]),
    [[ACCOUNT, 'eu-west-1', 'sagemaker:ListDomains']],
  );
  assert.match(run.report.errors[0]!.message, /NextToken/);
  assertNoDuplicates(run.report);
  assert.equal(inRegion(run.report, DOMAIN_RULE, 'eu-west-1').length, 3);
  assert.deepEqual(checkInvariants(run.report, mine(['us-east-1', 'eu-west-1'])).problems, []);
});

test('paging loop: organizations:ListAccounts repeating its NextToken ends with an error entry for the organization (exit 2), not a run that never ends', async () => {
  emulator.proxy.addRule({ fault: 'rewrite', action: 'ListAccounts', request: withoutToken, rewrite: (answer) => ({ ...answer, NextToken: 'again' }) });
  const run = await cliAudit(['--regions', 'us-east-1', '--organization', '--role-name', ROLE]);
  assert.equal(run.code, 2, run.stderr);
  const [error] = errorsOf(run.report, 'organizations:ListAccounts');
  assert.ok(error, JSON.stringify(run.report.errors));
  assert.match(error.message, /NextToken/);
  assertNoDuplicates(run.report);
});

test('organizations:ListAccounts answering no account at all is an error (the management account is always listed), not an empty audit with exit 0', async () => {
  emulator.proxy.addRule({ fault: 'rewrite', action: 'ListAccounts', rewrite: (answer) => ({ ...answer, Accounts: [] }) });
  const run = await cliAudit(['--regions', 'us-east-1', '--organization', '--role-name', ROLE]);
  assert.equal(run.code, 2, run.stderr);
  const [error] = errorsOf(run.report, 'organizations:ListAccounts');
  assert.ok(error, JSON.stringify(run.report));
  assert.match(error.message, /no active account/i);
});

test('organizations:ListAccounts answering an id that is not 12 digits: it never goes into a role ARN; an error entry says so, the real accounts are audited', async () => {
  emulator.proxy.addRule({
    fault: 'rewrite',
    action: 'ListAccounts',
    rewrite: (answer) => ({ ...answer, Accounts: [...(answer.Accounts as object[]), { Id: '123456789012:role/Evil', State: 'ACTIVE', Status: 'ACTIVE' }] }),
  });
  const run = await cliAudit(['--regions', 'us-east-1', '--organization', '--role-name', ROLE]);
  assert.equal(run.code, 2, run.stderr);
  assert.ok(!emulator.proxy.log.some((c) => c.action === 'AssumeRole' && String(c.params.RoleArn).includes('Evil')), 'no AssumeRole of a made-up ARN');
  const [error, ...more] = errorsOf(run.report, 'organizations:ListAccounts');
  assert.deepEqual(more, []);
  assert.match(error!.message, /not 12 digits/);
  const member = emulator.seeded.members[0]!;
  assert.deepEqual(checkInvariants(run.report, selectSeeded(emulator.seeded, ['us-east-1'], [ACCOUNT, member])).problems, []);
});

const EC2_XML = 'text/xml;charset=UTF-8';
const describeRegions = (items: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><regionInfo>${items}</regionInfo></DescribeRegionsResponse>`;

test('DescribeRegions listing no region: an error (exit 2), and every region where notebooks are offered is still audited, never "skipped: not enabled"', async () => {
  emulator.proxy.addRule({ fault: 'raw', action: 'DescribeRegions', contentType: EC2_XML, body: describeRegions('') });
  const run = await cliAudit([]);
  assert.equal(run.code, 2, run.stderr);
  const [error] = errorsOf(run.report, 'ec2:DescribeRegions');
  assert.ok(error, JSON.stringify(run.report.errors));
  assert.equal(error.account, ACCOUNT);
  assert.deepEqual(checkInvariants(run.report, mine(['us-east-1', 'eu-west-1'])).problems, []);
  assert.equal(inRegion(run.report, NOTEBOOK_RULE, 'us-east-1').length, 7);
  assert.ok(!(run.report.notes ?? []).some((n) => /not enabled/.test(n.message)), JSON.stringify(run.report.notes));
});

test('DescribeRegions answering junk (names that are no region, or no XML at all) with --regions: an error (exit 2), and the named regions are audited', async () => {
  for (const body of [describeRegions('<item><regionName>&lt;script&gt;</regionName></item><item><regionEndpoint>x</regionEndpoint></item>'), 'this is not XML']) {
    emulator.proxy.clearRules();
    emulator.proxy.addRule({ fault: 'raw', action: 'DescribeRegions', contentType: EC2_XML, body });
    const run = await cliAudit(['--regions', 'us-east-1,eu-west-1']);
    assert.equal(run.code, 2, `${body}: ${run.stderr}`);
    assert.equal(errorsOf(run.report, 'ec2:DescribeRegions').length, 1, JSON.stringify(run.report.errors));
    assert.deepEqual(checkInvariants(run.report, mine(['us-east-1', 'eu-west-1'])).problems, []);
    assert.equal(inRegion(run.report, NOTEBOOK_RULE, 'eu-west-1').length, 4, body);
    assert.deepEqual(run.report.notes ?? [], [], body);
  }
});

test('a region the user named that rejects the credentials (UnrecognizedClientException) is an error for each list call (exit 2), not a "skipped" note', async () => {
  emulator.proxy.addRule({ fault: 'not-enabled', service: 'sagemaker', region: 'eu-west-1' });
  const run = await cliAudit(['--regions', 'us-east-1,eu-west-1']);
  assert.equal(run.code, 2, run.stderr);
  assert.deepEqual(
    run.report.errors.map((e) => [e.region, e.call]).sort(),
    [
      ['eu-west-1', 'sagemaker:ListDomains'],
      ['eu-west-1', 'sagemaker:ListNotebookInstances'],
    ],
  );
  for (const e of run.report.errors) assert.match(e.message, /UnrecognizedClientException/);
  assert.deepEqual(run.report.notes ?? [], []);
  assert.deepEqual(checkInvariants(run.report, mine(['us-east-1', 'eu-west-1'])).problems, []);
});

test('a region DescribeRegions says is enabled that rejects the credentials is an error too (exit 2)', async () => {
  emulator.proxy.addRule({ fault: 'not-enabled', service: 'sagemaker', region: 'eu-west-1' });
  const run = await cliAudit([]);
  assert.equal(run.code, 2, run.stderr);
  assert.deepEqual([...new Set(run.report.errors.map((e) => e.region))], ['eu-west-1']);
  assert.ok(!(run.report.notes ?? []).some((n) => n.region === 'eu-west-1'), JSON.stringify(run.report.notes));
});

test('one list call rejected in one region: "Studio domains not read in eu-west-1" in all four formats (text, JSON, SARIF, JUnit), exit 2; the region\'s notebooks are reported', async () => {
  emulator.proxy.addRule({ fault: 'not-enabled', action: 'ListDomains', region: 'eu-west-1' });
  const dir = mkdtempSync(join(tmpdir(), 'cloudconform-audit-'));
  try {
    const files = { json: join(dir, 'r.json'), sarif: join(dir, 'r.sarif'), junit: join(dir, 'r.xml') };
    const result = await runCli(
      ['audit', '--endpoint-url', emulator.proxy.endpoint, '--regions', 'us-east-1,eu-west-1', '--format', 'text', ...Object.entries(files).flatMap(([f, p]) => ['--output', `${f}=${p}`])],
      { timeoutMs: 60_000 },
    );
    assert.equal(result.code, 2, result.stderr);
    const wanted = /Studio domains not read in eu-west-1: UnrecognizedClientException/;
    assert.match(result.stdout, wanted);
    const report = JSON.parse(readFileSync(files.json, 'utf8')) as ScanReport;
    assert.deepEqual(
      report.errors.map((e) => [e.account, e.region, e.call]),
      [[ACCOUNT, 'eu-west-1', 'sagemaker:ListDomains']],
    );
    assert.match(report.errors[0]!.message, wanted);
    assert.doesNotMatch(JSON.stringify(report.notes ?? []), /skipped/);
    assert.equal(inRegion(report, NOTEBOOK_RULE, 'eu-west-1').length, 4);
    const sarif = JSON.parse(readFileSync(files.sarif, 'utf8')) as {
      runs: { invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string } }[] }[] }[];
    };
    const invocation = sarif.runs[0]!.invocations[0]!;
    assert.equal(invocation.executionSuccessful, false);
    assert.ok(invocation.toolExecutionNotifications.some((n) => n.level === 'error' && wanted.test(n.message.text)), JSON.stringify(invocation));
    const junit = readFileSync(files.junit, 'utf8');
    assert.match(junit, /<testsuite name="cloudconform\.errors" tests="1" failures="0" errors="1"/);
    assert.match(junit, /<error message="[^"]*Studio domains not read in eu-west-1: UnrecognizedClientException/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('secrets in an AWS error message (a key id glued to other text, a 40-character secret key, a session token, a URL with a password) appear in no format, no --output file and not on standard error', async () => {
  const secrets = {
    keyId: 'AKIAIOSFODNN7EXAMPLE',
    secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    sessionToken: `IQoJb3JpZ2luX2VjEJr${'A1b2C3d4E5f6G7h8/+'.repeat(12)}Zz==`,
    password: 'hunter2-Pa55',
  };
  const message = `key_${secrets.keyId} with secret ${secrets.secretKey}; token=${secrets.sessionToken} via https://admin:${secrets.password}@proxy.example.com:8080/x`;
  emulator.proxy.addRule({ fault: 'error', action: 'ListNotebookInstances', region: 'eu-west-1', status: 400, code: 'AccessDeniedException', message });
  emulator.proxy.addRule({ fault: 'error', action: 'DescribeNotebookInstance', params: { NotebookInstanceName: 'use1-000' }, status: 400, code: 'AccessDeniedException', message });
  const dir = mkdtempSync(join(tmpdir(), 'cloudconform-audit-'));
  try {
    const outputs = ['json', 'sarif', 'junit', 'text'].map((format) => ({ format, file: join(dir, `r.${format}`) }));
    const texts: string[] = [];
    for (const format of ['text', 'json', 'sarif', 'junit']) {
      const result = await runCli(
        ['audit', '--endpoint-url', emulator.proxy.endpoint, '--regions', 'us-east-1,eu-west-1', '--format', format, '--verbose', ...outputs.flatMap((o) => ['--output', `${o.format}=${o.file}`])],
        { timeoutMs: 60_000 },
      );
      assert.equal(result.code, 2, result.stderr);
      texts.push(result.stdout, result.stderr, ...outputs.map((o) => readFileSync(o.file, 'utf8')));
    }
    assert.match(texts[0]!, /AccessDeniedException/, 'the error itself is reported');
    assert.match(texts[0]!, /proxy\.example\.com/, 'the host stays, only the user info goes');
    for (const [what, secret] of Object.entries(secrets)) {
      for (const text of texts) assert.ok(!text.includes(secret), `${what} leaked:\n${text.slice(0, 3000)}`);
    }
    for (const text of texts) assert.doesNotMatch(text, /admin:/, 'URL user info leaked');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an answer that trickles one byte at a time (never idle long enough for a socket timeout) ends at the call deadline: that notebook is unknown with an error saying it timed out; the report has everything else (exit 2)', async () => {
  emulator.proxy.addRule({ fault: 'trickle', intervalMs: 300, action: 'DescribeNotebookInstance', params: { NotebookInstanceName: 'euw1-001' } });
  const run = await cliAudit(['--regions', 'us-east-1,eu-west-1', '--call-timeout', '5s'], 60_000);
  assert.equal(run.code, 2, run.stderr);
  assert.deepEqual(
    run.report.errors.map((e) => [e.region, e.call]),
    [['eu-west-1', 'sagemaker:DescribeNotebookInstance']],
  );
  assert.match(run.report.errors[0]!.message, /euw1-001.*timed out after 5 s/);
  const target = emulator.seeded.notebooks.find((n) => n.name === 'euw1-001')!;
  const finding = findingsOf(run.report, NOTEBOOK_RULE).find((f) => f.resource.id === target.arn);
  assert.equal(finding?.result, 'unknown');
  assert.deepEqual(checkInvariants(run.report, mine(['us-east-1', 'eu-west-1'])).problems, []);
  assert.ok(run.ms < 30_000, `${run.ms} ms`);
});

test('--timeout bounds the whole audit: a region whose list call never answers becomes an error entry ("--timeout ... ran out") and the report is written with everything that finished (exit 2)', async () => {
  emulator.proxy.addRule({ fault: 'delay', delayMs: 30_000, action: 'ListNotebookInstances', region: 'eu-west-1' });
  // Eight seconds: time enough for us-east-1 on a loaded machine.
  const run = await cliAudit(['--regions', 'us-east-1,eu-west-1', '--timeout', '8s'], 60_000);
  assert.equal(run.code, 2, run.stderr);
  assert.deepEqual(
    run.report.errors.map((e) => [e.region, e.call]),
    [['eu-west-1', 'sagemaker:ListNotebookInstances']],
  );
  assert.match(run.report.errors[0]!.message, /--timeout of 8 s ran out/);
  assert.deepEqual(checkInvariants(run.report, mine(['us-east-1', 'eu-west-1'])).problems, []);
  assert.equal(inRegion(run.report, NOTEBOOK_RULE, 'us-east-1').length, 7);
  assert.equal(inRegion(run.report, DOMAIN_RULE, 'eu-west-1').length, 3);
  assert.ok(run.ms < 25_000, `${run.ms} ms`);
});

test('the audit\'s deadline passing while describes are in flight or queued: those resources are unknown (never pass), one error entry per region and type says how many, not one per resource', async () => {
  emulator.proxy.addRule({ fault: 'delay', delayMs: 30_000, action: ['DescribeNotebookInstance', 'DescribeDomain'], region: 'us-east-1' });
  const started = Date.now();
  // Six seconds: time enough for eu-west-1 on a loaded machine.
  const report = await audit({ config: emptyConfig(), endpointUrl: emulator.proxy.endpoint, regions: ['us-east-1', 'eu-west-1'], regionConcurrency: 2, timeoutMs: 6000 });
  assert.ok(Date.now() - started < 20_000, `${Date.now() - started} ms`);
  const notebooks = inRegion(report, NOTEBOOK_RULE, 'us-east-1');
  assert.equal(notebooks.length, 7);
  for (const f of notebooks) {
    assert.equal(f.result, 'unknown', f.resource.id);
    assert.match(f.message, /--timeout of 6 s ran out/);
  }
  // Two describes in flight (the region's slots), the other eight queued: all end at the deadline.
  const ranOut = "Timeout: not finished when the audit's --timeout of 6 s ran out";
  assert.deepEqual(
    report.errors.map((e) => [e.region, e.call, e.message]),
    [
      ['us-east-1', 'sagemaker:DescribeDomain', `3 Studio domains not fully read (unknown, or tags unread): ${ranOut}`],
      ['us-east-1', 'sagemaker:DescribeNotebookInstance', `7 notebook instances not fully read (unknown, or tags unread): ${ranOut}`],
    ],
  );
  assert.ok(inRegion(report, DOMAIN_RULE, 'us-east-1').every((f) => f.result === 'unknown'));
  assert.deepEqual(checkInvariants(report, mine(['us-east-1', 'eu-west-1'])).problems, []);
  assert.equal(inRegion(report, NOTEBOOK_RULE, 'eu-west-1').length, 4);
});
