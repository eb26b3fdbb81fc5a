// `remediate apply --backup-to`: the source's files go to S3 through a lifecycle configuration
// and come back on the replacement through its own. moto 5.2.5 has no UpdateNotebookInstance and
// runs no lifecycle scripts: the proxy answers UpdateNotebookInstance from a small state model
// (and shows the attached configuration in DescribeNotebookInstance), and the test writes the
// backup script's marker object when the source is started with the backup configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { SageMakerClient, DescribeNotebookInstanceLifecycleConfigCommand } from '@aws-sdk/client-sagemaker';
import { applyPlan } from '../../src/remediation/live/apply';
import { planNotebookRemediation } from '../../src/remediation/live/plan';
import { backupScript, parseS3Uri, restoreScript } from '../../src/remediation/live/backup-scripts';
import { clientConfig } from './seed';
import {
  REGION,
  FAST_WAITS,
  createSourceNotebook,
  modelNotebookLifecycleConfigs,
  motoNotebook,
  journalPathIn,
  notebookPlanRequest,
  useRemediateTestEnv,
  writeBackupMarkerOnStart,
} from './remediate-helpers';

const BUCKET = 'notebook-backups';
const env = useRemediateTestEnv({
  logAnswers: true,
  setUp: async ({ moto }) => {
    const s3 = new S3Client({ ...clientConfig(moto.endpoint, REGION), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    s3.destroy();
  },
});

test('--backup-to with --delete-source (UpdateNotebookInstance from the proxy state model; marker written by the test in place of the lifecycle script): backup, then restore configuration on the replacement, then delete', async () => {
  const attached = modelNotebookLifecycleConfigs(env.proxy, { 'backup-a': 'backup-a-lc' });
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'backup-a');
  const location = parseS3Uri(`s3://${BUCKET}/notebooks`);

  writeBackupMarkerOnStart(env, attached, 'backup-a', BUCKET, 'notebooks');

  const plan = await planNotebookRemediation(env.clients, notebookPlanRequest(env, 'backup-a', { backupTo: `s3://${BUCKET}/notebooks` }));
  assert.deepEqual(
    plan.steps.map((s) => s.id),
    [
      'create-backup-lifecycle-config',
      'stop-source-for-backup',
      'attach-backup-lifecycle-config',
      'start-source-for-backup',
      'wait-backup-marker',
      'stop-source-after-backup',
      'create-restore-lifecycle-config',
      'create-replacement',
      'stop-source',
      'delete-source',
    ],
  );
  assert.equal(plan.replacement.LifecycleConfigName, 'backup-a-vpc-cc-restore');

  env.proxy.clearLog();
  const journal = await applyPlan(env.clients, plan, { journalPath: journalPathIn(env.dir, 'backup-a'), waits: FAST_WAITS, markerPollSeconds: 0.05 });
  assert.equal(journal.outcome, 'done', JSON.stringify(journal.steps, null, 1));

  // The backup configuration runs the notebook's own OnStart first, then the backup.
  const sm = new SageMakerClient(clientConfig(env.moto.endpoint, REGION));
  const backupLc = await sm.send(new DescribeNotebookInstanceLifecycleConfigCommand({ NotebookInstanceLifecycleConfigName: 'backup-a-cc-backup' }));
  const onStart = Buffer.from(backupLc.OnStart![0]!.Content!, 'base64').toString('utf8');
  assert.ok(onStart.indexOf('echo started') < onStart.indexOf(backupScript(location, 'backup-a')), 'original OnStart first');
  assert.ok(onStart.includes(backupScript(location, 'backup-a')));
  const restoreLc = await sm.send(new DescribeNotebookInstanceLifecycleConfigCommand({ NotebookInstanceLifecycleConfigName: 'backup-a-vpc-cc-restore' }));
  assert.equal(Buffer.from(restoreLc.OnCreate![0]!.Content!, 'base64').toString('utf8'), restoreScript(location, 'backup-a', undefined));
  assert.equal(Buffer.from(restoreLc.OnStart![0]!.Content!, 'base64').toString('utf8'), '#!/bin/bash\necho started\n', 'the source OnStart is kept');
  sm.destroy();

  const replacement = await motoNotebook(env.moto.endpoint, 'backup-a-vpc');
  assert.equal(replacement?.NotebookInstanceLifecycleConfigName, 'backup-a-vpc-cc-restore');
  assert.equal(replacement?.DirectInternetAccess, 'Disabled');
  assert.equal(await motoNotebook(env.moto.endpoint, 'backup-a'), undefined);

  // The order of the mutating calls, and the marker seen before the source was stopped for good.
  const order = env.proxy.log
    .filter((c) => /^(Create|Stop|Start|Update|Delete)/.test(c.action) || (c.action === 'HeadObject' && c.status === 200))
    .map((c) => `${c.action} ${String(c.params.NotebookInstanceName ?? c.params.NotebookInstanceLifecycleConfigName ?? c.params.Key)}`);
  assert.deepEqual(order, [
    'CreateNotebookInstanceLifecycleConfig backup-a-cc-backup',
    'StopNotebookInstance backup-a',
    'UpdateNotebookInstance backup-a',
    'StartNotebookInstance backup-a',
    'HeadObject notebooks/backup-a/backup-complete.json',
    'StopNotebookInstance backup-a',
    'CreateNotebookInstanceLifecycleConfig backup-a-vpc-cc-restore',
    'CreateNotebookInstance backup-a-vpc',
    'DeleteNotebookInstance backup-a',
  ]);
  const deleteAt = env.proxy.log.findIndex((c) => c.action === 'DeleteNotebookInstance');
  const replacementInServiceAt = env.proxy.log.findIndex(
    (c) => c.action === 'DescribeNotebookInstance' && c.params.NotebookInstanceName === 'backup-a-vpc' && c.answer?.NotebookInstanceStatus === 'InService',
  );
  assert.ok(replacementInServiceAt !== -1 && replacementInServiceAt < deleteAt, 'the source is deleted only after its replacement was seen InService');
});

test('--backup-to is refused up front when the bucket does not exist, with no mutating call', async () => {
  await createSourceNotebook(env.moto.endpoint, env.proxy, 'backup-b');
  env.proxy.clearLog();
  await assert.rejects(
    planNotebookRemediation(env.clients, notebookPlanRequest(env, 'backup-b', { backupTo: 's3://no-such-bucket-here/x' })),
    /bucket 'no-such-bucket-here' does not exist/,
  );
  assert.deepEqual(env.proxy.log.filter((c) => !/^(Describe|List|Get|Head)/.test(c.action)), []);
});
