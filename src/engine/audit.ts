import pLimit from 'p-limit';
import type { Risk } from '../rules/rule';
import type { ScanNote } from '../sources/source';
import { auditsCallerOnly, callerCredentialChain, resolveAccounts, validateAccountSelection } from '../sources/aws/accounts';
import { AwsClientFactory, DeadlineError, configuredRegion, formatDuration, limitCalls } from '../sources/aws/clients';
import { loadCallerCredentials } from '../sources/aws/credentials';
import { AuditOptionsError, redactReport } from '../sources/aws/errors';
import { checkRegionName, listEnabledRegions, planRegions, skippedRegionNotes, validateRegionNames } from '../sources/aws/regions';
import { liveRegions } from '../sources/aws/registry';
import { auditRegion, type RegionAuditSink } from '../sources/aws/sagemaker';
import { ExceptionMatcher, unusedExceptionNotes, type Config } from './config';
import { RuleRunner } from './evaluate';
import type { FailOn, RunScope, ScanReport } from '../model/report';
import { buildReport, emptyUnitResult, selectRules } from './report';
import { liveLocator } from '../model/location';
import { DEFAULT_CALL_TIMEOUT_MS, DEFAULT_CONCURRENCY, DEFAULT_REGION_CONCURRENCY, DEFAULT_TIMEOUT_MS } from './audit-limits';

export { AuditOptionsError } from '../sources/aws/errors';
export { AwsCredentialsError } from '../sources/aws/credentials';
export { DEFAULT_CALL_TIMEOUT_MS, DEFAULT_CONCURRENCY, DEFAULT_REGION_CONCURRENCY, DEFAULT_TIMEOUT_MS } from './audit-limits';

export interface AuditOptions {
  config: Config;
  /** `--verbose`: a note for each config exception that matched no finding. */
  noteUnusedExceptions?: boolean;
  /** `--notify-tag`: read every live resource's tags and keep them in its findings (`resource.tags`). */
  keepTags?: boolean;
  /** Rule ids to run (after the config's include/exclude); all when absent. */
  ruleIds?: string[];
  failOn?: FailOn;
  /** Shared config profile for the caller's credentials and settings. */
  profile?: string;
  /** Default: every region enabled for each account where notebook instances are offered. */
  regions?: string[];
  /** Default: the SDK's AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SAGEMAKER handling, else AWS. */
  endpointUrl?: string;
  roleArn?: string;
  accounts?: string[];
  roleName?: string;
  organization?: boolean;
  externalId?: string;
  /** API calls in flight across the whole audit (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /** Describe calls in flight per account and region (default DEFAULT_REGION_CONCURRENCY). */
  regionConcurrency?: number;
  /** Attempts per call, with the SDK's backoff and jitter (default: AWS_MAX_ATTEMPTS, else 3). */
  maxAttempts?: number;
  /** The SDK's retry mode (default: AWS_RETRY_MODE or the profile's retry_mode, else adaptive). */
  retryMode?: 'standard' | 'adaptive';
  /** The whole audit's deadline, in milliseconds (default DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** One call's deadline, retries included, in milliseconds (default DEFAULT_CALL_TIMEOUT_MS). */
  callTimeoutMs?: number;
  onProgress?: (p: AuditProgress) => void;
}

export interface AuditProgress {
  accountsTotal: number;
  regionsTotal: number;
  regionsDone: number;
  /** Resources listed so far, by CloudFormation type (the registry's LIVE_KINDS label them). */
  seen: Record<string, number>;
}

/** Where account-wide calls go when no region is configured and none is requested. */
const FALLBACK_HOME_REGION = 'us-east-1';

/**
 * Audits live AWS accounts with the same rules, exceptions and report as `scan`. Failures stay
 * local: an account, region or resource that can't be read is an entry in the report's errors
 * (and its resources `unknown`), a region that is skipped is a note, and the rest finishes.
 */
export async function audit(options: AuditOptions): Promise<ScanReport> {
  const factory = new AwsClientFactory({
    endpoint: options.endpointUrl,
    maxAttempts: options.maxAttempts,
    ...(options.retryMode ? { retryMode: options.retryMode } : {}),
    profile: options.profile,
    maxSockets: options.concurrency ?? DEFAULT_CONCURRENCY,
  });
  try {
    return await auditWithClients(factory, options);
  } finally {
    factory.destroy();
  }
}

/** `audit` with the clients made by the given factory (tests give it an in-process handler). */
export async function auditWithClients(factory: AwsClientFactory, options: AuditOptions): Promise<ScanReport> {
  validateAccountSelection(options);
  validateRegionNames(options.regions);
  for (const [name, value] of [['--timeout', options.timeoutMs], ['--call-timeout', options.callTimeoutMs]] as const) {
    if (value !== undefined && !(value >= 1000)) throw new AuditOptionsError(`${name}: give at least one second`);
  }
  // When the audit's deadline passes, every call in flight or waiting ends with this reason, each
  // region reports what it could not read, and the report is written with what finished.
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DeadlineError(`not finished when the audit's --timeout of ${formatDuration(timeoutMs)} ran out`, true)), timeoutMs);
  try {
    return redactReport(await auditUntil(factory, options, deadline.signal));
  } finally {
    clearTimeout(timer);
  }
}

async function auditUntil(factory: AwsClientFactory, options: AuditOptions, deadline: AbortSignal): Promise<ScanReport> {
  const startedAt = new Date();
  const rules = selectRules(options.config, options.ruleIds);
  const exceptions = new ExceptionMatcher(options.config.exceptions);
  const runner = new RuleRunner(rules, exceptions, Date.now(), options.keepTags === true);
  const overall = limitCalls(options.concurrency ?? DEFAULT_CONCURRENCY, options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, deadline);
  const regionConcurrency = options.regionConcurrency ?? DEFAULT_REGION_CONCURRENCY;
  // ListTags costs a call per resource: only for the types of rules some tag exception covers.
  const tagTypes = new Set(rules.filter((r) => options.keepTags || exceptions.usesTagsFor(r.meta.id)).flatMap((r) => r.meta.resourceTypes));

  const total = emptyUnitResult();
  const notes: ScanNote[] = [];
  const progress: AuditProgress = { accountsTotal: 0, regionsTotal: 0, regionsDone: 0, seen: {} };
  const reportProgress = () => options.onProgress?.({ ...progress, seen: { ...progress.seen } });
  const sink: RegionAuditSink = {
    resource(resource) {
      total.resources++;
      runner.evaluate(resource, total.findings, total.errors);
    },
    listed(type, count) {
      progress.seen[type] = (progress.seen[type] ?? 0) + count;
      reportProgress();
    },
    error: (error) => total.errors.push(error),
    note: (note) => notes.push(note),
    completed: (account, region, type) => {
      const ruleIds = rules.filter((r) => r.meta.resourceTypes.includes(type)).map((r) => r.meta.id);
      const key = `${account}/${region}`;
      const entry = evaluated.get(key) ?? { account, region, ruleIds: [] };
      entry.ruleIds.push(...ruleIds);
      evaluated.set(key, entry);
    },
    skipped: (account, region, error) => {
      const list = skipped.get(account) ?? [];
      list.push({ region, error });
      skipped.set(account, list);
    },
  };
  const skipped = new Map<string, { region: string; error: unknown }[]>();
  const evaluated = new Map<string, { account: string; region: string; ruleIds: string[] }>();

  const configured = await configuredRegion(options.profile);
  // Account-wide calls go there: a typo in it would fail each of them with a DNS error.
  if (configured !== undefined) checkRegionName(configured, "the region from AWS_REGION or the profile's region setting");
  const homeRegion = configured ?? options.regions?.[0] ?? FALLBACK_HOME_REGION;
  const callerCredentials = callerCredentialChain(options.profile);
  await loadCallerCredentials(callerCredentials, options.profile, overall);
  // Auditing one's own account, DescribeRegions goes out alongside GetCallerIdentity: one round trip less.
  const callerRegions = auditsCallerOnly(options) ? listEnabledRegions(factory.ec2(homeRegion, callerCredentials), overall) : undefined;
  const accounts = await resolveAccounts(factory, homeRegion, callerCredentials, options, overall);
  total.errors.push(...accounts.errors);
  progress.accountsTotal = accounts.accounts.length;
  reportProgress();

  await Promise.all(
    accounts.accounts.map(async (account) => {
      const enabled =
        callerRegions && account.credentials === callerCredentials
          ? await callerRegions
          : await listEnabledRegions(factory.ec2(homeRegion, account.credentials), overall);
      const plan = planRegions(account, options.regions, enabled, liveRegions);
      notes.push(...plan.notes);
      total.errors.push(...plan.errors);
      progress.regionsTotal += plan.regions.length;
      reportProgress();
      await Promise.all(
        plan.regions.map(async ({ region, expected }) => {
          const regionOptions = {
            account: account.id,
            region,
            expected,
            resourceTypes: runner.resourceTypes,
            tagTypes,
            overall,
            perRegion: pLimit(regionConcurrency),
          };
          try {
            await auditRegion(factory.sageMaker(region, account.credentials), regionOptions, sink);
          } catch (e) {
            // The region audit reports its own failures; this is the last guard so one region never stops the others.
            sink.error({ file: liveLocator(account.id, region), account: account.id, region, message: `internal error while auditing: ${(e as Error)?.message ?? String(e)}` });
          }
          progress.regionsDone++;
          reportProgress();
        }),
      );
    }),
  );
  if (options.noteUnusedExceptions) notes.push(...unusedExceptionNotes(options.config, runner.matched));
  for (const [account, regions] of skipped) notes.push(...skippedRegionNotes(account, regions));
  return buildReport(rules, total, options.failOn ?? options.config.failOn ?? 'Low', notes, {
    command: 'audit',
    startedAt,
    scope: auditScope(options, accounts.accounts.map((a) => a.id)),
    evaluated: { regions: [...evaluated.values()] },
  });
}

/**
 * An audit's scope: the account selection as asked (`organization`, `accounts:…`), or the caller's
 * account; regions are not part of it, so a narrower `--regions` compares with the wider run and
 * resolves only what it read (RunInfo.evaluated).
 */
function auditScope(options: AuditOptions, audited: string[]): RunScope {
  const regions = options.regions?.length ? ` in ${options.regions.join(', ')}` : ' in every enabled region';
  const { key, accounts } = accountSelectionScope(options, audited[0]);
  return { key, label: `${accounts}${regions}` };
}

/**
 * The scope key of an account selection (`audit:organization`, `audit:accounts:…` sorted,
 * `audit:caller:ID`) and the accounts in words: one key for the audit and the event handler, so a
 * scheduled audit and the events it sits beside share one finding state.
 */
export function accountSelectionScope(selection: { organization?: boolean; accounts?: string[] }, caller: string | undefined): { key: string; accounts: string } {
  if (selection.organization) return { key: 'audit:organization', accounts: "the organization's accounts" };
  if (selection.accounts?.length) {
    const ids = [...new Set(selection.accounts)].sort();
    return { key: `audit:accounts:${ids.join(',')}`, accounts: `accounts ${ids.join(', ')}` };
  }
  return { key: `audit:caller:${caller ?? 'unknown'}`, accounts: `account ${caller ?? 'unknown'}` };
}
