// Many accounts: --role-arn, --accounts with --role-name, and --organization (moto's AWS
// Organizations and STS: AssumeRole returns credentials that moto maps to the role's account).
// One account that fails never stops the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from '../../src/engine/audit';
import { emptyConfig } from '../../src/engine/config';
import type { ScanReport } from '../../src/model/report';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { seed, seedOrganization, mixedNotebooks, mixedDomains, mergeSeeded, clientConfig } from './seed';
import { OrganizationsClient, CloseAccountCommand } from '@aws-sdk/client-organizations';
import { useAuditEmulator, checkInvariants, selectSeeded } from './audit-helpers';

const MANAGEMENT = MOTO_DEFAULT_ACCOUNT;
const REGIONS = ['us-east-1', 'eu-west-1'];
const ROLE = 'CloudConformAudit';

/** An organization of three member accounts (`seeded.members`), resources in each and in the management account. */
const emulator = useAuditEmulator({
  seed: async (moto) => {
    const members = await seedOrganization(moto.endpoint, 3);
    const plan = (prefix: string) => [
      { region: 'us-east-1', notebooks: mixedNotebooks(`${prefix}-use1`, 8), domains: mixedDomains(`${prefix}-use1`) },
      { region: 'eu-west-1', notebooks: mixedNotebooks(`${prefix}-euw1`, 5) },
    ];
    const parts = await Promise.all([
      seed(moto.endpoint, plan('mgmt')),
      ...members.map((account, i) => seed(moto.endpoint, plan(`m${i}`), { account })),
    ]);
    return { ...mergeSeeded(...parts), members };
  },
});

async function runAudit(options: Partial<Parameters<typeof audit>[0]>): Promise<ScanReport> {
  emulator.proxy.clearLog();
  return audit({ config: emptyConfig(), endpointUrl: emulator.proxy.endpoint, regions: REGIONS, ...options });
}

const accountsIn = (report: ScanReport) => [...new Set(report.findings.map((f) => f.resource.details?.account))].sort();
const sorted = (ids: string[]) => [...ids].sort();

test('--role-arn audits the one account through the assumed role', async () => {
  const [a] = emulator.seeded.members;
  const report = await runAudit({ roleArn: `arn:aws:iam::${a}:role/${ROLE}` });
  assert.deepEqual(checkInvariants(report, selectSeeded(emulator.seeded, REGIONS, [a!])).problems, []);
  assert.deepEqual(accountsIn(report), [a]);
  for (const f of report.findings) assert.match(f.resource.id, new RegExp(`^arn:aws:sagemaker:[a-z0-9-]+:${a}:`));
  const sagemakerAccounts = new Set(emulator.proxy.log.filter((c) => c.service === 'sagemaker').map((c) => c.account));
  assert.deepEqual([...sagemakerAccounts], [a], 'every SageMaker call made with the role\'s credentials');
  const assumed = emulator.proxy.log.filter((c) => c.action === 'AssumeRole');
  assert.ok(assumed.length >= 1);
  assert.equal(assumed[0]!.params.RoleArn, `arn:aws:iam::${a}:role/${ROLE}`);
});

test('--accounts with --role-name audits each named account, and only those', async () => {
  const [a, b] = emulator.seeded.members;
  const report = await runAudit({ accounts: [a!, b!], roleName: ROLE });
  assert.deepEqual(checkInvariants(report, selectSeeded(emulator.seeded, REGIONS, [a!, b!])).problems, []);
  assert.deepEqual(accountsIn(report), sorted([a!, b!]));
  assert.deepEqual(
    sorted(emulator.proxy.log.filter((c) => c.action === 'AssumeRole').map((c) => String(c.params.RoleArn))),
    sorted([a!, b!].map((id) => `arn:aws:iam::${id}:role/${ROLE}`)),
    'one AssumeRole per account',
  );
});

test('--organization audits every account of the organization (the management account with the caller\'s credentials)', async () => {
  const report = await runAudit({ organization: true, roleName: ROLE });
  assert.deepEqual(checkInvariants(report, selectSeeded(emulator.seeded, REGIONS)).problems, []);
  assert.deepEqual(accountsIn(report), sorted([MANAGEMENT, ...emulator.seeded.members]));
  assert.deepEqual(report.errors, []);
  assert.equal(emulator.proxy.log.filter((c) => c.iamAction === 'organizations:ListAccounts').length, 1);
});

test('an account whose role can\'t be assumed is an error entry; the other accounts complete', async () => {
  const [a, b, c] = emulator.seeded.members;
  emulator.proxy.addRule({ fault: 'access-denied', action: 'sts:AssumeRole', targetAccount: b });
  const report = await runAudit({ organization: true, roleName: ROLE });
  const { problems } = checkInvariants(report, selectSeeded(emulator.seeded, REGIONS));
  assert.deepEqual(problems, []);
  assert.deepEqual(accountsIn(report), sorted([MANAGEMENT, a!, c!]));
  assert.equal(report.errors.length, 1, JSON.stringify(report.errors));
  assert.equal(report.errors[0]!.account, b);
  assert.equal(report.errors[0]!.call, 'sts:AssumeRole');
  assert.match(report.errors[0]!.message, /AccessDenied/);
});

test('an account denied in one region: an error for that account and region only', async () => {
  const [a, b] = emulator.seeded.members;
  emulator.proxy.addRule({ fault: 'access-denied', service: 'sagemaker', account: a, region: 'eu-west-1' });
  const report = await runAudit({ accounts: [a!, b!], roleName: ROLE });
  assert.deepEqual(checkInvariants(report, selectSeeded(emulator.seeded, REGIONS, [a!, b!])).problems, []);
  assert.ok(report.errors.length > 0);
  for (const e of report.errors) {
    assert.equal(e.account, a);
    assert.equal(e.region, 'eu-west-1');
  }
  assert.equal(report.findings.filter((f) => f.resource.details?.account === a && f.resource.details?.region === 'us-east-1').length, 11);
});

test('--external-id is sent with every AssumeRole; STS is called at the home region\'s endpoint', async () => {
  const [a] = emulator.seeded.members;
  process.env.AWS_REGION = 'eu-west-1';
  try {
    const report = await runAudit({ roleArn: `arn:aws:iam::${a}:role/${ROLE}`, externalId: 'cc-ext-42' });
    assert.deepEqual(checkInvariants(report, selectSeeded(emulator.seeded, REGIONS, [a!])).problems, []);
  } finally {
    process.env.AWS_REGION = 'us-east-1';
  }
  const sts = emulator.proxy.log.filter((c) => c.service === 'sts');
  assert.ok(sts.length >= 1);
  for (const call of sts) {
    if (call.action === 'AssumeRole') assert.equal(call.params.ExternalId, 'cc-ext-42');
    assert.equal(call.region, 'eu-west-1', 'regional STS (the global endpoint signs for us-east-1)');
  }
});

test('the organization\'s account list denied: an error entry for the caller\'s account, nothing else audited', async () => {
  emulator.proxy.addRule({ fault: 'access-denied', action: 'organizations:ListAccounts' });
  const report = await runAudit({ organization: true, roleName: ROLE });
  assert.equal(report.findings.length, 0);
  assert.equal(report.errors.length, 1);
  assert.equal(report.errors[0]!.call, 'organizations:ListAccounts');
  assert.equal(report.errors[0]!.account, MANAGEMENT);
});

test('AssumeRole, ListAccounts and DescribeRegions throttled once each are retried: every account complete, no error', async () => {
  const seen = new Set<string>();
  const once = (call: { action: string; params: Record<string, unknown>; account: string }) => {
    const key = `${call.account} ${call.action} ${JSON.stringify(call.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const rule = emulator.proxy.addRule({ fault: 'throttle', action: ['sts:AssumeRole', 'organizations:ListAccounts', 'ec2:DescribeRegions'], when: once });
  const report = await runAudit({ organization: true, roleName: ROLE });
  assert.deepEqual(checkInvariants(report, selectSeeded(emulator.seeded, REGIONS)).problems, []);
  assert.deepEqual(report.errors, []);
  assert.equal(rule.hits, 1 + emulator.seeded.members.length + (emulator.seeded.members.length + 1));
});

test('the caller\'s identity can\'t be read (GetCallerIdentity denied): one error entry, nothing audited', async () => {
  emulator.proxy.addRule({ fault: 'access-denied', action: 'sts:GetCallerIdentity' });
  const report = await runAudit({});
  assert.equal(report.findings.length, 0);
  assert.equal(report.errors.length, 1);
  assert.equal(report.errors[0]!.call, 'sts:GetCallerIdentity');
  assert.match(report.errors[0]!.message, /AccessDenied/);
});

// Last: it closes an account for good.
test('--organization skips closed (SUSPENDED) member accounts', async () => {
  const [a, b, c] = emulator.seeded.members;
  const org = new OrganizationsClient(clientConfig(emulator.moto.endpoint, 'us-east-1'));
  try {
    await org.send(new CloseAccountCommand({ AccountId: c }));
  } finally {
    org.destroy();
  }
  const report = await runAudit({ organization: true, roleName: ROLE });
  assert.deepEqual(accountsIn(report), sorted([MANAGEMENT, a!, b!]));
  assert.deepEqual(report.errors, []);
  assert.equal(emulator.proxy.log.filter((call) => call.action === 'AssumeRole' && String(call.params.RoleArn).includes(c!)).length, 0);
});
