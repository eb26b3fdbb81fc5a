// `remediate plan --emit`: the replacement as a CloudFormation template (cfn-lint clean, and
// passing our own scan), a Terraform configuration (passing our own scan), and an AWS CLI script
// that the real AWS CLI runs against moto to the same end state as `apply --delete-source`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan } from '../../src/engine/scan';
import { emptyConfig } from '../../src/engine/config';
import { emitReplacement } from '../../src/remediation/live/emit';
import { planNotebookRemediation, type NotebookRemediationPlan } from '../../src/remediation/live/plan';
import { runRemediatePlan, type CommandIo } from '../../src/cli/remediate-command';
import { awsTestEnv } from './audit-helpers';
import { venvBin } from './venv';
import { REGION, createSourceNotebook, motoNotebook, mutatingCalls, notebookPlanRequest, useRemediateTestEnv } from './remediate-helpers';

let plan: NotebookRemediationPlan;
const env = useRemediateTestEnv({
  setUp: async (started) => {
    await createSourceNotebook(started.moto.endpoint, started.proxy, 'emit-source');
    plan = await planNotebookRemediation(started.clients, notebookPlanRequest(started, 'emit-source')).catch((e) => {
      throw new Error(`plan failed: ${(e as Error).message}`);
    });
  },
});

async function scanVerdict(path: string): Promise<string[]> {
  const report = await scan([path], { config: emptyConfig(), jobs: 1 });
  assert.deepEqual(report.errors, []);
  return report.findings.filter((f) => f.ruleId === 'SageMaker-004').map((f) => f.result);
}

test('--emit cloudformation: a template that passes cfn-lint and our own SageMaker-004 check', async () => {
  const file = join(env.dir, 'replacement.yaml');
  writeFileSync(file, emitReplacement(plan, 'cloudformation'));
  assert.deepEqual(await scanVerdict(file), ['pass']);
  const cfnLint = venvBin('cfn-lint');
  assert.ok(existsSync(cfnLint), `${cfnLint}: installed with moto by test/aws/venv.ts`);
  const run = spawnSync(cfnLint, ['--regions', REGION, '--', file], { encoding: 'utf8' });
  assert.equal(run.status, 0, `cfn-lint:\n${run.stdout}${run.stderr}`);
});

test('--emit terraform: quoted "Disabled", subnet_id and security_groups from variables defaulting to the given ones; passes our own check', async () => {
  const tf = emitReplacement(plan, 'terraform');
  assert.match(tf, /direct_internet_access\s+= "Disabled"/);
  assert.match(tf, /subnet_id\s+= var\.subnet_id/);
  assert.match(tf, /security_groups\s+= var\.security_group_ids/);
  assert.match(tf, /"cloudconform:remediated-from" = "emit-source"/);
  const module = join(env.dir, 'tf');
  mkdirSync(module, { recursive: true });
  writeFileSync(join(module, 'main.tf'), tf);
  assert.deepEqual(await scanVerdict(module), ['pass']);
});

test('--emit cli: the script runs with the real AWS CLI against moto (AWS_ENDPOINT_URL): the replacement is made Disabled in the subnet, the source is deleted', async () => {
  const script = join(env.dir, 'remediate.sh');
  const io: CommandIo = { stdout: () => {}, stderr: () => {}, interactive: false, ask: async () => '' };
  env.proxy.clearLog();
  const code = await runRemediatePlan(
    "emit-source",
    {
      region: REGION,
      endpointUrl: env.proxy.endpoint,
      subnetId: env.network.subnetId,
      securityGroupIds: env.network.securityGroupIds,
      deleteSource: true,
      emit: 'cli',
      output: script,
    },
    io,
  );
  assert.equal(code, 0);
  assert.deepEqual(mutatingCalls(env.proxy.log), [], 'plan --emit only reads');
  const syntax = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);

  const run = spawnSync('bash', [script], {
    encoding: 'utf8',
    env: { PATH: `${join(venvBin('aws'), '..')}:${process.env.PATH}`, HOME: env.dir, ...awsTestEnv({ AWS_ENDPOINT_URL: env.moto.endpoint, AWS_DEFAULT_REGION: REGION }) },
    timeout: 120_000,
  });
  assert.equal(run.status, 0, `script failed:\n${run.stdout}\n${run.stderr}`);
  const nb = await motoNotebook(env.moto.endpoint, 'emit-source-vpc');
  assert.ok(nb, 'the replacement exists');
  assert.equal(nb.DirectInternetAccess, 'Disabled');
  assert.equal(nb.SubnetId, env.network.subnetId);
  assert.deepEqual(nb.SecurityGroups, env.network.securityGroupIds);
  assert.equal(nb.VolumeSizeInGB, 20);
  assert.equal(nb.tags.team, 'ml-research');
  assert.equal(await motoNotebook(env.moto.endpoint, "emit-source"), undefined, 'the source is deleted');
});
