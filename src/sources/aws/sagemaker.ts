import {
  DescribeDomainCommand,
  DescribeNotebookInstanceCommand,
  paginateListDomains,
  paginateListNotebookInstances,
  paginateListTags,
  type DomainDetails,
  type NotebookInstanceSummary,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { liveLocator } from '../../model/location';
import type { SourceResource } from '../../model/resource';
import type { ScanError, ScanNote } from '../source';
import { AUDIT_ACTIONS, type AuditAction } from './actions';
import type { CallLimiter } from './clients';
import { describeAwsError, isRegionUnavailable, isResourceGone } from './errors';
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
  listAction: AuditAction;
  describeAction: AuditAction;
  pages(client: SageMakerClient): AsyncIterator<{ items: Summary[] }>;
  identify(summary: Summary): { arn?: string; name?: string; status?: string };
  describe(client: SageMakerClient, summary: Summary): Promise<object>;
  /** The status in the describe output, fresher than the list's. */
  describedStatus(described: object): string | undefined;
}

const NOTEBOOK_INSTANCES: LiveKind<NotebookInstanceSummary> = {
  type: NOTEBOOK_INSTANCE_TYPE,
  label: 'notebook instance',
  listAction: AUDIT_ACTIONS.listNotebookInstances,
  describeAction: AUDIT_ACTIONS.describeNotebookInstance,
  // The list lacks the network fields (DirectInternetAccess, SubnetId): each needs a describe.
  pages: (client) => mapPages(paginateListNotebookInstances({ client, pageSize: PAGE_SIZE }, {}), (p) => p.NotebookInstances),
  identify: (s) => ({ arn: s.NotebookInstanceArn, name: s.NotebookInstanceName, status: s.NotebookInstanceStatus }),
  describe: (client, s) => client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: s.NotebookInstanceName })),
  describedStatus: (d) => (d as { NotebookInstanceStatus?: string }).NotebookInstanceStatus,
};

const DOMAINS: LiveKind<DomainDetails> = {
  type: DOMAIN_TYPE,
  label: 'domain',
  listAction: AUDIT_ACTIONS.listDomains,
  describeAction: AUDIT_ACTIONS.describeDomain,
  // ListDomains lacks AppNetworkAccessType.
  pages: (client) => mapPages(paginateListDomains({ client, pageSize: PAGE_SIZE }, {}), (p) => p.Domains),
  identify: (s) => ({ arn: s.DomainArn, name: s.DomainName ?? s.DomainId, status: s.Status }),
  describe: (client, s) => client.send(new DescribeDomainCommand({ DomainId: s.DomainId })),
  describedStatus: (d) => (d as { Status?: string }).Status,
};

// LiveKind's members are methods, so each kind is a LiveKind<unknown> as far as auditKind cares.
const LIVE_KINDS: readonly LiveKind<unknown>[] = [NOTEBOOK_INSTANCES, DOMAINS];

async function* mapPages<Page, Item>(pages: AsyncIterable<Page>, items: (page: Page) => Item[] | undefined) {
  for await (const page of pages) yield { items: items(page) ?? [] };
}

export interface RegionAuditOptions {
  account: string;
  region: string;
  /** Resource types some rule reads; the others are not listed. */
  resourceTypes: ReadonlySet<string>;
  /** Types whose resources' tags some exception needs: ListTags for each of those resources. */
  tagTypes: ReadonlySet<string>;
  /** Bounds every call of the whole audit. */
  overall: CallLimiter;
  /** Bounds the describes (and tag reads) in flight in this account and region. */
  perRegion: CallLimiter;
}

/** Where a region's results go, as they arrive. */
export interface RegionAuditSink {
  resource(resource: SourceResource): void;
  /** Resources of a type seen in a list page (for progress). */
  listed(type: string, count: number): void;
  error(error: ScanError): void;
  note(note: ScanNote): void;
}

/**
 * Audits one account and region: every notebook instance and domain is listed, then described.
 * A List call that fails is an error entry for the region (what was listed before is kept); a
 * describe that fails gives an unknown resource and an error entry; a resource deleted meanwhile
 * is left out with a note; a region that does not accept the credentials is skipped with a note.
 */
export async function auditRegion(client: SageMakerClient, options: RegionAuditOptions, sink: RegionAuditSink): Promise<void> {
  const kinds = LIVE_KINDS.filter((kind) => options.resourceTypes.has(kind.type));
  const unavailable = (await Promise.all(kinds.map((kind) => auditKind(kind, client, options, sink)))).find((r) => r !== undefined);
  if (unavailable) {
    sink.note({
      account: options.account,
      region: options.region,
      message: `skipped: ${unavailable} (the region is probably not enabled for account ${options.account})`,
    });
  }
}

/** Lists and describes one kind; returns the reason when the region does not accept the credentials. */
async function auditKind<Summary>(
  kind: LiveKind<Summary>,
  client: SageMakerClient,
  options: RegionAuditOptions,
  sink: RegionAuditSink,
): Promise<string | undefined> {
  const pages = kind.pages(client);
  const described: Promise<void>[] = [];
  let listFailure: { error: unknown } | undefined;
  try {
    // Describes start while the next page is fetched; list calls don't wait behind them in the region.
    for (let page = await options.overall(() => pages.next()); !page.done; page = await options.overall(() => pages.next())) {
      sink.listed(kind.type, page.value.items.length);
      for (const summary of page.value.items) described.push(options.perRegion(() => describeOne(kind, client, summary, options, sink)));
    }
  } catch (error) {
    listFailure = { error };
  }
  await Promise.all(described);
  if (!listFailure) return undefined;
  if (isRegionUnavailable(listFailure.error) && described.length === 0) return describeAwsError(listFailure.error);
  const stopped = described.length > 0 ? ` (listing stopped after ${described.length} ${kind.label}s, which are reported)` : '';
  sink.error(errorEntry(options, kind.listAction, `${describeAwsError(listFailure.error)}${stopped}`));
  return undefined;
}

async function describeOne<Summary>(
  kind: LiveKind<Summary>,
  client: SageMakerClient,
  summary: Summary,
  options: RegionAuditOptions,
  sink: RegionAuditSink,
): Promise<void> {
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
    described = await options.overall(() => kind.describe(client, summary));
  } catch (e) {
    if (isResourceGone(e)) {
      sink.note({
        account: options.account,
        region: options.region,
        message: `${kind.label} ${identity.name} was deleted during the audit and is left out (${describeAwsError(e)})`,
      });
      return;
    }
    const message = describeAwsError(e);
    sink.error(errorEntry(options, kind.describeAction, `${identity.name}: ${message}`));
    sink.resource(unreadableResource(identity, `${kind.describeAction.action} failed: ${message}`));
    return;
  }
  const tags = options.tagTypes.has(kind.type) ? await readTags(client, identity, options, sink) : undefined;
  const freshStatus = kind.describedStatus(described);
  sink.resource(liveResource({ ...identity, ...(freshStatus ? { status: freshStatus } : {}) }, described, tags));
}

async function readTags(client: SageMakerClient, identity: LiveResourceIdentity, options: RegionAuditOptions, sink: RegionAuditSink): Promise<LiveTags> {
  const pages = paginateListTags({ client, pageSize: PAGE_SIZE }, { ResourceArn: identity.arn })[Symbol.asyncIterator]();
  const tags: { Key?: string; Value?: string }[] = [];
  try {
    for (let page = await options.overall(() => pages.next()); !page.done; page = await options.overall(() => pages.next())) {
      tags.push(...(page.value.Tags ?? []));
    }
    return { state: 'read', tags };
  } catch (e) {
    const message = describeAwsError(e);
    // Without its tags, a tag exception can't apply: the finding stays unsuppressed, and the report says why.
    sink.error(errorEntry(options, AUDIT_ACTIONS.listTags, `${identity.name}: ${message}`));
    return { state: 'failed', reason: `${AUDIT_ACTIONS.listTags.action} failed: ${message}` };
  }
}

function errorEntry(options: RegionAuditOptions, action: AuditAction, message: string): ScanError {
  return { file: liveLocator(options.account, options.region), account: options.account, region: options.region, call: action.action, message };
}
