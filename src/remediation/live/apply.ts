// `remediate apply` and `resume` for a notebook: its steps and rollback, run by the step runner.
// Each step first observes the world and does only what is left (so a step interrupted after its
// call, before the journal said so, is never repeated); the source is stopped or deleted only
// after the replacement is seen InService; a replacement that can't be made is removed again
// (rollback) and the source is left as it was.
import {
  CreateNotebookInstanceCommand,
  CreateNotebookInstanceLifecycleConfigCommand,
  DeleteNotebookInstanceCommand,
  DescribeNotebookInstanceLifecycleConfigCommand,
  StartNotebookInstanceCommand,
  StopNotebookInstanceCommand,
  UpdateNotebookInstanceCommand,
  paginateListTags,
  waitForNotebookInstanceDeleted,
  waitForNotebookInstanceInService,
  waitForNotebookInstanceStopped,
  type DescribeNotebookInstanceOutput,
} from '@aws-sdk/client-sagemaker';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { WaiterState } from '@smithy/core/client';
import { awsErrorCode, describeAwsError } from '../../sources/aws/errors';
import { NOTEBOOK_INSTANCES } from '../../sources/aws/registry';
import type { LiveClients } from './clients';
import type { NotebookRemediationJournal } from './journal';
import { isoTime, REMEDIATED_FROM_TAG, sourceMismatch, type NotebookRemediationPlan, type StepId } from './plan';
import { replanCommands } from './render';
import { describeStepError, NeedsReplan, startRun, stepSettings, type RunOptions, type StepContext, type StepFlow } from './step-runner';

export interface ApplyOptions extends RunOptions<StepId> {
  /** Seconds between checks for the backup's marker object (default 15). */
  markerPollSeconds?: number;
}

/** The journal fact holding the replacement's CreationTime once this run made it. */
const REPLACEMENT_CREATED = 'replacement.creationTime';

/** A replacement that could not be made: the run rolls back. */
class ReplacementFailed extends Error {
  override name = 'ReplacementFailed';
}

type NotebookStepContext = StepContext<NotebookRemediationPlan>;

/** A notebook's steps and rollback; `resumeRun` continues a journal with it. */
export function notebookFlow(clients: LiveClients, plan: NotebookRemediationPlan, options: ApplyOptions): StepFlow<NotebookRemediationPlan> {
  return {
    settings: stepSettings(clients, plan, options, options.markerPollSeconds),
    steps: STEPS,
    // These say what failed in their message; the name would add nothing.
    describeError: (e) => (e instanceof ReplacementFailed || awsErrorCode(e) === 'TimeoutError' ? String((e as Error)?.message ?? e) : describeStepError(e)),
    rollback: { after: (e) => e instanceof ReplacementFailed, run: rollBack },
    // The source, if it still exists, must be the planned one before anything runs.
    preflight: async (ctx) => void (await describeNotebook(ctx, ctx.plan.source.name)),
  };
}

/** Starts a run: writes the journal with every step pending, then runs them. */
export async function applyPlan(clients: LiveClients, plan: NotebookRemediationPlan, options: ApplyOptions): Promise<NotebookRemediationJournal> {
  return startRun(plan, notebookFlow(clients, plan, options), options);
}

// ---------------------------------------------------------------------------------------------
// Observations

/**
 * A notebook as described now, undefined when it does not exist. The source is checked against
 * the plan (ARN, CreationTime, still failing SageMaker-004) on every read, and every step reads it
 * before it stops, starts, updates or deletes it: a notebook re-created under its name, or a
 * journal pointing elsewhere, is refused before any call changes it.
 */
async function describeNotebook(ctx: NotebookStepContext, name: string): Promise<DescribeNotebookInstanceOutput | undefined> {
  let nb: DescribeNotebookInstanceOutput;
  try {
    nb = (await NOTEBOOK_INSTANCES.describeById(ctx.clients.sageMaker, name)) as DescribeNotebookInstanceOutput;
  } catch (e) {
    if (NOTEBOOK_INSTANCES.isGone(e)) return undefined;
    throw e;
  }
  if (name === ctx.plan.source.name) {
    const problem = sourceMismatch(ctx.plan, nb);
    if (problem) throw new Error(`refused: ${problem}; it is left alone. Plan again for it if it still needs remediation`);
  }
  return nb;
}

/** A notebook of that name that this remediation made: tagged with its source, in the planned subnet, Disabled. */
async function isOurReplacement(ctx: NotebookStepContext, nb: DescribeNotebookInstanceOutput): Promise<boolean> {
  if (nb.DirectInternetAccess !== 'Disabled' || nb.SubnetId !== ctx.plan.network.subnetId) return false;
  for await (const page of paginateListTags({ client: ctx.clients.sageMaker }, { ResourceArn: nb.NotebookInstanceArn })) {
    if ((page.Tags ?? []).some((t) => t.Key === REMEDIATED_FROM_TAG && t.Value === ctx.plan.source.name)) return true;
  }
  return false;
}

type Waiter = typeof waitForNotebookInstanceInService;
const WAITERS: Record<'InService' | 'Stopped' | 'deleted', Waiter> = {
  InService: waitForNotebookInstanceInService,
  Stopped: waitForNotebookInstanceStopped,
  deleted: waitForNotebookInstanceDeleted,
};

/** The waiter saw the notebook reach `Failed`: what it answered then, with AWS's reason. */
class NotebookFailed extends Error {
  override name = 'NotebookFailed';
}

/** Waits with the SDK's waiter; a failure says which state the notebook was seen in, and why. */
async function waitUntil(ctx: NotebookStepContext, name: string, target: keyof typeof WAITERS): Promise<void> {
  const result = await WAITERS[target]({ client: ctx.clients.sageMaker, ...ctx.waits }, { NotebookInstanceName: name });
  if (result.state === WaiterState.SUCCESS) return ctx.note(`'${name}' is ${target}`);
  const seen = result.reason as DescribeNotebookInstanceOutput | undefined;
  if (result.state === WaiterState.FAILURE && seen?.NotebookInstanceStatus === 'Failed') {
    throw new NotebookFailed(`'${name}' did not become ${target}: it is Failed${seen.FailureReason ? ` (${seen.FailureReason})` : ''}`);
  }
  if (result.state === WaiterState.TIMEOUT) throw new Error(`'${name}' was not ${target} within ${ctx.waits.maxWaitTime} s`);
  const last = result.reason instanceof Error ? `: ${describeAwsError(result.reason)}` : '';
  throw new Error(`'${name}' did not become ${target} (${result.state}${last})`);
}

/** The guard of every step that stops or deletes the source. */
async function requireReplacementInService(ctx: NotebookStepContext): Promise<void> {
  const name = ctx.plan.replacement.NotebookInstanceName;
  const nb = await describeNotebook(ctx, name);
  if (!nb) {
    // The steps run in order: the replacement was made (and seen InService) before this step.
    throw new NeedsReplan({
      reason: `'${name}' was made by this run but no longer exists (deleted by someone since): '${ctx.plan.source.name}' is not stopped or deleted without it; this run can't go on, plan again`,
      commands: replanCommands(ctx.plan),
    });
  }
  const made = ctx.recall(REPLACEMENT_CREATED);
  if (made && isoTime(nb.CreationTime) !== made) {
    throw new NeedsReplan({
      reason: `'${name}' is not the notebook this run made (it was created ${isoTime(nb.CreationTime) ?? 'at an unknown time'}, this run's ${made}): someone deleted and re-created it; '${ctx.plan.source.name}' is not stopped or deleted on its account; plan again`,
      commands: replanCommands(ctx.plan),
    });
  }
  if (nb.NotebookInstanceStatus !== 'InService' || !(await isOurReplacement(ctx, nb))) {
    throw new Error(`refusing to stop or delete '${ctx.plan.source.name}': its replacement '${name}' is ${nb.NotebookInstanceStatus ?? 'in an unknown state'}, not InService`);
  }
  ctx.note(`replacement '${name}' is InService`);
}

/** Stops a notebook unless it is already stopping or stopped, and waits until Stopped. */
async function stopAndWait(ctx: NotebookStepContext, name: string, gone: 'ok' | 'error'): Promise<void> {
  let nb = await describeNotebook(ctx, name);
  if (!nb) {
    if (gone === 'ok') return ctx.note(`'${name}' no longer exists: nothing to stop`);
    throw new Error(`'${name}' no longer exists`);
  }
  ctx.note(`'${name}' is ${nb.NotebookInstanceStatus}`);
  if (nb.NotebookInstanceStatus === 'Stopped' || nb.NotebookInstanceStatus === 'Failed') return;
  if (nb.NotebookInstanceStatus === 'Pending' || nb.NotebookInstanceStatus === 'Updating') {
    // Only an InService notebook can be stopped.
    await waitUntil(ctx, name, 'InService');
    nb = await describeNotebook(ctx, name);
  }
  if (nb?.NotebookInstanceStatus === 'InService') {
    await ctx.clients.sageMaker.send(new StopNotebookInstanceCommand({ NotebookInstanceName: name }));
    ctx.note(`StopNotebookInstance '${name}'`);
    ctx.afterCall();
  }
  await waitUntil(ctx, name, 'Stopped');
}

async function createLifecycleConfig(ctx: NotebookStepContext, name: string, scripts: { onCreate?: string; onStart?: string }): Promise<void> {
  const encode = (text: string | undefined) => (text === undefined ? undefined : [{ Content: Buffer.from(text, 'utf8').toString('base64') }]);
  const wanted = { OnCreate: encode(scripts.onCreate), OnStart: encode(scripts.onStart) };
  try {
    const existing = await ctx.clients.sageMaker.send(new DescribeNotebookInstanceLifecycleConfigCommand({ NotebookInstanceLifecycleConfigName: name }));
    const same = (a: { Content?: string }[] | undefined, b: { Content: string }[] | undefined) => (a?.[0]?.Content ?? undefined) === (b?.[0]?.Content ?? undefined);
    if (!same(existing.OnCreate, wanted.OnCreate) || !same(existing.OnStart, wanted.OnStart)) {
      throw new Error(`lifecycle configuration '${name}' exists with other scripts: it was not made by this run`);
    }
    return ctx.note(`lifecycle configuration '${name}' already exists with the planned scripts: not created again`);
  } catch (e) {
    if (!(awsErrorCode(e) === 'ValidationException' && /does not exist/i.test(String((e as Error).message)))) throw e;
  }
  await ctx.clients.sageMaker.send(
    new CreateNotebookInstanceLifecycleConfigCommand({
      NotebookInstanceLifecycleConfigName: name,
      ...(wanted.OnCreate ? { OnCreate: wanted.OnCreate } : {}),
      ...(wanted.OnStart ? { OnStart: wanted.OnStart } : {}),
    }),
  );
  ctx.note(`CreateNotebookInstanceLifecycleConfig '${name}'`);
  ctx.afterCall();
}

/** Sets the source's lifecycle configuration (it must be stopped), and waits until it is Stopped again. */
async function setSourceLifecycleConfig(ctx: NotebookStepContext, wanted: string | undefined): Promise<void> {
  const name = ctx.plan.source.name;
  const nb = await describeNotebook(ctx, name);
  if (!nb) throw new Error(`'${name}' no longer exists`);
  if ((nb.NotebookInstanceLifecycleConfigName ?? undefined) === wanted) {
    return ctx.note(`'${name}' already has lifecycle configuration ${wanted ? `'${wanted}'` : 'none'}`);
  }
  if (nb.NotebookInstanceStatus !== 'Stopped') throw new Error(`'${name}' is ${nb.NotebookInstanceStatus}: its lifecycle configuration can be changed only while it is Stopped`);
  await ctx.clients.sageMaker.send(
    new UpdateNotebookInstanceCommand({ NotebookInstanceName: name, ...(wanted ? { LifecycleConfigName: wanted } : { DisassociateLifecycleConfig: true }) }),
  );
  ctx.note(`UpdateNotebookInstance '${name}' LifecycleConfigName=${wanted ?? '(none)'}`);
  ctx.afterCall();
  await waitUntil(ctx, name, 'Stopped');
}

function backupOf(ctx: NotebookStepContext) {
  if (!ctx.plan.backup) throw new Error('the plan has no backup, but a backup step is in it');
  return ctx.plan.backup;
}

/** The object's text, or undefined when there is none. */
async function readObjectText(ctx: NotebookStepContext, bucket: string, key: string): Promise<string | undefined> {
  try {
    const out = await ctx.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await out.Body?.transformToString('utf8')) ?? '';
  } catch (e) {
    const code = awsErrorCode(e);
    if (code === 'NotFound' || code === 'NoSuchKey') return undefined;
    throw e;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Steps

const STEPS: Record<StepId, (ctx: NotebookStepContext) => Promise<void>> = {
  async 'create-backup-lifecycle-config'(ctx) {
    const b = backupOf(ctx);
    await createLifecycleConfig(ctx, b.backupLifecycleConfigName, { onStart: b.backupOnStart });
  },

  async 'stop-source-for-backup'(ctx) {
    await stopAndWait(ctx, ctx.plan.source.name, 'error');
  },

  async 'attach-backup-lifecycle-config'(ctx) {
    await setSourceLifecycleConfig(ctx, backupOf(ctx).backupLifecycleConfigName);
  },

  async 'start-source-for-backup'(ctx) {
    const name = ctx.plan.source.name;
    const nb = await describeNotebook(ctx, name);
    if (!nb) throw new Error(`'${name}' no longer exists`);
    ctx.note(`'${name}' is ${nb.NotebookInstanceStatus}`);
    if (nb.NotebookInstanceStatus === 'Stopped') {
      await ctx.clients.sageMaker.send(new StartNotebookInstanceCommand({ NotebookInstanceName: name }));
      ctx.note(`StartNotebookInstance '${name}'`);
      ctx.afterCall();
    } else if (nb.NotebookInstanceStatus === 'Failed') {
      throw new Error(`'${name}' is Failed${nb.FailureReason ? `: ${nb.FailureReason}` : ''}`);
    }
    await waitUntil(ctx, name, 'InService');
  },

  async 'wait-backup-marker'(ctx) {
    const b = backupOf(ctx);
    const deadline = Date.now() + b.timeoutMinutes * 60_000;
    for (;;) {
      try {
        await ctx.clients.s3.send(new HeadObjectCommand({ Bucket: b.bucket, Key: b.markerKey }));
        return ctx.note(`s3://${b.bucket}/${b.markerKey} exists: the backup is complete`);
      } catch (e) {
        const code = awsErrorCode(e);
        if (code !== 'NotFound' && code !== 'NoSuchKey') throw e;
      }
      const failure = await readObjectText(ctx, b.bucket, b.failureKey);
      if (failure !== undefined) throw new Error(`the backup failed (s3://${b.bucket}/${b.failureKey}): ${failure.slice(0, 500)}`);
      if (Date.now() >= deadline) {
        throw new Error(`the backup did not complete within ${b.timeoutMinutes} minutes (no s3://${b.bucket}/${b.markerKey}); see the notebook's CloudWatch logs (/aws/sagemaker/NotebookInstances)`);
      }
      const nb = await describeNotebook(ctx, ctx.plan.source.name);
      if (nb?.NotebookInstanceStatus !== 'InService') {
        throw new Error(`'${ctx.plan.source.name}' is ${nb?.NotebookInstanceStatus ?? 'gone'} before the backup completed`);
      }
      await sleep(ctx.pollSeconds * 1000);
    }
  },

  async 'stop-source-after-backup'(ctx) {
    await stopAndWait(ctx, ctx.plan.source.name, 'error');
  },

  async 'create-restore-lifecycle-config'(ctx) {
    const b = backupOf(ctx);
    await createLifecycleConfig(ctx, b.restoreLifecycleConfigName, { onCreate: b.restoreOnCreate, ...(b.restoreOnStart ? { onStart: b.restoreOnStart } : {}) });
  },

  async 'create-replacement'(ctx) {
    const name = ctx.plan.replacement.NotebookInstanceName;
    let nb = await describeNotebook(ctx, name);
    if (nb) {
      if (!(await isOurReplacement(ctx, nb))) {
        throw new Error(`a notebook instance named '${name}' exists and was not made by this run (no ${REMEDIATED_FROM_TAG}=${ctx.plan.source.name} tag, or another network): left alone`);
      }
      ctx.note(`'${name}' already exists (${nb.NotebookInstanceStatus}), made by this run: not created again`);
    } else {
      try {
        await ctx.clients.sageMaker.send(new CreateNotebookInstanceCommand(ctx.plan.replacement));
        ctx.note(`CreateNotebookInstance '${name}'`);
      } catch (e) {
        // A retried call whose first attempt went through answers "duplicate": look before failing.
        nb = await describeNotebook(ctx, name).catch(() => undefined);
        if (!nb || !(await isOurReplacement(ctx, nb).catch(() => false))) throw new ReplacementFailed(`CreateNotebookInstance '${name}' failed: ${describeAwsError(e)}`);
        ctx.note(`CreateNotebookInstance '${name}' answered ${describeAwsError(e)}, but the notebook exists: created by an earlier attempt`);
      }
      ctx.afterCall();
    }
    try {
      await waitUntil(ctx, name, 'InService');
    } catch (e) {
      // Failed is final: roll back. A timeout or a read error is not: resume waits again.
      if (e instanceof NotebookFailed) throw new ReplacementFailed(e.message);
      throw e;
    }
    // Which notebook this run made: the source is stopped or deleted only while it is this one.
    const created = isoTime((await describeNotebook(ctx, name))?.CreationTime);
    if (created) ctx.remember(REPLACEMENT_CREATED, created);
  },

  async 'reattach-source-lifecycle-config'(ctx) {
    await setSourceLifecycleConfig(ctx, backupOf(ctx).originalLifecycleConfigName);
  },

  async 'stop-source'(ctx) {
    await requireReplacementInService(ctx);
    await stopAndWait(ctx, ctx.plan.source.name, 'ok');
  },

  async 'delete-source'(ctx) {
    await requireReplacementInService(ctx);
    const name = ctx.plan.source.name;
    const nb = await describeNotebook(ctx, name);
    if (!nb) return ctx.note(`'${name}' no longer exists: nothing to delete`);
    ctx.note(`'${name}' is ${nb.NotebookInstanceStatus}`);
    if (nb.NotebookInstanceStatus === 'Stopped' || nb.NotebookInstanceStatus === 'Failed') {
      await ctx.clients.sageMaker.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: name }));
      ctx.note(`DeleteNotebookInstance '${name}'`);
      ctx.afterCall();
    } else if (nb.NotebookInstanceStatus !== 'Deleting') {
      throw new Error(`'${name}' is ${nb.NotebookInstanceStatus}, not Stopped: it was started again after it was stopped; resume to stop it again`);
    }
    await waitUntil(ctx, name, 'deleted');
  },
};

// ---------------------------------------------------------------------------------------------
// Rollback

/**
 * Removes the replacement (only if it is ours), and gives the source back what the backup
 * changed: its own lifecycle configuration, and its running state.
 */
async function rollBack(ctx: NotebookStepContext): Promise<void> {
  const { plan, clients } = ctx;
  const name = plan.replacement.NotebookInstanceName;
  const nb = await describeNotebook(ctx, name);
  if (!nb) ctx.note(`'${name}' does not exist: nothing to remove`);
  else if (!(await isOurReplacement(ctx, nb))) ctx.note(`'${name}' was not made by this run: left alone`);
  else {
    await stopAndWait(ctx, name, 'ok');
    if (await describeNotebook(ctx, name)) {
      await clients.sageMaker.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: name }));
      ctx.note(`DeleteNotebookInstance '${name}'`);
      await waitUntil(ctx, name, 'deleted');
    }
  }
  const backup = plan.backup;
  if (backup) {
    const source = await describeNotebook(ctx, plan.source.name);
    if (source && (source.NotebookInstanceLifecycleConfigName ?? undefined) !== backup.originalLifecycleConfigName) {
      await stopAndWait(ctx, plan.source.name, 'error');
      await setSourceLifecycleConfig(ctx, backup.originalLifecycleConfigName);
    }
    const after = await describeNotebook(ctx, plan.source.name);
    if (after?.NotebookInstanceStatus === 'Stopped' && plan.source.status === 'InService') {
      await clients.sageMaker.send(new StartNotebookInstanceCommand({ NotebookInstanceName: plan.source.name }));
      ctx.note(`StartNotebookInstance '${plan.source.name}' (it was InService before the backup)`);
      await waitUntil(ctx, plan.source.name, 'InService');
    }
  }
}
