// `cloudconform remediate plan|apply|resume`: reads options, runs the live remediation, prints.
// Exit codes: 0 done, 2 refused or could not complete (see remediate-options.ts).
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { configuredRegion } from '../sources/aws/clients';
import { describeAwsError, redactSecrets } from '../sources/aws/errors';
import { applyPlan } from '../remediation/live/apply';
import { makeLiveClients, type Connection, type LiveClients } from '../remediation/live/clients';
import { emitReplacement, type EmitFormat } from '../remediation/live/emit';
import { defaultJournalPath, JournalError, readJournal, type AnyRemediationJournal } from '../remediation/live/journal';
import { planNotebookRemediation, RemediationRefused, type NotebookRemediationPlan } from '../remediation/live/plan';
import { renderJournalText, renderPlanText, terminalText } from '../remediation/live/render';
import { remediationActions } from '../remediation/live/actions';
import { applyDomainPlan } from '../remediation/live/domain-apply';
import { describeApp, planDomainRemediation, type BlockingAppsPolicy, type DomainRemediationPlan } from '../remediation/live/domain-plan';
import { renderDomainPlanText } from '../remediation/live/domain-render';
import { resumeRun } from '../remediation/live/resume';
import { withJournalLock } from '../remediation/live/journal-lock';

export interface RemediateNotebookOptions {
  /** A Studio domain id instead of a notebook. */
  domain?: string;
  region?: string;
  subnetId?: string;
  /** --domain only. */
  subnetIds?: string[];
  securityGroupIds?: string[];
  newName?: string;
  deleteSource?: boolean;
  backupTo?: string;
  backupTimeout?: number;
  profile?: string;
  endpointUrl?: string;
  format?: 'text' | 'json';
}

export interface RemediatePlanOptions extends RemediateNotebookOptions {
  emit?: EmitFormat;
  output?: string;
}

export interface RemediateApplyOptions extends RemediateNotebookOptions {
  yes?: boolean;
  dryRun?: boolean;
  journal?: string;
  /** --domain: wait for blocking apps (`true`: the default minutes); with deleteApps, how long to wait for them to go. */
  waitForApps?: number | true;
  /** --domain: delete the blocking apps. */
  deleteApps?: boolean;
}

/** How long `--wait-for-apps` (without minutes) and `--delete-apps` wait for apps to go. */
export const DEFAULT_APPS_WAIT_MINUTES = 30;

export interface RemediateResumeOptions {
  profile?: string;
  endpointUrl?: string;
  format?: 'text' | 'json';
}

/** Where output goes; tests pass their own. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether a person can answer a question on standard input. */
  interactive: boolean;
  ask: (question: string) => Promise<string>;
}

const processIo = (): CommandIo => ({
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  interactive: process.stdin.isTTY === true,
  ask: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
});

function quietSdk(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

async function connectionFrom(opts: RemediateNotebookOptions): Promise<Connection> {
  const region = opts.region ?? (await configuredRegion(opts.profile));
  if (!region) throw new RemediationRefused(['no region: give --region (or set AWS_REGION, or a region in your profile)']);
  return { region, ...(opts.profile ? { profile: opts.profile } : {}), ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}) };
}

async function makePlan(clients: LiveClients, connection: Connection, notebook: string, opts: RemediateNotebookOptions): Promise<NotebookRemediationPlan> {
  return planNotebookRemediation(clients, {
    connection,
    notebookName: notebook,
    ...(opts.subnetId ? { subnetId: opts.subnetId } : {}),
    ...(opts.securityGroupIds ? { securityGroupIds: opts.securityGroupIds } : {}),
    ...(opts.newName !== undefined ? { newName: opts.newName } : {}),
    deleteSource: opts.deleteSource ?? false,
    ...(opts.backupTo !== undefined ? { backupTo: opts.backupTo } : {}),
    ...(opts.backupTimeout !== undefined ? { backupTimeoutMinutes: opts.backupTimeout } : {}),
  });
}

/** Runs `body`; refusals and failures become a message on standard error and exit code 2. */
async function guarded(io: CommandIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    // Messages can quote AWS's answers or an --endpoint-url: never a key, token or URL password.
    if (e instanceof RemediationRefused) {
      io.stderr(redactSecrets(`cloudconform remediate: refused, nothing was changed:\n${e.reasons.map((r) => `  - ${r}`).join('\n')}\n`));
    } else if (e instanceof JournalError) {
      io.stderr(redactSecrets(`cloudconform remediate: ${e.message}\n`));
    } else {
      io.stderr(redactSecrets(`cloudconform remediate: ${e instanceof Error && !('$metadata' in e) ? e.message : describeAwsError(e)}\n`));
    }
    return 2;
  }
}

/** Runs `body` with the run's clients, and closes them however it ends. */
async function withClients(connection: Connection, body: (clients: LiveClients) => Promise<number>): Promise<number> {
  const clients = makeLiveClients(connection);
  try {
    return await body(clients);
  } finally {
    clients.destroy();
  }
}

export async function runRemediatePlan(notebook: string | undefined, opts: RemediatePlanOptions, io: CommandIo = processIo()): Promise<number> {
  quietSdk();
  return guarded(io, async () => {
    if (opts.output && !opts.emit) throw new RemediationRefused(['--output is used with --emit']);
    const target = targetOf(notebook, opts);
    const connection = await connectionFrom(opts);
    return withClients(connection, async (clients) => {
      if (target.domain !== undefined) {
        const plan = await makeDomainPlan(clients, connection, target.domain, opts);
        io.stdout(opts.format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : renderDomainPlanText(plan));
        return 0;
      }
      const plan = await makePlan(clients, connection, target.notebook, opts);
      if (opts.emit) {
        const code = emitReplacement(plan, opts.emit);
        if (opts.output) {
          writeFileSync(opts.output, code, { mode: opts.emit === 'cli' ? 0o755 : 0o644 });
          io.stderr(`Wrote the replacement of '${target.notebook}' as ${opts.emit} to ${opts.output}\n`);
        } else io.stdout(code);
      } else {
        io.stdout(opts.format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan));
      }
      return 0;
    });
  });
}

/** Progress lines on standard error: names and reasons from AWS shown, never acted on by the terminal. */
function progressTo(io: CommandIo): (line: string) => void {
  return (line) => io.stderr(terminalText([`  ${line}`]));
}

/** Prints the run's journal (text, or JSON with its path); exit 0 only when the run is done. */
function finish(io: CommandIo, journal: AnyRemediationJournal, path: string, format: 'text' | 'json' | undefined): number {
  io.stdout(format === 'json' ? `${JSON.stringify({ journal: path, ...journal }, null, 2)}\n` : renderJournalText(journal, path));
  return journal.outcome === 'done' ? 0 : 2;
}

/** A planned run of either kind, as `apply` shows, confirms and starts it. */
interface PlannedRun {
  /** The notebook's name or the domain's id: names the default journal. */
  name: string;
  plan: NotebookRemediationPlan | DomainRemediationPlan;
  planText: string;
  /** The IAM actions the run needs, for the dry run. */
  actions: string[];
  /** Why the run can't start as planned (checked after a dry run, before the question). */
  refusal?: string[];
  /** Off a terminal, without --yes: why the run can't be confirmed. */
  unconfirmable: string;
  question: string;
  /** Writes the journal and runs every step. */
  start(options: { journalPath: string; onProgress: (line: string) => void }): Promise<AnyRemediationJournal>;
}

async function plannedNotebookRun(clients: LiveClients, connection: Connection, notebook: string, opts: RemediateApplyOptions): Promise<PlannedRun> {
  const plan = await makePlan(clients, connection, notebook, opts);
  return {
    name: notebook,
    plan,
    planText: renderPlanText(plan),
    actions: remediationActions({ write: true, backup: plan.backup !== undefined }),
    unconfirmable: "standard input is not a terminal, so the plan can't be confirmed: review it with `remediate plan`, then run apply with --yes",
    question: '\nApply this plan? [y/N] ',
    start: (options) => applyPlan(clients, plan, options),
  };
}

async function plannedDomainRun(clients: LiveClients, connection: Connection, domainId: string, opts: RemediateApplyOptions): Promise<PlannedRun> {
  const plan = await makeDomainPlan(clients, connection, domainId, opts);
  const deletes = plan.apps.mode === 'delete' && plan.blockingApps.length > 0;
  return {
    name: domainId,
    plan,
    planText: renderDomainPlanText(plan),
    actions: remediationActions({ write: true, backup: false, target: 'domain' }),
    ...(plan.apps.mode === 'refuse' && plan.blockingApps.length > 0
      ? {
          refusal: [
            `${plan.blockingApps.length} Studio app(s) of '${domainId}' block the switch (UpdateDomain refuses while any is InService, Pending or Deleting): ${plan.blockingApps.map(describeApp).join('; ')}`,
            'stop them, or run apply with --wait-for-apps [minutes] to wait for their users, or with --delete-apps to delete them',
          ],
        }
      : {}),
    unconfirmable: `standard input is not a terminal, so the switch${deletes ? ` and delete ${plan.blockingApps.length} Studio app(s)` : ''} can't be confirmed: review it with \`remediate plan --domain\`, then run apply with --yes`,
    question: deletes ? `\nDelete these ${plan.blockingApps.length} Studio app(s) and switch '${domainId}' to VpcOnly? [y/N] ` : `\nSwitch '${domainId}' to VpcOnly? [y/N] `,
    start: (options) => applyDomainPlan(clients, plan, options),
  };
}

export async function runRemediateApply(notebook: string | undefined, opts: RemediateApplyOptions, io: CommandIo = processIo()): Promise<number> {
  quietSdk();
  return guarded(io, async () => {
    const target = targetOf(notebook, opts);
    const connection = await connectionFrom(opts);
    return withClients(connection, async (clients) => {
      const run =
        target.domain !== undefined ? await plannedDomainRun(clients, connection, target.domain, opts) : await plannedNotebookRun(clients, connection, target.notebook, opts);
      if (opts.dryRun) {
        io.stdout(opts.format === 'json' ? `${JSON.stringify({ dryRun: true, plan: run.plan }, null, 2)}\n` : run.planText);
        if (opts.format !== 'json') io.stdout(`\nDry run: nothing was changed. Apply needs: ${run.actions.join(', ')}\n`);
        return 0;
      }
      if (run.refusal) throw new RemediationRefused(run.refusal);
      if (!opts.yes) {
        if (!io.interactive) throw new RemediationRefused([run.unconfirmable]);
        io.stderr(run.planText);
        const answer = (await io.ask(run.question)).trim().toLowerCase();
        if (answer !== 'y' && answer !== 'yes') {
          io.stderr('Not applied: nothing was changed.\n');
          return 2;
        }
      }
      const journalPath = opts.journal ?? defaultJournalPath(run.name);
      io.stderr(`Journal: ${journalPath}\n`);
      const journal = await run.start({ journalPath, onProgress: progressTo(io) });
      return finish(io, journal, journalPath, opts.format);
    });
  });
}

export async function runRemediateResume(journalPath: string, opts: RemediateResumeOptions, io: CommandIo = processIo()): Promise<number> {
  quietSdk();
  const progress = progressTo(io);
  return guarded(io, () =>
    // The lock first, then the journal: a run that ended meanwhile has written its last state.
    withJournalLock(journalPath, (line) => io.stderr(`${line}\n`), async () => {
      const journal = readJournal(journalPath);
      if (journal.outcome === 'rolled-back') {
        throw new RemediationRefused([`${journalPath}: this run was rolled back (${journal.rollback?.reason ?? 'no reason recorded'}); plan and apply again`]);
      }
      if (journal.outcome === 'done') {
        io.stderr(`${journalPath}: this run is already complete.\n`);
        return finish(io, journal, journalPath, opts.format);
      }
      // From the journal: the region and resource ids only. Where to connect and as whom come from
      // this command line and the SDK's environment, never from a file someone else may have written.
      const connection: Connection = {
        region: journal.plan.connection.region,
        ...(opts.profile ? { profile: opts.profile } : {}),
        ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}),
      };
      return withClients(connection, async (clients) => finish(io, await resumeRun(clients, journal, { journalPath, onProgress: progress }), journalPath, opts.format));
    }),
  ).then((code) => (code === 2 ? offerReplan(journalPath, opts, io, code) : code));
}

/**
 * After a resume that can't go on as planned (its replacement was deleted...): on a terminal, offers
 * to make the new plan at once (`remediate plan` only reads).
 */
async function offerReplan(journalPath: string, opts: RemediateResumeOptions, io: CommandIo, code: number): Promise<number> {
  if (!io.interactive) return code;
  let journal: AnyRemediationJournal;
  try {
    journal = readJournal(journalPath);
  } catch {
    return code;
  }
  if (!journal.replan || isDomainPlan(journal.plan)) return code;
  const answer = (await io.ask('\nMake the new plan now (read-only)? [y/N] ')).trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') return code;
  const plan = journal.plan;
  await runRemediatePlan(
    plan.source.name,
    {
      region: plan.connection.region,
      subnetId: plan.network.subnetId,
      securityGroupIds: plan.network.securityGroupIds,
      newName: plan.replacement.NotebookInstanceName,
      deleteSource: plan.deleteSource,
      ...(plan.backup ? { backupTo: plan.backup.uri, backupTimeout: plan.backup.timeoutMinutes } : {}),
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}),
    },
    io,
  );
  return code;
}

function isDomainPlan(plan: NotebookRemediationPlan | DomainRemediationPlan): plan is DomainRemediationPlan {
  return plan.kind === 'domain';
}

// ---------------------------------------------------------------------------------------------
// The target (a notebook, or a Studio domain with --domain) and its options

const NOTEBOOK_ONLY: [keyof RemediateApplyOptions & keyof RemediatePlanOptions | 'emit' | 'output', string][] = [
  ['subnetId', '--subnet-id'],
  ['newName', '--new-name'],
  ['deleteSource', '--delete-source'],
  ['backupTo', '--backup-to'],
  ['backupTimeout', '--backup-timeout'],
  ['emit', '--emit'],
  ['output', '--output'],
];
const DOMAIN_ONLY: [keyof RemediateApplyOptions, string][] = [
  ['subnetIds', '--subnet-ids'],
  ['waitForApps', '--wait-for-apps'],
  ['deleteApps', '--delete-apps'],
];

/** A notebook name or `--domain`, exactly one, with only the options that apply to it. */
function targetOf(notebook: string | undefined, opts: RemediateApplyOptions & RemediatePlanOptions): { notebook: string; domain?: undefined } | { domain: string } {
  const given = (list: [string, string][]) => list.filter(([key]) => (opts as Record<string, unknown>)[key] !== undefined).map(([, flag]) => flag);
  if (opts.domain !== undefined) {
    const problems: string[] = [];
    if (notebook !== undefined) problems.push(`give a notebook name or --domain, not both ('${notebook}' and --domain ${opts.domain})`);
    const wrong = given(NOTEBOOK_ONLY);
    if (wrong.length > 0) problems.push(`${wrong.join(', ')}: for notebook instances only, not with --domain`);
    if (problems.length > 0) throw new RemediationRefused(problems);
    return { domain: opts.domain };
  }
  if (notebook === undefined) throw new RemediationRefused(['give the name of a notebook instance, or --domain DOMAIN_ID for a Studio domain']);
  const wrong = given(DOMAIN_ONLY);
  if (wrong.length > 0) throw new RemediationRefused([`${wrong.join(', ')}: for Studio domains only (--domain)`]);
  return { notebook };
}

function appsPolicy(opts: RemediateApplyOptions): BlockingAppsPolicy {
  const minutes = typeof opts.waitForApps === 'number' ? opts.waitForApps : DEFAULT_APPS_WAIT_MINUTES;
  if (opts.deleteApps) return { mode: 'delete', minutes };
  if (opts.waitForApps !== undefined) return { mode: 'wait', minutes };
  return { mode: 'refuse' };
}

async function makeDomainPlan(clients: LiveClients, connection: Connection, domainId: string, opts: RemediateApplyOptions): Promise<DomainRemediationPlan> {
  return planDomainRemediation(clients, {
    connection,
    domainId,
    ...(opts.securityGroupIds ? { securityGroupIds: opts.securityGroupIds } : {}),
    ...(opts.subnetIds ? { subnetIds: opts.subnetIds } : {}),
    apps: appsPolicy(opts),
  });
}
