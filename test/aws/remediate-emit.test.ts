// `remediate plan --emit`: the replacement as a CloudFormation template (cfn-lint clean, and
// passing our own scan), a Terraform configuration (passing our own scan), and an AWS CLI script
// that the real AWS CLI runs against moto to the same end state as `apply --delete-source`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan } from '../../src/engine/scan';
import { emptyConfig } from '../../src/engine/config';
import { emitReplacement } from '../../src/remediation/live/emit';
import { planNotebookRemediation, type NotebookRemediationPlan } from '../../src/remediation/live/plan';
import type { LiveClients } from '../../src/remediation/live/clients';
import { runRemediatePlan, type CommandIo } from '../../src/cli/remediate-command';
import { startMoto, type MotoServer } from './moto-server';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { useAwsTestEnv, awsTestEnv } from './audit-helpers';
import { venvBin } from './venv';
import { REGION, seedNetwork, createSourceNotebook, runClients, motoNotebook, mutatingCalls, tempDir, type TestNetwork } from './remediate-helpers';

let moto: MotoServer;
let proxy: FaultProxy;
let network: TestNetwork;
let clients: LiveClients;
let dir: string;
let plan: NotebookRemediationPlan;

before(async () => {
  useAwsTestEnv();
  moto = await startMoto();
  proxy = await startFaultProxy({ target: moto.endpoint });
  network = await seedNetwork(moto.endpoint);
  clients = runClients(proxy);
  dir = tempDir();
  await createSourceNotebook(moto.endpoint, proxy, "emit-source");
  plan = await planNotebookRemediation(clients, {
    connection: { region: REGION, endpointUrl: proxy.endpoint },
    notebookName: "emit-source",
    subnetId: network.subnetId,
    securityGroupIds: network.securityGroupIds,
    deleteSource: true,
  }).catch((e) => {
    throw new Error(`plan failed: ${(e as Error).message}`);
  });
});

after(async () => {
  clients?.destroy();
  await proxy?.stop();
  await moto?.stop();
});

async function scanVerdict(path: string): Promise<string[]> {
  const report = await scan([path], { config: emptyConfig(), jobs: 1 });
  assert.deepEqual(report.errors, []);
  return report.findings.filter((f) => f.ruleId === 'SageMaker-004').map((f) => f.result);
}

test('--emit cloudformation: a template that passes cfn-lint (when .venv/bin/cfn-lint is installed) and our own SageMaker-004 check', async () => {
  const file = join(dir, 'replacement.yaml');
  writeFileSync(file, emitReplacement(plan, 'cloudformation'));
  assert.deepEqual(await scanVerdict(file), ['pass']);
  const cfnLint = venvBin('cfn-lint');
  if (existsSync(cfnLint)) {
    const run = spawnSync(cfnLint, ['--regions', REGION, '--', file], { encoding: 'utf8' });
    assert.equal(run.status, 0, `cfn-lint:\n${run.stdout}${run.stderr}`);
  } else {
    // Without cfn-lint the structure is checked by our own parser (the scan above) only.
    assert.match(emitReplacement(plan, 'cloudformation'), /Type: AWS::SageMaker::NotebookInstance/);
  }
});

test('--emit terraform: quoted "Disabled", subnet_id and security_groups from variables defaulting to the given ones; passes our own check', async () => {
  const tf = emitReplacement(plan, 'terraform');
  assert.match(tf, /direct_internet_access\s+= "Disabled"/);
  assert.match(tf, /subnet_id\s+= var\.subnet_id/);
  assert.match(tf, /security_groups\s+= var\.security_group_ids/);
  assert.match(tf, /"cloudconform:remediated-from" = "emit-source"/);
  const module = join(dir, 'tf');
  mkdirSync(module, { recursive: true });
  writeFileSync(join(module, 'main.tf'), tf);
  assert.deepEqual(await scanVerdict(module), ['pass']);
});

test('--emit cli: the script runs with the real AWS CLI against moto (AWS_ENDPOINT_URL): the replacement is made Disabled in the subnet, the source is deleted', async () => {
  const script = join(dir, 'remediate.sh');
  const io: CommandIo = { stdout: () => {}, stderr: () => {}, interactive: false, ask: async () => '' };
  proxy.clearLog();
  const code = await runRemediatePlan(
    "emit-source",
    {
      region: REGION,
      endpointUrl: proxy.endpoint,
      subnetId: network.subnetId,
      securityGroupIds: network.securityGroupIds,
      deleteSource: true,
      emit: 'cli',
      output: script,
    },
    io,
  );
  assert.equal(code, 0);
  assert.deepEqual(mutatingCalls(proxy.log), [], 'plan --emit only reads');
  const syntax = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);

  const run = spawnSync('bash', [script], {
    encoding: 'utf8',
    env: { PATH: `${join(venvBin('aws'), '..')}:${process.env.PATH}`, HOME: dir, ...awsTestEnv({ AWS_ENDPOINT_URL: moto.endpoint, AWS_DEFAULT_REGION: REGION }) },
    timeout: 120_000,
  });
  assert.equal(run.status, 0, `script failed:\n${run.stdout}\n${run.stderr}`);
  const nb = await motoNotebook(moto.endpoint, 'emit-source-vpc');
  assert.ok(nb, 'the replacement exists');
  assert.equal(nb.DirectInternetAccess, 'Disabled');
  assert.equal(nb.SubnetId, network.subnetId);
  assert.deepEqual(nb.SecurityGroups, network.securityGroupIds);
  assert.equal(nb.VolumeSizeInGB, 20);
  assert.equal(nb.tags.team, 'ml-research');
  assert.equal(await motoNotebook(moto.endpoint, "emit-source"), undefined, 'the source is deleted');
});
