// `remediate plan --domain`: reads a live Studio domain and works out the UpdateDomain request
// that switches it to VpcOnly (SageMaker-005's desired state). Only reads; what AWS would reject
// is refused here, before `apply` makes any mutating call. The apps that would make UpdateDomain
// fail (any InService, Pending or Deleting) are listed; `apply` waits for them or deletes them.
import { paginateListApps, type AppDetails, type DescribeDomainResponse, type UpdateDomainRequest } from '@aws-sdk/client-sagemaker';
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { Resource } from '../../model/resource';
import { rule as domainRule } from '../../rules/sagemaker-005/rule';
import { describeLive, DOMAINS, isDomainGone, liveResourceOf, LiveIdError, parseSageMakerArn } from '../../sources/aws/registry';
import { awsErrorCode, describeAwsError } from '../../sources/aws/errors';
import type { Connection, LiveClients, PlanConnection } from './clients';
import { checkSecurityGroups, isoTime, RemediationRefused } from './plan';

/** App statuses in which UpdateDomain refuses to change AppNetworkAccessType. */
export const BLOCKING_APP_STATUSES: readonly string[] = ['InService', 'Pending', 'Deleting'];

/** A Studio app that blocks the switch: its owner (user profile or space), type and name. */
export interface StudioApp {
  userProfileName?: string;
  spaceName?: string;
  appType: string;
  appName: string;
  status: string;
}

/** `user-profile alice / JupyterServer default (InService)` */
export function describeApp(app: StudioApp): string {
  const owner = app.spaceName !== undefined ? `space ${app.spaceName}` : `user profile ${app.userProfileName ?? '(none)'}`;
  return `${owner} / ${app.appType} ${app.appName} (${app.status})`;
}

/** The identity of an app, for comparing lists. */
export function appKey(app: Pick<StudioApp, 'userProfileName' | 'spaceName' | 'appType' | 'appName'>): string {
  return [app.userProfileName ?? '', app.spaceName ?? '', app.appType, app.appName].join('/');
}

/** What `apply` does about apps that block the switch. */
export type BlockingAppsPolicy =
  /** Refuse (before any change) while any app blocks. */
  | { mode: 'refuse' }
  /** Poll ListApps until none blocks, at most `minutes`. */
  | { mode: 'wait'; minutes: number }
  /** DeleteApp each app the plan listed, then wait until they are gone, at most `minutes`. */
  | { mode: 'delete'; minutes: number };

/** Every step a domain plan can hold, in the order they run. */
export const DOMAIN_STEP_IDS = ['delete-apps', 'wait-apps-stopped', 'update-domain', 'wait-domain-vpc-only'] as const;

export type DomainStepId = (typeof DOMAIN_STEP_IDS)[number];

export interface DomainPlannedStep {
  id: DomainStepId;
  title: string;
}

export interface DomainRemediationPlan {
  version: 1;
  kind: 'domain';
  createdAt: string;
  /** The region; never an endpoint, a profile or credentials. */
  connection: PlanConnection;
  account: string;
  domain: {
    id: string;
    name: string;
    arn: string;
    /** As described when planned (ISO): resume checks the domain against it. */
    creationTime: string;
    status: string;
    /** As described (absent means AWS's default, PublicInternetOnly). */
    appNetworkAccessType?: string;
    vpcId: string;
    subnetIds: string[];
    /** DefaultUserSettings.SecurityGroups as described. */
    securityGroups: string[];
  };
  /** The UpdateDomain request, exactly as `apply` sends it. */
  update: UpdateDomainRequest & { DomainId: string; AppNetworkAccessType: 'VpcOnly' };
  network: { vpcId: string; subnetIds: string[]; securityGroupIds: string[] };
  /** The apps that blocked the switch when the plan was made. */
  blockingApps: StudioApp[];
  apps: BlockingAppsPolicy;
  /** What the domain's VPC must provide once Studio traffic goes through it. */
  vpcOnlyNeeds: string[];
  warnings: string[];
  steps: DomainPlannedStep[];
}

export interface DomainPlanRequest {
  connection: Connection;
  domainId: string;
  /** DefaultUserSettings.SecurityGroups to set; default: the domain's own. */
  securityGroupIds?: string[];
  /** Subnets to set (in the domain's VPC); default: the domain's own. */
  subnetIds?: string[];
  /** Default: refuse while apps block. */
  apps?: BlockingAppsPolicy;
}

/** UserSettings.SecurityGroups takes at most 5. */
const MAX_SECURITY_GROUPS = 5;
/** Statuses in which the domain can't be updated now (Update_Failed can be updated again). */
const BUSY_STATUSES = ['Pending', 'Updating', 'Deleting', 'Failed', 'Delete_Failed'];

export { isDomainGone };

/** DescribeDomain (the registry's), or undefined when the domain does not exist. */
export async function describeDomain(clients: LiveClients, domainId: string): Promise<DescribeDomainResponse | undefined> {
  try {
    return (await DOMAINS.describeById(clients.sageMaker, domainId)) as DescribeDomainResponse;
  } catch (e) {
    if (DOMAINS.isGone(e)) return undefined;
    throw e;
  }
}

/** Every app of the domain that ListApps returns (every page), with its status. */
export async function listDomainApps(clients: LiveClients, domainId: string): Promise<StudioApp[]> {
  const apps: StudioApp[] = [];
  for await (const page of paginateListApps({ client: clients.sageMaker }, { DomainIdEquals: domainId })) {
    for (const app of page.Apps ?? []) if (app.DomainId === undefined || app.DomainId === domainId) apps.push(studioApp(app));
  }
  return apps;
}

/** The apps that make UpdateDomain refuse the switch. */
export function blockingApps(apps: StudioApp[]): StudioApp[] {
  return apps.filter((a) => BLOCKING_APP_STATUSES.includes(a.status));
}

function studioApp(app: AppDetails): StudioApp {
  return {
    ...(app.UserProfileName ? { userProfileName: app.UserProfileName } : {}),
    ...(app.SpaceName ? { spaceName: app.SpaceName } : {}),
    appType: app.AppType ?? 'unknown',
    appName: app.AppName ?? 'unknown',
    status: app.Status ?? 'unknown',
  };
}

/** Reads the domain, its apps and the network, refuses what AWS would reject, returns the plan. */
export async function planDomainRemediation(clients: LiveClients, request: DomainPlanRequest, now = new Date()): Promise<DomainRemediationPlan> {
  const { connection, domainId } = request;
  const where = `in ${connection.region}`;
  const refusals: string[] = [];

  let read: Awaited<ReturnType<typeof describeLive>>;
  try {
    // The caller's own account: describeLive takes it from the described ARN.
    read = await describeLive(DOMAINS, clients.sageMaker, domainId, { region: connection.region });
  } catch (e) {
    if (e instanceof LiveIdError) throw new RemediationRefused([`${e.message} (ids look like d-xxxxxxxxxxxx: aws sagemaker list-domains)`]);
    throw e;
  }
  if (read.state === 'gone') throw new RemediationRefused([`there is no Studio domain with id '${domainId}' ${where} (ids look like d-xxxxxxxxxxxx: aws sagemaker list-domains)`]);
  if (read.state === 'failed') throw new Error(`could not read Studio domain '${domainId}' ${where} (sagemaker:DescribeDomain): ${describeAwsError(read.error)}`);
  const described = read.described as DescribeDomainResponse;

  const arn = described.DomainArn ?? '';
  const account = read.resource.live?.account ?? '';
  const status = described.Status ?? 'unknown';
  const name = described.DomainName ?? domainId;

  const verdict = domainRule.check(new Resource(read.resource));
  if (verdict.result === 'pass') refusals.push(`domain '${domainId}' (${name}) already passes ${domainRule.meta.id} (${verdict.message}): nothing to remediate`);
  else if (verdict.result !== 'fail') refusals.push(`domain '${domainId}': ${domainRule.meta.id} can't be decided (${verdict.message}): nothing is changed on a guess`);
  const creationTime = isoTime(described.CreationTime);
  if (!account) refusals.push(`domain '${domainId}' has no readable ARN (${JSON.stringify(arn)}): its account can't be known`);
  if (!creationTime) refusals.push(`domain '${domainId}' has no CreationTime in DescribeDomain: resume could not tell it from another domain`);
  if (BUSY_STATUSES.includes(status)) refusals.push(`domain '${domainId}' is ${status}: wait until it is InService, then plan again`);

  const rstudioRole = described.DomainSettings?.RStudioServerProDomainSettings?.DomainExecutionRoleArn;
  if (rstudioRole) {
    refusals.push(
      `domain '${domainId}' has an RStudio DomainExecutionRoleArn (${rstudioRole}): AWS does not change AppNetworkAccessType of such a domain; re-create it as VpcOnly instead`,
    );
  }

  const network = await checkDomainNetwork(clients, described, request, refusals);
  if (refusals.length > 0 || !network) throw new RemediationRefused(refusals);

  let blocking: StudioApp[];
  try {
    blocking = blockingApps(await listDomainApps(clients, domainId));
  } catch (e) {
    throw new Error(`could not list the apps of domain '${domainId}' (sagemaker:ListApps): ${describeAwsError(e)}`);
  }

  const update: DomainRemediationPlan['update'] = { DomainId: domainId, AppNetworkAccessType: 'VpcOnly' };
  // The rule's desired state decides what is set (AppNetworkAccessType: VpcOnly).
  for (const { property, value } of domainRule.desired!.set) (update as unknown as Record<string, unknown>)[property] = value;
  const describedGroups = described.DefaultUserSettings?.SecurityGroups ?? [];
  // Only what changes is sent: UpdateDomain keeps the DefaultUserSettings fields it is not given.
  if (!sameList(network.securityGroupIds, describedGroups)) update.DefaultUserSettings = { SecurityGroups: network.securityGroupIds };
  if (!sameList(network.subnetIds, described.SubnetIds ?? [])) update.SubnetIds = network.subnetIds;

  const apps = request.apps ?? { mode: 'refuse' };
  return {
    version: 1,
    kind: 'domain',
    createdAt: now.toISOString(),
    connection: { region: connection.region },
    account,
    domain: {
      id: domainId,
      name,
      arn,
      creationTime: creationTime!,
      status,
      ...(described.AppNetworkAccessType ? { appNetworkAccessType: described.AppNetworkAccessType } : {}),
      vpcId: network.vpcId,
      subnetIds: [...(described.SubnetIds ?? [])],
      securityGroups: [...describedGroups],
    },
    update,
    network,
    blockingApps: blocking,
    apps,
    vpcOnlyNeeds: vpcOnlyNeeds(connection.region, network),
    warnings: domainWarnings(domainId, blocking, apps),
    steps: domainSteps(domainId, blocking, apps),
  };
}

/**
 * Why the domain described now is not the one that was planned, or undefined when it is: the same
 * DomainArn and CreationTime and, unless `switched` (our own UpdateDomain went through), still
 * failing the rule.
 */
export function domainMismatch(plan: DomainRemediationPlan, described: DescribeDomainResponse, opts: { mustFail: boolean }): string | undefined {
  const { id, arn, creationTime } = plan.domain;
  const prefix = `domain '${id}' is not the domain that was planned:`;
  if (described.DomainArn !== arn) return `${prefix} its ARN is ${described.DomainArn ?? '(none)'}, the plan's ${arn}`;
  const now = isoTime(described.CreationTime);
  if (now !== creationTime) return `${prefix} it was created ${now ?? 'at an unknown time'}, the planned one ${creationTime}`;
  if (!opts.mustFail) return undefined;
  const where = { account: parseSageMakerArn(arn)?.account ?? '', region: plan.connection.region };
  const verdict = domainRule.check(new Resource(liveResourceOf(DOMAINS, described, where, { known: { arn, name: described.DomainName ?? id } })));
  if (verdict.result === 'pass') return `domain '${id}' already passes ${domainRule.meta.id} (${verdict.message}): switched by someone else since the plan; nothing is changed`;
  if (verdict.result !== 'fail') return `domain '${id}': ${domainRule.meta.id} can't be decided now (${verdict.message}): nothing is changed on a guess`;
  return undefined;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}

/**
 * SageMaker-005's required VPC settings: the domain's VpcId and SubnetIds (always there for a
 * domain; `--subnet-ids` must be in that VPC), and security groups for the apps
 * (DefaultUserSettings.SecurityGroups, the domain's or `--security-group-ids`) in that VPC.
 * Returns undefined after adding refusals.
 */
async function checkDomainNetwork(
  clients: LiveClients,
  described: DescribeDomainResponse,
  request: DomainPlanRequest,
  refusals: string[],
): Promise<DomainRemediationPlan['network'] | undefined> {
  const before = refusals.length;
  const vpcId = described.VpcId;
  const subnetIds = request.subnetIds?.length ? [...request.subnetIds] : [...(described.SubnetIds ?? [])];
  const securityGroupIds = request.securityGroupIds?.length ? [...request.securityGroupIds] : [...(described.DefaultUserSettings?.SecurityGroups ?? [])];
  const values: Record<string, unknown> = { VpcId: vpcId, SubnetIds: subnetIds, 'DefaultUserSettings.SecurityGroups': securityGroupIds };
  const options: Record<string, string> = { 'vpc-id': 'the VPC of a domain cannot be changed', 'subnet-ids': '--subnet-ids', 'security-group-ids': '--security-group-ids', 'subnet-id': '--subnet-ids' };
  for (const required of domainRule.desired!.require) {
    const value = values[required.property];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
      refusals.push(`${required.property} (${required.description}) is not set on the domain and not given (${options[required.input] ?? required.input}): AWS requires it for VpcOnly`);
    }
  }
  if (securityGroupIds.length > MAX_SECURITY_GROUPS) refusals.push(`${securityGroupIds.length} security groups given: DefaultUserSettings takes at most ${MAX_SECURITY_GROUPS}`);
  if (!vpcId) return undefined;

  if (request.subnetIds?.length) {
    try {
      const out = await clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: request.subnetIds }));
      const found = new Map((out.Subnets ?? []).map((s) => [s.SubnetId, s.VpcId]));
      for (const id of request.subnetIds) {
        if (!found.has(id)) refusals.push(`subnet '${id}' does not exist`);
        else if (found.get(id) !== vpcId) refusals.push(`subnet '${id}' is in ${found.get(id)}, not in the domain's VPC ${vpcId}`);
      }
    } catch (e) {
      if (/NotFound|Malformed/i.test(awsErrorCode(e))) refusals.push(`subnets ${request.subnetIds.join(', ')}: ${describeAwsError(e)}`);
      else throw new Error(`could not read subnets (ec2:DescribeSubnets): ${describeAwsError(e)}`);
    }
  }
  await checkSecurityGroups(clients, securityGroupIds, vpcId, "the domain's VPC", refusals);
  if (refusals.length > before) return undefined;
  return { vpcId, subnetIds, securityGroupIds };
}

/** What Studio apps need from the VPC once they reach nothing outside it by themselves. */
function vpcOnlyNeeds(region: string, network: DomainRemediationPlan['network']): string[] {
  return [
    `Studio apps reach the internet and AWS APIs only through VPC ${network.vpcId} (subnets ${network.subnetIds.join(', ')}): a NAT gateway route, or VPC endpoints for each AWS service they use`,
    `Interface endpoints: SageMaker API (com.amazonaws.${region}.sagemaker.api), SageMaker runtime (com.amazonaws.${region}.sagemaker.runtime), Studio (aws.sagemaker.${region}.studio), STS (com.amazonaws.${region}.sts), CloudWatch Logs (com.amazonaws.${region}.logs)`,
    `S3 (a gateway endpoint com.amazonaws.${region}.s3), and any other service the notebooks call (ECR for custom images, KMS, Secrets Manager, CodeCommit...); pip and conda need a NAT gateway or a mirror in the VPC`,
    `Security groups ${network.securityGroupIds.join(', ')}: NFS (TCP 2049) to the domain's EFS volume, and TCP 8192-65535 between the apps (the group to itself)`,
    'Enough free IP addresses in the subnets: one per running app instance',
  ];
}

function domainWarnings(domainId: string, blocking: StudioApp[], apps: BlockingAppsPolicy): string[] {
  const out = [`Once '${domainId}' is VpcOnly, Studio apps have no internet access except through the VPC: check the needs above before applying.`];
  if (blocking.length > 0) {
    if (apps.mode === 'delete') {
      out.push(
        `${blocking.length} running Studio app(s) of users will be DELETED (--delete-apps): open notebooks, running kernels and terminals are lost; files in home directories and spaces are kept.`,
      );
    } else if (apps.mode === 'wait') {
      out.push(`${blocking.length} Studio app(s) block the switch: apply waits up to ${apps.minutes} minutes for their users to stop them.`);
    } else {
      out.push(
        `${blocking.length} Studio app(s) block the switch: apply refuses until they are stopped; use --wait-for-apps to wait for them, or --delete-apps to delete them.`,
      );
    }
  }
  return out;
}

function domainSteps(domainId: string, blocking: StudioApp[], apps: BlockingAppsPolicy): DomainPlannedStep[] {
  const steps: DomainPlannedStep[] = [];
  if (apps.mode === 'delete' && blocking.length > 0) {
    steps.push({ id: 'delete-apps', title: `delete the ${blocking.length} Studio app(s) listed in the plan (DeleteApp)` });
  }
  if (apps.mode !== 'refuse') {
    steps.push({ id: 'wait-apps-stopped', title: `wait until no app of '${domainId}' is InService, Pending or Deleting (at most ${apps.minutes} minutes)` });
  }
  steps.push(
    { id: 'update-domain', title: `switch '${domainId}' to AppNetworkAccessType VpcOnly (UpdateDomain)` },
    { id: 'wait-domain-vpc-only', title: `wait until '${domainId}' is InService and described as VpcOnly` },
  );
  return steps;
}
