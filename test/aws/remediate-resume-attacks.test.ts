// `remediate resume` acts only on what was planned: a journal is a file anyone who can write its
// directory can change, and the world can change between a crash and `resume`. Each test is an
// attack, against moto through the fault proxy: the source re-created under its name, a journal
// edited (steps added, pointed at another notebook, endpoint changed), two resumes at once, a
// replacement deleted by someone. The proof is the proxy's log: no Stop/Delete reaches AWS for a
// notebook that was not planned, and no call at all reaches an endpoint read from the journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { SageMakerClient, CreateNotebookInstanceCommand, DeleteNotebookInstanceCommand, StopNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { applyPlan } from '../../src/remediation/live/apply';
import { applyDomainPlan } from '../../src/remediation/live/domain-apply';
import { planDomainRemediation } from '../../src/remediation/live/domain-plan';
import { planNotebookRemediation, type NotebookPlanRequest, type NotebookRemediationPlan } from '../../src/remediation/live/plan';
import { SimulatedCrash } from '../../src/remediation/live/step-runner';
import { signJournalBody } from '../../src/remediation/live/journal-key';
import { runRemediateApply, runRemediatePlan, runRemediateResume } from '../../src/cli/remediate-command';
import { startFaultProxy } from './fault-proxy';
import { clientConfig } from './seed';
import { PROJECT_ROOT } from './venv';
import {
  REGION,
  ROLE_ARN,
  FAST_WAITS,
  createSourceNotebook,
  createStudioDomain,
  modelStudioDomain,
  callsOnDomain,
  motoNotebook,
  mutatingCalls,
  callsOn,
  journalPathIn,
  notebookPlanRequest,
  captureIo,
  useRemediateTestEnv,
} from './remediate-helpers';

const env = useRemediateTestEnv({ logAnswers: true });

async function plan(name: string, extra: Partial<NotebookPlanRequest> = {}): Promise<NotebookRemediationPlan> {
  return planNotebookRemediation(env.clients, notebookPlanRequest(env, name, extra));
}

/** Plans and applies `name`, crashing once the replacement is made (journal: create done, the rest pending). */
async function crashedAfterCreate(name: string, extra: Partial<NotebookPlanRequest> = {}): Promise<{ plan: NotebookRemediationPlan; journalPath: string }> {
  await createSourceNotebook(env.moto.endpoint, env.proxy, name);
  const p = await plan(name, extra);
  const journalPath = journalPathIn(env.dir, name);
  await assert.rejects(applyPlan(env.clients, p, { journalPath, waits: FAST_WAITS, crash: { step: 'create-replacement', at: 'after-step' } }), SimulatedCrash);
  return { plan: p, journalPath };
}

/** In moto directly (another team, not through the proxy): stop and delete `name`. */
async function deleteInMoto(name: string): Promise<void> {
  const sm = new SageMakerClient(clientConfig(env.moto.endpoint, REGION));
  try {
    await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: name })).catch(() => undefined);
    await sm.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: name }));
  } finally {
    sm.destroy();
  }
}

/** In moto directly: a notebook named `name`, compliant (Disabled, in the seeded subnet) or not. */
async function createInMoto(name: string, compliant: boolean): Promise<void> {
  const sm = new SageMakerClient(clientConfig(env.moto.endpoint, REGION));
  try {
    await sm.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: name,
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE_ARN,
        ...(compliant ? { DirectInternetAccess: 'Disabled', SubnetId: env.network.subnetId, SecurityGroupIds: env.network.securityGroupIds } : { DirectInternetAccess: 'Enabled' }),
      }),
    );
  } finally {
    sm.destroy();
  }
}

function resumeOptions(extra: Record<string, unknown> = {}) {
  return { endpointUrl: env.proxy.endpoint, ...extra };
}

function touched(name: string): string[] {
  return [...callsOn(env.proxy.log, 'StopNotebookInstance', name), ...callsOn(env.proxy.log, 'DeleteNotebookInstance', name)].map((c) => c.action);
}

for (const compliant of [true, false]) {
  test(`the source deleted and re-created under its name (${compliant ? 'compliant' : 'still with direct internet access'}, by another team) after a crash: resume refuses, nothing is stopped or deleted`, async () => {
    const name = compliant ? 'reborn-a' : 'reborn-b';
    const { journalPath } = await crashedAfterCreate(name);
    await deleteInMoto(name);
    await createInMoto(name, compliant);
    env.proxy.clearLog();
    const out = captureIo();
    assert.equal(await runRemediateResume(journalPath, resumeOptions(), out.io), 2, out.stdout() + out.stderr());
    assert.deepEqual(touched(name), [], 'the re-created notebook is neither stopped nor deleted');
    assert.deepEqual(mutatingCalls(env.proxy.log), []);
    assert.match(out.stdout() + out.stderr(), new RegExp(`'${name}' is not the notebook that was planned: .*created`));
    assert.equal((await motoNotebook(env.moto.endpoint, name))?.NotebookInstanceStatus, 'InService');
  });
}

test('a journal with steps added (stop and delete a source the user chose to keep) is refused before any AWS call', async () => {
  const { journalPath } = await crashedAfterCreate('keep-a', { deleteSource: false });
  const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
  assert.deepEqual(journal.plan.steps.map((s: { id: string }) => s.id), ['create-replacement']);
  journal.plan.deleteSource = true;
  journal.plan.steps.push({ id: 'stop-source', title: 'stop' }, { id: 'delete-source', title: 'delete' });
  journal.steps.push({ id: 'stop-source', title: 'stop', state: 'pending', observed: [] }, { id: 'delete-source', title: 'delete', state: 'pending', observed: [] });
  writeFileSync(journalPath, JSON.stringify(journal));
  env.proxy.clearLog();
  const out = captureIo();
  assert.equal(await runRemediateResume(journalPath, resumeOptions(), out.io), 2);
  assert.match(out.stderr(), /signature/i);
  assert.deepEqual(env.proxy.log, [], 'no AWS call at all');
  assert.equal((await motoNotebook(env.moto.endpoint, 'keep-a'))?.NotebookInstanceStatus, 'InService');
});

test('a journal edited to point at another notebook (its name, ARN and a replacement tagged for it) is refused before any AWS call', async () => {
  const { journalPath } = await crashedAfterCreate('planned-a');
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'victim-a');
  const victim = await motoNotebook(env.moto.endpoint, 'victim-a');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
  journal.plan.source.name = 'victim-a';
  journal.plan.source.arn = victim!.NotebookInstanceArn;
  journal.plan.replacement.NotebookInstanceName = 'victim-a-vpc';
  journal.plan.replacement.Tags = [{ Key: 'cloudconform:remediated-from', Value: 'victim-a' }];
  for (const s of journal.steps) s.state = 'pending';
  writeFileSync(journalPath, JSON.stringify(journal));
  env.proxy.clearLog();
  const out = captureIo();
  assert.equal(await runRemediateResume(journalPath, resumeOptions(), out.io), 2);
  assert.match(out.stderr(), /signature/i);
  assert.deepEqual(env.proxy.log, [], 'no AWS call at all');
  assert.deepEqual(touched('victim-a'), []);
  assert.equal(await motoNotebook(env.moto.endpoint, 'victim-a-vpc'), undefined);
});

test("an endpoint written into the journal (an attacker's URL) is never called: resume uses AWS_ENDPOINT_URL or --endpoint-url only", async () => {
  const attacker = await startFaultProxy({ target: env.moto.endpoint });
  const saved = process.env.AWS_ENDPOINT_URL;
  try {
    const { journalPath } = await crashedAfterCreate('endpoint-a');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
    journal.plan.connection = { ...journal.plan.connection, endpointUrl: attacker.endpoint };
    writeFileSync(journalPath, JSON.stringify(journal));
    process.env.AWS_ENDPOINT_URL = env.proxy.endpoint;
    const out = captureIo();
    await runRemediateResume(journalPath, {}, out.io);
    assert.deepEqual(attacker.log, [], "no call reached the journal's endpoint");
  } finally {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = saved;
    await attacker.stop();
  }
});

test('credentials in --endpoint-url (user-info) are stored nowhere: not in the plan output, not in the journal', async () => {
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'userinfo-a');
  const url = new URL(env.proxy.endpoint);
  url.username = 'AKIAIOSFODNN7EXAMPLE';
  url.password = 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY';
  const out = captureIo();
  const options = { region: REGION, endpointUrl: url.toString(), subnetId: env.network.subnetId, securityGroupIds: env.network.securityGroupIds, deleteSource: true };
  assert.equal(await runRemediatePlan('userinfo-a', { ...options, format: 'json' }, out.io), 0, out.stderr());
  assert.doesNotMatch(out.stdout() + out.stderr(), /AKIAIOSFODNN7EXAMPLE|wJalrXUtnFEMIK7MDENG/);
  assert.doesNotMatch(out.stdout(), /endpointUrl/, 'the plan holds no endpoint');
});

test('two resumes of one journal at once: one runs, the other refuses (the journal is locked); the source is stopped and deleted once', async () => {
  const { journalPath } = await crashedAfterCreate('twice-a');
  // The first resume is slow: its first describe waits, so the second starts while it runs.
  env.proxy.addRule({ fault: 'delay', action: 'DescribeNotebookInstance', params: { NotebookInstanceName: 'twice-a-vpc' }, delayMs: 400, times: 1 });
  env.proxy.clearLog();
  const a = captureIo();
  const b = captureIo();
  const first = runRemediateResume(journalPath, resumeOptions(), a.io);
  await new Promise((r) => setTimeout(r, 100));
  const second = runRemediateResume(journalPath, resumeOptions(), b.io);
  const codes = await Promise.all([first, second]);
  assert.deepEqual(codes, [0, 2], a.stderr() + b.stderr());
  assert.match(b.stderr(), /locked by .*pid \d+/);
  assert.equal(callsOn(env.proxy.log, 'StopNotebookInstance', 'twice-a').length, 1);
  assert.equal(callsOn(env.proxy.log, 'DeleteNotebookInstance', 'twice-a').length, 1);
});

test('a lock left by a process that no longer runs is taken over, and resume says so', async () => {
  const { journalPath } = await crashedAfterCreate('stale-a');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  writeFileSync(`${journalPath}.lock`, JSON.stringify({ pid: deadPid, startedAt: '2026-01-01T00:00:00.000Z', host: hostname() }));
  const out = captureIo();
  assert.equal(await runRemediateResume(journalPath, resumeOptions(), out.io), 0, out.stderr());
  assert.match(out.stderr(), new RegExp(`stale lock .*pid ${deadPid}.* no longer running`));
});

test('the replacement deleted by someone after it was made: resume says to plan again and prints the exact command lines; the source is untouched', async () => {
  const { journalPath } = await crashedAfterCreate('gone-a');
  await deleteInMoto('gone-a-vpc');
  env.proxy.clearLog();
  const out = captureIo();
  assert.equal(await runRemediateResume(journalPath, resumeOptions(), out.io), 2);
  const text = out.stdout() + out.stderr();
  assert.deepEqual(touched('gone-a'), []);
  assert.doesNotMatch(text, /fix the cause/);
  assert.match(text, /'gone-a-vpc' was made by this run but no longer exists/);
  assert.ok(
    text.includes(`cloudconform remediate plan gone-a --region ${REGION} --subnet-id ${env.network.subnetId} --security-group-ids ${env.network.securityGroupIds.join(',')} --new-name gone-a-vpc --delete-source`),
    text,
  );
  assert.ok(text.includes(`cloudconform remediate apply gone-a --region ${REGION} --subnet-id ${env.network.subnetId}`), text);
});

const MODEL = '(ListApps, DeleteApp and UpdateDomain answered by our proxy state model: moto implements none of them)';

test(`a domain switched to VpcOnly by someone else after a crash: resume deletes no app and sends no UpdateDomain ${MODEL}`, async () => {
  const id = await createStudioDomain(env.moto.endpoint, env.network, 'elsewhere-switched', { access: 'PublicInternetOnly' });
  // Someone (another team) switches it after the crash, with their own groups; moto has no
  // UpdateDomain, so the describe answer says so (before the model's rule: the first match answers).
  let switchedElsewhere = false;
  env.proxy.addRule({
    fault: 'rewrite',
    action: 'DescribeDomain',
    params: { DomainId: id },
    rewrite: (answer) =>
      switchedElsewhere ? { ...answer, AppNetworkAccessType: 'VpcOnly', DefaultUserSettings: { ...(answer.DefaultUserSettings as object), SecurityGroups: [env.network.securityGroupIds[0]] } } : answer,
  });
  modelStudioDomain(env.proxy, id, [{ userProfileName: 'alice', appType: 'JupyterServer', appName: 'default', status: 'InService' }]);
  const p = await planDomainRemediation(env.clients, { connection: { region: REGION, endpointUrl: env.proxy.endpoint }, domainId: id, apps: { mode: 'delete', minutes: 1 } });
  const journalPath = journalPathIn(env.dir, id);
  // Crash as the run starts: the journal is written, no step ran.
  await assert.rejects(
    applyDomainPlan(env.clients, p, { journalPath, waits: FAST_WAITS, appPollSeconds: 0.05, crash: { step: 'delete-apps', at: 'after-call' } }),
    SimulatedCrash,
  );
  switchedElsewhere = true;
  env.proxy.clearLog();
  const out = captureIo();
  assert.equal(await runRemediateResume(journalPath, resumeOptions(), out.io), 2);
  assert.deepEqual(callsOnDomain(env.proxy.log, 'DeleteApp', id), []);
  assert.deepEqual(callsOnDomain(env.proxy.log, 'UpdateDomain', id), []);
  assert.match(out.stdout() + out.stderr(), /already passes SageMaker-005/);
});

test(`a domain that answers with another CreationTime after a crash (deleted and re-created: emulated by the proxy, as moto's domain ids can't repeat): resume deletes no app and sends no UpdateDomain ${MODEL}`, async () => {
  const id = await createStudioDomain(env.moto.endpoint, env.network, 'recreated-domain', { access: 'PublicInternetOnly' });
  let recreated = false;
  env.proxy.addRule({ fault: 'rewrite', action: 'DescribeDomain', params: { DomainId: id }, rewrite: (answer) => (recreated ? { ...answer, CreationTime: 1893456000 } : answer) });
  modelStudioDomain(env.proxy, id, [
    { userProfileName: 'alice', appType: 'JupyterServer', appName: 'default', status: 'InService' },
    { userProfileName: 'bob', appType: 'JupyterServer', appName: 'default', status: 'InService' },
  ]);
  const p = await planDomainRemediation(env.clients, { connection: { region: REGION, endpointUrl: env.proxy.endpoint }, domainId: id, apps: { mode: 'delete', minutes: 1 } });
  const journalPath = journalPathIn(env.dir, id);
  await assert.rejects(
    applyDomainPlan(env.clients, p, { journalPath, waits: FAST_WAITS, appPollSeconds: 0.05, crash: { step: 'delete-apps', at: 'after-call' } }),
    SimulatedCrash,
  );
  recreated = true;
  env.proxy.clearLog();
  const out = captureIo();
  assert.equal(await runRemediateResume(journalPath, resumeOptions(), out.io), 2);
  assert.deepEqual(callsOnDomain(env.proxy.log, 'DeleteApp', id), [], "bob's app is not deleted");
  assert.deepEqual(mutatingCalls(env.proxy.log), []);
  assert.match(out.stdout() + out.stderr(), /is not the domain that was planned: it was created 2030-01-01T00:00:00\.000Z/);
});

test('apply holds the journal lock while it runs: a resume started meanwhile refuses; the lock is gone once apply ends', async () => {
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'held-a');
  const p = await plan('held-a');
  const journalPath = journalPathIn(env.dir, 'held-a');
  env.proxy.addRule({ fault: 'delay', action: 'CreateNotebookInstance', params: { NotebookInstanceName: 'held-a-vpc' }, delayMs: 500, times: 1 });
  env.proxy.clearLog();
  const applying = applyPlan(env.clients, p, { journalPath, waits: FAST_WAITS });
  await new Promise((r) => setTimeout(r, 150));
  const out = captureIo();
  assert.equal(await runRemediateResume(journalPath, resumeOptions(), out.io), 2);
  assert.match(out.stderr(), new RegExp(`locked by pid ${process.pid} `));
  assert.equal((await applying).outcome, 'done');
  assert.equal(existsSync(`${journalPath}.lock`), false);
  assert.equal(callsOn(env.proxy.log, 'DeleteNotebookInstance', 'held-a').length, 1);
});

test('secrets in what AWS answers (a FailureReason, an error message) are redacted in the journal and in the output', async () => {
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'secret-a');
  const p = await plan('secret-a');
  const leak = 'key_AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY at https://admin:hunter2pass@10.0.0.1/';
  env.proxy.addRule({
    fault: 'rewrite',
    action: 'DescribeNotebookInstance',
    params: { NotebookInstanceName: 'secret-a-vpc' },
    rewrite: (answer) => ({ ...answer, NotebookInstanceStatus: 'Failed', FailureReason: leak }),
  });
  env.proxy.addRule({ fault: 'error', action: 'DeleteNotebookInstance', params: { NotebookInstanceName: 'secret-a-vpc' }, code: 'InternalFailure', message: leak });
  const journalPath = journalPathIn(env.dir, 'secret-a');
  const lines: string[] = [];
  const journal = await applyPlan(env.clients, p, { journalPath, waits: FAST_WAITS, onProgress: (l) => lines.push(l) });
  assert.equal(journal.outcome, 'rollback-failed', JSON.stringify(journal));
  const text = readFileSync(journalPath, 'utf8') + lines.join('\n');
  assert.match(text, /redacted/);
  assert.doesNotMatch(text, /AKIAIOSFODNN7EXAMPLE|wJalrXUtnFEMI|hunter2pass/);
  const out = captureIo();
  await runRemediateResume(journalPath, resumeOptions(), out.io);
  assert.doesNotMatch(out.stdout() + out.stderr(), /AKIAIOSFODNN7EXAMPLE|wJalrXUtnFEMI|hunter2pass/);
});

test('on a terminal, resume offers to make the new plan at once (read-only) after a replacement was deleted', async () => {
  const { journalPath } = await crashedAfterCreate('gone-b');
  await deleteInMoto('gone-b-vpc');
  env.proxy.clearLog();
  const out = captureIo({ interactive: true, answer: 'y' });
  assert.equal(await runRemediateResume(journalPath, resumeOptions(), out.io), 2);
  assert.match(out.questions.join(''), /Make the new plan now \(read-only\)\?/);
  assert.match(out.stdout(), /Plan: re-create notebook instance 'gone-b' in a VPC subnet/);
  assert.deepEqual(mutatingCalls(env.proxy.log), []);
});

test('a journal in a directory that does not exist: a clear error, no call', async () => {
  env.proxy.clearLog();
  const out = captureIo();
  assert.equal(await runRemediateResume('/nonexistent-dir/j.json', resumeOptions(), out.io), 2);
  assert.match(out.stderr(), /\/nonexistent-dir\/j\.json: can't lock the journal .*ENOENT/);
  assert.deepEqual(env.proxy.log, []);
});

test('two `cloudconform remediate resume` processes on one journal (the built CLI): one completes, the other refuses naming the lock holder', async () => {
  const { journalPath } = await crashedAfterCreate('procs-a');
  env.proxy.addRule({ fault: 'delay', action: 'DescribeNotebookInstance', params: { NotebookInstanceName: 'procs-a-vpc' }, delayMs: 1500, times: 1 });
  env.proxy.clearLog();
  const resume = () =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'cloudconform.js'), 'remediate', 'resume', journalPath, '--endpoint-url', env.proxy.endpoint], { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  const results = await Promise.all([resume(), resume()]);
  assert.deepEqual(results.map((r) => r.code).sort(), [0, 2], results.map((r) => r.stderr).join('\n---\n'));
  assert.match(results.find((r) => r.code === 2)!.stderr, /locked by pid \d+ on .*another cloudconform apply or resume is running on this journal/);
  assert.equal(callsOn(env.proxy.log, 'StopNotebookInstance', 'procs-a').length, 1);
  assert.equal(callsOn(env.proxy.log, 'DeleteNotebookInstance', 'procs-a').length, 1);
});

test('a journal edited and re-signed with the key (an insider, or a stolen key) to point at another, compliant notebook is still refused: AWS says it is not the planned one', async () => {
  const { journalPath } = await crashedAfterCreate('insider-a');
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'insider-compliant', { compliantIn: env.network });
  const other = await motoNotebook(env.moto.endpoint, 'insider-compliant');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
  journal.plan.source.name = 'insider-compliant';
  journal.plan.source.arn = other!.NotebookInstanceArn;
  const { signature: _, ...body } = journal;
  writeFileSync(journalPath, JSON.stringify({ ...body, signature: signJournalBody(body, journal.plan.account) }));
  env.proxy.clearLog();
  const out = captureIo();
  assert.equal(await runRemediateResume(journalPath, resumeOptions(), out.io), 2);
  assert.match(out.stdout() + out.stderr(), /'insider-compliant' is not the notebook that was planned: it was created .*, the planned one/);
  assert.deepEqual(mutatingCalls(env.proxy.log), []);
});

test('a terminal escape in what AWS answers (a FailureReason) is shown as \\u001b in the progress and the journal text, never sent raw to the terminal', async () => {
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'escape-a');
  let failedOnce = 0;
  env.proxy.addRule({
    fault: 'rewrite',
    action: 'DescribeNotebookInstance',
    params: { NotebookInstanceName: 'escape-a-vpc' },
    // The first answer once it exists (moto never fails a notebook).
    rewrite: (answer) => (failedOnce++ > 0 ? answer : { ...answer, NotebookInstanceStatus: 'Failed', FailureReason: 'boom\u001b]0;owned\u0007\u001b[2J\r\nFAKE: Done' }),
  });
  const out = captureIo();
  const options = { region: REGION, endpointUrl: env.proxy.endpoint, subnetId: env.network.subnetId, securityGroupIds: env.network.securityGroupIds, deleteSource: true, yes: true, journal: journalPathIn(env.dir, 'escape-a') };
  assert.equal(await runRemediateApply('escape-a', options, out.io), 2);
  const text = out.stdout() + out.stderr();
  assert.match(text, /boom\\u001b\]0;owned\\u0007\\u001b\[2J\\u000d\\u000aFAKE: Done/);
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f]/);
});

test("apply never overwrites an existing journal (another run's record): refused before any mutating call, the journal unchanged", async () => {
  const { journalPath } = await crashedAfterCreate('clobber-a');
  const before = readFileSync(journalPath, 'utf8');
  env.proxy.clearLog();
  const out = captureIo();
  const options = { region: REGION, endpointUrl: env.proxy.endpoint, subnetId: env.network.subnetId, securityGroupIds: env.network.securityGroupIds, deleteSource: true, yes: true, newName: 'clobber-a-2', journal: journalPath };
  assert.equal(await runRemediateApply('clobber-a', options, out.io), 2);
  assert.match(out.stderr(), /a journal is already there: resume it, or give apply another --journal/);
  assert.deepEqual(mutatingCalls(env.proxy.log), []);
  assert.equal(readFileSync(journalPath, 'utf8'), before);
});

test('the replacement deleted and re-created by someone (same name, our tag, the subnet, Disabled): resume does not trust it, stops and deletes nothing, and prints the commands to plan again', async () => {
  const { plan: p, journalPath } = await crashedAfterCreate('twin-a');
  const made = JSON.parse(readFileSync(journalPath, 'utf8')).facts?.['replacement.creationTime'];
  assert.match(made ?? '', /^\d{4}-\d\d-\d\dT/, 'the journal keeps when this run made the replacement');
  await deleteInMoto('twin-a-vpc');
  const sm = new SageMakerClient(clientConfig(env.moto.endpoint, REGION));
  await sm.send(new CreateNotebookInstanceCommand({ ...p.replacement, LifecycleConfigName: undefined }));
  sm.destroy();
  env.proxy.clearLog();
  const out = captureIo();
  assert.equal(await runRemediateResume(journalPath, resumeOptions(), out.io), 2);
  const text = out.stdout() + out.stderr();
  assert.match(text, /'twin-a-vpc' is not the notebook this run made .*someone deleted and re-created it/);
  assert.ok(text.includes('cloudconform remediate plan twin-a --region'), text);
  assert.deepEqual(touched('twin-a'), []);
  assert.deepEqual(mutatingCalls(env.proxy.log), []);
});
