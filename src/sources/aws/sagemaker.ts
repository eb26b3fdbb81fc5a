import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { liveLocator } from '../../model/location';
import type { SourceResource } from '../../model/resource';
import type { ScanError, ScanNote } from '../source';
import { AUDIT_ACTIONS, type AuditAction } from './actions';
import { DeadlineError, type CallLimiter } from './clients';
import { describeAwsError, isRegionUnavailable } from './errors';
import { listPages } from './paging';
import { describeLive, LIVE_KINDS, LiveIdError, unreadableLive, type DescribeLiveResult, type LiveKind } from './registry';

export { DOMAIN_TYPE, NOTEBOOK_INSTANCE_TYPE } from './registry';

export interface RegionAuditOptions {
  account: string;
  region: string;
  /** Resource types some rule reads; the others are not listed. */
  resourceTypes: ReadonlySet<string>;
  /** Types whose resources' tags some exception needs: ListTags for each of those resources. */
  tagTypes: ReadonlySet<string>;
  /**
   * The region is known to be enabled for the account (DescribeRegions listed it) or the user named
   * it: a list call it rejects (UnrecognizedClientException) is an error. Otherwise (tried because
   * the enabled regions could not be listed) a region rejecting every list call is noted as skipped.
   */
  expected: boolean;
  /** Bounds every call of the whole audit, with its deadlines. */
  overall: CallLimiter;
  /** Bounds the describes (and tag reads) in flight in this account and region. */
  perRegion: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** Where a region's results go, as they arrive. */
export interface RegionAuditSink {
  resource(resource: SourceResource): void;
  /** Resources of a type seen in a list page (for progress). */
  listed(type: string, count: number): void;
  error(error: ScanError): void;
  note(note: ScanNote): void;
  /** The region rejected the credentials and was not expected to work: skipped (the audit notes it, one line per account). */
  skipped(account: string, region: string, error: unknown): void;
  /** Every resource of the type in the region was listed (each then reported, as read or unknown): the history may resolve there. */
  completed?(account: string, region: string, type: string): void;
}

/**
 * Audits one account and region: every notebook instance and domain is listed, then described.
 * A List call that fails is an error entry naming what was not read (what was listed before is
 * kept); a describe that fails gives an unknown resource and an error entry; a resource deleted
 * meanwhile is left out with a note. A region that rejects the credentials is an error when it is
 * `expected`, else (every list call rejected) a note saying it was skipped.
 */
export async function auditRegion(client: SageMakerClient, options: RegionAuditOptions, sink: RegionAuditSink): Promise<void> {
  const kinds = LIVE_KINDS.filter((kind) => options.resourceTypes.has(kind.type));
  const failures = await Promise.all(kinds.map((kind) => auditKind(kind, client, options, sink)));
  // Skipped only when nothing shows the region works for these credentials: no list call succeeded.
  const skipped = !options.expected && failures.length > 0 && failures.every((f) => f?.unavailable);
  if (skipped) {
    sink.skipped(options.account, options.region, failures[0]!.error);
    return;
  }
  for (const failure of failures) if (failure) sink.error(failure.entry);
}

interface ListFailure {
  error: unknown;
  /** The region rejected the credentials, and nothing was listed. */
  unavailable: boolean;
  entry: ScanError;
}

/** Lists and describes one kind; returns how its listing failed, if it did (the caller decides: error or note). */
async function auditKind<Summary>(
  kind: LiveKind<Summary>,
  client: SageMakerClient,
  options: RegionAuditOptions,
  sink: RegionAuditSink,
): Promise<ListFailure | undefined> {
  const pages = listPages(
    (token) => options.overall((signal) => kind.page(client, token, signal)),
    (page) => page.next,
  );
  const described: Promise<DescribeOutcome>[] = [];
  // A page answered twice (a repeated token, before the loop is seen) must not report its resources twice.
  const seen = new Set<string>();
  let listFailure: unknown;
  let failed = false;
  try {
    // Describes start while the next page is fetched; list calls don't wait behind them in the region.
    for await (const page of pages) {
      const before = described.length;
      for (const summary of page.items) {
        const { arn, name } = kind.identify(summary);
        const key = arn ?? name;
        if (key !== undefined && seen.has(key)) continue;
        if (key !== undefined) seen.add(key);
        described.push(options.perRegion(() => describeOne(kind, client, summary, options, sink)));
      }
      sink.listed(kind.type, described.length - before);
    }
  } catch (error) {
    listFailure = error;
    failed = true;
  }
  const outcomes = await Promise.all(described);
  // The audit's deadline: one entry for the resources it left undescribed (each is unknown), not one each.
  const timedOut = outcomes.filter((o) => o !== 'done');
  if (timedOut.length > 0) {
    const what = timedOut.length === 1 ? kind.label : kind.plural;
    sink.error(errorEntry(options, kind.describeAction, `${timedOut.length} ${what} not fully read (unknown, or tags unread): ${describeAwsError(timedOut[0])}`));
  }
  if (!failed) {
    sink.completed?.(options.account, options.region, kind.type);
    return undefined;
  }
  const what =
    described.length > 0
      ? `${kind.plural} in ${options.region} not all listed: ${describeAwsError(listFailure)} (listing stopped after ${described.length} ${kind.plural}, which are reported)`
      : `${kind.plural} not read in ${options.region}: ${describeAwsError(listFailure)}`;
  return {
    error: listFailure,
    unavailable: isRegionUnavailable(listFailure) && described.length === 0,
    entry: errorEntry(options, kind.listAction, what),
  };
}

/** `done`, or the audit's deadline error that stopped the describe (reported once per kind and region). */
type DescribeOutcome = 'done' | DeadlineError;

async function describeOne<Summary>(
  kind: LiveKind<Summary>,
  client: SageMakerClient,
  summary: Summary,
  options: RegionAuditOptions,
  sink: RegionAuditSink,
): Promise<DescribeOutcome> {
  const known = kind.identify(summary);
  const where = { account: options.account, region: options.region };
  const shown = known.name ?? known.arn ?? '(no name)';
  let out: DescribeLiveResult;
  try {
    // By the list's id (else its ARN); the list's identity names the resource in the report.
    out = await describeLive(kind, client, kind.listedId(summary) ?? known.arn ?? '', where, { tags: options.tagTypes.has(kind.type), call: options.overall, known });
  } catch (e) {
    if (!(e instanceof LiveIdError)) throw e;
    // The list answered an id DescribeX can't take: nothing is sent, the resource is unknown with why.
    sink.resource(unreadableLive(kind, where, known, `not described: ${e.message}`));
    sink.error(errorEntry(options, kind.describeAction, `${shown}: not described: ${e.message}`));
    return 'done';
  }
  if (out.state === 'gone') {
    sink.note({ account: options.account, region: options.region, message: `${kind.label} ${shown} was deleted during the audit and is left out (${out.message})` });
    return 'done';
  }
  sink.resource(out.resource);
  if (out.state === 'failed') {
    if (isAuditDeadline(out.error)) return out.error;
    sink.error(errorEntry(options, kind.describeAction, `${shown}: ${describeAwsError(out.error)}`));
    return 'done';
  }
  if (out.tagsError === undefined) return 'done';
  // Without its tags, a tag exception can't apply: the finding stays unsuppressed, and the report says why.
  if (isAuditDeadline(out.tagsError)) return out.tagsError;
  sink.error(errorEntry(options, AUDIT_ACTIONS.listTags, `${shown}: ${describeAwsError(out.tagsError)}`));
  return 'done';
}

const isAuditDeadline = (e: unknown): e is DeadlineError => e instanceof DeadlineError && e.audit;

function errorEntry(options: RegionAuditOptions, action: AuditAction, message: string): ScanError {
  return { file: liveLocator(options.account, options.region), account: options.account, region: options.region, call: action.action, message };
}
