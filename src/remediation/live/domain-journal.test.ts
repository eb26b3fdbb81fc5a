import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newJournal, writeJournal, JournalError } from './journal';
import { isDomainJournal, newDomainJournal, readAnyJournal, writeDomainJournal } from './domain-journal';
import type { DomainRemediationPlan } from './domain-plan';
import { TEST_PLAN } from './test-plan';
import { remediationActions } from './actions';

const dir = () => mkdtempSync(join(tmpdir(), 'cc-domain-journal-'));

const DOMAIN_PLAN: DomainRemediationPlan = {
  version: 1,
  kind: 'domain',
  createdAt: '2026-01-01T00:00:00.000Z',
  connection: { region: 'eu-west-1' },
  account: '111122223333',
  domain: { id: 'd-abc', name: 'research', arn: 'arn:aws:sagemaker:eu-west-1:111122223333:domain/d-abc', status: 'InService', appNetworkAccessType: 'PublicInternetOnly', vpcId: 'vpc-1', subnetIds: ['subnet-1'], securityGroups: ['sg-1'] },
  update: { DomainId: 'd-abc', AppNetworkAccessType: 'VpcOnly' },
  network: { vpcId: 'vpc-1', subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] },
  blockingApps: [{ userProfileName: 'alice', appType: 'JupyterServer', appName: 'default', status: 'InService' }],
  apps: { mode: 'delete', minutes: 30 },
  vpcOnlyNeeds: [],
  warnings: [],
  steps: [
    { id: 'delete-apps', title: 'delete' },
    { id: 'wait-apps-stopped', title: 'wait' },
    { id: 'update-domain', title: 'update' },
    { id: 'wait-domain-vpc-only', title: 'wait' },
  ],
};

test('readAnyJournal reads a domain journal as written, and a notebook journal as the notebook reader does', () => {
  const d = dir();
  const domainPath = join(d, 'domain.json');
  const domain = newDomainJournal(DOMAIN_PLAN, new Date('2026-01-01T00:00:00Z'));
  writeDomainJournal(domainPath, domain);
  const back = readAnyJournal(domainPath);
  assert.ok(isDomainJournal(back));
  assert.deepEqual(back, domain);
  assert.equal(statSync(domainPath).mode & 0o777, 0o600, 'readable by its owner only');

  const notebookPath = join(d, 'notebook.json');
  const notebook = newJournal(TEST_PLAN);
  writeJournal(notebookPath, notebook);
  const nb = readAnyJournal(notebookPath);
  assert.equal(isDomainJournal(nb), false);
  assert.deepEqual(nb, notebook);
});

test('a domain journal whose steps or plan are wrong is refused with its path; torn files get the notebook reader\'s message', () => {
  const d = dir();
  const mismatched = join(d, 'mismatch.json');
  const j = newDomainJournal(DOMAIN_PLAN);
  j.steps.pop();
  writeFileSync(mismatched, JSON.stringify(j));
  assert.throws(() => readAnyJournal(mismatched), (e: Error) => e instanceof JournalError && e.message.startsWith(mismatched) && /steps don't match its plan/.test(e.message));

  const unknownStep = join(d, 'unknown-step.json');
  const k = newDomainJournal({ ...DOMAIN_PLAN, steps: [{ id: 'drop-domain' as never, title: 'x' }] });
  writeFileSync(unknownStep, JSON.stringify(k));
  assert.throws(() => readAnyJournal(unknownStep), /unknown step/);

  const noUpdate = join(d, 'no-update.json');
  writeFileSync(noUpdate, JSON.stringify({ ...newDomainJournal(DOMAIN_PLAN), plan: { ...DOMAIN_PLAN, update: { DomainId: 'd-other' } } }));
  assert.throws(() => readAnyJournal(noUpdate), /plan is incomplete/);

  const torn = join(d, 'torn.json');
  writeFileSync(torn, JSON.stringify(newDomainJournal(DOMAIN_PLAN)).slice(0, 80));
  assert.throws(() => readAnyJournal(torn), /invalid JSON/);
});

test("a domain's dry run names only domain actions; a notebook's stays as it was", () => {
  assert.deepEqual(remediationActions({ write: false, backup: false, target: 'domain' }), [
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSubnets',
    'sagemaker:DescribeDomain',
    'sagemaker:ListApps',
  ]);
  assert.deepEqual(remediationActions({ write: true, backup: false, target: 'domain' }).filter((a) => !remediationActions({ write: false, backup: false, target: 'domain' }).includes(a)), [
    'sagemaker:DeleteApp',
    'sagemaker:UpdateDomain',
  ]);
  assert.ok(!remediationActions({ write: true, backup: true }).some((a) => /Domain|App/.test(a)));
});
