// `cloudconform handle-event` and the Lambda handler: one code path from CloudTrail records to a
// recorded, notified event run. An event only names a resource; the verdict always comes from
// describing it now (assuming --role-name in member accounts), with the same rules, exceptions and
// report as the audit. Each record that can't be handled is an error entry of its own, and with
// SQS only the records worth delivering again are returned in `batchItemFailures`.
import { setMaxListeners } from 'node:events';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { emptyConfig, ExceptionMatcher, type Config } from '../engine/config';
import { RuleRunner } from '../engine/evaluate';
import { buildReport, emptyUnitResult, selectRules } from '../engine/report';
import { DEFAULT_CALL_TIMEOUT_MS, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from '../engine/audit-limits';
import { liveLocator } from '../model/location';
import type { FailOn, RunEvaluated, RunScope, ScanError, ScanNote, ScanReport } from '../model/report';
import type { AsyncHistoryStore, RunComparison } from '../history/types';
import type { SourceResource } from '../model/resource';
import { assumedRoleCredentials, callerCredentialChain, listActiveOrganizationAccounts, validateAccountSelection } from '../sources/aws/accounts';
import { AUDIT_ACTIONS } from '../sources/aws/actions';
import { AwsClientFactory, DeadlineError, configuredRegion, formatDuration, limitCalls, type AwsCredentials, type CallLimiter, type RequestHandler } from '../sources/aws/clients';
import { AuditOptionsError, describeAwsError, redactReport, redactSecrets } from '../sources/aws/errors';
import { accountSelectionScope } from '../engine/audit';
import { unreadableResource } from '../sources/aws/live-resource';
import { describeLive, liveKind, NOTEBOOK_INSTANCE_TYPE, type LiveKind } from '../sources/aws/registry';
import { partitionOfArn, partitionOfRegion } from '../sources/aws/regions';
import type { NotifyChannel, NotifyFilters, NotifyOptions, NotifyResult } from '../notify/index';
import type { RespondAction, RespondJournal, RespondMode } from './respond';
import { parseEventInput, type EventAction, type EventRecord, type EventTarget, type ParsedInput } from './parse';

/**
 * Where an event run is recorded: the history's asynchronous interface (SQLite through
 * `asyncHistory`, or DynamoDB in Lambda). Only `record` is needed here.
 */
export type EventHistory = Pick<AsyncHistoryStore, 'record'> & Partial<Pick<AsyncHistoryStore, 'pending' | 'delivered'>>;

/** One input: a file, standard input or the Lambda event; `source` names it in error entries. */
export interface EventInput {
  source: string;
  data?: unknown;
  /** The input could not be read (a file missing, too large): an error entry, the other inputs go on. */
  error?: string;
}

/** Not-found answers for a created or updated resource are retried after these delays (eventual consistency). */
export const DEFAULT_NOT_FOUND_DELAYS_MS: readonly number[] = [1000, 2000, 4000, 8000];

export interface HandleEventsOptions {
  config?: Config;
  ruleIds?: string[];
  failOn?: FailOn;
  /** The accounts whose events are handled, each through `roleName` (the caller's own with its credentials). */
  accounts?: string[];
  /** Every active account of the caller's organization, each through `roleName`. */
  organization?: boolean;
  roleName?: string;
  externalId?: string;
  endpointUrl?: string;
  profile?: string;
  maxAttempts?: number;
  /** Recorded here when given: new, regressed, resolved... (deduplication of notifications). */
  history?: EventHistory;
  notify?: { channels: readonly NotifyChannel[]; filters: NotifyFilters; options?: NotifyOptions };
  respond?: { mode: RespondMode; journal: RespondJournal };
  /** Delays between describes of a resource not found yet (default DEFAULT_NOT_FOUND_DELAYS_MS). */
  notFoundDelaysMs?: readonly number[];
  /** The whole run's deadline (default DEFAULT_TIMEOUT_MS; the Lambda handler: its remaining time less a margin). */
  timeoutMs?: number;
  callTimeoutMs?: number;
  concurrency?: number;
  now?: () => Date;
  /** Clients and caches kept across runs (a warm Lambda function): made and closed per run when absent. */
  session?: EventSession;
}

export interface EventRunResult {
  report: ScanReport;
  comparison?: RunComparison;
  /** The report's errors (records that could not be handled, calls that failed, notifications not sent). */
  errors: ScanError[];
  /** SQS partial batch response: the messages to deliver again. */
  batchItemFailures: { itemIdentifier: string }[];
  /** Records (of any input, SQS or not) that failed in a way worth trying again. */
  retryable: number;
  notifications: NotifyResult[];
  /** What the notifier warned of (webhooks sent unsigned): also in the report's notes, which the Lambda function does not log. */
  notifyWarnings?: string[];
  actions: RespondAction[];
}

/** How long a warm session trusts the organization's account list and the caller's identity. */
const SESSION_CACHE_MS = 5 * 60_000;
/** The least time between two listings of the organization's accounts. */
const ORGANIZATION_REFRESH_MS = 60_000;

/**
 * AWS clients and what is worth keeping between runs: the caller's identity, the organization's
 * accounts, each member account's assumed-role credentials (refreshed before they expire).
 */
export class EventSession {
  readonly factory: AwsClientFactory;
  private caller?: { at: number; value: Promise<{ account: string; partition: string }> };
  private orgAccounts?: { at: number; value: Promise<Set<string>> };
  private readonly roles = new Map<string, AwsCredentials>();
  private readonly clients = new Map<string, SageMakerClient>();
  readonly callerCredentials: AwsCredentials;

  /** The least time between two listings of the organization's accounts (default one minute). */
  readonly organizationRefreshMs: number;

  constructor(
    settings: { endpointUrl?: string; profile?: string; maxAttempts?: number; concurrency?: number; requestHandler?: RequestHandler; organizationRefreshMs?: number } = {},
  ) {
    this.organizationRefreshMs = settings.organizationRefreshMs ?? ORGANIZATION_REFRESH_MS;
    this.factory = new AwsClientFactory({
      endpoint: settings.endpointUrl,
      maxAttempts: settings.maxAttempts,
      profile: settings.profile,
      maxSockets: settings.concurrency ?? DEFAULT_CONCURRENCY,
      ...(settings.requestHandler ? { requestHandler: settings.requestHandler } : {}),
    });
    this.callerCredentials = callerCredentialChain(settings.profile);
    this.profile = settings.profile;
  }

  private readonly profile: string | undefined;
  private homeRegionValue?: Promise<string>;

  homeRegion(fallback: string): Promise<string> {
    this.homeRegionValue ??= configuredRegion(this.profile).then((r) => r ?? fallback);
    return this.homeRegionValue;
  }

  callerIdentity(region: string, call: CallLimiter): Promise<{ account: string; partition: string }> {
    if (!this.caller || Date.now() - this.caller.at > SESSION_CACHE_MS) {
      const sts = this.factory.sts(region, this.callerCredentials);
      const value = call((abortSignal) => sts.send(new GetCallerIdentityCommand({}), { abortSignal })).then((id) => {
        if (!id.Account) throw new Error('GetCallerIdentity returned no account');
        return { account: id.Account, partition: partitionOfArn(id.Arn ?? '') ?? partitionOfRegion(region) };
      });
      this.caller = { at: Date.now(), value };
      value.catch(() => (this.caller = undefined));
    }
    return this.caller.value;
  }

  /** The organization's active accounts, listed again when the cached list is older than `maxAgeMs`. */
  organizationAccounts(region: string, call: CallLimiter, maxAgeMs = SESSION_CACHE_MS): Promise<Set<string>> {
    if (!this.orgAccounts || Date.now() - this.orgAccounts.at > maxAgeMs) {
      const value = listActiveOrganizationAccounts(this.factory, region, this.callerCredentials, call).then((listed) => {
        // A partial list would refuse the events of the accounts it missed: the whole list or a failure.
        if (listed.error !== undefined) throw listed.error;
        return new Set(listed.ids);
      });
      this.orgAccounts = { at: Date.now(), value };
      value.catch(() => (this.orgAccounts = undefined));
    }
    return this.orgAccounts.value;
  }

  /** The role's credentials (one provider per role ARN, refreshed before expiry). */
  roleCredentials(region: string, roleArn: string, externalId: string | undefined, call: CallLimiter): AwsCredentials {
    const key = `${roleArn}\n${externalId ?? ''}`;
    let provider = this.roles.get(key);
    if (!provider) {
      provider = assumedRoleCredentials(this.factory.sts(region, this.callerCredentials), roleArn, externalId, call);
      this.roles.set(key, provider);
    }
    return provider;
  }

  sageMaker(account: string, region: string, credentials: AwsCredentials): SageMakerClient {
    const key = `${account}/${region}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.factory.sageMaker(region, credentials);
      this.clients.set(key, client);
    }
    return client;
  }

  destroy(): void {
    this.factory.destroy();
  }
}

/** A record read from one input, with where it came from. */
interface ReadRecord {
  source: string;
  shape: ParsedInput['shape'];
  record: EventRecord;
}

/** The records naming one resource: described once, whatever the number of events. */
interface Group {
  kind: LiveKind;
  target: EventTarget;
  actions: Set<EventAction>;
  eventNames: Set<string>;
  records: ReadRecord[];
  /** An ARN the events gave (checked against the record's account and region). */
  eventArn?: string;
}

/**
 * Handles every record of the inputs: parses them, keeps those of the allowed accounts, describes
 * each named resource once, runs the rules, builds the report (command `event`, its resources in
 * `evaluated.resources`), records it, notifies and responds. Throws only for bad options
 * (AuditOptionsError); everything else is an error entry.
 */
export async function handleEvents(input: EventInput | readonly EventInput[], options: HandleEventsOptions = {}): Promise<EventRunResult> {
  validateAccountSelection({ accounts: options.accounts, organization: options.organization, roleName: options.roleName, externalId: options.externalId, profile: options.profile });
  const startedAt = options.now?.() ?? new Date();
  const config = options.config ?? emptyConfig();
  const rules = selectRules(config, options.ruleIds);
  const exceptions = new ExceptionMatcher(config.exceptions);
  // --notify-tag filters on the resources' tags: read and kept for every described resource (as audit does).
  const keepTags = (options.notify?.filters.tags?.length ?? 0) > 0;
  const runner = new RuleRunner(rules, exceptions, startedAt.getTime(), keepTags);
  const total = emptyUnitResult();
  const notes: ScanNote[] = [];
  const failed = new Set<string>();
  const evaluated: NonNullable<RunEvaluated['resources']> = [];
  const described = new Map<string, object>();

  const session = options.session ?? new EventSession(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = new AbortController();
  setMaxListeners(0, deadline.signal);
  const timer = setTimeout(() => deadline.abort(new DeadlineError(`not finished within the run's deadline of ${formatDuration(timeoutMs)}`, true)), timeoutMs);
  const call = limitCalls(options.concurrency ?? DEFAULT_CONCURRENCY, options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, deadline.signal);

  try {
    // 1. Read every record; what can't be handled is an error (or a note) for that record alone.
    const read: ReadRecord[] = [];
    for (const { source, data, error } of Array.isArray(input) ? input : [input as EventInput]) {
      if (error !== undefined) {
        total.errors.push({ file: source, message: error });
        continue;
      }
      const parsed = parseEventInput(data);
      // Nothing handled must be said, not a silent exit 0 (a list or SQS batch with no event).
      if (parsed.records.length === 0) notes.push({ file: source, message: `no event in this input (an empty ${parsed.shape === 'sqs' ? 'SQS batch' : 'list'}): nothing was handled` });
      for (const record of parsed.records) read.push({ source, shape: parsed.shape, record });
    }
    const recordError = (r: ReadRecord, message: string, retry: boolean) => {
      total.errors.push({ file: r.source, message: `${label(r)}: ${message}` });
      // A malformed record is not returned for retry: it would fail the same way every time until
      // the queue's dead-letter queue took it. Only what may succeed later is delivered again.
      if (retry) failed.add(key(r));
    };
    const targets: ReadRecord[] = [];
    for (const r of read) {
      if (r.record.ok) targets.push(r);
      else if (r.record.ignored) notes.push({ file: r.source, message: `${label(r)}: ${r.record.error}` });
      else recordError(r, r.record.error, r.record.retry === true);
    }

    // 2. Only the allowed accounts: --accounts, the organization's, else the caller's own.
    // Account-wide calls (STS, Organizations) go to the configured region, else the first event's.
    const firstTarget = targets.map((r) => (r.record as { target: EventTarget }).target)[0];
    const homeRegion = await session.homeRegion(firstTarget?.region ?? 'us-east-1');
    let caller: { account: string; partition: string } | undefined;
    let callerError: unknown;
    // Input with nothing to handle makes no call at all.
    if (targets.length > 0) {
      try {
        caller = await session.callerIdentity(homeRegion, call);
      } catch (e) {
        callerError = e;
      }
    }
    let allowed: ((account: string) => string | undefined) | undefined;
    if (targets.length === 0) {
      // Nothing to allow or refuse.
    } else if (options.accounts) {
      const list = new Set(options.accounts);
      allowed = (account) => (list.has(account) ? undefined : `account ${account} is not in --accounts`);
    } else if (options.organization) {
      try {
        let members = await session.organizationAccounts(homeRegion, call);
        // An account that joined since the list was cached: listed again, at most once a minute
        // (events naming accounts outside the organization can't make it list on every run).
        const accountOf = (r: ReadRecord) => (r.record as { target: EventTarget }).target.account;
        if (targets.some((r) => !members.has(accountOf(r)))) members = await session.organizationAccounts(homeRegion, call, session.organizationRefreshMs);
        allowed = (account) => (members.has(account) ? undefined : `account ${account} is not an active account of the organization`);
      } catch (e) {
        for (const r of targets) recordError(r, `not handled: the organization's accounts could not be listed (${AUDIT_ACTIONS.listAccounts.action}: ${describeAwsError(e)})`, true);
        targets.length = 0;
      }
    } else if (caller) {
      const own = caller.account;
      allowed = (account) => (account === own ? undefined : `account ${account} is not the caller's account ${own} (to handle events of other accounts: --accounts or --organization with --role-name)`);
    }
    if (!caller && targets.length > 0) {
      // Without the caller's identity nothing can be described (or, with no account option, allowed).
      for (const r of targets) recordError(r, `not handled: ${AUDIT_ACTIONS.getCallerIdentity.action} failed: ${describeAwsError(callerError)}`, true);
      targets.length = 0;
    }

    const groups = new Map<string, Group>();
    for (const r of targets) {
      const target = (r.record as { target: EventTarget }).target;
      const refusal = allowed?.(target.account);
      if (refusal !== undefined) {
        recordError(r, refusal, false);
        continue;
      }
      const kind = liveKind(target.type)!;
      const k = JSON.stringify([target.type, target.account, target.region, target.id]);
      const group = groups.get(k) ?? { kind, target, actions: new Set<EventAction>(), eventNames: new Set<string>(), records: [] };
      group.actions.add(target.action);
      group.eventNames.add(target.eventName);
      group.records.push(r);
      if (target.arn) group.eventArn ??= target.arn;
      groups.set(k, group);
    }

    // 3. Describe each resource once, with its account's credentials; retry what is not found yet.
    const delays = options.notFoundDelaysMs ?? DEFAULT_NOT_FOUND_DELAYS_MS;
    const tagTypes = new Set(rules.filter((r) => keepTags || exceptions.usesTagsFor(r.meta.id)).flatMap((r) => r.meta.resourceTypes));
    const ruleIdsOf = (type: string) => rules.filter((r) => r.meta.resourceTypes.includes(type)).map((r) => r.meta.id);
    // Every resource at once: `call` bounds the API calls in flight, and a resource waiting to be
    // described again (not found yet) holds no slot while it waits.
    const clientsByAccount = new Map<string, SageMakerClient>();
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const { kind, target } = group;
        const where = { account: target.account, region: target.region };
        const retryGroup = () => group.records.forEach((r) => failed.add(key(r)));
        const ruleIds = ruleIdsOf(kind.type);
        const unknown = (reason: string, arn = arnsOf(group)[0]!) => {
          total.resources++;
          runner.evaluate(unreadableResource({ type: kind.type, arn, name: target.id, account: target.account, region: target.region }, reason), total.findings, total.errors);
          evaluated.push({ ...where, arn, ruleIds });
        };
        const gone = (message: string, arns: string[]) => {
          for (const a of arns) evaluated.push({ ...where, arn: a, ruleIds });
          notes.push({ ...where, message: `${kind.label} ${target.id} is gone (${message}): its findings are resolved` });
        };
        // Events of another account: its role (assumed once per account and kept, so a failure is said as AssumeRole's).
        let credentials = session.callerCredentials;
        if (target.account !== caller!.account) {
          const roleArn = `arn:${partitionOfRegion(target.region)}:iam::${target.account}:role/${options.roleName}`;
          credentials = session.roleCredentials(homeRegion, roleArn, options.externalId, call);
          try {
            await (credentials as () => Promise<unknown>)();
          } catch (e) {
            const message = `${roleArn}: ${describeAwsError(e)}`;
            total.errors.push({ file: liveLocator(target.account), account: target.account, call: AUDIT_ACTIONS.assumeRole.action, message });
            unknown(`${AUDIT_ACTIONS.assumeRole.action} failed: ${message}`);
            retryGroup();
            return;
          }
        }
        const client = session.sageMaker(target.account, target.region, credentials);
        clientsByAccount.set(`${target.account}/${target.region}`, client);
        let waited = 0;
        for (let attempt = 0; ; attempt++) {
          const result = await describeLive(kind, client, target.id, where, { tags: tagTypes.has(kind.type), call }).catch((error: unknown) => ({ state: 'failed' as const, error }));
          if (result.state === 'found') {
            const status = kind.identifyDescribed(result.described).status;
            // A delete in progress: the resource is going, what it was no longer matters.
            if (group.actions.has('delete') && status === 'Deleting') {
              const arn = kind.identifyDescribed(result.described).arn;
              return gone(`status Deleting after ${target.eventName}`, arn ? [arn] : arnsOf(group));
            }
            total.resources++;
            runner.evaluate(result.resource, total.findings, total.errors);
            evaluated.push({ ...where, arn: result.resource.id, ruleIds });
            described.set(result.resource.id, result.described);
            if (result.tagsError !== undefined) total.errors.push(errorEntry(where, AUDIT_ACTIONS.listTags.action, `${target.id}: ${describeAwsError(result.tagsError)}`));
            return;
          }
          if (result.state === 'gone') {
            // Deleted, or (updated only) it existed then and is gone now: resolved. Only a create
            // may not be visible yet (eventual consistency): that alone is described again, even
            // with a delete in the batch (a delete event, forged or not, must not make a create
            // that is not visible yet resolved unseen).
            if (!group.actions.has('create')) return gone(result.message, await goneArns(group, client, where));
            if (attempt < delays.length && !deadline.signal.aborted) {
              await sleep(delays[attempt]!, deadline.signal);
              waited += delays[attempt]!;
              continue;
            }
            // Created and deleted within the batch, and still not found after every retry: gone.
            if (group.actions.has('delete') && attempt >= delays.length) return gone(result.message, await goneArns(group, client, where));
            // Not found after waiting: created and deleted since, or not visible yet. Not retried
            // through SQS: a later event (its delete) or the scheduled audit settles it.
            const events = [...group.eventNames].join(', ');
            return unknown(`${kind.describeAction.action} found no ${kind.label} ${target.id} ${formatDuration(waited)} after ${events} (${result.message}): not visible yet, or deleted since`);
          }
          const message = describeAwsError(result.error);
          total.errors.push(errorEntry(where, kind.describeAction.action, `${target.id}: ${message}`));
          unknown(`${kind.describeAction.action} failed: ${message}`);
          // A describe that failed (throttled, denied, a role not assumable, the deadline) may work later.
          retryGroup();
          return;
        }
      }),
    );

    // 4. The report: the same rules, exceptions and shape as the audit's.
    const scope = eventScope(options, caller?.account);
    let report = redactReport(
      buildReport(rules, total, options.failOn ?? config.failOn ?? 'Low', notes, {
        command: 'event',
        startedAt,
        scope,
        evaluated: { resources: evaluated },
      }),
    );

    // 5. Recorded, then notified, then responded to.
    let comparison: RunComparison | undefined;
    const notifying = options.notify && options.notify.channels.length > 0 ? await import('../notify/index') : undefined;
    // The history's outbox: the run's notifications are written with it and sent until a channel
    // takes them (a channel down, or this process dying before it notified: the next run sends them).
    const outbox = notifying && options.history?.pending && options.history.delivered ? options.history : undefined;
    // A run that described nothing (every record malformed, ignored or refused) says nothing to keep.
    if (options.history && evaluated.length > 0) {
      try {
        comparison = await options.history.record(
          report,
          outbox ? { outbox: notifying!.outboxPlan(options.notify!.channels, options.notify!.filters, report, options.notify!.options?.tagsOf) } : undefined,
        );
      } catch (e) {
        report = withErrors(report, [{ file: 'history', message: `this run was not recorded: ${redactSecrets((e as Error)?.message ?? String(e))}` }]);
        // Nothing of the run is known to the history: deliver again every record it handled (not the malformed or refused).
        for (const group of groups.values()) for (const r of group.records) failed.add(key(r));
      }
    }
    const notifications: NotifyResult[] = [];
    const notifyWarnings: string[] = [];
    const actions: RespondAction[] = [];
    if (notifying && options.notify && evaluated.length > 0 && (comparison || !options.history)) {
      const outcome = await notifying.notify(comparison, report, options.notify.channels, options.notify.filters, {
        ...(options.endpointUrl || options.profile ? { aws: { endpoint: options.endpointUrl, profile: options.profile } } : {}),
        ...options.notify.options,
        ...(outbox && report.run ? { outbox: { store: outbox, scopeKey: report.run.scope.key, runId: report.run.id } } : {}),
      });
      notifications.push(...outcome.sent);
      // Not returned for retry: the history holds the run, and (with its outbox) the notifications
      // not sent, which the next run of the scope sends.
      if (outcome.errors.length) report = withErrors(report, outcome.errors);
      notifyWarnings.push(...outcome.warnings);
      if (outcome.warnings.length) report = { ...report, notes: [...(report.notes ?? []), ...outcome.warnings.map((message) => ({ message }))] };
    }
    if (options.respond) {
      const { respond } = await import('./respond');
      actions.push(
        ...(await respond(
          report.findings.map((finding) => ({ finding, described: described.get(finding.resource.id) })),
          options.respond.mode,
          (account, region) => clientsByAccount.get(`${account}/${region}`) ?? session.sageMaker(account, region, session.callerCredentials),
          options.respond.journal,
          // The run's deadline (in Lambda, the time left) ends the response's calls too.
          { runId: report.run?.id, exceptions, deadline: deadline.signal },
        )),
      );
      const errors = actions.filter((a) => a.outcome === 'error');
      if (errors.length) {
        report = withErrors(
          report,
          errors.map((a) => ({ file: liveLocator(a.account ?? '', a.region), ...(a.account ? { account: a.account } : {}), ...(a.region ? { region: a.region } : {}), message: `--respond ${a.action} ${a.name ?? a.target}: ${redactSecrets(a.reason)}` })),
        );
      }
    }

    const batchItemFailures = read.filter((r) => r.shape === 'sqs' && failed.has(key(r))).map((r) => ({ itemIdentifier: r.record.id }));
    return { report, ...(comparison ? { comparison } : {}), errors: report.errors, batchItemFailures: dedupe(batchItemFailures), retryable: failed.size, notifications, ...(notifyWarnings.length ? { notifyWarnings } : {}), actions };
  } finally {
    clearTimeout(timer);
    if (!options.session) session.destroy();
  }

  /**
   * The ARNs whose findings a describe that found no resource named `target.id` resolves. An ARN
   * naming it in another case (AWS's lower-cased ARN, or the event's) is another notebook's when a
   * notebook of that spelling exists: it is resolved only when a describe of that spelling finds
   * none either (a forged update or delete of `MyNotebook` resolved the open findings of the
   * existing `mynotebook`).
   */
  async function goneArns(group: Group, client: SageMakerClient, where: { account: string; region: string }): Promise<string[]> {
    const { kind, target } = group;
    const out: string[] = [];
    for (const arn of arnsOf(group)) {
      const id = kind.idFromArn(arn);
      if (id === undefined || id === target.id) {
        out.push(arn);
        continue;
      }
      const other = await describeLive(kind, client, id, where, { call }).catch((error: unknown) => ({ state: 'failed' as const, error }));
      if (other.state === 'gone') out.push(arn);
      else notes.push({ ...where, message: `${kind.label} ${target.id} is gone, but ${arn} is not resolved: ${other.state === 'found' ? `a ${kind.label} ${id} exists` : `${kind.describeAction.action} of ${id} failed (${describeAwsError(other.error)})`}` });
    }
    return out;
  }

  function arnsOf(group: Group): string[] {
    if (group.eventArn) return [group.eventArn];
    const { kind, target } = group;
    const arn = (id: string) => `arn:${partitionOfRegion(target.region)}:sagemaker:${target.region}:${target.account}:${kind.arnResource}/${id}`;
    // AWS spells a notebook's name lower-cased in its ARN; an emulator may keep the case: both are
    // listed for a gone resource, so its findings are resolved whichever spelling they have.
    if (kind.type === NOTEBOOK_INSTANCE_TYPE && target.id !== target.id.toLowerCase()) return [arn(target.id.toLowerCase()), arn(target.id)];
    return [arn(target.id)];
  }
}

function label(r: ReadRecord): string {
  return r.shape === 'sqs' ? `message ${r.record.id}` : `record ${r.record.id}`;
}

function key(r: ReadRecord): string {
  return `${r.source}\n${r.record.id}`;
}

function dedupe(items: { itemIdentifier: string }[]): { itemIdentifier: string }[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.itemIdentifier) && seen.add(i.itemIdentifier));
}

function errorEntry(where: { account: string; region: string }, call: string, message: string): ScanError {
  return { file: liveLocator(where.account, where.region), account: where.account, region: where.region, call, message };
}

function withErrors(report: ScanReport, errors: ScanError[]): ScanReport {
  const all = [...report.errors, ...errors];
  return { ...report, errors: all, summary: { ...report.summary, errors: all.length } };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * An event run's scope: the audit's for the same account options (`audit:organization`,
 * `audit:accounts:…`, `audit:caller:ID`), so the scheduled audit and the events share one state.
 */
export function eventScope(options: Pick<HandleEventsOptions, 'accounts' | 'organization'>, callerAccount: string | undefined): RunScope {
  const { key, accounts } = accountSelectionScope(options, callerAccount);
  return { key, label: `events of ${accounts}` };
}

export { AuditOptionsError };
export type { SourceResource };
