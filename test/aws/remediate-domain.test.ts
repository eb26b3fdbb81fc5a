// `cloudconform remediate --domain` against moto (real SDK over HTTP, through the fault proxy):
// plan lists the Studio apps that block the switch to VpcOnly, apply refuses while they run,
// deletes them (--delete-apps) or waits for them (--wait-for-apps), then switches the domain; a
// crash after any step is resumed from the journal without repeating a call. moto stores and
// describes domains but implements neither apps nor UpdateDomain: ListApps, DeleteApp and
// UpdateDomain are answered by our proxy state model (remediate-helpers.ts), which validates as
// AWS does, and every test that relies on it says so in its name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { applyDomainPlan } from '../../src/remediation/live/domain-apply';
import { resumeRun } from '../../src/remediation/live/resume';
import { readJournal, isDomainJournal, type DomainRemediationJournal } from '../../src/remediation/live/journal';
import { describeDomain, planDomainRemediation, type BlockingAppsPolicy, type DomainPlanRequest, type DomainRemediationPlan, type DomainStepId } from '../../src/remediation/live/domain-plan';
import { planNotebookRemediation, RemediationRefused } from '../../src/remediation/live/plan';
import { applyPlan } from '../../src/remediation/live/apply';
import { SimulatedCrash, type CrashPoint } from '../../src/remediation/live/step-runner';
import { auditIamPolicy } from '../../src/sources/aws/actions';
import { remediationIamPolicy } from '../../src/remediation/live/actions';
import { runRemediateApply, runRemediatePlan, runRemediateResume } from '../../src/cli/remediate-command';
import { clientConfig } from './seed';
import { PROJECT_ROOT } from './venv';
import {
  REGION,
  FAST_WAITS,
  mutatingCalls,
  journalPathIn,
  createStudioDomain,
  createSourceNotebook,
  modelNotebookLifecycleConfigs,
  modelStudioDomain,
  callsOnDomain,
  captureIo,
  notebookPlanRequest,
  useRemediateTestEnv,
  writeBackupMarkerOnStart,
  type ModelApp,
} from './remediate-helpers';

const env = useRemediateTestEnv({ logAnswers: true });

const APP_POLL_SECONDS = 0.05;
const MODEL = '(ListApps, DeleteApp and UpdateDomain answered by our proxy state model: moto implements none of them)';

/** Two running apps of users, one of a space starting, one being deleted, and two that don't block. */
const MIXED_APPS: ModelApp[] = [
  { userProfileName: 'alice', appType: 'JupyterServer', appName: 'default', status: 'InService' },
  { userProfileName: 'alice', appType: 'KernelGateway', appName: 'datascience-ml-t3-medium', status: 'InService' },
  { spaceName: 'team-space', appType: 'JupyterLab', appName: 'default', status: 'Pending' },
  { userProfileName: 'bob', appType: 'JupyterServer', appName: 'default', status: 'Deleting' },
  { userProfileName: 'carol', appType: 'JupyterServer', appName: 'default', status: 'Deleted' },
  { userProfileName: 'dave', appType: 'CodeEditor', appName: 'default', status: 'Failed' },
];

function request(domainId: string, extra: Partial<DomainPlanRequest> = {}): DomainPlanRequest {
  return { connection: { region: REGION, endpointUrl: env.proxy.endpoint }, domainId, ...extra };
}

async function refusal(domainId: string, extra: Partial<DomainPlanRequest> = {}): Promise<string> {
  env.proxy.clearLog();
  try {
    await planDomainRemediation(env.clients, request(domainId, extra));
  } catch (e) {
    assert.ok(e instanceof RemediationRefused, `expected a refusal, got ${String(e)}`);
    assert.deepEqual(mutatingCalls(env.proxy.log), [], 'a refusal makes no mutating call');
    return e.reasons.join('\n');
  }
  assert.fail(`planning '${domainId}' was not refused`);
}

/** The domain as the run's client sees it (moto's answer, with the model's UpdateDomain effect). */
async function assertSwitched(domainId: string, securityGroups = env.network.securityGroupIds): Promise<void> {
  const d = await describeDomain(env.clients, domainId);
  assert.equal(d?.Status, 'InService');
  assert.equal(d?.AppNetworkAccessType, 'VpcOnly');
  assert.deepEqual(d?.DefaultUserSettings?.SecurityGroups, securityGroups);
}

async function applyWith(domainId: string, apps: BlockingAppsPolicy, journalName: string, crash?: CrashPoint<DomainStepId>): Promise<{ plan: DomainRemediationPlan; journal: DomainRemediationJournal; journalPath: string }> {
  const plan = await planDomainRemediation(env.clients, request(domainId, { apps }));
  const journalPath = journalPathIn(env.dir, journalName);
  const journal = await applyDomainPlan(env.clients, plan, { journalPath, waits: FAST_WAITS, appPollSeconds: APP_POLL_SECONDS, ...(crash ? { crash } : {}) });
  return { plan, journal, journalPath };
}

test(`plan lists the apps that block the switch, over several ListApps pages, and what VpcOnly needs; only reads ${MODEL}`, async () => {
  const id = await createStudioDomain(env.moto.endpoint, env.network, 'plan-a');
  // Nothing changes while this test plans twice.
  modelStudioDomain(env.proxy, id, MIXED_APPS, { pageSize: 2, deletingPolls: 100 });
  env.proxy.clearLog();
  const plan = await planDomainRemediation(env.clients, request(id));
  assert.deepEqual(mutatingCalls(env.proxy.log), []);
  assert.equal(callsOnDomain(env.proxy.log, 'ListApps', id).length, 3, 'six apps in pages of two');

  assert.deepEqual(plan.blockingApps, [
    { userProfileName: 'alice', appType: 'JupyterServer', appName: 'default', status: 'InService' },
    { userProfileName: 'alice', appType: 'KernelGateway', appName: 'datascience-ml-t3-medium', status: 'InService' },
    { spaceName: 'team-space', appType: 'JupyterLab', appName: 'default', status: 'Pending' },
    { userProfileName: 'bob', appType: 'JupyterServer', appName: 'default', status: 'Deleting' },
  ]);
  // The domain's own groups are in its VPC: only the switch is sent.
  assert.deepEqual(plan.update, { DomainId: id, AppNetworkAccessType: 'VpcOnly' });
  assert.deepEqual(plan.network, { vpcId: env.network.vpcId, subnetIds: [env.network.subnetId], securityGroupIds: env.network.securityGroupIds });
  assert.equal(plan.domain.appNetworkAccessType, 'PublicInternetOnly');
  assert.deepEqual(plan.steps.map((s) => s.id), ['update-domain', 'wait-domain-vpc-only']);

  const out = captureIo();
  assert.equal(await runRemediatePlan(undefined, { domain: id, region: REGION, endpointUrl: env.proxy.endpoint }, out.io), 0, out.stderr());
  const text = out.stdout();
  assert.match(text, /user profile alice \/ KernelGateway datascience-ml-t3-medium \(InService\)/);
  assert.match(text, /space team-space \/ JupyterLab default \(Pending\)/);
  assert.match(text, /user profile bob \/ JupyterServer default \(Deleting\)/);
  assert.doesNotMatch(text, /carol|dave/, 'Deleted and Failed apps do not block');
  assert.match(text, /sagemaker\.api/);
  assert.match(text, /NAT gateway/);
  assert.match(text, /TCP 2049/);
  assert.match(text, /--wait-for-apps.*--delete-apps/);
});

test(`plan with --security-group-ids and --subnet-ids in the domain's VPC sends them with the switch ${MODEL}`, async () => {
  const id = await createStudioDomain(env.moto.endpoint, env.network, 'plan-b', { securityGroups: [] });
  modelStudioDomain(env.proxy, id, []);
  const plan = await planDomainRemediation(env.clients, request(id, { securityGroupIds: [env.network.securityGroupIds[1]!], subnetIds: [env.network.subnetId] }));
  assert.deepEqual(plan.update, { DomainId: id, AppNetworkAccessType: 'VpcOnly', DefaultUserSettings: { SecurityGroups: [env.network.securityGroupIds[1]!] } });
  assert.deepEqual(plan.blockingApps, []);
});

test('refused before any mutating call: already VpcOnly, no security groups known, groups or subnets of another VPC, an RStudio domain, a missing domain', async () => {
  const vpcOnly = await createStudioDomain(env.moto.endpoint, env.network, 'refuse-vpc-only', { access: 'VpcOnly' });
  assert.match(await refusal(vpcOnly), /already passes SageMaker-005/);

  const noGroups = await createStudioDomain(env.moto.endpoint, env.network, 'refuse-no-groups', { securityGroups: [] });
  assert.match(await refusal(noGroups), /DefaultUserSettings\.SecurityGroups .* not set on the domain and not given \(--security-group-ids\)/);

  const id = await createStudioDomain(env.moto.endpoint, env.network, 'refuse-other-vpc');
  assert.match(await refusal(id, { securityGroupIds: [env.network.otherVpcSecurityGroupId] }), new RegExp(`security group '${env.network.otherVpcSecurityGroupId}' is in vpc-\\w+, not in the domain's VPC ${env.network.vpcId}`));
  assert.match(await refusal(id, { securityGroupIds: ['sg-0123456789abcdef0'] }), /sg-0123456789abcdef0/);
  assert.match(await refusal(id, { subnetIds: ['subnet-0123456789abcdef0'] }), /subnet-0123456789abcdef0/);

  const rstudio = await createStudioDomain(env.moto.endpoint, env.network, 'refuse-rstudio', { rstudioRoleArn: 'arn:aws:iam::123456789012:role/rstudio-domain' });
  assert.match(await refusal(rstudio), /RStudio DomainExecutionRoleArn \(arn:aws:iam::123456789012:role\/rstudio-domain\)/);

  assert.match(await refusal('d-nosuchdomain'), /no Studio domain with id 'd-nosuchdomain'/);

  // moto's domains are always InService: the proxy shows one mid-update.
  const updating = await createStudioDomain(env.moto.endpoint, env.network, 'refuse-updating');
  env.proxy.addRule({ fault: 'rewrite', action: 'DescribeDomain', params: { DomainId: updating }, rewrite: (answer) => ({ ...answer, Status: 'Updating' }) });
  assert.match(await refusal(updating), /'d-refuse-updating' is Updating: wait until it is InService/);

  // Through the CLI: exit 2, the reason on standard error, nothing sent but reads.
  env.proxy.clearLog();
  const out = captureIo();
  assert.equal(await runRemediateApply(undefined, { domain: id, region: REGION, endpointUrl: env.proxy.endpoint, securityGroupIds: [env.network.otherVpcSecurityGroupId], yes: true }, out.io), 2);
  assert.match(out.stderr(), /refused, nothing was changed.*not in the domain's VPC/s);
  assert.deepEqual(mutatingCalls(env.proxy.log), []);
});

test(`apply refuses (exit 2) while apps block, listing them; no UpdateDomain is sent ${MODEL}`, async () => {
  const id = await createStudioDomain(env.moto.endpoint, env.network, 'apply-refuse');
  modelStudioDomain(env.proxy, id, MIXED_APPS);
  env.proxy.clearLog();
  const journal = journalPathIn(env.dir, 'apply-refuse');
  const out = captureIo();
  assert.equal(await runRemediateApply(undefined, { domain: id, region: REGION, endpointUrl: env.proxy.endpoint, yes: true, journal }, out.io), 2);
  assert.match(out.stderr(), /4 Studio app\(s\) of 'd-apply-refuse' block the switch/);
  assert.match(out.stderr(), /user profile alice \/ JupyterServer default \(InService\)/);
  assert.match(out.stderr(), /--wait-for-apps.*--delete-apps/);
  assert.deepEqual(callsOnDomain(env.proxy.log, 'UpdateDomain', id), []);
  assert.deepEqual(mutatingCalls(env.proxy.log), []);
  assert.equal(existsSync(journal), false);
});

test(`apply --delete-apps deletes exactly the blocking apps, waits until they are gone, then switches ${MODEL}`, async () => {
  const id = await createStudioDomain(env.moto.endpoint, env.network, 'apply-delete');
  // The space's app is Pending: it is deleted once it is InService.
  const model = modelStudioDomain(env.proxy, id, MIXED_APPS.map((a) => (a.status === 'Pending' ? { ...a, startsAfterPolls: 3 } : a)), { deletingPolls: 3, updatingPolls: 2 });
  env.proxy.clearLog();
  const { plan, journal } = await applyWith(id, { mode: 'delete', minutes: 1 }, 'apply-delete');
  assert.deepEqual(plan.steps.map((s) => s.id), ['delete-apps', 'wait-apps-stopped', 'update-domain', 'wait-domain-vpc-only']);
  assert.equal(journal.outcome, 'done', JSON.stringify(journal.steps, null, 1));
  await assertSwitched(id);

  const deleted = callsOnDomain(env.proxy.log, 'DeleteApp', id).map((c) => `${String(c.params.UserProfileName ?? c.params.SpaceName)}/${String(c.params.AppType)}/${String(c.params.AppName)}`);
  assert.deepEqual(deleted.sort(), ['alice/JupyterServer/default', 'alice/KernelGateway/datascience-ml-t3-medium', 'team-space/JupyterLab/default']);
  assert.ok(model.apps.every((a) => !['InService', 'Pending', 'Deleting'].includes(a.status)));
  const updates = callsOnDomain(env.proxy.log, 'UpdateDomain', id);
  assert.equal(updates.length, 1);
  assert.deepEqual(updates[0]!.params, { DomainId: id, AppNetworkAccessType: 'VpcOnly' });
  assert.equal(updates[0]!.status, 200);
  // The switch came after the last DeleteApp and after a ListApps with nothing blocking.
  const updateAt = env.proxy.log.indexOf(updates[0]!);
  const lastDelete = env.proxy.log.findLastIndex((c) => c.action === 'DeleteApp');
  assert.ok(lastDelete < updateAt);
  const observed = journal.steps.find((s) => s.id === 'delete-apps')!.observed.join('\n');
  assert.match(observed, /bob \/ JupyterServer default \(Deleting\): not deleted again/);
});

test(`apply --wait-for-apps succeeds when the users stop their apps during the wait; nothing is deleted ${MODEL}`, async () => {
  const id = await createStudioDomain(env.moto.endpoint, env.network, 'apply-wait');
  modelStudioDomain(env.proxy, id, [
    { userProfileName: 'alice', appType: 'JupyterServer', appName: 'default', status: 'InService', stopsAfterPolls: 3 },
    { spaceName: 'team-space', appType: 'JupyterLab', appName: 'default', status: 'Pending', stopsAfterPolls: 4 },
  ]);
  env.proxy.clearLog();
  const { plan, journal } = await applyWith(id, { mode: 'wait', minutes: 1 }, 'apply-wait');
  assert.deepEqual(plan.steps.map((s) => s.id), ['wait-apps-stopped', 'update-domain', 'wait-domain-vpc-only']);
  assert.equal(journal.outcome, 'done', JSON.stringify(journal.steps, null, 1));
  await assertSwitched(id);
  assert.deepEqual(callsOnDomain(env.proxy.log, 'DeleteApp', id), []);
  assert.equal(callsOnDomain(env.proxy.log, 'UpdateDomain', id).length, 1);
  assert.ok(callsOnDomain(env.proxy.log, 'ListApps', id).length >= 4, 'polled until the apps were gone');
});

test(`apply --wait-for-apps that times out fails (exit 2 from the CLI's outcome) with the apps named and no UpdateDomain ${MODEL}`, async () => {
  const id = await createStudioDomain(env.moto.endpoint, env.network, 'apply-wait-timeout');
  modelStudioDomain(env.proxy, id, [{ userProfileName: 'erin', appType: 'JupyterServer', appName: 'default', status: 'InService' }]);
  env.proxy.clearLog();
  const { journal } = await applyWith(id, { mode: 'wait', minutes: 0.003 }, 'apply-wait-timeout');
  assert.equal(journal.outcome, 'failed');
  assert.match(journal.steps[0]!.error!, /apps still block the switch.*erin \/ JupyterServer default \(InService\)/);
  assert.deepEqual(callsOnDomain(env.proxy.log, 'UpdateDomain', id), []);
});

test(`UpdateDomain refused by AWS (an app started after the check) fails the step, and resume switches once the app is gone ${MODEL}`, async () => {
  const id = await createStudioDomain(env.moto.endpoint, env.network, 'apply-race');
  // A user opens Studio between our ListApps and UpdateDomain. No Updating phase: resume runs with the CLI's own waits.
  let opened = false;
  const model = modelStudioDomain(env.proxy, id, [], {
    updatingPolls: 0,
    beforeUpdate: (m) => {
      if (opened) return;
      opened = true;
      m.apps.push({ userProfileName: 'frank', appType: 'JupyterServer', appName: 'default', status: 'InService' });
    },
  });
  const plan = await planDomainRemediation(env.clients, request(id));
  const journalPath = journalPathIn(env.dir, 'apply-race');
  const journal = await applyDomainPlan(env.clients, plan, { journalPath, waits: FAST_WAITS, appPollSeconds: APP_POLL_SECONDS });
  assert.equal(journal.outcome, 'failed');
  assert.match(journal.steps[0]!.error!, /ValidationException.*frank/);
  assert.equal(model.updateRequests.length, 1);

  model.apps[0]!.status = 'Deleted';
  const out = captureIo();
  assert.equal(await runRemediateResume(journalPath, { endpointUrl: env.proxy.endpoint }, out.io), 0, out.stderr() + out.stdout());
  assert.match(out.stdout(), /Done: Studio domain 'd-apply-race' is InService with AppNetworkAccessType VpcOnly/);
  assert.equal(model.updateRequests.length, 2);
  assert.deepEqual(model.updated, { AppNetworkAccessType: 'VpcOnly' });
});

test(`apply --dry-run sends only read calls and writes no journal ${MODEL}`, async () => {
  const id = await createStudioDomain(env.moto.endpoint, env.network, 'dry-run');
  modelStudioDomain(env.proxy, id, MIXED_APPS);
  env.proxy.clearLog();
  const journal = journalPathIn(env.dir, 'dry-run');
  const out = captureIo();
  assert.equal(await runRemediateApply(undefined, { domain: id, region: REGION, endpointUrl: env.proxy.endpoint, deleteApps: true, dryRun: true, journal }, out.io), 0, out.stderr());
  assert.ok(env.proxy.log.length > 0);
  assert.deepEqual(mutatingCalls(env.proxy.log), []);
  assert.equal(existsSync(journal), false);
  assert.match(out.stdout(), /Dry run: nothing was changed. Apply needs: .*sagemaker:DeleteApp.*sagemaker:UpdateDomain/);
  assert.match(out.stdout(), /will be DELETED \(--delete-apps\)/);

  // --wait-for-apps sets how long --delete-apps waits for the deleted apps to go.
  const json = captureIo();
  assert.equal(await runRemediateApply(undefined, { domain: id, region: REGION, endpointUrl: env.proxy.endpoint, deleteApps: true, waitForApps: 5, dryRun: true, format: 'json' }, json.io), 0, json.stderr());
  const dry = JSON.parse(json.stdout()) as { dryRun: boolean; plan: DomainRemediationPlan };
  assert.deepEqual(dry.plan.apps, { mode: 'delete', minutes: 5 });
  assert.deepEqual(dry.plan.steps.map((st) => st.id), ['delete-apps', 'wait-apps-stopped', 'update-domain', 'wait-domain-vpc-only']);
  assert.deepEqual(mutatingCalls(env.proxy.log), []);
});

test(`deleting apps is confirmed: refused without --yes off a terminal, declined on "n", applied on "y" ${MODEL}`, async () => {
  const id = await createStudioDomain(env.moto.endpoint, env.network, 'confirm');
  modelStudioDomain(env.proxy, id, [{ userProfileName: 'gina', appType: 'JupyterServer', appName: 'default', status: 'InService' }], { deletingPolls: 1, updatingPolls: 0 });
  const options = { domain: id, region: REGION, endpointUrl: env.proxy.endpoint, deleteApps: true };
  env.proxy.clearLog();
  const refused = captureIo({ interactive: false });
  assert.equal(await runRemediateApply(undefined, { ...options, journal: journalPathIn(env.dir, 'confirm-refused') }, refused.io), 2);
  assert.match(refused.stderr(), /not a terminal, so the switch and delete 1 Studio app\(s\) can't be confirmed.*--yes/s);
  const declined = captureIo({ interactive: true, answer: 'n' });
  assert.equal(await runRemediateApply(undefined, { ...options, journal: journalPathIn(env.dir, 'confirm-declined') }, declined.io), 2);
  assert.match(declined.questions[0]!, /Delete these 1 Studio app\(s\) and switch 'd-confirm' to VpcOnly\?/);
  assert.match(declined.stderr(), /gina \/ JupyterServer default \(InService\)/, 'the apps are shown before the question');
  assert.deepEqual(mutatingCalls(env.proxy.log), []);

  // On a terminal with "y" (the CLI's own waits: the model answers at once, so they are short).
  const accepted = captureIo({ interactive: true, answer: 'y' });
  const journal = journalPathIn(env.dir, 'confirm');
  assert.equal(await runRemediateApply(undefined, { ...options, journal }, accepted.io), 0, accepted.stderr() + accepted.stdout());
  await assertSwitched(id);
  const onDisk = readJournal(journal);
  assert.ok(isDomainJournal(onDisk));
  assert.equal(onDisk.outcome, 'done');
  assert.doesNotMatch(readFileSync(journal, 'utf8'), /testing|secretAccessKey|SessionToken/i, 'no credentials in the journal');
});

test('options that belong to the other kind of target are refused before any call', async () => {
  env.proxy.clearLog();
  const both = captureIo();
  assert.equal(await runRemediateApply('nb', { domain: 'd-x', region: REGION, endpointUrl: env.proxy.endpoint }, both.io), 2);
  assert.match(both.stderr(), /not both/);
  const notebookOption = captureIo();
  assert.equal(await runRemediatePlan(undefined, { domain: 'd-x', region: REGION, endpointUrl: env.proxy.endpoint, backupTo: 's3://b/p' }, notebookOption.io), 2);
  assert.match(notebookOption.stderr(), /--backup-to: for notebook instances only/);
  const domainOption = captureIo();
  assert.equal(await runRemediateApply('nb', { region: REGION, endpointUrl: env.proxy.endpoint, deleteApps: true }, domainOption.io), 2);
  assert.match(domainOption.stderr(), /--delete-apps: for Studio domains only/);
  const neither = captureIo();
  assert.equal(await runRemediatePlan(undefined, { region: REGION, endpointUrl: env.proxy.endpoint }, neither.io), 2);
  assert.match(neither.stderr(), /--domain DOMAIN_ID/);
  assert.deepEqual(env.proxy.log, []);
});

const CRASHES: CrashPoint<DomainStepId>[] = [
  { step: 'delete-apps', at: 'after-call' },
  { step: 'delete-apps', at: 'after-step' },
  { step: 'wait-apps-stopped', at: 'after-step' },
  { step: 'update-domain', at: 'after-call' },
  { step: 'update-domain', at: 'after-step' },
  { step: 'wait-domain-vpc-only', at: 'after-step' },
];

for (const [i, crash] of CRASHES.entries()) {
  test(`a crash ${crash.at} of ${crash.step}, then resume from the journal: switched, each app deleted once, one UpdateDomain ${MODEL}`, async () => {
    const id = await createStudioDomain(env.moto.endpoint, env.network, `crash-${i}`);
    const model = modelStudioDomain(
      env.proxy,
      id,
      [
        { userProfileName: 'alice', appType: 'JupyterServer', appName: 'default', status: 'InService' },
        { userProfileName: 'bob', appType: 'KernelGateway', appName: 'ds', status: 'InService' },
      ],
      { deletingPolls: 2, updatingPolls: 2 },
    );
    env.proxy.clearLog();
    const journalPath = journalPathIn(env.dir, `domain-crash-${i}`);
    const plan = await planDomainRemediation(env.clients, request(id, { apps: { mode: 'delete', minutes: 1 }, securityGroupIds: [env.network.securityGroupIds[0]!] }));
    await assert.rejects(applyDomainPlan(env.clients, plan, { journalPath, waits: FAST_WAITS, appPollSeconds: APP_POLL_SECONDS, crash }), SimulatedCrash);
    const interrupted = readJournal(journalPath);
    assert.ok(isDomainJournal(interrupted));
    assert.equal(interrupted.steps.find((s) => s.id === crash.step)!.state, crash.at === 'after-call' ? 'started' : 'done');
    assert.equal(interrupted.outcome, 'in-progress');

    const resumed = await resumeRun(env.clients, interrupted, { journalPath, waits: FAST_WAITS, appPollSeconds: APP_POLL_SECONDS });
    assert.equal(resumed.outcome, 'done', JSON.stringify(resumed.steps, null, 1));
    await assertSwitched(id, [env.network.securityGroupIds[0]!]);
    const deletes = callsOnDomain(env.proxy.log, 'DeleteApp', id).map((c) => String(c.params.UserProfileName));
    assert.deepEqual(deletes.sort(), ['alice', 'bob'], 'each app deleted once');
    assert.equal(callsOnDomain(env.proxy.log, 'UpdateDomain', id).length, 1, 'UpdateDomain sent once');
    assert.deepEqual(model.updated, { AppNetworkAccessType: 'VpcOnly', SecurityGroups: [env.network.securityGroupIds[0]!] });
    if (crash.at === 'after-call') {
      const observed = resumed.steps.find((s) => s.id === crash.step)!.observed.join('\n');
      assert.match(observed, /not deleted again|not sent again/, 'resume saw what the lost step had done');
    }
    assert.equal(readJournal(journalPath).outcome, 'done');
  });
}

/** S3's REST calls name no IAM action: the ones the proxy logs, as IAM authorizes them. */
const S3_OPERATION_PERMISSION: Record<string, string> = { HeadBucket: 's3:ListBucket', HeadObject: 's3:GetObject', GetObject: 's3:GetObject' };

test(`iam-policy --for remediate lists exactly the actions a notebook apply with --backup-to and a domain apply with --delete-apps call ${MODEL}`, async () => {
  // The command itself (option parsing included); without --for it is still the audit's policy.
  const execFileAsync = promisify(execFile);
  const run = async (args: string[]) => JSON.parse((await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'iam-policy', ...args], { cwd: PROJECT_ROOT })).stdout) as unknown;
  const printed = (await run(['--for', 'remediate'])) as { Statement: { Action: string[] }[] };
  assert.deepEqual(printed, JSON.parse(JSON.stringify(remediationIamPolicy())));
  assert.deepEqual(await run([]), JSON.parse(JSON.stringify(auditIamPolicy())));
  const inPolicy = printed.Statement.flatMap((st) => st.Action);
  assert.equal(new Set(inPolicy).size, inPolicy.length, 'each action in one statement');

  // A notebook: backup to S3, re-create, delete the source (as remediate-backup.test.ts).
  const bucket = 'iam-policy-backups';
  const s3 = new S3Client({ ...clientConfig(env.moto.endpoint, REGION), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
  const attached = modelNotebookLifecycleConfigs(env.proxy, { 'iam-nb': 'iam-nb-lc' });
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'iam-nb');
  writeBackupMarkerOnStart(env, attached, 'iam-nb', bucket, 'nb');
  // A domain: its blocking app deleted, then the switch, with new subnets and groups.
  const domainId = await createStudioDomain(env.moto.endpoint, env.network, 'iam-domain');
  modelStudioDomain(env.proxy, domainId, [{ userProfileName: 'hana', appType: 'JupyterServer', appName: 'default', status: 'InService' }], { deletingPolls: 1, updatingPolls: 1 });

  env.proxy.clearLog();
  const nbPlan = await planNotebookRemediation(env.clients, notebookPlanRequest(env, 'iam-nb', { backupTo: `s3://${bucket}/nb` }));
  const nbJournal = await applyPlan(env.clients, nbPlan, { journalPath: journalPathIn(env.dir, 'iam-nb'), waits: FAST_WAITS, markerPollSeconds: 0.05 });
  assert.equal(nbJournal.outcome, 'done', JSON.stringify(nbJournal.steps, null, 1));
  const domainPlan = await planDomainRemediation(env.clients, request(domainId, { apps: { mode: 'delete', minutes: 1 }, subnetIds: [env.network.subnetId], securityGroupIds: [env.network.securityGroupIds[0]!] }));
  const domainJournal = await applyDomainPlan(env.clients, domainPlan, { journalPath: journalPathIn(env.dir, 'iam-domain'), waits: FAST_WAITS, appPollSeconds: APP_POLL_SECONDS });
  assert.equal(domainJournal.outcome, 'done', JSON.stringify(domainJournal.steps, null, 1));

  const called = new Set<string>();
  for (const c of env.proxy.log) {
    called.add(c.service === 's3' ? (S3_OPERATION_PERMISSION[c.action] ?? `s3:unmapped ${c.action}`) : c.iamAction);
    // Authorized with the call without being a call of their own.
    if (c.action === 'CreateNotebookInstance') {
      if (Array.isArray(c.params.Tags) && c.params.Tags.length > 0) called.add('sagemaker:AddTags');
      if (c.params.RoleArn) called.add('iam:PassRole');
    }
  }
  assert.deepEqual([...called].sort(), [...inPolicy].sort());
});
