import {
  DescribeDomainCommand,
  DescribeNotebookInstanceCommand,
  ListDomainsCommand,
  ListNotebookInstancesCommand,
  ListTagsCommand,
  type DomainDetails,
  type NotebookInstanceSummary,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { liveLocator } from '../../model/location';
import type { SourceResource } from '../../model/resource';
import type { ScanError, ScanNote } from '../source';
import { AUDIT_ACTIONS, type AuditAction } from './actions';
import { DeadlineError, type CallLimiter } from './clients';
import { describeAwsError, isRegionUnavailable, isResourceGone } from './errors';
import { listPages } from './paging';
import { liveResource, unreadableResource, type LiveResourceIdentity, type LiveTags } from './live-resource';

export const NOTEBOOK_INSTANCE_TYPE = 'AWS::SageMaker::NotebookInstance';
export const DOMAIN_TYPE = 'AWS::SageMaker::Domain';

/** The largest page the SageMaker List calls allow. */
const PAGE_SIZE = 100;

/** One kind of SageMaker resource: how to list it, name it and describe it. */
interface LiveKind<Summary> {
  type: string;
  /** For messages: `notebook instance`, `domain`. */
  label: string;
  /** For messages: `notebook instances`, `Studio domains`. */
  plural: string;
  listAction: AuditAction;
  describeAction: AuditAction;
  /** One list page (`token` absent for the first); `items` and the token of the next page. */
  page(client: SageMakerClient, token: string | undefined, abortSignal: AbortSignal): Promise<{ items: Summary[]; next?: string }>;
  identify(summary: Summary): { arn?: string; name?: string; status?: string };
  describe(client: SageMakerClient, summary: Summary, abortSignal: AbortSignal): Promise<object>;
  /** The status in the describe output, fresher than the list's. */
  describedStatus(described: object): string | undefined;
}

const NOTEBOOK_INSTANCES: LiveKind<NotebookInstanceSummary> = {
  type: NOTEBOOK_INSTANCE_TYPE,
  label: 'notebook instance',
  plural: 'notebook instances',
  listAction: AUDIT_ACTIONS.listNotebookInstances,
  describeAction: AUDIT_ACTIONS.describeNotebookInstance,
  // The list lacks the network fields (DirectInternetAccess, SubnetId): each needs a describe.
  page: async (client, NextToken, abortSignal) => {
    const out = await client.send(new ListNotebookInstancesCommand({ MaxResults: PAGE_SIZE, ...(NextToken ? { NextToken } : {}) }), { abortSignal });
    return { items: out.NotebookInstances ?? [], next: out.NextToken };
  },
  identify: (s) => ({ arn: s.NotebookInstanceArn, name: s.NotebookInstanceName, status: s.NotebookInstanceStatus }),
  describe: (client, s, abortSignal) => client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: s.NotebookInstanceName }), { abortSignal }),
  describedStatus: (d) => (d as { NotebookInstanceStatus?: string }).NotebookInstanceStatus,
};

const DOMAINS: LiveKind<DomainDetails> = {
  type: DOMAIN_TYPE,
  label: 'domain',
  plural: 'Studio domains',
  listAction: AUDIT_ACTIONS.listDomains,
  describeAction: AUDIT_ACTIONS.describeDomain,
  // ListDomains lacks AppNetworkAccessType.
  page: async (client, NextToken, abortSignal) => {
    const out = await client.send(new ListDomainsCommand({ MaxResults: PAGE_SIZE, ...(NextToken ? { NextToken } : {}) }), { abortSignal });
    return { items: out.Domains ?? [], next: out.NextToken };
  },
  identify: (s) => ({ arn: s.DomainArn, name: s.DomainName ?? s.DomainId, status: s.Status }),
  describe: (client, s, abortSignal) => client.send(new DescribeDomainCommand({ DomainId: s.DomainId }), { abortSignal }),
  describedStatus: (d) => (d as { Status?: string }).Status,
};

// LiveKind's members are methods, so each kind is a LiveKind<unknown> as far as auditKind cares.
const LIVE_KINDS: readonly LiveKind<unknown>[] = [NOTEBOOK_INSTANCES, DOMAINS];

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
  const { arn, name, status } = kind.identify(summary);
  const identity: LiveResourceIdentity = {
    type: kind.type,
    arn: arn ?? name ?? '(no ARN)',
    name: name ?? arn ?? '(no name)',
    ...(status ? { status } : {}),
    account: options.account,
    region: options.region,
  };
  let described: object;
  try {
    described = await options.overall((signal) => kind.describe(client, summary, signal));
  } catch (e) {
    if (isResourceGone(e)) {
      sink.note({
        account: options.account,
        region: options.region,
        message: `${kind.label} ${identity.name} was deleted during the audit and is left out (${describeAwsError(e)})`,
      });
      return 'done';
    }
    const message = describeAwsError(e);
    sink.resource(unreadableResource(identity, `${kind.describeAction.action} failed: ${message}`));
    if (isAuditDeadline(e)) return e;
    sink.error(errorEntry(options, kind.describeAction, `${identity.name}: ${message}`));
    return 'done';
  }
  const tags = options.tagTypes.has(kind.type) ? await readTags(client, identity, options, sink) : undefined;
  const freshStatus = kind.describedStatus(described);
  sink.resource(liveResource({ ...identity, ...(freshStatus ? { status: freshStatus } : {}) }, described, tags));
  return tags?.state === 'failed' && tags.deadline ? tags.deadline : 'done';
}

const isAuditDeadline = (e: unknown): e is DeadlineError => e instanceof DeadlineError && e.audit;

async function readTags(
  client: SageMakerClient,
  identity: LiveResourceIdentity,
  options: RegionAuditOptions,
  sink: RegionAuditSink,
): Promise<LiveTags & { deadline?: DeadlineError }> {
  const tags: { Key?: string; Value?: string }[] = [];
  try {
    const pages = listPages(
      (NextToken) => options.overall((abortSignal) => client.send(new ListTagsCommand({ ResourceArn: identity.arn, MaxResults: PAGE_SIZE, ...(NextToken ? { NextToken } : {}) }), { abortSignal })),
      (page) => page.NextToken,
    );
    for await (const page of pages) tags.push(...(page.Tags ?? []));
    return { state: 'read', tags };
  } catch (e) {
    const message = describeAwsError(e);
    const reason = `${AUDIT_ACTIONS.listTags.action} failed: ${message}`;
    // Without its tags, a tag exception can't apply: the finding stays unsuppressed, and the report says why.
    if (isAuditDeadline(e)) return { state: 'failed', reason, deadline: e };
    sink.error(errorEntry(options, AUDIT_ACTIONS.listTags, `${identity.name}: ${message}`));
    return { state: 'failed', reason };
  }
}

function errorEntry(options: RegionAuditOptions, action: AuditAction, message: string): ScanError {
  return { file: liveLocator(options.account, options.region), account: options.account, region: options.region, call: action.action, message };
}
