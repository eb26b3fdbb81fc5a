// The audit engine and the live source against an in-process AWS (real wire shapes, real SDK
// parsing and retries): verdicts, and every way a call can fail without losing a resource.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUDIT_ACTIONS } from '../sources/aws/actions';
import { SAGEMAKER_NOTEBOOK_REGIONS } from '../sources/aws/regions';
import { AwsClientFactory } from '../sources/aws/clients';
import { CALLER_ACCOUNT, CALLER_KEY, FakeAws, useFakeCallerEnvironment } from '../sources/aws/test-fake-aws';
import { AuditOptionsError, auditWithClients, type AuditOptions, type AuditProgress } from './audit';
import { emptyConfig, parseConfig } from './config';
import type { Finding, ScanReport } from '../model/report';

useFakeCallerEnvironment();

const MEMBER_A = '222233334444';
const MEMBER_B = '555566667777';

/** The fake enables only a few regions; every other offered region is noted as not enabled (tested on its own). */
function notesBesidesUnenabledRegions(report: ScanReport) {
  return (report.notes ?? []).filter((n) => !/^\d+ regions? not enabled: /.test(n.message));
}

function run(fake: FakeAws, options: Partial<AuditOptions> = {}): Promise<ScanReport> {
  // Two attempts keep exhausted retries quick; the SDK's standard backoff still runs between them.
  const factory = new AwsClientFactory({ maxSockets: 8, requestHandler: fake.handler, maxAttempts: 2 });
  return auditWithClients(factory, { config: emptyConfig(), ...options });
}

function finding(report: ScanReport, name: string): Finding {
  const found = report.findings.filter((f) => f.resource.details?.name === name);
  assert.equal(found.length, 1, `one finding for ${name}: ${JSON.stringify(report.findings.map((f) => f.resource.details?.name))}`);
  return found[0]!;
}

function seeded(): FakeAws {
  const fake = new FakeAws();
  fake.notebooks = [
    { name: 'nb-open', region: 'us-east-1', DirectInternetAccess: 'Enabled' },
    { name: 'nb-private', region: 'us-east-1', DirectInternetAccess: 'Disabled', SubnetId: 'subnet-0abc' },
    { name: 'nb-default', region: 'eu-west-1' },
    { name: 'nb-stopped', region: 'eu-west-1', status: 'Stopped', DirectInternetAccess: 'Enabled', SubnetId: 'subnet-0abc' },
  ];
  fake.domains = [
    { id: 'd-vpc', name: 'studio-vpc', region: 'us-east-1', AppNetworkAccessType: 'VpcOnly' },
    { id: 'd-default', name: 'studio-default', region: 'eu-west-1' },
  ];
  return fake;
}

describe('audit: verdicts from live resources', () => {
  it('evaluates every notebook and domain in every enabled region, from the describe output', async () => {
    const fake = seeded();
    const report = await run(fake);
    assert.deepEqual(report.errors, []);
    assert.equal(report.summary.resources, 6);
    assert.equal(finding(report, 'nb-open').result, 'fail');
    assert.equal(finding(report, 'nb-private').result, 'pass');
    // Absent from the describe output: AWS's default (Enabled) applies, though RootAccess is Enabled too.
    assert.equal(finding(report, 'nb-default').result, 'fail');
    assert.match(finding(report, 'nb-default').message, /not set, and AWS defaults it to Enabled/);
    assert.equal(finding(report, 'nb-stopped').result, 'fail');
    assert.equal(finding(report, 'studio-vpc').result, 'pass');
    assert.equal(finding(report, 'studio-default').result, 'fail');

    const open = finding(report, 'nb-open');
    assert.deepEqual(open.resource, {
      type: 'AWS::SageMaker::NotebookInstance',
      id: `arn:aws:sagemaker:us-east-1:${CALLER_ACCOUNT}:notebook-instance/nb-open`,
      source: 'aws',
      details: { account: CALLER_ACCOUNT, region: 'us-east-1', name: 'nb-open', status: 'InService' },
      live: { account: CALLER_ACCOUNT, region: 'us-east-1', arn: `arn:aws:sagemaker:us-east-1:${CALLER_ACCOUNT}:notebook-instance/nb-open` },
    });
    // The run says what it evaluated: each region whose listings completed, with the rules they serve.
    assert.equal(report.run?.command, 'audit');
    assert.equal(report.run?.scope.key, `audit:caller:${CALLER_ACCOUNT}`);
    const east = report.run?.evaluated.regions?.find((r) => r.region === 'us-east-1');
    assert.deepEqual(east, { account: CALLER_ACCOUNT, region: 'us-east-1', ruleIds: ['SageMaker-004', 'SageMaker-005'] });
    assert.ok(Date.parse(report.run!.endedAt) >= Date.parse(report.run!.startedAt));
    assert.deepEqual(open.location, { file: `aws://${CALLER_ACCOUNT}/us-east-1`, line: 0 });
    assert.equal(finding(report, 'nb-stopped').resource.details?.status, 'Stopped');
    assert.deepEqual(notesBesidesUnenabledRegions(report), []);
  });

  it('pages through more than one page of notebooks', async () => {
    const fake = new FakeAws();
    fake.notebooks = Array.from({ length: 230 }, (_, i) => ({ name: `nb-${String(i).padStart(3, '0')}`, region: 'us-east-1', DirectInternetAccess: 'Disabled', SubnetId: 'subnet-1' }));
    const report = await run(fake, { regions: ['us-east-1'] });
    assert.equal(report.summary.resources, 230);
    assert.equal(report.summary.pass, 230);
    assert.equal(fake.count('sagemaker:ListNotebookInstances'), 3);
    assert.equal(fake.count('sagemaker:DescribeNotebookInstance'), 230);
  });

  it('lists only the resource types the selected rules read', async () => {
    const fake = seeded();
    const report = await run(fake, { ruleIds: ['SageMaker-005'] });
    assert.equal(fake.count('sagemaker:ListNotebookInstances'), 0);
    assert.deepEqual(report.findings.map((f) => f.ruleId), ['SageMaker-005', 'SageMaker-005']);
  });

  it('reports progress up to every planned region', async () => {
    const seen: AuditProgress[] = [];
    await run(seeded(), { onProgress: (p) => seen.push(p) });
    assert.deepEqual(seen.at(-1), { accountsTotal: 1, regionsTotal: 2, regionsDone: 2, seen: { 'AWS::SageMaker::NotebookInstance': 4, 'AWS::SageMaker::Domain': 2 } });
  });

  it('calls only actions of the IAM policy list, and keeps credentials out of the report', async () => {
    const fake = seeded();
    fake.faults.push({ action: 'sagemaker:ListDomains', status: 400, code: 'AccessDeniedException', message: 'AKIAIOSFODNN7EXAMPLE is not authorized' });
    const report = await run(fake, { config: parseConfig({ exceptions: [{ rules: ['*'], tags: { team: 'x' }, reason: 'r' }] }) });
    const listed = new Set<string>(Object.values(AUDIT_ACTIONS).map((a) => a.action));
    for (const call of fake.calls) assert.ok(listed.has(call.action), call.action);
    const text = JSON.stringify(report);
    for (const secret of ['fake-secret-key-never-printed', CALLER_KEY, 'AKIAIOSFODNN7EXAMPLE']) assert.ok(!text.includes(secret), secret);
    assert.match(report.errors[0]!.message, /\[access key id redacted\] is not authorized/);
  });
});

describe('audit: failures stay local', () => {
  it('a describe that fails gives an unknown verdict and an error entry, never a pass', async () => {
    const fake = seeded();
    fake.faults.push({ action: 'sagemaker:DescribeNotebookInstance', resource: 'nb-private', status: 400, code: 'AccessDeniedException', message: 'User is not authorized to perform: sagemaker:DescribeNotebookInstance' });
    const report = await run(fake);
    const denied = finding(report, 'nb-private');
    assert.equal(denied.result, 'unknown');
    assert.match(denied.message, /sagemaker:DescribeNotebookInstance failed: AccessDeniedException/);
    assert.deepEqual(report.errors, [
      {
        file: `aws://${CALLER_ACCOUNT}/us-east-1`,
        account: CALLER_ACCOUNT,
        region: 'us-east-1',
        call: 'sagemaker:DescribeNotebookInstance',
        message: 'nb-private: AccessDeniedException: User is not authorized to perform: sagemaker:DescribeNotebookInstance',
      },
    ]);
    assert.equal(report.summary.resources, 6);
  });

  it('a notebook deleted between list and describe is left out with a note', async () => {
    const fake = seeded();
    fake.deletedAfterList.add('nb-open');
    const report = await run(fake);
    assert.ok(!report.findings.some((f) => f.resource.details?.name === 'nb-open'));
    assert.deepEqual(report.errors, []);
    assert.deepEqual(notesBesidesUnenabledRegions(report), [
      {
        account: CALLER_ACCOUNT,
        region: 'us-east-1',
        message: 'notebook instance nb-open was deleted during the audit and is left out (ValidationException: RecordNotFound)',
      },
    ]);
  });

  it('throttling that outlasts the retries is an error for that region while the others finish', async () => {
    const fake = seeded();
    fake.faults.push({ action: 'sagemaker:ListNotebookInstances', region: 'eu-west-1', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' });
    const report = await run(fake);
    assert.equal(fake.calls.filter((c) => c.action === 'sagemaker:ListNotebookInstances' && c.region === 'eu-west-1').length, 2, 'retried');
    assert.deepEqual(report.errors, [
      {
        file: `aws://${CALLER_ACCOUNT}/eu-west-1`,
        account: CALLER_ACCOUNT,
        region: 'eu-west-1',
        call: 'sagemaker:ListNotebookInstances',
        message: 'notebook instances not read in eu-west-1: ThrottlingException: Rate exceeded (after 2 attempts)',
      },
    ]);
    assert.equal(finding(report, 'nb-open').result, 'fail');
    assert.equal(finding(report, 'nb-private').result, 'pass');
    assert.equal(finding(report, 'studio-default').result, 'fail', 'the domains of the throttled region are still audited');
  });

  it('a throttle the retries absorb leaves no trace', async () => {
    const fake = seeded();
    fake.faults.push({ action: 'sagemaker:DescribeNotebookInstance', resource: 'nb-open', status: 400, code: 'ThrottlingException', message: 'Rate exceeded', times: 1 });
    const report = await run(fake);
    assert.deepEqual(report.errors, []);
    assert.equal(finding(report, 'nb-open').result, 'fail');
  });

  it('a page that fails mid-listing keeps what was listed and says the listing stopped', async () => {
    const fake = new FakeAws();
    fake.notebooks = Array.from({ length: 150 }, (_, i) => ({ name: `nb-${i}`, region: 'us-east-1', DirectInternetAccess: 'Enabled' }));
    fake.faults.push({ action: 'sagemaker:ListNotebookInstances', skip: 1, status: 500, code: 'InternalFailure', message: 'oops' });
    const report = await run(fake, { regions: ['us-east-1'] });
    assert.equal(report.summary.resources, 100);
    assert.equal(report.errors.length, 1);
    assert.match(report.errors[0]!.message, /^notebook instances in us-east-1 not all listed: InternalFailure: oops \(after 2 attempts\) \(listing stopped after 100 notebook instances, which are reported\)$/);
    // The history must not resolve notebooks it never listed: the region counts as evaluated for domains only.
    assert.deepEqual(report.run?.evaluated.regions, [{ account: CALLER_ACCOUNT, region: 'us-east-1', ruleIds: ['SageMaker-005'] }]);
  });

  it('a region DescribeRegions lists as enabled that rejects the credentials is an error per list call, never a note', async () => {
    const fake = seeded();
    for (const action of ['sagemaker:ListNotebookInstances', 'sagemaker:ListDomains']) {
      fake.faults.push({ action, region: 'eu-west-1', status: 400, code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    }
    const report = await run(fake);
    assert.ok(!report.findings.some((f) => f.resource.details?.region === 'eu-west-1'));
    const rejected = 'UnrecognizedClientException: The security token included in the request is invalid.';
    assert.deepEqual(
      report.errors.map((e) => [e.region, e.call, e.message]),
      [
        ['eu-west-1', 'sagemaker:ListDomains', `Studio domains not read in eu-west-1: ${rejected}`],
        ['eu-west-1', 'sagemaker:ListNotebookInstances', `notebook instances not read in eu-west-1: ${rejected}`],
      ],
    );
    assert.deepEqual(notesBesidesUnenabledRegions(report), []);
  });

  it('only one list call rejected: the error names the resource type not read; the other is audited', async () => {
    const fake = seeded();
    fake.faults.push({ action: 'sagemaker:ListDomains', region: 'eu-west-1', status: 400, code: 'UnrecognizedClientException', message: 'invalid token' });
    const report = await run(fake);
    assert.deepEqual(
      report.errors.map((e) => [e.region, e.call, e.message]),
      [['eu-west-1', 'sagemaker:ListDomains', 'Studio domains not read in eu-west-1: UnrecognizedClientException: invalid token']],
    );
    assert.equal(finding(report, 'nb-default').result, 'fail');
    assert.deepEqual(notesBesidesUnenabledRegions(report), []);
  });

  it('no credentials at all is one error entry, not a crash', async () => {
    const fake = seeded();
    fake.faults.push({ action: 'sts:GetCallerIdentity', status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' });
    const report = await run(fake);
    assert.deepEqual(report.errors, [
      { file: 'aws://caller', call: 'sts:GetCallerIdentity', message: 'InvalidClientTokenId: The security token included in the request is invalid.' },
    ]);
    assert.equal(report.findings.length, 0);
  });
});

describe('audit: regions', () => {
  it('requested regions: one not enabled is an error (never a note), one missing from our list of notebook regions is audited anyway; by default those are notes', async () => {
    const fake = seeded();
    fake.enabledRegions = ['us-east-1', 'eu-west-1', 'ap-southeast-5'];
    const requested = await run(fake, { regions: ['us-east-1', 'ap-south-2', 'ap-southeast-5'] });
    assert.deepEqual(requested.notes, []);
    assert.deepEqual(
      requested.errors.map((e) => [e.region, e.message]),
      [['ap-south-2', `ap-south-2 was requested but is not enabled for account ${CALLER_ACCOUNT} (DescribeRegions does not list it): not audited`]],
    );
    assert.deepEqual([...new Set(requested.findings.map((f) => f.resource.details?.region))], ['us-east-1']);
    assert.deepEqual(new Set(fake.calls.filter((c) => c.action.startsWith('sagemaker:')).map((c) => c.region)), new Set(['us-east-1', 'ap-southeast-5']));

    fake.calls.length = 0;
    const fallback = await run(fake);
    assert.deepEqual(fallback.errors, []);
    const notEnabled = [...SAGEMAKER_NOTEBOOK_REGIONS.aws!].filter((r) => r !== 'us-east-1' && r !== 'eu-west-1');
    // One line per account and reason, whatever the number of regions.
    assert.deepEqual(fallback.notes, [
      { account: CALLER_ACCOUNT, message: '1 region where SageMaker notebook instances are not offered: ap-southeast-5' },
      { account: CALLER_ACCOUNT, message: `${notEnabled.length} regions not enabled: ${notEnabled.sort().join(', ')}` },
    ]);
    assert.deepEqual(new Set(fake.calls.filter((c) => c.action.startsWith('sagemaker:')).map((c) => c.region)), new Set(['us-east-1', 'eu-west-1']));
  });

  it('when enabled regions cannot be listed: an error, every offered region is tried, and the unenabled ones skip themselves with notes', async () => {
    const fake = seeded();
    fake.faults.push({ action: 'ec2:DescribeRegions', status: 403, code: 'UnauthorizedOperation', message: 'not allowed' });
    fake.faults.push(
      ...['sagemaker:ListNotebookInstances', 'sagemaker:ListDomains'].map((action) => ({
        action,
        region: 'ap-east-1',
        status: 400,
        code: 'UnrecognizedClientException',
        message: 'invalid token',
      })),
    );
    const report = await run(fake);
    assert.deepEqual(
      report.errors.map((e) => [e.account, e.region, e.call]),
      [[CALLER_ACCOUNT, undefined, 'ec2:DescribeRegions']],
    );
    assert.match(report.errors[0]!.message, /could not list the regions enabled .*: UnauthorizedOperation: not allowed; trying every region/);
    assert.deepEqual(
      report.notes!.filter((n) => /skipped/.test(n.message)),
      [{ account: CALLER_ACCOUNT, message: '1 region skipped, probably not enabled (UnrecognizedClientException: invalid token): ap-east-1' }],
    );
    assert.equal(report.summary.resources, 6);
  });
});

describe('audit: many accounts', () => {
  function members(): FakeAws {
    const fake = seeded();
    fake.notebooks.push(
      { name: 'nb-a', account: MEMBER_A, region: 'us-east-1', DirectInternetAccess: 'Enabled' },
      { name: 'nb-b', account: MEMBER_B, region: 'eu-west-1', DirectInternetAccess: 'Enabled' },
    );
    return fake;
  }

  it('--accounts: assumes the role in each member through regional STS; the caller audits its own account itself', async () => {
    const fake = members();
    const report = await run(fake, { accounts: [MEMBER_A, CALLER_ACCOUNT], roleName: 'AuditRole', externalId: 'ext-1' });
    assert.deepEqual(report.errors, []);
    const assumed = fake.calls.filter((c) => c.action === 'sts:AssumeRole');
    assert.deepEqual(
      assumed.map((c) => [c.region, c.params.RoleArn, c.params.RoleSessionName, c.params.ExternalId]),
      [['us-east-1', `arn:aws:iam::${MEMBER_A}:role/AuditRole`, 'cloudconform-audit', 'ext-1']],
    );
    assert.equal(finding(report, 'nb-a').resource.details?.account, MEMBER_A);
    assert.equal(finding(report, 'nb-open').resource.details?.account, CALLER_ACCOUNT);
    assert.ok(!report.findings.some((f) => f.resource.details?.name === 'nb-b'));
    // One AssumeRole per account, however many regions and calls follow.
    assert.ok(fake.calls.filter((c) => c.account === MEMBER_A).length > 3);
  });

  it('an account whose role cannot be assumed is an error entry; the others go on', async () => {
    const fake = members();
    fake.faults.push({ action: 'sts:AssumeRole', resource: `${MEMBER_B}:role/AuditRole`, status: 403, code: 'AccessDenied', message: 'not authorized to perform sts:AssumeRole' });
    const report = await run(fake, { accounts: [MEMBER_A, MEMBER_B], roleName: 'AuditRole' });
    assert.deepEqual(report.errors, [
      { file: `aws://${MEMBER_B}`, account: MEMBER_B, call: 'sts:AssumeRole', message: 'AccessDenied: not authorized to perform sts:AssumeRole' },
    ]);
    assert.deepEqual([...new Set(report.findings.map((f) => f.resource.details?.account))], [MEMBER_A]);
    assert.ok(!fake.calls.some((c) => c.account === MEMBER_B));
  });

  it('--organization: every ACTIVE account of the organization, page by page', async () => {
    const fake = members();
    fake.organizationAccounts = [
      { id: CALLER_ACCOUNT, state: 'ACTIVE' },
      { id: MEMBER_A, state: 'ACTIVE' },
      { id: MEMBER_B, state: 'SUSPENDED' },
      ...Array.from({ length: 25 }, (_, i) => ({ id: `9000000000${String(i).padStart(2, '0')}`, state: 'ACTIVE' })),
    ];
    const report = await run(fake, { organization: true, roleName: 'AuditRole' });
    assert.deepEqual(report.errors, []);
    assert.equal(fake.count('organizations:ListAccounts'), 2);
    assert.equal(fake.count('sts:AssumeRole'), 26);
    assert.ok(!fake.calls.some((c) => c.account === MEMBER_B));
    assert.equal(finding(report, 'nb-a').result, 'fail');
  });

  it('--role-arn audits that one account', async () => {
    const fake = members();
    const report = await run(fake, { roleArn: `arn:aws:iam::${MEMBER_B}:role/path/AuditRole` });
    assert.deepEqual(report.findings.map((f) => f.resource.details?.name), ['nb-b']);
    assert.equal(fake.count('sts:GetCallerIdentity'), 0);
  });

  it('rejects contradictory options before making any call', async () => {
    const cases: [Partial<AuditOptions>, RegExp][] = [
      [{ roleArn: `arn:aws:iam::${MEMBER_A}:role/R`, organization: true, roleName: 'R' }, /can't be combined/],
      [{ accounts: [MEMBER_A] }, /needs --role-name/],
      [{ accounts: ['12345'], roleName: 'R' }, /not a 12-digit/],
      [{ roleName: 'R' }, /used with --accounts or --organization/],
      [{ externalId: 'x' }, /used when assuming a role/],
      [{ roleArn: 'arn:aws:iam::123:user/x' }, /not an IAM role ARN/],
      [{ regions: ['us-east-1', 'Mars'] }, /'Mars' is not an AWS region/],
    ];
    for (const [options, message] of cases) {
      const fake = seeded();
      await assert.rejects(run(fake, options), (e: Error) => e instanceof AuditOptionsError && message.test(e.message));
      assert.equal(fake.calls.length, 0);
    }
  });
});

describe('audit: exceptions by tag', () => {
  const sandbox = parseConfig({
    exceptions: [{ rules: ['SageMaker-004'], tags: { team: 'sandbox', env: 'dev' }, reason: 'Training sandbox (SEC-9)' }],
  });

  it('suppresses live resources carrying every tag, with the reason', async () => {
    const fake = seeded();
    fake.notebooks[0]!.tags = { team: 'sandbox', env: 'dev', owner: 'ml' };
    fake.notebooks[2]!.tags = { team: 'sandbox' }; // one tag only: not enough
    const report = await run(fake, { config: sandbox });
    assert.deepEqual(finding(report, 'nb-open').suppression, { reason: 'Training sandbox (SEC-9)', source: 'config' });
    assert.equal(finding(report, 'nb-default').suppressed, false);
    assert.equal(report.summary.suppressed, 1);
  });

  it('reads tags only when an exception uses them, and only for the resource types of the rules it covers', async () => {
    const fake = seeded();
    await run(fake);
    assert.equal(fake.count('sagemaker:ListTags'), 0);
    await run(fake, { config: sandbox });
    assert.equal(fake.count('sagemaker:ListTags'), 4, 'the 4 notebooks (SageMaker-004), no domain');
    const both = parseConfig({ exceptions: [{ rules: ['*'], tags: { team: 'sandbox' }, reason: 'r' }] });
    const again = seeded();
    await run(again, { config: both });
    assert.equal(again.count('sagemaker:ListTags'), 6, 'every notebook and domain when the exception covers every rule');
  });

  it('tags that cannot be read leave the finding unsuppressed, with an error entry', async () => {
    const fake = seeded();
    fake.notebooks[0]!.tags = { team: 'sandbox', env: 'dev' };
    fake.faults.push({ action: 'sagemaker:ListTags', resource: 'nb-open', status: 400, code: 'AccessDeniedException', message: 'no' });
    const report = await run(fake, { config: sandbox });
    assert.equal(finding(report, 'nb-open').suppressed, false);
    assert.deepEqual(report.errors.map((e) => [e.call, e.message]), [['sagemaker:ListTags', 'nb-open: AccessDeniedException: no']]);
  });
});
