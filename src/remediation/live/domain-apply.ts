// `remediate apply --domain` and its `resume`: a domain plan's steps, run by the step runner as
// the notebook's are. Each step first observes the world and does only what is left, so a step
// interrupted after its call, before the journal said so, is never repeated: an app already
// Deleting is not deleted again, a domain already VpcOnly (or still Updating from our call) gets
// no second UpdateDomain.
import { DeleteAppCommand, UpdateDomainCommand, type AppType, type DescribeDomainResponse } from '@aws-sdk/client-sagemaker';
import { awsErrorCode, describeAwsError } from '../../sources/aws/errors';
import type { LiveClients } from './clients';
import type { DomainRemediationJournal } from './journal';
import {
  appKey,
  blockingApps,
  describeApp,
  describeDomain,
  domainMismatch,
  isDomainGone,
  listDomainApps,
  type DomainRemediationPlan,
  type DomainStepId,
} from './domain-plan';
import { startRun, stepSettings, type RunOptions, type StepContext, type StepFlow } from './step-runner';

/** `waits`: how DescribeDomain is polled while the domain updates. */
export interface DomainApplyOptions extends RunOptions<DomainStepId> {
  /** Seconds between ListApps calls while waiting for apps to stop (default 15). */
  appPollSeconds?: number;
}

type DomainStepContext = StepContext<DomainRemediationPlan>;

/**
 * A domain's steps; `resumeRun` continues a journal with it. No rollback: UpdateDomain changes
 * nothing else, and deleted apps can't be brought back.
 */
export function domainFlow(clients: LiveClients, plan: DomainRemediationPlan, options: DomainApplyOptions): StepFlow<DomainRemediationPlan> {
  return {
    settings: stepSettings(clients, plan, options, options.appPollSeconds),
    steps: DOMAIN_STEPS,
    // The domain, if it still exists, must be the planned one before anything runs.
    preflight: async (ctx) => {
      const domain = await describeDomain(ctx.clients, ctx.plan.domain.id);
      if (domain) checkDomain(ctx, domain, false);
    },
  };
}

/** Starts a run: writes the journal with every step pending, then runs them. */
export async function applyDomainPlan(clients: LiveClients, plan: DomainRemediationPlan, options: DomainApplyOptions): Promise<DomainRemediationJournal> {
  return startRun(plan, domainFlow(clients, plan, options), options);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function appsMinutes(ctx: DomainStepContext): number {
  return ctx.plan.apps.mode === 'refuse' ? 0 : ctx.plan.apps.minutes;
}

/** Throws when `domain` is not the planned one (or, with `mustFail`, no longer fails SageMaker-005). */
function checkDomain(ctx: DomainStepContext, domain: DescribeDomainResponse, mustFail: boolean): void {
  const problem = domainMismatch(ctx.plan, domain, { mustFail });
  if (problem) throw new Error(`refused: ${problem}. Plan again if it still needs remediation`);
}

/** The planned domain as described now; every read checks it is the one that was planned. */
async function requireDomain(ctx: DomainStepContext): Promise<DescribeDomainResponse> {
  const domain = await describeDomain(ctx.clients, ctx.plan.domain.id);
  if (!domain) throw new Error(`domain '${ctx.plan.domain.id}' no longer exists`);
  checkDomain(ctx, domain, false);
  return domain;
}

function isSwitched(ctx: DomainStepContext, domain: DescribeDomainResponse): boolean {
  if (domain.AppNetworkAccessType !== 'VpcOnly') return false;
  const wanted = ctx.plan.update.DefaultUserSettings?.SecurityGroups;
  const groups = domain.DefaultUserSettings?.SecurityGroups ?? [];
  return !wanted || (wanted.length === groups.length && wanted.every((g) => groups.includes(g)));
}

/** Polls DescribeDomain until it is not Updating/Pending; returns what it last answered. */
async function waitWhileUpdating(ctx: DomainStepContext, until: (d: DescribeDomainResponse) => boolean): Promise<DescribeDomainResponse> {
  const deadline = Date.now() + ctx.waits.maxWaitTime * 1000;
  let delay = ctx.waits.minDelay;
  for (;;) {
    const domain = await requireDomain(ctx);
    if (until(domain)) return domain;
    if (Date.now() >= deadline) return domain;
    await sleep(delay * 1000);
    delay = Math.min(ctx.waits.maxDelay, delay * 2);
  }
}

const DOMAIN_STEPS: Record<DomainStepId, (ctx: DomainStepContext) => Promise<void>> = {
  /**
   * Deletes exactly the apps the plan listed (what the user confirmed): an app started since is
   * not touched, and the next step names it. Pending apps are deleted once they are InService.
   */
  async 'delete-apps'(ctx) {
    const domainId = ctx.plan.domain.id;
    // Users' apps are deleted only for the planned domain, while it still needs the switch.
    checkDomain(ctx, await requireDomain(ctx), true);
    const listed = new Map(ctx.plan.blockingApps.map((a) => [appKey(a), a]));
    const deadline = Date.now() + appsMinutes(ctx) * 60_000;
    const reported = new Set<string>();
    for (;;) {
      const current = new Map((await listDomainApps(ctx.clients, domainId)).map((a) => [appKey(a), a]));
      let pending = 0;
      for (const [key, app] of listed) {
        const now = current.get(key);
        const status = now?.status ?? 'gone';
        if (status === 'InService') {
          try {
            await ctx.clients.sageMaker.send(
              new DeleteAppCommand({
                DomainId: domainId,
                ...(app.userProfileName ? { UserProfileName: app.userProfileName } : {}),
                ...(app.spaceName ? { SpaceName: app.spaceName } : {}),
                AppType: app.appType as AppType,
                AppName: app.appName,
              }),
            );
            ctx.note(`DeleteApp ${describeApp({ ...app, status })}`);
          } catch (e) {
            // Gone, or already being deleted, between the list and the call: nothing left to do.
            if (!isDomainGone(e) && awsErrorCode(e) !== 'ResourceInUse') throw new Error(`DeleteApp ${describeApp(app)} failed: ${describeAwsError(e)}`);
            ctx.note(`DeleteApp ${describeApp(app)} answered ${describeAwsError(e)}: it is already going`);
          }
          ctx.afterCall();
          reported.add(key);
        } else if (status === 'Pending') {
          pending++;
        } else if (!reported.has(key)) {
          ctx.note(`${describeApp({ ...app, status })}: not deleted again`);
          reported.add(key);
        }
      }
      if (pending === 0) return;
      if (Date.now() >= deadline) throw new Error(`${pending} listed app(s) were still Pending after ${appsMinutes(ctx)} minutes: resume to try again`);
      await sleep(ctx.pollSeconds * 1000);
    }
  },

  async 'wait-apps-stopped'(ctx) {
    const domainId = ctx.plan.domain.id;
    const deadline = Date.now() + appsMinutes(ctx) * 60_000;
    const listed = new Set(ctx.plan.blockingApps.map(appKey));
    for (;;) {
      const blocking = blockingApps(await listDomainApps(ctx.clients, domainId));
      if (blocking.length === 0) return ctx.note(`no app of '${domainId}' is InService, Pending or Deleting`);
      if (Date.now() >= deadline) {
        const unplanned = blocking.filter((a) => !listed.has(appKey(a)));
        const next =
          ctx.plan.apps.mode === 'delete' && unplanned.length > 0
            ? `${unplanned.length} of them started after the plan, so were not deleted: plan and apply again to include them`
            : 'resume to wait again';
        throw new Error(`after ${appsMinutes(ctx)} minutes, apps still block the switch: ${blocking.map(describeApp).join('; ')}; ${next}`);
      }
      await sleep(ctx.pollSeconds * 1000);
    }
  },

  async 'update-domain'(ctx) {
    const domainId = ctx.plan.domain.id;
    // Updating may be our own call whose journal write was lost: let it finish, then look.
    const domain = await waitWhileUpdating(ctx, (d) => d.Status !== 'Updating' && d.Status !== 'Pending');
    ctx.note(`'${domainId}' is ${domain.Status}, AppNetworkAccessType ${domain.AppNetworkAccessType ?? '(not set)'}`);
    if (isSwitched(ctx, domain)) return ctx.note('already switched: UpdateDomain not sent again');
    checkDomain(ctx, domain, true);
    if (domain.Status === 'Updating' || domain.Status === 'Pending') throw new Error(`'${domainId}' is still ${domain.Status} after ${ctx.waits.maxWaitTime} s: resume later`);
    const blocking = blockingApps(await listDomainApps(ctx.clients, domainId));
    if (blocking.length > 0) {
      throw new Error(`apps block the switch, UpdateDomain not sent: ${blocking.map(describeApp).join('; ')}`);
    }
    await ctx.clients.sageMaker.send(new UpdateDomainCommand(ctx.plan.update));
    ctx.note(`UpdateDomain '${domainId}' AppNetworkAccessType=VpcOnly${ctx.plan.update.DefaultUserSettings ? ` DefaultUserSettings.SecurityGroups=${ctx.plan.update.DefaultUserSettings.SecurityGroups?.join(',')}` : ''}${ctx.plan.update.SubnetIds ? ` SubnetIds=${ctx.plan.update.SubnetIds.join(',')}` : ''}`);
    ctx.afterCall();
  },

  async 'wait-domain-vpc-only'(ctx) {
    const domainId = ctx.plan.domain.id;
    const failed = (d: DescribeDomainResponse) => d.Status === 'Update_Failed' || d.Status === 'Failed';
    const domain = await waitWhileUpdating(ctx, (d) => failed(d) || (d.Status === 'InService' && isSwitched(ctx, d)));
    if (failed(domain)) throw new Error(`'${domainId}' is ${domain.Status}${domain.FailureReason ? ` (${domain.FailureReason})` : ''}`);
    if (domain.Status !== 'InService' || !isSwitched(ctx, domain)) {
      throw new Error(`'${domainId}' was not InService and VpcOnly within ${ctx.waits.maxWaitTime} s (it is ${domain.Status}, ${domain.AppNetworkAccessType ?? 'PublicInternetOnly'}): resume to wait again`);
    }
    ctx.note(`'${domainId}' is InService and VpcOnly`);
  },
};
