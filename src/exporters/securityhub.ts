// `cloudconform export securityhub`: a report's findings into AWS Security Hub, and the findings we
// imported before that this run shows resolved archived. Resolved means: this run evaluated the
// rule in that account and region (audits: a listing that completed; scans: the file was read) and
// the finding is not in it any more. Nothing outside what the run evaluated is archived (Prowler's
// #1626: a partial run archived what it never checked), and a region the run listed completely with
// no finding left is archived too (Prowler's #2190 kept stale findings there).
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  BatchImportFindingsCommand,
  DescribeHubCommand,
  GetFindingsCommand,
  SecurityHubClient,
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
} from '@aws-sdk/client-securityhub';
import { liveIdentityOf, type Finding, type ScanReport } from '../model/report';
import { evaluatedPlaces } from '../history/classify';
import { asffProblems, defaultProductArn, toAsffFinding, type AsffFinding } from '../reporters/asff';
import { printable } from '../reporters/printable';
import { callerCredentialChain } from '../sources/aws/accounts';
import { AwsClientFactory, configuredRegion, limitCalls, type AwsCredentials, type CallLimiter } from '../sources/aws/clients';
import { loadCallerCredentials } from '../sources/aws/credentials';
import { awsErrorCode, describeAwsError } from '../sources/aws/errors';
import { EXPORT_ACTIONS, type ExportAction } from './actions';

/** BatchImportFindings takes at most 100 findings a call. */
export const BATCH_SIZE = 100;
/** GetFindings pages (100 findings each) read per account and region before giving up: bounded memory on a huge or looping hub. */
const MAX_FINDING_PAGES = 2000;
const CONCURRENCY = 4;
const ACCOUNT_ID = /^\d{12}$/;
/** `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eu-isoe-west-1`. */
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const CALL_TIMEOUT_MS = 120_000;

export interface ExportOptions {
  profile?: string;
  /** `--endpoint-url` (AWS_ENDPOINT_URL is honoured by the SDK too). */
  endpoint?: string;
  /** Where a scan's findings go (they have no region of their own); default: the profile's region. */
  region?: string;
  /**
   * Finding keys the history classified as resolved when it recorded this run (`--from-history`):
   * archived too, where they are ours, of this run's kind and scope.
   */
  resolvedKeys?: ReadonlySet<string>;
  /** The time archived findings are stamped with (tests). */
  now?: () => Date;
}

/** Something that went wrong in one account and region (or with one finding); the rest went on. */
export interface ExportEntry {
  account?: string;
  region?: string;
  call?: ExportAction;
  /** The finding's Id, for a finding Security Hub (or our own check) refused. */
  id?: string;
  message: string;
}

export interface ExportTargetResult {
  account: string;
  region: string;
  imported: number;
  archived: number;
}

export interface ExportResult {
  targets: ExportTargetResult[];
  errors: ExportEntry[];
  notes: ExportEntry[];
}

/** The export can't start: no credentials, no region for a scan's findings. Exit 2 with the message. */
export class ExportSetupError extends Error {
  override name = 'ExportSetupError';
}

interface Target {
  account: string;
  region: string;
  findings: AsffFinding[];
  /** The rules whose earlier findings here this run can resolve (empty: archive nothing). */
  archiveRules: Set<string>;
}

/**
 * What this run evaluated, as a test of an earlier finding we imported: the history's own test
 * (classify.ts evaluatedPlaces: audits by account, region and rule; scans by file, its directory's
 * errors, module roots and rule), on the finding as its ProductFields describe it, and for a scan
 * the same scope (repository). `resolvedKeys`: what the history found resolved when it recorded the
 * run (a file deleted below a scanned directory, which only the file system at scan time shows).
 * Reports without a `run` (before 0.2) resolve nothing.
 */
function resolvableTest(report: ScanReport, resolvedKeys: ReadonlySet<string>): ((f: AwsSecurityFinding, target: Target) => boolean) | undefined {
  const run = report.run;
  if (!run) return undefined;
  const evaluated = evaluatedPlaces(report);
  const kind = run.command === 'audit' ? 'live' : 'scan';
  return (f, target) => {
    if (fieldOf(f, 'cloudconform/Kind') !== kind || !target.archiveRules.has(f.GeneratorId ?? '')) return false;
    if (kind === 'scan' && fieldOf(f, 'cloudconform/ScopeKey') !== run.scope.key) return false;
    if (resolvedKeys.has(fieldOf(f, 'cloudconform/Key') ?? '')) return true;
    return evaluated(asFinding(f, target));
  };
}

/** The parts of a Finding evaluatedPlaces reads, from an earlier finding as we wrote it. */
function asFinding(f: AwsSecurityFinding, target: Target): Finding {
  const root = fieldOf(f, 'cloudconform/Root');
  const arn = f.Resources?.[0]?.Id ?? '';
  return {
    ruleId: f.GeneratorId ?? '',
    result: 'fail',
    resource: {
      type: '',
      id: arn,
      source: '',
      ...(root !== undefined ? { root } : {}),
      ...(fieldOf(f, 'cloudconform/Kind') === 'live' ? { live: { account: target.account, region: target.region, arn } } : {}),
    },
    location: { file: fieldOf(f, 'cloudconform/File') ?? '', line: 1 },
    message: '',
    risk: 'Low',
    suppressed: false,
  };
}

function fieldOf(f: AwsSecurityFinding, key: string): string | undefined {
  return f.ProductFields?.[key];
}

/** Findings grouped by the account and region they are imported into, with what each may archive. */
function plan(report: ScanReport, caller: string, scanRegion: string | undefined): Map<string, Target> {
  const targets = new Map<string, Target>();
  const target = (account: string, region: string): Target => {
    const key = `${account}/${region}`;
    let t = targets.get(key);
    if (!t) targets.set(key, (t = { account, region, findings: [], archiveRules: new Set() }));
    return t;
  };
  const rules = new Map(report.rules.map((r) => [r.id, r]));
  for (const f of report.findings) {
    const live = liveIdentityOf(f);
    const account = live?.account ?? caller;
    const region = live?.region ?? scanRegion!;
    target(account, region).findings.push(toAsffFinding(f, report, rules.get(f.ruleId), { target: { account, region } }));
  }
  const run = report.run;
  if (run?.command === 'audit') {
    // Every listing that completed, with or without findings left in it (Prowler #2190).
    for (const r of run.evaluated.regions ?? []) for (const id of r.ruleIds) target(r.account, r.region).archiveRules.add(id);
  } else if (run?.command === 'scan' && scanRegion !== undefined) {
    const t = target(caller, scanRegion);
    for (const r of report.rules) t.archiveRules.add(r.id);
  }
  return targets;
}

/**
 * An earlier finding re-imported as ARCHIVED: BatchImportFindings replaces a finding by Id, so it
 * is sent with the fields a provider may set (Security Hub's own, such as ProductName, Region and
 * Workflow, are left out), stamped now.
 */
export function archivedCopy(f: AwsSecurityFinding, now: Date): AwsSecurityFinding {
  const previous = Date.parse(f.UpdatedAt ?? '');
  // UpdatedAt must move forward, or Security Hub keeps the finding as it was.
  const updated = new Date(Number.isNaN(previous) ? now.getTime() : Math.max(now.getTime(), previous + 1)).toISOString();
  return {
    SchemaVersion: f.SchemaVersion,
    Id: f.Id,
    ProductArn: f.ProductArn,
    GeneratorId: f.GeneratorId,
    AwsAccountId: f.AwsAccountId,
    Types: f.Types,
    CreatedAt: f.CreatedAt,
    UpdatedAt: updated,
    ...(f.Severity?.Label ? { Severity: { Label: f.Severity.Label, ...(f.Severity.Original ? { Original: f.Severity.Original } : {}) } } : {}),
    Title: f.Title,
    Description: f.Description,
    ProductFields: Object.fromEntries(Object.entries(f.ProductFields ?? {}).filter(([k]) => !k.startsWith('aws/'))),
    Resources: f.Resources,
    ...(f.Compliance?.Status ? { Compliance: { Status: f.Compliance.Status, ...(f.Compliance.RelatedRequirements ? { RelatedRequirements: f.Compliance.RelatedRequirements } : {}) } } : {}),
    RecordState: 'ARCHIVED',
  } as AwsSecurityFinding;
}

/** Text from AWS (or an endpoint posing as it) bound for our output: one line, escaped, bounded, no credentials. */
function shownError(e: unknown): string {
  return printable(describeAwsError(e));
}

function isNotSubscribed(e: unknown): boolean {
  const code = awsErrorCode(e);
  return code === 'InvalidAccessException' || (code === 'ResourceNotFoundException' && /hub/i.test(String((e as Error)?.message ?? '')));
}

class TargetRun {
  readonly result: ExportTargetResult;
  constructor(
    private readonly t: Target,
    private readonly client: SecurityHubClient,
    private readonly call: CallLimiter,
    private readonly errors: ExportEntry[],
    private readonly notes: ExportEntry[],
    private readonly resolvable: ((f: AwsSecurityFinding, target: Target) => boolean) | undefined,
    private readonly now: () => Date,
  ) {
    this.result = { account: t.account, region: t.region, imported: 0, archived: 0 };
  }

  private error(call: ExportAction | undefined, message: string, id?: string): void {
    this.errors.push({ account: this.t.account, region: this.t.region, ...(call ? { call } : {}), ...(id !== undefined ? { id } : {}), message });
  }

  async run(): Promise<void> {
    const { t } = this;
    try {
      await this.call((abortSignal) => this.client.send(new DescribeHubCommand({}), { abortSignal }));
    } catch (e) {
      if (isNotSubscribed(e) && t.findings.length === 0) {
        this.notes.push({ account: t.account, region: t.region, message: 'Security Hub is not enabled here: no finding to import, none of ours to archive' });
      } else if (isNotSubscribed(e)) {
        this.error(EXPORT_ACTIONS.describeHub, `Security Hub is not enabled in ${t.account}/${t.region}: ${t.findings.length} finding(s) not imported (${shownError(e)})`);
      } else {
        this.error(EXPORT_ACTIONS.describeHub, `${t.findings.length} finding(s) not imported, none archived: ${shownError(e)}`);
      }
      return;
    }
    const valid: AsffFinding[] = [];
    for (const f of t.findings) {
      const problems = asffProblems(f);
      if (problems.length) this.error(undefined, `not sent, Security Hub would refuse it: ${problems.join('; ')}`, f.Id);
      else valid.push(f);
    }
    const archived = await this.resolved(new Set(t.findings.map((f) => f.Id)));
    if (archived === undefined) {
      // Without the earlier findings nothing can be archived; the current ones are still imported.
      await this.importAll(valid as AwsSecurityFinding[], []);
      return;
    }
    await this.importAll(valid as AwsSecurityFinding[], archived);
  }

  /** Our ACTIVE findings here that this run shows resolved, as archived copies; undefined when they can't be read. */
  private async resolved(current: Set<string>): Promise<AwsSecurityFinding[] | undefined> {
    const { t, resolvable } = this;
    if (!resolvable || t.archiveRules.size === 0) return [];
    const productArn = defaultProductArn(t.account, t.region);
    const eq = (Value: string) => [{ Value, Comparison: 'EQUALS' as const }];
    const filters: AwsSecurityFindingFilters = {
      ProductArn: eq(productArn),
      AwsAccountId: eq(t.account),
      Region: eq(t.region),
      RecordState: eq('ACTIVE'),
      // At most 20 values a filter: more rules are filtered here only.
      ...(t.archiveRules.size <= 20 ? { GeneratorId: [...t.archiveRules].map((Value) => ({ Value, Comparison: 'EQUALS' as const })) } : {}),
    };
    const out: AwsSecurityFinding[] = [];
    const seenTokens = new Set<string>();
    let token: string | undefined;
    const now = this.now();
    for (let page = 0; ; page++) {
      if (page >= MAX_FINDING_PAGES) {
        this.error(EXPORT_ACTIONS.getFindings, `more than ${MAX_FINDING_PAGES * 100} findings: nothing archived here (the current findings are imported)`);
        return undefined;
      }
      let answer;
      try {
        answer = await this.call((abortSignal) => this.client.send(new GetFindingsCommand({ Filters: filters, MaxResults: 100, NextToken: token }), { abortSignal }));
      } catch (e) {
        this.error(EXPORT_ACTIONS.getFindings, `earlier findings could not be read, nothing archived here (the current findings are imported): ${shownError(e)}`);
        return undefined;
      }
      // The filters again, here: an emulator (moto) ignores them, and nothing outside the scope may be archived.
      for (const f of answer.Findings ?? []) {
        const region = f.Region ?? f.Resources?.[0]?.Region;
        if (
          f.ProductArn === productArn &&
          f.AwsAccountId === t.account &&
          region === t.region &&
          (f.RecordState ?? 'ACTIVE') === 'ACTIVE' &&
          typeof f.Id === 'string' &&
          f.Id.startsWith('cloudconform/') &&
          !current.has(f.Id) &&
          resolvable(f, t)
        ) {
          out.push(archivedCopy(f, now));
        }
      }
      token = answer.NextToken || undefined;
      if (!token) return out;
      if (seenTokens.has(token)) {
        this.error(EXPORT_ACTIONS.getFindings, 'GetFindings repeated a NextToken: its answer can\'t be trusted, nothing archived here (the current findings are imported)');
        return undefined;
      }
      seenTokens.add(token);
    }
  }

  private async importAll(current: AwsSecurityFinding[], archived: AwsSecurityFinding[]): Promise<void> {
    const archivedIds = new Set(archived.map((f) => f.Id));
    const all = [...current, ...archived];
    for (let i = 0; i < all.length; i += BATCH_SIZE) {
      const batch = all.slice(i, i + BATCH_SIZE);
      let answer;
      try {
        answer = await this.call((abortSignal) => this.client.send(new BatchImportFindingsCommand({ Findings: batch }), { abortSignal }));
      } catch (e) {
        this.error(EXPORT_ACTIONS.batchImportFindings, `${batch.length} finding(s) not imported (batch ${i / BATCH_SIZE + 1}): ${shownError(e)}`);
        continue;
      }
      const failed = new Set<string>();
      for (const ff of answer.FailedFindings ?? []) {
        const id = typeof ff.Id === 'string' ? ff.Id : '';
        failed.add(id);
        this.error(EXPORT_ACTIONS.batchImportFindings, `${printable(String(ff.ErrorCode ?? 'Error')).slice(0, 200)}: ${printable(String(ff.ErrorMessage ?? '')).slice(0, 500)}`, printable(id).slice(0, 600));
      }
      // A count that doesn't match the list is said too: findings lost without a word are the one outcome not allowed.
      const reportedFailures = answer.FailedCount ?? failed.size;
      if (reportedFailures > failed.size) this.error(EXPORT_ACTIONS.batchImportFindings, `${reportedFailures - failed.size} more finding(s) failed without an entry in FailedFindings (batch ${i / BATCH_SIZE + 1})`);
      for (const f of batch) {
        if (failed.has(f.Id ?? '')) continue;
        if (archivedIds.has(f.Id)) this.result.archived++;
        else this.result.imported++;
      }
    }
  }
}

/**
 * Imports the report's findings into Security Hub, per account and region in batches of 100, and
 * archives our earlier findings this run shows resolved. Findings go to their own account only
 * (the default product takes no other): a live finding of another account is an error entry.
 */
export async function exportToSecurityHub(report: ScanReport, options: ExportOptions = {}): Promise<ExportResult> {
  const errors: ExportEntry[] = [];
  const notes: ExportEntry[] = [];
  const now = options.now ?? (() => new Date());
  const hasScanFindings = report.findings.some((f) => !liveIdentityOf(f)) || report.run?.command === 'scan';
  if (options.region !== undefined && !REGION_NAME.test(options.region)) throw new ExportSetupError(`--region '${printable(options.region).slice(0, 40)}' is not an AWS region name`);
  const region = options.region ?? (await configuredRegion(options.profile));
  if (hasScanFindings && !region) {
    throw new ExportSetupError("a scan's findings have no region of their own: give --region (or AWS_REGION, or the profile's region) for the Security Hub they go to");
  }
  const homeRegion = region ?? report.findings.map(liveIdentityOf).find((l) => l && REGION_NAME.test(l.region))?.region ?? 'us-east-1';
  const factory = new AwsClientFactory({ endpoint: options.endpoint, profile: options.profile, maxSockets: CONCURRENCY * 2 });
  const call = limitCalls(CONCURRENCY, CALL_TIMEOUT_MS, new AbortController().signal);
  try {
    const credentials: AwsCredentials = callerCredentialChain(options.profile);
    try {
      await loadCallerCredentials(credentials, options.profile, call);
    } catch (e) {
      throw new ExportSetupError((e as Error).message);
    }
    let caller: string;
    try {
      const identity = await call((abortSignal) => factory.sts(homeRegion, credentials).send(new GetCallerIdentityCommand({}), { abortSignal }));
      if (!identity.Account) throw new Error('GetCallerIdentity returned no account');
      caller = identity.Account;
    } catch (e) {
      throw new ExportSetupError(`${EXPORT_ACTIONS.getCallerIdentity}: ${shownError(e)}`);
    }
    if (!report.run) notes.push({ message: 'the report has no run (written before 0.2): its findings are imported, none archived (what it evaluated is unknown)' });
    const targets = plan(report, caller, region);
    const resolvable = resolvableTest(report, options.resolvedKeys ?? new Set());
    const runs: TargetRun[] = [];
    const others = new Map<string, { findings: number; regions: number }>();
    for (const t of [...targets.values()].sort((a, b) => (a.account + a.region < b.account + b.region ? -1 : 1))) {
      // A report file is input: its accounts and regions pick the endpoint, so only real names go further.
      if (!ACCOUNT_ID.test(t.account) || !REGION_NAME.test(t.region)) {
        errors.push({
          account: printable(t.account).slice(0, 40),
          region: printable(t.region).slice(0, 40),
          message: `${t.findings.length} finding(s) not imported, none archived: not an AWS account id and region name`,
        });
        continue;
      }
      if (t.account !== caller) {
        const other = others.get(t.account) ?? { findings: 0, regions: 0 };
        other.findings += t.findings.length;
        other.regions++;
        others.set(t.account, other);
        continue;
      }
      runs.push(new TargetRun(t, new SecurityHubClient(factory.config(t.region, credentials)), call, errors, notes, resolvable, now));
    }
    // One entry per other account (an organization's audit lists hundreds of account-regions).
    for (const [account, other] of others) {
      errors.push({
        account,
        message: `${other.findings} finding(s) in ${other.regions} region(s) not imported, none archived: account ${account} is not the caller's (${caller}); Security Hub takes a finding only from its own account: run the export with credentials of ${account} (--profile)`,
      });
    }
    await Promise.all(runs.map((r) => r.run()));
    return { targets: runs.map((r) => r.result), errors, notes };
  } finally {
    factory.destroy();
  }
}
