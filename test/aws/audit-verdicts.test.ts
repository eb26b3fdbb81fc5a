// Live audit against moto (real SDK over HTTP, through the fault proxy with no faults): every
// seeded notebook instance and Studio domain gets the verdict its network setting deserves, in
// several regions and across list pages; region selection; exceptions by tag, ARN and name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SageMakerClient, StopNotebookInstanceCommand, DeleteNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { audit } from '../../src/engine/audit';
import { emptyConfig, parseConfig } from '../../src/engine/config';
import type { ScanReport } from '../../src/model/report';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { seed, mixedNotebooks, mixedDomains, clientConfig } from './seed';
import { useAuditEmulator, checkInvariants, selectSeeded, findingFor, findingsOf, NOTEBOOK_RULE, DOMAIN_RULE } from './audit-helpers';

const ACCOUNT = MOTO_DEFAULT_ACCOUNT;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const SANDBOX = { env: 'sandbox' };

const emulator = useAuditEmulator({
  seed: (moto) =>
    seed(
      moto.endpoint,
      [
        // 131 notebooks: two ListNotebookInstances pages.
        { region: 'us-east-1', notebooks: mixedNotebooks('use1', 131, { every: 10, tags: SANDBOX }), domains: mixedDomains('use1') },
        {
          region: 'eu-west-1',
          notebooks: [
            ...mixedNotebooks('euw1', 14),
            // A peer read RootAccess in place of DirectInternetAccess for years.
            { name: 'euw1-root-off-public', access: 'Enabled', rootAccess: 'Disabled' },
            { name: 'euw1-root-on-private', access: 'Disabled', inSubnet: true, rootAccess: 'Enabled' },
          ],
          domains: mixedDomains('euw1'),
        },
        { region: 'ap-southeast-2', notebooks: mixedNotebooks('apse2', 7), domains: [{ name: 'apse2-vpc-only', access: 'VpcOnly' }] },
        // For the deleted-mid-audit test only.
        {
          region: 'us-west-2',
          notebooks: [
            { name: 'usw2-keep', access: 'Disabled', inSubnet: true },
            { name: 'usw2-gone', access: 'Enabled' },
          ],
          domains: [{ name: 'usw2-gone-domain' }],
        },
      ],
      { concurrency: 8 },
    ),
});

async function runAudit(options: Partial<Parameters<typeof audit>[0]> = {}): Promise<ScanReport> {
  emulator.proxy.clearLog();
  return audit({ config: emptyConfig(), endpointUrl: emulator.proxy.endpoint, ...options });
}

const sagemakerCalls = () => emulator.proxy.log.filter((c) => c.service === 'sagemaker');

test('every seeded notebook and Studio domain in three regions gets its verdict; 131 notebooks in one region are read across list pages', async () => {
  const report = await runAudit({ regions: REGIONS });
  const expected = selectSeeded(emulator.seeded, REGIONS);
  const { problems, unknown, covered } = checkInvariants(report, expected);
  assert.deepEqual(problems, []);
  assert.deepEqual(unknown, []);
  assert.equal(covered, expected.notebooks.length + expected.domains.length);
  assert.equal(report.findings.length, covered);
  assert.deepEqual(report.errors, []);
  const fails = [...expected.notebooks, ...expected.domains].filter((r) => r.expected === 'fail').length;
  assert.equal(report.summary.fail, fails);
  assert.equal(report.summary.pass, covered - fails);
  const pages = sagemakerCalls().filter((c) => c.action === 'ListNotebookInstances' && c.region === 'us-east-1');
  assert.equal(pages.length, 2, 'two pages of at most 100');
  assert.equal(sagemakerCalls().filter((c) => c.action === 'ListTags').length, 0, 'tags are read only when an exception needs them');
});

test('verdicts by setting: Enabled fails, Disabled in a subnet passes, absent fails as the default Enabled; VpcOnly passes, PublicInternetOnly and absent fail', async () => {
  const report = await runAudit({ regions: ['eu-west-1'] });
  const verdict = (name: string) => findingFor(report, NOTEBOOK_RULE, emulator.seeded.notebooks.find((n) => n.name === name && n.region === 'eu-west-1')!.arn)?.result;
  // mixedNotebooks cycles: Enabled, Disabled+subnet, absent, Enabled+subnet, Enabled stopped, Disabled+subnet stopped, absent+subnet.
  assert.deepEqual(
    ['euw1-000', 'euw1-001', 'euw1-002', 'euw1-003', 'euw1-004', 'euw1-005', 'euw1-006'].map(verdict),
    ['fail', 'pass', 'fail', 'fail', 'fail', 'pass', 'fail'],
  );
  const absent = findingFor(report, NOTEBOOK_RULE, emulator.seeded.notebooks.find((n) => n.name === 'euw1-002')!.arn)!;
  assert.match(absent.message, /Enabled/);
  const domainVerdict = (name: string) => findingFor(report, DOMAIN_RULE, emulator.seeded.domains.find((d) => d.name === name)!.arn)?.result;
  assert.deepEqual(['euw1-vpc-only', 'euw1-public', 'euw1-default'].map(domainVerdict), ['pass', 'fail', 'fail']);
});

test('the verdict comes from DirectInternetAccess only: RootAccess (which one peer read by mistake) changes nothing', async () => {
  const report = await runAudit({ regions: ['eu-west-1'] });
  const verdict = (name: string) => findingFor(report, NOTEBOOK_RULE, emulator.seeded.notebooks.find((n) => n.name === name)!.arn)?.result;
  assert.equal(verdict('euw1-root-off-public'), 'fail');
  assert.equal(verdict('euw1-root-on-private'), 'pass');
});

test('API states moto can\'t reach, answered through the proxy: a Failed notebook keeps its verdict and status; a describe without DirectInternetAccess is judged as the default Enabled', async () => {
  const failedName = 'euw1-001'; // Disabled in a subnet: pass
  const silentName = 'euw1-005'; // Disabled in a subnet, stopped: pass, unless the field is missing
  const failed = (nb: Record<string, unknown>) =>
    nb.NotebookInstanceName === failedName ? { ...nb, NotebookInstanceStatus: 'Failed', FailureReason: 'The subnet ran out of IP addresses' } : nb;
  emulator.proxy.addRule({
    fault: 'rewrite',
    action: 'ListNotebookInstances',
    rewrite: (answer) => ({ ...answer, NotebookInstances: (answer.NotebookInstances as Record<string, unknown>[]).map(failed) }),
  });
  emulator.proxy.addRule({ fault: 'rewrite', action: 'DescribeNotebookInstance', params: { NotebookInstanceName: failedName }, rewrite: failed });
  emulator.proxy.addRule({
    fault: 'rewrite',
    action: 'DescribeNotebookInstance',
    params: { NotebookInstanceName: silentName },
    rewrite: ({ DirectInternetAccess: _dropped, ...rest }) => rest,
  });
  try {
    const report = await runAudit({ regions: ['eu-west-1'] });
    const f = findingFor(report, NOTEBOOK_RULE, emulator.seeded.notebooks.find((n) => n.name === failedName)!.arn)!;
    assert.equal(f.result, 'pass');
    assert.equal(f.resource.details?.status, 'Failed');
    const silent = findingFor(report, NOTEBOOK_RULE, emulator.seeded.notebooks.find((n) => n.name === silentName)!.arn)!;
    assert.equal(silent.result, 'fail');
    assert.match(silent.message, /Enabled/);
  } finally {
    emulator.proxy.clearRules();
  }
});

test('findings carry the ARN, account, region, name and status, located at aws://ACCOUNT/REGION', async () => {
  const report = await runAudit({ regions: ['eu-west-1'] });
  const stopped = emulator.seeded.notebooks.find((n) => n.name === 'euw1-004')!;
  const f = findingFor(report, NOTEBOOK_RULE, stopped.arn)!;
  assert.equal(f.resource.id, `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:notebook-instance/euw1-004`);
  assert.equal(f.resource.type, 'AWS::SageMaker::NotebookInstance');
  assert.equal(f.resource.source, 'aws');
  assert.deepEqual(f.resource.details, { account: ACCOUNT, region: 'eu-west-1', name: 'euw1-004', status: 'Stopped' });
  assert.deepEqual(f.location, { file: `aws://${ACCOUNT}/eu-west-1`, line: 0 });
  const running = findingFor(report, NOTEBOOK_RULE, emulator.seeded.notebooks.find((n) => n.name === 'euw1-000')!.arn)!;
  assert.equal(running.resource.details?.status, 'InService');
  const domain = emulator.seeded.domains.find((d) => d.name === 'euw1-public')!;
  const fd = findingFor(report, DOMAIN_RULE, domain.arn)!;
  assert.equal(fd.resource.type, 'AWS::SageMaker::Domain');
  assert.deepEqual(fd.resource.details, { account: ACCOUNT, region: 'eu-west-1', name: 'euw1-public', status: 'InService' });
  assert.deepEqual(fd.location, { file: `aws://${ACCOUNT}/eu-west-1`, line: 0 });
});

test('without --regions every enabled region of the partition is audited; other partitions are skipped with a note, never called', async () => {
  const report = await runAudit();
  const { problems, covered } = checkInvariants(report, emulator.seeded);
  assert.deepEqual(problems, []);
  assert.equal(covered, emulator.seeded.notebooks.length + emulator.seeded.domains.length);
  const called = new Set(sagemakerCalls().map((c) => c.region));
  for (const region of [...REGIONS, 'us-west-2', 'eu-central-1', 'sa-east-1']) assert.ok(called.has(region), `${region} audited`);
  assert.deepEqual([...called].filter((r) => /^(cn|us-gov)-/.test(r)), [], 'no call to another partition');
  assert.ok(report.notes?.some((n) => n.account === ACCOUNT && /^\d+ regions not in partition aws: (.*, )?cn-north-1(,|$)/.test(n.message)), `cn-north-1 noted as skipped: ${JSON.stringify(report.notes)}`);
  assert.equal(emulator.proxy.log.filter((c) => c.action === 'DescribeRegions').length, 1);
});

test('--regions audits only the named regions', async () => {
  const report = await runAudit({ regions: ['eu-west-1', 'ap-southeast-2'] });
  assert.deepEqual(checkInvariants(report, selectSeeded(emulator.seeded, ['eu-west-1', 'ap-southeast-2'])).problems, []);
  assert.deepEqual([...new Set(report.findings.map((f) => f.resource.details?.region))].sort(), ['ap-southeast-2', 'eu-west-1']);
  assert.deepEqual([...new Set(sagemakerCalls().map((c) => c.region))].sort(), ['ap-southeast-2', 'eu-west-1']);
});

test('concurrency is bounded overall (--concurrency) and per region (--region-concurrency), and used', async () => {
  emulator.proxy.setLatency(20);
  try {
    const report = await runAudit({ regions: REGIONS, concurrency: 6, regionConcurrency: 2 });
    assert.deepEqual(checkInvariants(report, selectSeeded(emulator.seeded, REGIONS)).problems, []);
    const peak = emulator.proxy.peakInFlight();
    assert.equal(peak.overall, 6, 'at most --concurrency calls in flight, and that many used');
    for (const [where, n] of Object.entries(peak.byRegion)) {
      // Two describes, plus the region's two list calls (notebooks, domains), which the region limit doesn't hold back.
      assert.ok(n <= 2 + 2, `${where}: ${n} in flight`);
    }
    const serial = await runAudit({ regions: ['ap-southeast-2'], concurrency: 1, regionConcurrency: 1 });
    assert.deepEqual(checkInvariants(serial, selectSeeded(emulator.seeded, ['ap-southeast-2'])).problems, []);
    assert.equal(emulator.proxy.peakInFlight().overall, 1);
  } finally {
    emulator.proxy.setLatency(0);
  }
});

test('a requested region that is not enabled is an error entry, never a note: no call, no finding, not counted compliant', async () => {
  const report = await runAudit({ regions: ['eu-west-1', 'eu-west-9'] });
  assert.deepEqual(
    report.errors.map((e) => [e.account, e.region, e.message]),
    [[ACCOUNT, 'eu-west-9', `eu-west-9 was requested but is not enabled for account ${ACCOUNT} (DescribeRegions does not list it): not audited`]],
  );
  assert.deepEqual(report.notes ?? [], []);
  assert.equal(sagemakerCalls().filter((c) => c.region === 'eu-west-9').length, 0);
  assert.equal(report.findings.filter((f) => f.resource.details?.region === 'eu-west-9').length, 0);
  assert.deepEqual(checkInvariants(report, selectSeeded(emulator.seeded, ['eu-west-1'])).problems, []);
});

test('a requested region answering UnrecognizedClientException is an error per list call, naming what was not read; its notebooks are not passed', async () => {
  const rule = emulator.proxy.addRule({ fault: 'not-enabled', service: 'sagemaker', region: 'ap-southeast-2' });
  try {
    const report = await runAudit({ regions: ['eu-west-1', 'ap-southeast-2'] });
    assert.ok(rule.hits > 0);
    assert.deepEqual(report.notes ?? [], []);
    assert.deepEqual(
      report.errors.map((e) => [e.region, e.call, e.message.replace(/:.*/, '')]).sort(),
      [
        ['ap-southeast-2', 'sagemaker:ListDomains', 'Studio domains not read in ap-southeast-2'],
        ['ap-southeast-2', 'sagemaker:ListNotebookInstances', 'notebook instances not read in ap-southeast-2'],
      ],
    );
    assert.equal(report.findings.filter((f) => f.resource.details?.region === 'ap-southeast-2').length, 0);
    assert.deepEqual(checkInvariants(report, selectSeeded(emulator.seeded, ['eu-west-1', 'ap-southeast-2'])).problems, []);
  } finally {
    emulator.proxy.clearRules();
  }
});

test('a notebook list failing on its second page: the first page\'s notebooks keep their verdicts, an error names the region and says where listing stopped', async () => {
  emulator.proxy.addRule({ fault: 'throttle', action: 'ListNotebookInstances', region: 'us-east-1', when: (call) => call.params.NextToken !== undefined });
  try {
    const report = await runAudit({ regions: ['us-east-1'], maxAttempts: 2 });
    const { problems, covered } = checkInvariants(report, selectSeeded(emulator.seeded, ['us-east-1']));
    assert.deepEqual(problems, []);
    assert.equal(findingsOf(report, NOTEBOOK_RULE).length, 100);
    assert.equal(covered, 100 + 3);
    assert.equal(report.errors.length, 1);
    assert.equal(report.errors[0]!.call, 'sagemaker:ListNotebookInstances');
    assert.equal(report.errors[0]!.region, 'us-east-1');
    assert.match(report.errors[0]!.message, /ThrottlingException.*100/);
  } finally {
    emulator.proxy.clearRules();
  }
});

test('exceptions by tag, by ARN pattern and by name pattern are shown as suppressed with their reason; the rest is not; tags read only where a tag exception applies', async () => {
  const config = parseConfig({
    exceptions: [
      { rules: [NOTEBOOK_RULE], tags: SANDBOX, reason: 'Sandbox notebooks hold no customer data (SEC-1)' },
      { rules: [NOTEBOOK_RULE], resources: [`arn:aws:sagemaker:eu-west-1:${ACCOUNT}:notebook-instance/euw1-00*`], reason: 'Legacy, replaced in Q1 (PLAT-2)' },
      { rules: [DOMAIN_RULE], resources: ['*-public'], reason: 'Public demo domains (DEMO-3)' },
    ],
  });
  const report = await runAudit({ config, regions: ['us-east-1', 'eu-west-1'] });
  const expected = selectSeeded(emulator.seeded, ['us-east-1', 'eu-west-1']);
  assert.deepEqual(checkInvariants(report, expected).problems, [], 'verdicts are unchanged by suppression');
  for (const nb of expected.notebooks) {
    const f = findingFor(report, NOTEBOOK_RULE, nb.arn)!;
    const reason = nb.tags.env === 'sandbox' ? 'Sandbox notebooks hold no customer data (SEC-1)' : /^euw1-00/.test(nb.name) ? 'Legacy, replaced in Q1 (PLAT-2)' : undefined;
    assert.equal(f.suppressed, reason !== undefined, nb.name);
    assert.equal(f.suppression?.reason, reason, nb.name);
    if (reason) assert.equal(f.suppression?.source, 'config');
  }
  for (const d of expected.domains) {
    const f = findingFor(report, DOMAIN_RULE, d.arn)!;
    assert.equal(f.suppressed, d.name.endsWith('-public'), d.name);
  }
  const sandboxed = expected.notebooks.filter((n) => n.tags.env === 'sandbox');
  assert.ok(sandboxed.length >= 14);
  assert.equal(report.summary.suppressed, sandboxed.length + 10 + 2);
  // Tags are read once for each notebook of the audited regions (moto answers in one page), and for
  // no domain: the only tag exception is SageMaker-004's.
  const tagCalls = sagemakerCalls().filter((c) => c.action === 'ListTags');
  assert.deepEqual(tagCalls.map((c) => String(c.params.ResourceArn)).sort(), expected.notebooks.map((n) => n.arn).sort());
});

test('a notebook deleted between the list and its describe is left out with a note naming it; a domain gone likewise', async () => {
  const direct = new SageMakerClient(clientConfig(emulator.moto.endpoint, 'us-west-2'));
  const gone = emulator.seeded.notebooks.find((n) => n.name === 'usw2-gone')!;
  const goneDomain = emulator.seeded.domains.find((d) => d.name === 'usw2-gone-domain')!;
  // The notebook is really deleted in moto just before its describe is forwarded: moto then answers
  // as AWS does (ValidationException: RecordNotFound).
  emulator.proxy.addRule({
    fault: 'delay',
    action: 'DescribeNotebookInstance',
    params: { NotebookInstanceName: 'usw2-gone' },
    beforeForward: async () => {
      await direct.send(new StopNotebookInstanceCommand({ NotebookInstanceName: 'usw2-gone' }));
      await direct.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: 'usw2-gone' }));
    },
  });
  // moto answers a missing domain with ValidationException ("Could not find domain"); AWS with
  // ResourceNotFound, which is what the proxy gives here.
  emulator.proxy.addRule({ fault: 'error', status: 400, code: 'ResourceNotFound', message: `Domain ${goneDomain.id} not found`, action: 'DescribeDomain', params: { DomainId: goneDomain.id } });
  try {
    const report = await runAudit({ regions: ['us-west-2'] });
    const { problems } = checkInvariants(report, selectSeeded(emulator.seeded, ['us-west-2']), { gone: [gone.arn, goneDomain.arn] });
    assert.deepEqual(problems, []);
    assert.deepEqual(report.errors, []);
    assert.equal(findingsOf(report, NOTEBOOK_RULE).length, 1);
    assert.equal(findingsOf(report, NOTEBOOK_RULE)[0]!.result, 'pass');
  } finally {
    emulator.proxy.clearRules();
    direct.destroy();
  }
});
