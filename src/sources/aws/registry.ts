// The live resource kinds, one entry each: how to list a kind, describe one resource by its id (or
// ARN), name it, which API actions that takes (so `iam-policy` stays exact) and where the service
// offers it. The audit, the remediation plans and the event handler all go through here; a new live
// type is one more entry in LIVE_KINDS (and its actions in AUDIT_ACTIONS).
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
import type { SourceResource } from '../../model/resource';
import { printable } from '../../reporters/printable';
import { AUDIT_ACTIONS, type AuditAction } from './actions';
import type { CallLimiter } from './clients';
import { awsErrorCode, describeAwsError, isResourceGone } from './errors';
import { liveResource, unreadableResource, type LiveResourceIdentity, type LiveTags } from './live-resource';
import { listPages } from './paging';
import { notebookRegionsOffered, partitionOfRegion } from './regions';

export const NOTEBOOK_INSTANCE_TYPE = 'AWS::SageMaker::NotebookInstance';
export const DOMAIN_TYPE = 'AWS::SageMaker::Domain';

/** The largest page the SageMaker List calls allow. */
const PAGE_SIZE = 100;

/** What identifies a resource in a list answer or a describe answer. */
export interface LiveIdentity {
  arn?: string;
  name?: string;
  status?: string;
}

/** One live resource type: how to list it, describe it by id, name it, and where it is offered. */
export interface LiveKind<Summary = unknown> {
  /** CloudFormation type name (what the rules name). */
  type: string;
  /** For messages: `notebook instance`, `domain`. */
  label: string;
  /** For messages: `notebook instances`, `Studio domains`. */
  plural: string;
  /** For the audit's progress line: `notebooks`, `domains`. */
  progressLabel: string;
  /** The SDK client the calls go through (AwsClientFactory's method of that name). */
  client: 'sageMaker';
  /** The resource type in the kind's ARNs (`arn:…:sagemaker:REGION:ACCOUNT:notebook-instance/NAME`). */
  arnResource: string;
  listAction: AuditAction;
  describeAction: AuditAction;
  /** One list page (`token` absent for the first); `items` and the token of the next page. */
  page(client: SageMakerClient, token: string | undefined, signal: AbortSignal): Promise<{ items: Summary[]; next?: string }>;
  identify(summary: Summary): LiveIdentity;
  /** The id DescribeX takes for a listed resource (notebook name, domain id), if the list gave it. */
  listedId(summary: Summary): string | undefined;
  /** Why `id` can't be an id of this kind (AWS's pattern and length), or undefined when it can. */
  invalidId(id: string): string | undefined;
  /** The id DescribeX takes (notebook name, domain id) from an ARN of this kind, or undefined when the ARN is not one. */
  idFromArn(arn: string): string | undefined;
  /** The ARN AWS gives the resource of this id (for a resource that could not be described: its findings keep the key the audit's have). */
  arnOf(id: string, where: { partition: string; region: string; account: string }): string;
  /** DescribeX by id; throws like the SDK (`isGone` for a resource that does not exist). Check the id first (`invalidId`). */
  describeById(client: SageMakerClient, id: string, signal?: AbortSignal): Promise<object>;
  /** Identity in the describe answer (its status is fresher than the list's). */
  identifyDescribed(described: object): LiveIdentity;
  /** The error DescribeX answers for a resource that does not exist (deleted, or never created). */
  isGone(error: unknown): boolean;
  /** Regions where the service offers this kind, per partition (`aws`, `aws-cn`...). */
  regions(partition: string): readonly string[];
}

/** The longest ARN SageMaker takes (ResourceArn: max 256). */
const MAX_ARN = 256;
/** arn:PARTITION:sagemaker:REGION:ACCOUNT:RESOURCE/ID: anything else (other services, control characters, spaces) is not one of ours. */
const SAGEMAKER_ARN = /^arn:(aws(?:-[a-z]+)*):sagemaker:([a-z0-9-]+):(\d{12}):([a-z-]+)\/([!-~]+)$/;

export interface SageMakerArn {
  partition: string;
  region: string;
  account: string;
  /** `notebook-instance`, `domain`... */
  resource: string;
  /** What follows `resource/`, not checked against any kind's id pattern. */
  id: string;
}

/** The parts of a SageMaker ARN, or undefined when `arn` is not shaped like one (or longer than AWS allows). */
export function parseSageMakerArn(arn: string): SageMakerArn | undefined {
  if (typeof arn !== 'string' || arn.length > MAX_ARN) return undefined;
  const m = SAGEMAKER_ARN.exec(arn);
  return m ? { partition: m[1]!, region: m[2]!, account: m[3]!, resource: m[4]!, id: m[5]! } : undefined;
}

/** The id in an ARN of `resource`'s kind that passes the kind's pattern, else undefined (path traversal, junk). */
function idIn(arn: string, resource: string, invalidId: (id: string) => string | undefined): string | undefined {
  const parsed = parseSageMakerArn(arn);
  if (!parsed || parsed.resource !== resource) return undefined;
  return invalidId(parsed.id) === undefined ? parsed.id : undefined;
}

/** Why `id` does not match `pattern` within `max` characters, or undefined. */
function patternProblem(id: string, max: number, pattern: RegExp, what: string): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return `it is empty`;
  if (id.length > max) return `it has ${id.length} characters, AWS allows ${max}`;
  if (!pattern.test(id)) return `it is not ${what}`;
  return undefined;
}

const send = <T>(signal: AbortSignal | undefined, call: (options: { abortSignal?: AbortSignal }) => Promise<T>) => call(signal ? { abortSignal: signal } : {});

// NotebookInstanceName: `[a-zA-Z0-9](-*[a-zA-Z0-9])*`, at most 63 (the API model's pattern).
const NOTEBOOK_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const invalidNotebookId = (id: string) => patternProblem(id, 63, NOTEBOOK_NAME, 'a notebook instance name (letters, digits and hyphens)');

export const NOTEBOOK_INSTANCES: LiveKind<NotebookInstanceSummary> = {
  type: NOTEBOOK_INSTANCE_TYPE,
  label: 'notebook instance',
  plural: 'notebook instances',
  progressLabel: 'notebooks',
  client: 'sageMaker',
  arnResource: 'notebook-instance',
  listAction: AUDIT_ACTIONS.listNotebookInstances,
  describeAction: AUDIT_ACTIONS.describeNotebookInstance,
  // The list lacks the network fields (DirectInternetAccess, SubnetId): each needs a describe.
  page: async (client, NextToken, abortSignal) => {
    const out = await client.send(new ListNotebookInstancesCommand({ MaxResults: PAGE_SIZE, ...(NextToken ? { NextToken } : {}) }), { abortSignal });
    return { items: out.NotebookInstances ?? [], next: out.NextToken };
  },
  identify: (s) => ({ arn: s.NotebookInstanceArn, name: s.NotebookInstanceName, status: s.NotebookInstanceStatus }),
  listedId: (s) => s.NotebookInstanceName,
  invalidId: invalidNotebookId,
  // AWS writes the name LOWER-CASED in the notebook's ARN (`…:notebook-instance/mynotebook` for
  // `MyNotebook`), while DescribeNotebookInstance takes the name as created: when an event gives the
  // name (requestParameters.notebookInstanceName), describe by that name, not by the ARN's.
  idFromArn: (arn) => idIn(arn, 'notebook-instance', invalidNotebookId),
  arnOf: (name, w) => `arn:${w.partition}:sagemaker:${w.region}:${w.account}:notebook-instance/${name.toLowerCase()}`,
  describeById: (client, NotebookInstanceName, signal) => send(signal, (o) => client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName }), o)),
  identifyDescribed: (d) => {
    const { NotebookInstanceArn, NotebookInstanceName, NotebookInstanceStatus } = d as { NotebookInstanceArn?: string; NotebookInstanceName?: string; NotebookInstanceStatus?: string };
    return { arn: NotebookInstanceArn, name: NotebookInstanceName, status: NotebookInstanceStatus };
  },
  // AWS and moto: ValidationException "RecordNotFound".
  isGone: isResourceGone,
  regions: notebookRegionsOffered,
};

// DomainId: `d-(-*[a-z0-9]){1,61}`, at most 63.
const DOMAIN_ID = /^d-(-*[a-z0-9]){1,61}$/;
const invalidDomainId = (id: string) => patternProblem(id, 63, DOMAIN_ID, 'a Studio domain id (d-xxxxxxxxxxxx)');

/** A missing domain: AWS answers ResourceNotFound; moto a ValidationException "Could not find domain". */
export function isDomainGone(e: unknown): boolean {
  const code = awsErrorCode(e);
  if (code === 'ResourceNotFound' || code === 'ResourceNotFoundException') return true;
  return code === 'ValidationException' && /could not find|not found|does not exist/i.test(String((e as Error)?.message ?? ''));
}

export const DOMAINS: LiveKind<DomainDetails> = {
  type: DOMAIN_TYPE,
  label: 'domain',
  plural: 'Studio domains',
  progressLabel: 'domains',
  client: 'sageMaker',
  arnResource: 'domain',
  listAction: AUDIT_ACTIONS.listDomains,
  describeAction: AUDIT_ACTIONS.describeDomain,
  // ListDomains lacks AppNetworkAccessType.
  page: async (client, NextToken, abortSignal) => {
    const out = await client.send(new ListDomainsCommand({ MaxResults: PAGE_SIZE, ...(NextToken ? { NextToken } : {}) }), { abortSignal });
    return { items: out.Domains ?? [], next: out.NextToken };
  },
  identify: (s) => ({ arn: s.DomainArn, name: s.DomainName ?? s.DomainId, status: s.Status }),
  listedId: (s) => s.DomainId,
  invalidId: invalidDomainId,
  idFromArn: (arn) => idIn(arn, 'domain', invalidDomainId),
  arnOf: (id, w) => `arn:${w.partition}:sagemaker:${w.region}:${w.account}:domain/${id}`,
  describeById: (client, DomainId, signal) => send(signal, (o) => client.send(new DescribeDomainCommand({ DomainId }), o)),
  identifyDescribed: (d) => {
    const { DomainArn, DomainName, DomainId, Status } = d as { DomainArn?: string; DomainName?: string; DomainId?: string; Status?: string };
    return { arn: DomainArn, name: DomainName ?? DomainId, status: Status };
  },
  isGone: isDomainGone,
  // Studio is offered where notebook instances are, as far as the audit has ever needed to know.
  regions: notebookRegionsOffered,
};

// The members are methods, so each kind is a LiveKind<unknown> as far as its callers care.
export const LIVE_KINDS: readonly LiveKind[] = [NOTEBOOK_INSTANCES, DOMAINS];

/**
 * A described time (CreationTime: a Date from the SDK, text or epoch from elsewhere) as ISO text;
 * undefined when absent or not a time. What tells a resource from one re-created under its id.
 */
export function isoTime(value: unknown): string | undefined {
  const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  return date && Number.isFinite(date.getTime()) ? date.toISOString() : undefined;
}

/** The kind of a CloudFormation type name, or undefined when it is not a live kind. */
export function liveKind(type: string): LiveKind | undefined {
  return LIVE_KINDS.find((k) => k.type === type);
}

/** Regions of the partition where some live kind is offered: the audit's candidate regions. */
export function liveRegions(partition: string): string[] {
  return [...new Set(LIVE_KINDS.flatMap((k) => k.regions(partition)))].sort();
}

/** The kind whose ARNs look like `arn` (and whose id in it is valid), or undefined. */
export function liveKindOfArn(arn: string): LiveKind | undefined {
  return LIVE_KINDS.find((k) => k.idFromArn(arn) !== undefined);
}

/**
 * An id or ARN refused before any call: not shaped like the kind's ids, an ARN of another kind,
 * service, partition, region or account, or malformed. The message quotes the id escaped and cut.
 */
export class LiveIdError extends Error {
  override name = 'InvalidLiveId';
}

/** An id as a message quotes it: control characters escaped, cut when long. */
export function shownId(id: string): string {
  const text = String(id);
  return text.length > 80 ? `'${printable(text.slice(0, 80))}…' (${text.length} characters)` : `'${printable(text)}'`;
}

/** Where the resource is: its region, and the account when known (absent: the account in the described ARN). */
export interface LiveWhere {
  account?: string;
  region: string;
}

/**
 * The id DescribeX takes for `id` (an id of the kind, or an ARN of the kind in `where`'s partition,
 * region and account); throws LiveIdError otherwise, so nothing is sent for junk.
 */
export function resolveLiveId(kind: LiveKind, id: string, where: LiveWhere): string {
  if (typeof id !== 'string') throw new LiveIdError(`a ${kind.label} id must be text`);
  if (id.startsWith('arn:')) {
    const arn = parseSageMakerArn(id);
    if (!arn) throw new LiveIdError(`${shownId(id)} is not a SageMaker ARN (arn:PARTITION:sagemaker:REGION:ACCOUNT:${kind.arnResource}/ID, at most ${MAX_ARN} characters)`);
    if (arn.resource !== kind.arnResource) throw new LiveIdError(`${shownId(id)} is the ARN of a ${printable(arn.resource)}, not of a ${kind.label}`);
    const problem = kind.invalidId(arn.id);
    if (problem) throw new LiveIdError(`${shownId(id)}: the ${kind.label} id in it is not valid (${problem})`);
    const partition = partitionOfRegion(where.region);
    if (arn.partition !== partition) throw new LiveIdError(`${shownId(id)} is in partition ${arn.partition}, not in ${partition} of region ${where.region}`);
    if (arn.region !== where.region) throw new LiveIdError(`${shownId(id)} is in region ${arn.region}, not in ${where.region}`);
    if (where.account !== undefined && arn.account !== where.account) throw new LiveIdError(`${shownId(id)} is in account ${arn.account}, not in ${where.account}`);
    return arn.id;
  }
  const problem = kind.invalidId(id);
  if (problem) throw new LiveIdError(`${shownId(id)} is not a valid ${kind.label} id: ${problem}`);
  return id;
}

/**
 * The resource as the engine sees it, from a describe answer (no call): identity from `known` (the
 * list's, when the resource was listed), else the answer's, with the answer's status (fresher).
 * The account is `where.account`, else the one in the ARN ('' when none is readable).
 */
export function liveResourceOf(kind: LiveKind, described: object, where: LiveWhere, opts: { known?: LiveIdentity; id?: string; tags?: LiveTags } = {}): SourceResource {
  return liveResource(identityOf(kind, where, opts.known, kind.identifyDescribed(described), opts.id), described, opts.tags);
}

/** A resource of the kind that could not be described: every property unknown, with `reason`. */
export function unreadableLive(kind: LiveKind, where: LiveWhere, known: LiveIdentity, reason: string): SourceResource {
  return unreadableResource(identityOf(kind, where, known, undefined, undefined), reason);
}

function identityOf(kind: LiveKind, where: LiveWhere, known: LiveIdentity | undefined, described: LiveIdentity | undefined, id: string | undefined): LiveResourceIdentity {
  const arn = known?.arn ?? described?.arn;
  const name = known?.name ?? described?.name ?? id;
  const status = described?.status ?? known?.status;
  return {
    type: kind.type,
    arn: arn ?? name ?? '(no ARN)',
    name: name ?? arn ?? '(no name)',
    ...(status ? { status } : {}),
    account: where.account ?? (arn ? parseSageMakerArn(arn)?.account : undefined) ?? '',
    region: where.region,
  };
}

export type DescribeLiveResult =
  /** `tagsError`: ListTags failed (the resource's Tags are unknown, with the reason). */
  | { state: 'found'; resource: SourceResource; described: object; tagsError?: unknown }
  /** The describe answered that the resource does not exist (`kind.isGone`). */
  | { state: 'gone'; message: string }
  /** The describe failed otherwise: every property is unknown. */
  | { state: 'failed'; resource: SourceResource; error: unknown };

/** Calls with no limiter: a fresh signal that never aborts. */
const direct: CallLimiter = (fn) => fn(new AbortController().signal);

/**
 * THE one "describe one resource by id and normalise it" (audit, remediation plans, events).
 * `id` is the kind's id (notebook name, domain id) or an ARN of the kind in `where`; anything else
 * (another kind, partition, region or account, a malformed or oversized id) is refused with a
 * LiveIdError before any call. `opts.tags` reads its tags (ListTags); `opts.call` runs each call
 * within a limiter's concurrency and deadlines; `opts.known` is what a list call said of it.
 */
export async function describeLive(
  kind: LiveKind,
  client: SageMakerClient,
  id: string,
  where: LiveWhere,
  opts: { tags?: boolean; call?: CallLimiter; known?: LiveIdentity } = {},
): Promise<DescribeLiveResult> {
  const describeId = resolveLiveId(kind, id, where);
  const call = opts.call ?? direct;
  const idArn = id.startsWith('arn:') ? id : undefined;
  const known: LiveIdentity | undefined = opts.known ?? (idArn ? { arn: idArn } : undefined);
  let described: object;
  try {
    described = await call((signal) => kind.describeById(client, describeId, signal));
  } catch (error) {
    if (kind.isGone(error)) return { state: 'gone', message: describeAwsError(error) };
    // Not described, named by id: under the ARN AWS gives it, so its unknown finding is keyed as the audit's would be.
    const arn = known ? undefined : where.account !== undefined ? kind.arnOf(describeId, { partition: partitionOfRegion(where.region), region: where.region, account: where.account }) : undefined;
    const identity = identityOf(kind, where, known ?? (arn ? { arn, name: describeId } : undefined), undefined, describeId);
    return { state: 'failed', resource: unreadableResource(identity, `${kind.describeAction.action} failed: ${describeAwsError(error)}`), error };
  }
  if (idArn !== undefined && where.account === undefined) {
    // The account was not known beforehand (the caller's own): the ARN's account is checked against
    // the answer's, or another account's ARN would label the caller's resource of the same id.
    const answered = parseSageMakerArn(kind.identifyDescribed(described).arn ?? '')?.account;
    const given = parseSageMakerArn(idArn)?.account;
    if (answered !== given) {
      throw new LiveIdError(`${shownId(id)} is in account ${given}, but the ${kind.label} of that id these credentials read is in ${answered ? `account ${answered}` : 'an account its answer does not say'}`);
    }
  }
  const identity = identityOf(kind, where, known, kind.identifyDescribed(described), describeId);
  if (!opts.tags) return { state: 'found', resource: liveResource(identity, described), described };
  const tags = await readTags(client, identity.arn, call);
  return {
    state: 'found',
    resource: liveResource(identity, described, tags.tags),
    described,
    ...(tags.error !== undefined ? { tagsError: tags.error } : {}),
  };
}

/** Every tag of the resource (ListTags, every page); a failure is kept as Tags unknown with the reason. */
async function readTags(client: SageMakerClient, arn: string, call: CallLimiter): Promise<{ tags: LiveTags; error?: unknown }> {
  const tags: { Key?: string; Value?: string }[] = [];
  try {
    const pages = listPages(
      (NextToken) => call((abortSignal) => client.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: PAGE_SIZE, ...(NextToken ? { NextToken } : {}) }), { abortSignal })),
      (page) => page.NextToken,
    );
    for await (const page of pages) tags.push(...(page.Tags ?? []));
    return { tags: { state: 'read', tags } };
  } catch (error) {
    // Without its tags, a tag exception can't apply: the finding stays unsuppressed, and the report says why.
    return { tags: { state: 'failed', reason: `${AUDIT_ACTIONS.listTags.action} failed: ${describeAwsError(error)}` }, error };
  }
}
