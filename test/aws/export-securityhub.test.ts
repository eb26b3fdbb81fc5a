// `export securityhub` with the real SDK against moto's Security Hub over HTTP, through the fault
// proxy. moto 5.2.5 implements EnableSecurityHub, DescribeHub (InvalidAccessException when not
// enabled), BatchImportFindings (replaces by Id) and GetFindings, which ignores its filters: the
// exporter filters what it reads again, and these tests put other findings beside ours to prove it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  BatchImportFindingsCommand,
  EnableSecurityHubCommand,
  SecurityHubClient,
  paginateGetFindings,
  type AwsSecurityFinding,
} from '@aws-sdk/client-securityhub';
import { findingKey, type Finding, type RunInfo, type ScanReport } from '../../src/model/report';
import { exportToSecurityHub, type ExportResult } from '../../src/exporters/securityhub';
import { exportIamPolicy } from '../../src/exporters/actions';
import { defaultProductArn } from '../../src/reporters/asff';
import { SAGEMAKER_004 } from '../../src/reporters/test-report-fixture';
import { runCli, useAuditEmulator } from './audit-helpers';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { TEST_CREDENTIALS } from './seed';

const ACCOUNT = MOTO_DEFAULT_ACCOUNT;
const emulator = useAuditEmulator({ seed: async () => undefined });

function hub(region: string): SecurityHubClient {
  return new SecurityHubClient({ region, endpoint: emulator.moto.endpoint, credentials: TEST_CREDENTIALS });
}

async function enable(...regions: string[]): Promise<void> {
  for (const region of regions) await hub(region).send(new EnableSecurityHubCommand({}));
}

/** Everything moto holds in a region (its GetFindings ignores filters). */
async function stored(region: string): Promise<AwsSecurityFinding[]> {
  const out: AwsSecurityFinding[] = [];
  for await (const page of paginateGetFindings({ client: hub(region) }, {})) out.push(...(page.Findings ?? []));
  return out;
}

const byState = (findings: AwsSecurityFinding[], state: 'ACTIVE' | 'ARCHIVED') =>
  findings
    .filter((f) => f.RecordState === state)
    .map((f) => f.Resources?.[0]?.Id ?? '')
    .sort();

interface LiveSpec {
  region: string;
  name: string;
  result?: Finding['result'];
  ruleId?: string;
  account?: string;
}

function liveFinding({ region, name, result = 'fail', ruleId = 'SageMaker-004', account = ACCOUNT }: LiveSpec): Finding {
  const kind = ruleId === 'SageMaker-005' ? 'domain' : 'notebook-instance';
  const arn = `arn:aws:sagemaker:${region}:${account}:${kind}/${name}`;
  return {
    ruleId,
    result,
    resource: {
      type: ruleId === 'SageMaker-005' ? 'AWS::SageMaker::Domain' : 'AWS::SageMaker::NotebookInstance',
      id: arn,
      source: 'aws',
      details: { account, region, name },
      live: { account, region, arn },
    },
    location: { file: `aws://${account}/${region}`, line: 0 },
    message: result === 'pass' ? 'DirectInternetAccess is Disabled' : 'DirectInternetAccess is Enabled',
    risk: 'Medium',
    suppressed: false,
  };
}

let runCounter = 0;
function run(command: 'scan' | 'audit', evaluated: RunInfo['evaluated'], scopeKey = command === 'audit' ? `audit:caller:${ACCOUNT}` : 'scan:repo-a'): RunInfo {
  runCounter++;
  const start = new Date(Date.UTC(2026, 11, 4, 19, 0, runCounter));
  return {
    id: `20261204T1900${String(runCounter).padStart(2, '0')}Z-0000000${runCounter % 10}`,
    command,
    startedAt: start.toISOString(),
    endedAt: new Date(start.getTime() + 500).toISOString(),
    scope: { key: scopeKey, label: 'test' },
    evaluated,
  };
}

function report(findings: Finding[], info: RunInfo | undefined): ScanReport {
  return {
    version: 1,
    tool: { name: 'cloudconform', version: '0.1.0' },
    rules: [SAGEMAKER_004, { ...SAGEMAKER_004, id: 'SageMaker-005', title: 'Studio domains should be VPC only', resourceTypes: ['AWS::SageMaker::Domain'] }],
    findings,
    errors: [],
    summary: { resources: findings.length, findings: findings.length, pass: 0, fail: findings.length, unknown: 0, suppressed: 0, errors: 0, filesScanned: 0, failing: findings.length },
    ...(info ? { run: info } : {}),
  };
}

const regionsEvaluated = (regions: string[], ruleIds = ['SageMaker-004', 'SageMaker-005']) => ({ regions: regions.map((region) => ({ account: ACCOUNT, region, ruleIds })) });

function exportIt(r: ScanReport, extra: { region?: string } = {}): Promise<ExportResult> {
  return exportToSecurityHub(r, { endpoint: emulator.proxy.endpoint, ...extra });
}

const arnOf = (region: string, name: string) => `arn:aws:sagemaker:${region}:${ACCOUNT}:notebook-instance/${name}`;

test('an audit: findings imported per account and region, Id from the finding key, the default product ARN, the verdict as Compliance.Status', async () => {
  await emulator.moto.reset();
  await enable('us-east-1', 'eu-west-1');
  const findings = [
    liveFinding({ region: 'us-east-1', name: 'nb-open' }),
    liveFinding({ region: 'us-east-1', name: 'nb-private', result: 'pass' }),
    liveFinding({ region: 'us-east-1', name: 'nb-unknown', result: 'unknown' }),
    liveFinding({ region: 'eu-west-1', name: 'nb-eu' }),
  ];
  const result = await exportIt(report(findings, run('audit', regionsEvaluated(['us-east-1', 'eu-west-1']))));
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.targets, [
    { account: ACCOUNT, region: 'eu-west-1', imported: 1, archived: 0 },
    { account: ACCOUNT, region: 'us-east-1', imported: 3, archived: 0 },
  ]);
  const east = await stored('us-east-1');
  assert.equal(east.length, 3);
  for (const f of findings.filter((x) => x.resource.live!.region === 'us-east-1')) {
    const s = east.find((x) => x.Id === `cloudconform/live/${findingKey(f)}`);
    assert.ok(s, f.resource.id);
    assert.equal(s.ProductArn, defaultProductArn(ACCOUNT, 'us-east-1'));
    assert.equal(s.AwsAccountId, ACCOUNT);
    assert.equal(s.GeneratorId, 'SageMaker-004');
    assert.equal(s.Resources?.[0]?.Type, 'AwsSageMakerNotebookInstance');
    assert.equal(s.Compliance?.Status, { pass: 'PASSED', fail: 'FAILED', unknown: 'NOT_AVAILABLE' }[f.result]);
    assert.equal(s.RecordState, 'ACTIVE');
  }
  assert.deepEqual(byState(await stored('eu-west-1'), 'ACTIVE'), [arnOf('eu-west-1', 'nb-eu')]);
});

test('250 findings in one region: three BatchImportFindings calls of 100, 100 and 50', async () => {
  await emulator.moto.reset();
  await enable('us-east-1');
  emulator.proxy.clearLog();
  const findings = Array.from({ length: 250 }, (_, i) => liveFinding({ region: 'us-east-1', name: `nb-${String(i).padStart(3, '0')}` }));
  const result = await exportIt(report(findings, run('audit', regionsEvaluated(['us-east-1']))));
  assert.deepEqual(result.errors, []);
  const sizes = emulator.proxy.log.filter((c) => c.action === 'BatchImportFindings').map((c) => (c.params.Findings as unknown[]).length);
  assert.deepEqual(sizes, [100, 100, 50]);
  assert.equal((await stored('us-east-1')).length, 250);
  assert.equal(result.targets[0]!.imported, 250);
});

test('a partial run archives nothing outside what it evaluated (Prowler #1626): another region, a region whose listing failed, another rule', async () => {
  await emulator.moto.reset();
  await enable('us-east-1', 'eu-west-1', 'ap-south-1');
  const first = [
    liveFinding({ region: 'us-east-1', name: 'nb-fixed' }),
    liveFinding({ region: 'us-east-1', name: 'nb-still' }),
    liveFinding({ region: 'us-east-1', name: 'dom-1', ruleId: 'SageMaker-005' }),
    liveFinding({ region: 'eu-west-1', name: 'nb-eu' }),
    liveFinding({ region: 'ap-south-1', name: 'nb-ap' }),
  ];
  await exportIt(report(first, run('audit', regionsEvaluated(['us-east-1', 'eu-west-1', 'ap-south-1']))));
  // The second run: --regions us-east-1,ap-south-1, SageMaker-004 only, and ap-south-1's listing failed
  // (not in evaluated). nb-fixed is gone from us-east-1.
  const second = report([liveFinding({ region: 'us-east-1', name: 'nb-still' })], run('audit', regionsEvaluated(['us-east-1'], ['SageMaker-004'])));
  const result = await exportIt(second);
  assert.deepEqual(result.errors, []);
  const east = await stored('us-east-1');
  assert.deepEqual(byState(east, 'ARCHIVED'), [arnOf('us-east-1', 'nb-fixed')]);
  assert.deepEqual(byState(east, 'ACTIVE'), [`arn:aws:sagemaker:us-east-1:${ACCOUNT}:domain/dom-1`, arnOf('us-east-1', 'nb-still')]);
  assert.deepEqual(byState(await stored('eu-west-1'), 'ARCHIVED'), []);
  assert.deepEqual(byState(await stored('ap-south-1'), 'ARCHIVED'), []);
  assert.equal(result.targets.find((t) => t.region === 'us-east-1')?.archived, 1);
});

test('a region listed completely with no finding left has its earlier findings archived (Prowler #2190)', async () => {
  await emulator.moto.reset();
  await enable('us-east-1', 'eu-west-1');
  await exportIt(report([liveFinding({ region: 'eu-west-1', name: 'nb-a' }), liveFinding({ region: 'eu-west-1', name: 'nb-b' }), liveFinding({ region: 'us-east-1', name: 'nb-c' })], run('audit', regionsEvaluated(['us-east-1', 'eu-west-1']))));
  const result = await exportIt(report([liveFinding({ region: 'us-east-1', name: 'nb-c' })], run('audit', regionsEvaluated(['us-east-1', 'eu-west-1']))));
  assert.deepEqual(result.errors, []);
  const eu = await stored('eu-west-1');
  assert.deepEqual(byState(eu, 'ARCHIVED'), [arnOf('eu-west-1', 'nb-a'), arnOf('eu-west-1', 'nb-b')]);
  assert.deepEqual(byState(eu, 'ACTIVE'), []);
  assert.ok(eu.every((f) => Date.parse(f.UpdatedAt!) > Date.parse(f.CreatedAt!)), 'UpdatedAt moves forward');
  assert.deepEqual(result.targets.find((t) => t.region === 'eu-west-1'), { account: ACCOUNT, region: 'eu-west-1', imported: 0, archived: 2 });
});

test('moto ignores GetFindings filters: other products, generators, accounts and our scan findings beside an audit are never archived', async () => {
  await emulator.moto.reset();
  await enable('us-east-1');
  const foreign = (id: string, overrides: Partial<AwsSecurityFinding>): AwsSecurityFinding => ({
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: defaultProductArn(ACCOUNT, 'us-east-1'),
    GeneratorId: 'SageMaker-004',
    AwsAccountId: ACCOUNT,
    Types: ['Software and Configuration Checks'],
    CreatedAt: '2026-01-01T00:00:00.000Z',
    UpdatedAt: '2026-01-01T00:00:00.000Z',
    Severity: { Label: 'HIGH' },
    Title: 'other',
    Description: 'other',
    Resources: [{ Type: 'Other', Id: id, Region: 'us-east-1' }],
    RecordState: 'ACTIVE',
    ...overrides,
  });
  await hub('us-east-1').send(
    new BatchImportFindingsCommand({
      Findings: [
        foreign('prowler-finding-1', {}),
        foreign('cloudconform/live/other-product', { ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty' }),
        foreign('cloudconform/live/other-generator', { GeneratorId: 'SageMaker-999', ProductFields: { 'cloudconform/Kind': 'live' } }),
        foreign('cloudconform/live/other-account', { AwsAccountId: '999999999999', ProductFields: { 'cloudconform/Kind': 'live' } }),
      ],
    }),
  );
  // A scan's findings, imported into the same account and region.
  const scanFinding: Finding = { ruleId: 'SageMaker-004', result: 'fail', resource: { type: 'AWS::SageMaker::NotebookInstance', id: 'Notebook', source: 'cloudformation' }, location: { file: 'nb.yaml', line: 3 }, message: 'DirectInternetAccess is Enabled', risk: 'Medium', suppressed: false };
  await exportIt(report([scanFinding], run('scan', { files: ['nb.yaml'] })), { region: 'us-east-1' });
  emulator.proxy.clearLog();
  const result = await exportIt(report([], run('audit', regionsEvaluated(['us-east-1']))));
  assert.deepEqual(result.errors, []);
  assert.deepEqual(byState(await stored('us-east-1'), 'ARCHIVED'), []);
  const get = emulator.proxy.log.find((c) => c.action === 'GetFindings');
  const filters = get?.params.Filters as Record<string, { Value: string; Comparison: string }[]>;
  assert.deepEqual(filters.ProductArn, [{ Value: defaultProductArn(ACCOUNT, 'us-east-1'), Comparison: 'EQUALS' }]);
  assert.deepEqual(filters.AwsAccountId, [{ Value: ACCOUNT, Comparison: 'EQUALS' }]);
  assert.deepEqual(filters.RecordState, [{ Value: 'ACTIVE', Comparison: 'EQUALS' }]);
});

test('a scan: imported under the caller account (GetCallerIdentity) and --region; resolved only in the files it read and its own scope', async () => {
  await emulator.moto.reset();
  await enable('eu-central-1');
  const f = (file: string, id: string): Finding => ({ ruleId: 'SageMaker-004', result: 'fail', resource: { type: 'AWS::SageMaker::NotebookInstance', id, source: 'cloudformation' }, location: { file, line: 3 }, message: 'DirectInternetAccess is Enabled', risk: 'Medium', suppressed: false });
  await exportIt(report([f('a.yaml', 'NbA'), f('b.yaml', 'NbB'), f('c.yaml', 'NbC')], run('scan', { files: ['a.yaml', 'b.yaml', 'c.yaml'] })), { region: 'eu-central-1' });
  // Another repository, same account and region, same file name: untouched by repo-a's runs.
  await exportIt(report([f('a.yaml', 'NbA')], run('scan', { files: ['a.yaml'] }, 'scan:repo-b')), { region: 'eu-central-1' });
  // repo-a again: a.yaml fixed; b.yaml not read (a narrower path); c.yaml read but with an error (not fully evaluated).
  const second = report([], run('scan', { files: ['a.yaml', 'c.yaml'] }));
  second.errors.push({ file: 'c.yaml', message: 'YAML parse error' });
  const result = await exportIt(second, { region: 'eu-central-1' });
  const all = await stored('eu-central-1');
  assert.ok(all.every((x) => x.AwsAccountId === ACCOUNT && x.ProductArn === defaultProductArn(ACCOUNT, 'eu-central-1')));
  const archived = all.filter((x) => x.RecordState === 'ARCHIVED');
  assert.deepEqual(archived.map((x) => [x.ProductFields?.['cloudconform/ScopeKey'], x.Resources?.[0]?.Id]), [['scan:repo-a', 'NbA']]);
  assert.equal(all.filter((x) => x.RecordState === 'ACTIVE').length, 3);
  assert.deepEqual(result.targets, [{ account: ACCOUNT, region: 'eu-central-1', imported: 0, archived: 1 }]);
});

test('a template deleted from a scanned directory: archived when the history classified it resolved (resolvedKeys, from --from-history), not from the report alone', async () => {
  await emulator.moto.reset();
  await enable('eu-central-1');
  const f = (file: string, id: string): Finding => ({ ruleId: 'SageMaker-004', result: 'fail', resource: { type: 'AWS::SageMaker::NotebookInstance', id, source: 'cloudformation' }, location: { file, line: 3 }, message: 'DirectInternetAccess is Enabled', risk: 'Medium', suppressed: false });
  const gone = f('gone.yaml', 'InGone');
  await exportIt(report([f('nb.yaml', 'Keep'), gone], run('scan', { files: ['nb.yaml', 'gone.yaml'], roots: ['.'] })), { region: 'eu-central-1' });
  // gone.yaml deleted: the next run did not read it (a report can't tell deleted from left out).
  const next = report([f('nb.yaml', 'Keep')], run('scan', { files: ['nb.yaml'], roots: ['.'] }));
  const alone = await exportIt(next, { region: 'eu-central-1' });
  assert.equal(alone.targets[0]!.archived, 0);
  assert.deepEqual(byState(await stored('eu-central-1'), 'ACTIVE'), ['InGone', 'Keep']);
  // Another scope's key in resolvedKeys archives nothing of this one.
  const withHistory = await exportToSecurityHub(next, { endpoint: emulator.proxy.endpoint, region: 'eu-central-1', resolvedKeys: new Set([findingKey(gone)]) });
  assert.equal(withHistory.targets[0]!.archived, 1);
  assert.deepEqual(byState(await stored('eu-central-1'), 'ARCHIVED'), ['InGone']);
  const otherScope = report([], run('scan', { files: [] }, 'scan:repo-b'));
  const none = await exportToSecurityHub(otherScope, { endpoint: emulator.proxy.endpoint, region: 'eu-central-1', resolvedKeys: new Set([findingKey(f('nb.yaml', 'Keep'))]) });
  assert.equal(none.targets[0]!.archived, 0);
});

test('a region where Security Hub is not enabled is an error entry and the others are imported; with nothing to import there, a note', async () => {
  await emulator.moto.reset();
  await enable('us-east-1');
  const findings = [liveFinding({ region: 'us-east-1', name: 'nb-1' }), liveFinding({ region: 'us-west-2', name: 'nb-2' })];
  const result = await exportIt(report(findings, run('audit', regionsEvaluated(['us-east-1', 'us-west-2', 'sa-east-1']))));
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0]!.region, 'us-west-2');
  assert.equal(result.errors[0]!.call, 'securityhub:DescribeHub');
  assert.match(result.errors[0]!.message, /not enabled.*1 finding/);
  assert.deepEqual(result.notes.map((n) => n.region), ['sa-east-1']);
  assert.deepEqual(byState(await stored('us-east-1'), 'ACTIVE'), [arnOf('us-east-1', 'nb-1')]);
  assert.equal(result.targets.find((t) => t.region === 'us-east-1')?.imported, 1);
});

test('every FailedFindings entry is reported (moto never fails what we send: injected by the proxy), and a failed batch does not stop the next', async () => {
  await emulator.moto.reset();
  await enable('us-east-1');
  const findings = Array.from({ length: 150 }, (_, i) => liveFinding({ region: 'us-east-1', name: `nb-${i}` }));
  const ids = findings.map((f) => `cloudconform/live/${findingKey(f)}`);
  const refused = [ids[3]!, ids[77]!];
  emulator.proxy.addRule({
    fault: 'rewrite',
    action: 'BatchImportFindings',
    times: 1,
    rewrite: (answer) => ({
      ...answer,
      FailedCount: 2,
      SuccessCount: (answer.SuccessCount as number) - 2,
      FailedFindings: refused.map((Id) => ({ Id, ErrorCode: 'InvalidInput', ErrorMessage: 'Finding\u001b[31m refused <b>"x"</b>' })),
    }),
  });
  emulator.proxy.addRule({ fault: 'server-error', action: 'BatchImportFindings', times: 10 });
  const result = await exportIt(report(findings, run('audit', regionsEvaluated(['us-east-1']))));
  const refusedEntries = result.errors.filter((e) => e.id !== undefined);
  assert.deepEqual(refusedEntries.map((e) => e.id).sort(), [...refused].sort());
  assert.ok(refusedEntries.every((e) => e.message.startsWith('InvalidInput: ') && !e.message.includes('\u001b')));
  const batchError = result.errors.find((e) => e.id === undefined);
  assert.match(batchError?.message ?? '', /^50 finding\(s\) not imported \(batch 2\): InternalFailure/);
  assert.equal(result.targets[0]!.imported, 98);
});

test('throttling is retried by the SDK (nothing lost); access denied on BatchImportFindings is an error entry naming the call, the next region goes on', async () => {
  await emulator.moto.reset();
  await enable('us-east-1', 'eu-west-1');
  const throttle = emulator.proxy.addRule({ fault: 'throttle', action: 'BatchImportFindings', region: 'us-east-1', times: 2 });
  const denied = emulator.proxy.addRule({ fault: 'access-denied', action: 'BatchImportFindings', region: 'eu-west-1' });
  const result = await exportIt(report([liveFinding({ region: 'us-east-1', name: 'nb-1' }), liveFinding({ region: 'eu-west-1', name: 'nb-2' })], run('audit', regionsEvaluated(['us-east-1', 'eu-west-1']))));
  assert.equal(throttle.hits, 2);
  assert.ok(denied.hits >= 1);
  assert.deepEqual(byState(await stored('us-east-1'), 'ACTIVE'), [arnOf('us-east-1', 'nb-1')]);
  assert.equal(result.errors.length, 1);
  assert.deepEqual([result.errors[0]!.region, result.errors[0]!.call], ['eu-west-1', 'securityhub:BatchImportFindings']);
  assert.match(result.errors[0]!.message, /1 finding\(s\) not imported \(batch 1\): AccessDeniedException/);
});

test('a live finding of another account is an error entry (Security Hub takes findings only from their own account), nothing sent there', async () => {
  await emulator.moto.reset();
  await enable('us-east-1');
  emulator.proxy.clearLog();
  const evaluated = regionsEvaluated(['us-east-1']);
  // An organization's audit: the other account listed in three regions, one of them with a finding.
  for (const region of ['us-east-1', 'eu-west-1', 'ap-south-1']) evaluated.regions.push({ account: '210987654321', region, ruleIds: ['SageMaker-004'] });
  const result = await exportIt(report([liveFinding({ region: 'us-east-1', name: 'nb-1' }), liveFinding({ region: 'us-east-1', name: 'nb-x', account: '210987654321' })], run('audit', evaluated)));
  assert.equal(result.errors.length, 1, 'one entry for the account, not one per region');
  assert.equal(result.errors[0]!.account, '210987654321');
  assert.match(result.errors[0]!.message, /^1 finding\(s\) in 3 region\(s\) not imported, none archived: account 210987654321 is not the caller's/);
  assert.ok(emulator.proxy.log.every((c) => c.action !== 'BatchImportFindings' || (c.params.Findings as { AwsAccountId: string }[]).every((x) => x.AwsAccountId === ACCOUNT)));
});

test('a report without a run (before 0.2): imported, nothing archived, a note says why', async () => {
  await emulator.moto.reset();
  await enable('us-east-1');
  await exportIt(report([liveFinding({ region: 'us-east-1', name: 'nb-old' })], run('audit', regionsEvaluated(['us-east-1']))));
  const result = await exportIt(report([liveFinding({ region: 'us-east-1', name: 'nb-new' })], undefined));
  assert.deepEqual(result.errors, []);
  assert.match(result.notes[0]?.message ?? '', /no run/);
  assert.deepEqual(byState(await stored('us-east-1'), 'ARCHIVED'), []);
});

test('hostile names: markup, quotes, newlines, formula starts and controls are imported escaped, none refused', async () => {
  await emulator.moto.reset();
  await enable('us-east-1');
  const names = ['<script>alert(1)</script>', 'a"b\'c', 'line\nbreak', '=cmd|\' /C calc\'!A0', 'esc\u001b[2Jx', 'bidi\u202eevil', 'x'.repeat(600)];
  const findings = names.map((name) => ({ ...liveFinding({ region: 'us-east-1', name }), message: `${name} is open` }));
  const result = await exportIt(report(findings, run('audit', regionsEvaluated(['us-east-1']))));
  assert.deepEqual(result.errors, []);
  const all = await stored('us-east-1');
  assert.equal(all.length, names.length);
  for (const f of all) {
    for (const value of strings(f)) assert.doesNotMatch(value, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, value);
    assert.ok(Array.from(f.Resources![0]!.Id!).length <= 512);
  }
  assert.ok(all.some((f) => f.Description?.startsWith('<script>alert(1)</script> is open')), 'markup is data, kept as text');
});

test('a hostile report file: an account or region that is no AWS name is an error entry, and no call goes to it', async () => {
  await emulator.moto.reset();
  await enable('us-east-1');
  emulator.proxy.clearLog();
  const evil = [
    liveFinding({ region: 'us-east-1.evil.example#', name: 'nb-1' }),
    liveFinding({ region: 'us-east-1', name: 'nb-2', account: '12345\u001b[2J' }),
    liveFinding({ region: 'us-east-1', name: 'nb-3' }),
  ];
  const result = await exportIt(report(evil, run('audit', regionsEvaluated(['us-east-1']))));
  assert.equal(result.errors.length, 2);
  assert.ok(result.errors.every((e) => /not an AWS account id and region name/.test(e.message) && !/\u001b/.test(`${e.account}${e.region}`)));
  assert.ok(emulator.proxy.log.every((c) => c.region === 'us-east-1'));
  assert.deepEqual(byState(await stored('us-east-1'), 'ACTIVE'), [arnOf('us-east-1', 'nb-3')]);
  await assert.rejects(exportIt(report([], run('scan', { files: [] })), { region: 'evil.example/x' }), /not an AWS region name/);
});

test('iam-policy --for export lists exactly the calls an export makes (import, read earlier findings, archive)', async () => {
  await emulator.moto.reset();
  await enable('us-east-1');
  await exportIt(report([liveFinding({ region: 'us-east-1', name: 'nb-1' })], run('audit', regionsEvaluated(['us-east-1']))));
  emulator.proxy.clearLog();
  const result = await exportIt(report([liveFinding({ region: 'us-east-1', name: 'nb-2' })], run('audit', regionsEvaluated(['us-east-1']))));
  assert.equal(result.targets[0]!.archived, 1);
  const called = [...new Set(emulator.proxy.log.map((c) => c.iamAction))].sort();
  assert.deepEqual(called, exportIamPolicy().Statement[0]!.Action);
  const printed = await runCli(['iam-policy', '--for', 'export']);
  assert.equal(printed.code, 0);
  assert.deepEqual(JSON.parse(printed.stdout), exportIamPolicy());
});

test('the CLI: a report file in, a summary out (exit 0); errors named (exit 2) with no credential in any output', async () => {
  await emulator.moto.reset();
  await enable('us-east-1');
  const dir = mkdtempSync(join(tmpdir(), 'cc-export-'));
  const file = join(dir, 'audit.json');
  writeFileSync(file, JSON.stringify(report([liveFinding({ region: 'us-east-1', name: 'nb-1' }), liveFinding({ region: 'eu-north-1', name: 'nb-2' })], run('audit', regionsEvaluated(['us-east-1'])))));
  const ok = await runCli(['export', 'securityhub', file, '--endpoint-url', emulator.proxy.endpoint]);
  assert.equal(ok.code, 2, ok.stderr);
  assert.match(ok.stdout, /Security Hub: 1 finding\(s\) imported, 0 archived, 1 error/);
  assert.match(ok.stderr, /error: 123456789012\/eu-north-1: securityhub:DescribeHub: Security Hub is not enabled/);
  await enable('eu-north-1');
  const secret = 'AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  emulator.proxy.addRule({ fault: 'error', action: 'GetFindings', status: 400, code: 'InvalidInputException', message: `bad token ${secret}`, times: 1 });
  const again = await runCli(['export', 'securityhub', file, '--endpoint-url', emulator.proxy.endpoint], { awsEnv: { ...awsEnvWithSecret() } });
  assert.equal(again.code, 2);
  for (const out of [again.stdout, again.stderr]) {
    assert.doesNotMatch(out, /AKIAIOSFODNN7EXAMPLE|wJalrXUtnFEMI|secret-key-value/);
  }
  assert.match(again.stderr, /securityhub:GetFindings: earlier findings could not be read/);
  assert.match(again.stdout, /2 finding\(s\) imported/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"version": 7}');
  const refused = await runCli(['export', 'securityhub', bad, '--endpoint-url', emulator.proxy.endpoint]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /bad\.json/);
  const neither = await runCli(['export', 'securityhub']);
  assert.equal(neither.code, 2);
  assert.match(neither.stderr, /--from-history/);
});

/** Every string in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

test('--from-history: the latest recorded run (a scan) goes to the caller account and --region; a notebook removed from a file that was read is archived', async () => {
  await emulator.moto.reset();
  await enable('us-east-1');
  const dir = mkdtempSync(join(tmpdir(), 'cc-export-history-'));
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  const db = join(dir, 'history.db');
  const notebook = (id: string) => `  ${id}:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: ml.t3.medium\n      RoleArn: arn:aws:iam::111122223333:role/nb\n      DirectInternetAccess: Enabled\n`;
  writeFileSync(join(repo, 'nb.yaml'), `Resources:\n${notebook('Keep')}${notebook('Removed')}`);
  const scan = () => runCli(['scan', '.', '--db', db, '-q'], { cwd: repo });
  const exportRun = () => runCli(['export', 'securityhub', '--from-history', '--db', db, '--region', 'us-east-1', '--endpoint-url', emulator.proxy.endpoint]);
  assert.equal((await scan()).code, 1);
  const first = await exportRun();
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /2 finding\(s\) imported, 0 archived/);
  writeFileSync(join(repo, 'nb.yaml'), `Resources:\n${notebook('Keep')}`);
  assert.equal((await scan()).code, 1);
  const second = await exportRun();
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /1 finding\(s\) imported, 1 archived/);
  const all = await stored('us-east-1');
  assert.deepEqual(byState(all, 'ARCHIVED'), ['Removed']);
  assert.deepEqual(byState(all, 'ACTIVE'), ['Keep']);
  const missing = await runCli(['export', 'securityhub', '--from-history', '--db', join(dir, 'none.db'), '--region', 'us-east-1', '--endpoint-url', emulator.proxy.endpoint]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no runs recorded yet/);
});

function awsEnvWithSecret(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'secret-key-value',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
