// `cloudconform remediate` against moto (real SDK over HTTP, through the fault proxy): plan and
// apply re-create a notebook in a VPC subnet with every setting copied; refusals come before any
// mutating call; a crash after any step is resumed from the journal without repeating a step;
// a replacement that can't be made is rolled back; a dry run only reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { SageMakerClient, CreateNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { applyPlan } from '../../src/remediation/live/apply';
import { readJournal } from '../../src/remediation/live/journal';
import { planNotebookRemediation, RemediationRefused, REMEDIATED_FROM_TAG, type NotebookRemediationPlan, type NotebookPlanRequest, type StepId } from '../../src/remediation/live/plan';
import { resumeRun } from '../../src/remediation/live/resume';
import { SimulatedCrash, type CrashPoint } from '../../src/remediation/live/step-runner';
import { runRemediateApply, runRemediateResume } from '../../src/cli/remediate-command';
import { clientConfig } from './seed';
import {
  REGION,
  ROLE_ARN,
  KMS_KEY,
  FAST_WAITS,
  FIELDS_MOTO_DROPS,
  createSourceNotebook,
  motoNotebook,
  mutatingCalls,
  callsOn,
  sourceTouchedBeforeReplacementInService,
  journalPathIn,
  notebookPlanRequest,
  captureIo,
  useRemediateTestEnv,
} from './remediate-helpers';

const env = useRemediateTestEnv({ logAnswers: true });

async function plan(name: string, extra: Partial<NotebookPlanRequest> = {}): Promise<NotebookRemediationPlan> {
  return planNotebookRemediation(env.clients, notebookPlanRequest(env, name, extra));
}

async function refusal(name: string, extra: Partial<NotebookPlanRequest> = {}): Promise<string[]> {
  env.proxy.clearLog();
  try {
    await plan(name, extra);
  } catch (e) {
    assert.ok(e instanceof RemediationRefused, `expected a refusal, got ${String(e)}`);
    assert.deepEqual(mutatingCalls(env.proxy.log), [], 'a refusal makes no mutating call');
    return e.reasons;
  }
  assert.fail(`planning '${name}' was not refused`);
}

/** The final state every successful run must reach. */
async function assertRemediated(source: string, replacement: string): Promise<void> {
  const nb = await motoNotebook(env.moto.endpoint, replacement);
  assert.ok(nb, `${replacement} exists`);
  assert.equal(nb.NotebookInstanceStatus, 'InService');
  assert.equal(nb.DirectInternetAccess, 'Disabled');
  assert.equal(nb.SubnetId, env.network.subnetId);
  assert.deepEqual(nb.SecurityGroups, env.network.securityGroupIds);
  assert.equal(nb.InstanceType, 'ml.t3.medium');
  assert.equal(nb.RoleArn, ROLE_ARN);
  assert.equal(nb.KmsKeyId, KMS_KEY);
  assert.equal(nb.VolumeSizeInGB, 20);
  assert.equal(nb.RootAccess, 'Disabled');
  assert.equal(nb.NotebookInstanceLifecycleConfigName, `${source}-lc`);
  assert.equal(nb.DefaultCodeRepository, 'https://github.com/example/analysis.git');
  assert.deepEqual(nb.AdditionalCodeRepositories, ['https://github.com/example/shared.git']);
  assert.deepEqual(nb.AcceleratorTypes, ['ml.eia2.medium']);
  assert.deepEqual(nb.tags, { team: 'ml-research', 'cost-center': '4242', [REMEDIATED_FROM_TAG]: source });
  assert.equal(await motoNotebook(env.moto.endpoint, source), undefined, `${source} is deleted`);
}

test('plan, then apply with --delete-source: the new notebook is InService with every copied setting, Disabled, in the subnet with the groups; the old one is gone', async () => {
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'flow-a');
  const p = await plan('flow-a');
  assert.equal(p.replacement.NotebookInstanceName, 'flow-a-vpc');
  assert.equal(p.replacement.DirectInternetAccess, 'Disabled');
  assert.equal(p.network.vpcId, env.network.vpcId);
  // Fields moto drops, copied from AWS's describe answer (added by the proxy).
  assert.equal(p.replacement.PlatformIdentifier, FIELDS_MOTO_DROPS.PlatformIdentifier);
  assert.deepEqual(p.replacement.InstanceMetadataServiceConfiguration, FIELDS_MOTO_DROPS.InstanceMetadataServiceConfiguration);
  assert.equal(p.replacement.IpAddressType, 'ipv4');
  assert.ok(p.warnings.some((w) => /LOST when it is deleted/.test(w)));
  assert.ok(p.notCarriedOver.some((n) => /ML storage volume/.test(n)));
  assert.deepEqual(p.steps.map((s) => s.id), ['create-replacement', 'stop-source', 'delete-source']);

  // The replacement stays Pending for two describes, as on AWS: the source must wait for it.
  let pending = 2;
  env.proxy.addRule({
    fault: 'rewrite',
    action: 'DescribeNotebookInstance',
    params: { NotebookInstanceName: 'flow-a-vpc' },
    rewrite: (answer) => (pending-- > 0 ? { ...answer, NotebookInstanceStatus: 'Pending' } : answer),
  });
  env.proxy.clearLog();
  const journalPath = journalPathIn(env.dir, 'flow-a');
  const journal = await applyPlan(env.clients, p, { journalPath, waits: FAST_WAITS });
  assert.equal(journal.outcome, 'done', JSON.stringify(journal.steps));
  await assertRemediated('flow-a', 'flow-a-vpc');

  const creates = callsOn(env.proxy.log, 'CreateNotebookInstance', 'flow-a-vpc');
  assert.equal(creates.length, 1);
  // Exactly the planned request went to AWS, with the fields moto doesn't keep.
  assert.deepEqual(creates[0]!.params, JSON.parse(JSON.stringify(p.replacement)));
  assert.deepEqual(sourceTouchedBeforeReplacementInService(env.proxy.log, 'flow-a', 'flow-a-vpc'), []);
  assert.ok(pending < 0, 'the waiter polled through Pending until InService');

  const onDisk = readJournal(journalPath);
  assert.equal(onDisk.outcome, 'done');
  assert.deepEqual(onDisk.steps.map((s) => s.state), ['done', 'done', 'done']);
  assert.doesNotMatch(readFileSync(journalPath, 'utf8'), /testing|secretAccessKey|SessionToken/i, 'no credentials in the journal');
});

test('refused before any mutating call: no subnet, a group of another VPC, a missing subnet or group, a name collision, a compliant source, a missing notebook, a bad name', async () => {
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'refuse-a');
  assert.match((await refusal('refuse-a', { subnetId: undefined })).join('\n'), /no subnet given/);
  assert.match((await refusal('refuse-a', { securityGroupIds: [env.network.securityGroupIds[0]!, env.network.otherVpcSecurityGroupId] })).join('\n'), /is in vpc-\w+, not in the subnet's VPC/);
  assert.match((await refusal('refuse-a', { subnetId: 'subnet-0123456789abcdef0' })).join('\n'), /subnet 'subnet-0123456789abcdef0' does not exist/);
  assert.match((await refusal('refuse-a', { securityGroupIds: ['sg-0123456789abcdef0'] })).join('\n'), /sg-0123456789abcdef0/);
  assert.match((await refusal('refuse-a', { newName: 'bad_name!' })).join('\n'), /not valid/);
  assert.match((await refusal('refuse-a', { newName: 'x'.repeat(64) })).join('\n'), /64 characters/);
  assert.match((await refusal('no-such-notebook')).join('\n'), /no notebook instance named 'no-such-notebook'/);

  const sm = new SageMakerClient(clientConfig(env.moto.endpoint, REGION));
  await sm.send(new CreateNotebookInstanceCommand({ NotebookInstanceName: 'refuse-a-vpc', InstanceType: 'ml.t3.medium', RoleArn: ROLE_ARN }));
  sm.destroy();
  assert.match((await refusal('refuse-a')).join('\n'), /'refuse-a-vpc' already exists/);

  await createSourceNotebook(env.moto.endpoint, env.proxy, 'refuse-compliant', { compliantIn: env.network });
  assert.match((await refusal('refuse-compliant')).join('\n'), /already passes SageMaker-004/);
});

const CRASHES: CrashPoint<StepId>[] = (['create-replacement', 'stop-source', 'delete-source'] as const).flatMap((step) =>
  (['after-call', 'after-step'] as const).map((at) => ({ step, at })),
);

for (const [i, crash] of CRASHES.entries()) {
  test(`a crash ${crash.at} of ${crash.step}, then resume from the journal: same final state, no step repeated, the source untouched until the replacement was InService`, async () => {
    const name = `crash-${i}`;
    await createSourceNotebook(env.moto.endpoint, env.proxy, name);
    const p = await plan(name);
    env.proxy.clearLog();
    const journalPath = journalPathIn(env.dir, name);
    await assert.rejects(applyPlan(env.clients, p, { journalPath, waits: FAST_WAITS, crash }), SimulatedCrash);
    const interrupted = readJournal(journalPath);
    const stepState = interrupted.steps.find((s) => s.id === crash.step)!.state;
    assert.equal(stepState, crash.at === 'after-call' ? 'started' : 'done', 'the journal holds what was written before the crash');
    assert.equal(interrupted.outcome, 'in-progress');

    const resumed = await resumeRun(env.clients, readJournal(journalPath), { journalPath, waits: FAST_WAITS });
    assert.equal(resumed.outcome, 'done', JSON.stringify(resumed.steps));
    await assertRemediated(name, `${name}-vpc`);
    assert.equal(callsOn(env.proxy.log, 'CreateNotebookInstance', `${name}-vpc`).length, 1, 'created once');
    assert.equal(callsOn(env.proxy.log, 'StopNotebookInstance', name).length, 1, 'stopped once');
    assert.equal(callsOn(env.proxy.log, 'DeleteNotebookInstance', name).length, 1, 'deleted once');
    assert.deepEqual(sourceTouchedBeforeReplacementInService(env.proxy.log, name, `${name}-vpc`), []);
    if (crash.at === 'after-call') {
      const observed = resumed.steps.find((s) => s.id === crash.step)!.observed.join('\n');
      assert.match(observed, /not created again|is Stopped|no longer exists|is gone|deleted/, 'resume saw what the lost step had done');
    }
  });
}

test('a create that fails is rolled back: the source is untouched, nothing is left behind, the journal says so', async () => {
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'rollback-a');
  const p = await plan('rollback-a');
  env.proxy.clearLog();
  env.proxy.addRule({ fault: 'error', action: 'CreateNotebookInstance', params: { NotebookInstanceName: 'rollback-a-vpc' }, code: 'ResourceLimitExceeded', message: 'The account-level service limit ml.t3.medium for notebook instances is 0 (injected)', times: 1 });
  const journalPath = journalPathIn(env.dir, 'rollback-a');
  const journal = await applyPlan(env.clients, p, { journalPath, waits: FAST_WAITS });
  assert.equal(journal.outcome, 'rolled-back');
  assert.match(journal.steps[0]!.error!, /ResourceLimitExceeded/);
  assert.equal(journal.rollback?.state, 'done');
  assert.equal(readJournal(journalPath).outcome, 'rolled-back');
  assert.equal((await motoNotebook(env.moto.endpoint, 'rollback-a'))?.NotebookInstanceStatus, 'InService', 'the source is untouched');
  assert.equal(await motoNotebook(env.moto.endpoint, 'rollback-a-vpc'), undefined);
  assert.deepEqual(mutatingCalls(env.proxy.log).filter((c) => c.params.NotebookInstanceName === 'rollback-a'), []);

  // Resuming a rolled-back run is refused: the source is as it was, plan again.
  const out = captureIo();
  assert.equal(await runRemediateResume(journalPath, {}, out.io), 2);
  assert.match(out.stderr(), /rolled back/);
});

test('a replacement that ends Failed is rolled back: stopped if needed, deleted, the source untouched', async () => {
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'rollback-b');
  const p = await plan('rollback-b');
  env.proxy.clearLog();
  // moto never fails a notebook: the first describe that finds the new one reports Failed.
  let failedOnce = false;
  env.proxy.addRule({
    fault: 'rewrite',
    action: 'DescribeNotebookInstance',
    params: { NotebookInstanceName: 'rollback-b-vpc' },
    rewrite: (answer) => {
      if (failedOnce) return answer;
      failedOnce = true;
      return { ...answer, NotebookInstanceStatus: 'Failed', FailureReason: 'The subnet has no free IP addresses (injected)' };
    },
  });
  const journal = await applyPlan(env.clients, p, { journalPath: journalPathIn(env.dir, 'rollback-b'), waits: FAST_WAITS });
  assert.equal(journal.outcome, 'rolled-back', JSON.stringify(journal));
  assert.match(journal.steps[0]!.error!, /Failed \(The subnet has no free IP addresses/);
  assert.equal(await motoNotebook(env.moto.endpoint, 'rollback-b-vpc'), undefined, 'the failed replacement is deleted');
  assert.equal((await motoNotebook(env.moto.endpoint, 'rollback-b'))?.NotebookInstanceStatus, 'InService');
  assert.deepEqual(mutatingCalls(env.proxy.log).filter((c) => c.params.NotebookInstanceName === 'rollback-b'), []);
  assert.equal(callsOn(env.proxy.log, 'DeleteNotebookInstance', 'rollback-b-vpc').length, 1);
});

const cliOptions = (extra: Record<string, unknown> = {}) => ({
  region: REGION,
  endpointUrl: env.proxy.endpoint,
  subnetId: env.network.subnetId,
  securityGroupIds: env.network.securityGroupIds,
  deleteSource: true,
  ...extra,
});

test('apply --dry-run sends only read calls (Describe/List/Get/Head), writes no journal, exits 0', async () => {
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'dry-a');
  env.proxy.clearLog();
  const journal = journalPathIn(env.dir, 'dry-a');
  const out = captureIo();
  assert.equal(await runRemediateApply('dry-a', cliOptions({ dryRun: true, journal }), out.io), 0, out.stderr());
  assert.ok(env.proxy.log.length > 0);
  assert.deepEqual(mutatingCalls(env.proxy.log), []);
  assert.equal(existsSync(journal), false);
  assert.match(out.stdout(), /Dry run: nothing was changed/);
  assert.match(out.stdout(), /DirectInternetAccess\s+Disabled/);
  assert.ok(await motoNotebook(env.moto.endpoint, 'dry-a'));
});

test('apply without --yes when standard input is not a terminal is refused (exit 2) before any mutating call; a "y" on a terminal applies', async () => {
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'confirm-a');
  env.proxy.clearLog();
  const refused = captureIo({ interactive: false });
  assert.equal(await runRemediateApply('confirm-a', cliOptions({ journal: journalPathIn(env.dir, 'confirm-a-refused') }), refused.io), 2);
  assert.match(refused.stderr(), /not a terminal.*--yes/s);
  assert.deepEqual(mutatingCalls(env.proxy.log), []);

  const declined = captureIo({ interactive: true, answer: 'n' });
  assert.equal(await runRemediateApply('confirm-a', cliOptions({ journal: journalPathIn(env.dir, 'confirm-a-declined') }), declined.io), 2);
  assert.deepEqual(mutatingCalls(env.proxy.log), []);

  const journal = journalPathIn(env.dir, 'confirm-a');
  const accepted = captureIo({ interactive: true, answer: 'y' });
  assert.equal(await runRemediateApply('confirm-a', cliOptions({ journal }), accepted.io), 0, accepted.stderr() + accepted.stdout());
  assert.match(accepted.stdout(), /Done: 'confirm-a-vpc' is InService/);
  await assertRemediated('confirm-a', 'confirm-a-vpc');

  // Resuming a finished run makes no call and says so.
  env.proxy.clearLog();
  const again = captureIo();
  assert.equal(await runRemediateResume(journal, {}, again.io), 0);
  assert.match(again.stderr(), /already complete/);
  assert.deepEqual(env.proxy.log, []);
});
