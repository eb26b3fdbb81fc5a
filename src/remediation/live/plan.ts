// `remediate plan`: reads a live notebook instance and works out its replacement in a VPC subnet
// with direct internet access disabled. Only reads; everything AWS would reject is refused here,
// before `apply` makes any mutating call.
import {
  DescribeNotebookInstanceLifecycleConfigCommand,
  paginateListTags,
  type CreateNotebookInstanceInput,
  type DescribeNotebookInstanceOutput,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { Resource } from '../../model/resource';
import { rule as notebookRule } from '../../rules/sagemaker-004/rule';
import { describeLive, isoTime, liveResourceOf, LiveIdError, NOTEBOOK_INSTANCES, parseSageMakerArn } from '../../sources/aws/registry';
import { awsErrorCode, describeAwsError } from '../../sources/aws/errors';
import type { Connection, LiveClients, PlanConnection } from './clients';
import { planBackup, type BackupPlan, type SourceLifecycleScripts } from './backup-plan';

/** A refusal: what AWS would reject, or what would be unsafe, found before any mutating call. */
export class RemediationRefused extends Error {
  override name = 'RemediationRefused';
  constructor(readonly reasons: string[]) {
    super(reasons.length === 1 ? reasons[0]! : `remediation refused:\n${reasons.map((r) => `  - ${r}`).join('\n')}`);
  }
}

/** Every step a notebook plan can hold, in the order they run. */
export const NOTEBOOK_STEP_IDS = [
  'create-backup-lifecycle-config',
  'stop-source-for-backup',
  'attach-backup-lifecycle-config',
  'start-source-for-backup',
  'wait-backup-marker',
  'stop-source-after-backup',
  'create-restore-lifecycle-config',
  'create-replacement',
  'reattach-source-lifecycle-config',
  'stop-source',
  'delete-source',
] as const;

export type StepId = (typeof NOTEBOOK_STEP_IDS)[number];

export interface PlannedStep {
  id: StepId;
  title: string;
}

/** The tag that marks a replacement as ours, so a resumed run can tell it from a name collision. */
export const REMEDIATED_FROM_TAG = 'cloudconform:remediated-from';

export interface NotebookRemediationPlan {
  version: 1;
  kind: 'notebook';
  createdAt: string;
  /** The region; never an endpoint, a profile or credentials. */
  connection: PlanConnection;
  account: string;
  source: {
    name: string;
    arn: string;
    /** As described when planned (ISO): a notebook re-created under the name has another. */
    creationTime: string;
    status: string;
    /** As described (absent means AWS's default, Enabled). */
    directInternetAccess?: string;
    subnetId?: string;
    lifecycleConfigName?: string;
  };
  /** The CreateNotebookInstance request, exactly as `apply` sends it. */
  replacement: CreateNotebookInstanceInput & { NotebookInstanceName: string; SubnetId: string; SecurityGroupIds: string[] };
  network: { subnetId: string; vpcId: string; securityGroupIds: string[] };
  deleteSource: boolean;
  backup?: BackupPlan;
  /** What the replacement can't have from the source. */
  notCarriedOver: string[];
  warnings: string[];
  steps: PlannedStep[];
}

export interface NotebookPlanRequest {
  connection: Connection;
  notebookName: string;
  subnetId?: string;
  securityGroupIds?: string[];
  /** Default: `defaultReplacementName(notebookName)`. */
  newName?: string;
  deleteSource?: boolean;
  /** `s3://bucket/prefix`: copy the source's files to the replacement through S3. */
  backupTo?: string;
  /** How long to wait for the backup to complete (default 120). */
  backupTimeoutMinutes?: number;
}

const NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
export const MAX_NAME_LENGTH = 63;
const REPLACEMENT_SUFFIX = '-vpc';

/** `NAME-vpc`, shortening NAME so the result fits AWS's 63 characters. */
export function defaultReplacementName(sourceName: string): string {
  const base = sourceName.slice(0, MAX_NAME_LENGTH - REPLACEMENT_SUFFIX.length).replace(/-+$/, '');
  return `${base}${REPLACEMENT_SUFFIX}`;
}

/** Why `name` is not a valid notebook instance name, or undefined when it is. */
export function invalidNotebookName(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > MAX_NAME_LENGTH) return `it has ${name.length} characters, AWS allows ${MAX_NAME_LENGTH}`;
  if (!NAME_PATTERN.test(name)) return 'AWS allows letters, digits and single or repeated hyphens, starting and ending with a letter or digit';
  return undefined;
}

/** Reads the notebook and the network, refuses what AWS would reject, returns the plan. */
export async function planNotebookRemediation(clients: LiveClients, request: NotebookPlanRequest, now = new Date()): Promise<NotebookRemediationPlan> {
  const { connection, notebookName } = request;
  const refusals: string[] = [];
  const where = `in ${connection.region}`;

  let read: Awaited<ReturnType<typeof describeLive>>;
  try {
    // The caller's own account: describeLive takes it from the described ARN.
    read = await describeLive(NOTEBOOK_INSTANCES, clients.sageMaker, notebookName, { region: connection.region });
  } catch (e) {
    if (e instanceof LiveIdError) throw new RemediationRefused([e.message]);
    throw e;
  }
  if (read.state === 'gone') throw new RemediationRefused([`there is no notebook instance named '${notebookName}' ${where}`]);
  if (read.state === 'failed') throw new Error(`could not read notebook instance '${notebookName}' ${where}: ${describeAwsError(read.error)}`);
  const described = read.described as DescribeNotebookInstanceOutput;
  const arn = described.NotebookInstanceArn ?? '';
  const account = read.resource.live?.account ?? '';
  const status = described.NotebookInstanceStatus ?? 'unknown';

  const verdict = notebookRule.check(new Resource(read.resource));
  if (verdict.result === 'pass') refusals.push(`'${notebookName}' already passes ${notebookRule.meta.id} (${verdict.message}): nothing to remediate`);
  else if (verdict.result !== 'fail') refusals.push(`'${notebookName}': ${notebookRule.meta.id} can't be decided (${verdict.message}): nothing is changed on a guess`);
  // What resume checks the source against before it stops or deletes anything.
  const creationTime = isoTime(described.CreationTime);
  if (!account) refusals.push(`'${notebookName}' has no readable ARN (${JSON.stringify(arn)}): its account can't be known`);
  if (!creationTime) refusals.push(`'${notebookName}' has no CreationTime in DescribeNotebookInstance: it could not be told from a notebook re-created under its name`);
  if (['Deleting', 'Stopping', 'Updating'].includes(status)) refusals.push(`'${notebookName}' is ${status}: wait until it is InService or Stopped, then plan again`);

  const newName = request.newName ?? defaultReplacementName(notebookName);
  const badName = invalidNotebookName(newName);
  if (badName) refusals.push(`the new name '${newName}' is not valid: ${badName}`);
  else if (newName === notebookName) refusals.push(`the new name must differ from '${notebookName}': both exist until the source is deleted`);
  else if (await notebookExists(clients, newName)) {
    refusals.push(`a notebook instance named '${newName}' already exists ${where}: choose another name with --new-name`);
  }

  const network = await checkNetwork(clients, request.subnetId, request.securityGroupIds ?? [], refusals);

  let tags: Tag[] = [];
  try {
    for await (const page of paginateListTags({ client: clients.sageMaker }, { ResourceArn: arn })) tags.push(...(page.Tags ?? []));
  } catch (e) {
    throw new Error(`could not read the tags of '${notebookName}' (sagemaker:ListTags): ${describeAwsError(e)}`);
  }
  // `aws:` tags belong to AWS (CloudFormation, Service Catalog): they can't be set by a request.
  const reservedTags = tags.filter((t) => t.Key?.startsWith('aws:'));
  tags = tags.filter((t) => !t.Key?.startsWith('aws:') && t.Key !== REMEDIATED_FROM_TAG);

  const deleteSource = request.deleteSource ?? false;
  let backup: BackupPlan | undefined;
  if (request.backupTo !== undefined) {
    const scripts = await readLifecycleScripts(clients, described.NotebookInstanceLifecycleConfigName);
    try {
      backup = planBackup({ uri: request.backupTo, sourceName: notebookName, replacementName: newName, scripts, timeoutMinutes: request.backupTimeoutMinutes ?? 120 });
    } catch (e) {
      refusals.push(`--backup-to: ${(e as Error).message}`);
    }
    if (backup) {
      await checkBucket(clients, backup.bucket, refusals);
      for (const name of [backup.backupLifecycleConfigName, backup.restoreLifecycleConfigName]) {
        if (await lifecycleConfigExists(clients, name)) refusals.push(`a lifecycle configuration named '${name}' already exists ${where}: delete it, or choose another --new-name`);
      }
    }
  }

  if (refusals.length > 0 || !network) throw new RemediationRefused(refusals);

  const replacement: NotebookRemediationPlan['replacement'] = {
    NotebookInstanceName: newName,
    InstanceType: described.InstanceType,
    RoleArn: described.RoleArn,
    ...copied(described, ['KmsKeyId', 'VolumeSizeInGB', 'RootAccess', 'PlatformIdentifier', 'DefaultCodeRepository', 'IpAddressType']),
    ...(described.InstanceMetadataServiceConfiguration?.MinimumInstanceMetadataServiceVersion
      ? { InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: described.InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion } }
      : {}),
    ...(described.AdditionalCodeRepositories?.length ? { AdditionalCodeRepositories: [...described.AdditionalCodeRepositories] } : {}),
    ...(described.AcceleratorTypes?.length ? { AcceleratorTypes: [...described.AcceleratorTypes] } : {}),
    ...(backup
      ? { LifecycleConfigName: backup.restoreLifecycleConfigName }
      : described.NotebookInstanceLifecycleConfigName
        ? { LifecycleConfigName: described.NotebookInstanceLifecycleConfigName }
        : {}),
    SubnetId: network.subnetId,
    SecurityGroupIds: network.securityGroupIds,
    Tags: [...tags.map((t) => ({ Key: t.Key!, Value: t.Value ?? '' })), { Key: REMEDIATED_FROM_TAG, Value: notebookName }],
  };
  // The rule's desired state decides what is set (DirectInternetAccess: Disabled).
  for (const { property, value } of notebookRule.desired!.set) (replacement as unknown as Record<string, unknown>)[property] = value;

  const plan: NotebookRemediationPlan = {
    version: 1,
    kind: 'notebook',
    createdAt: now.toISOString(),
    connection: { region: connection.region },
    account,
    source: {
      name: notebookName,
      arn,
      creationTime: creationTime!,
      status,
      ...(described.DirectInternetAccess ? { directInternetAccess: described.DirectInternetAccess } : {}),
      ...(described.SubnetId ? { subnetId: described.SubnetId } : {}),
      ...(described.NotebookInstanceLifecycleConfigName ? { lifecycleConfigName: described.NotebookInstanceLifecycleConfigName } : {}),
    },
    replacement,
    network,
    deleteSource,
    ...(backup ? { backup } : {}),
    notCarriedOver: notCarriedOver(notebookName, newName, described, reservedTags, backup),
    warnings: warnings(notebookName, deleteSource, backup),
    steps: plannedSteps(notebookName, newName, deleteSource, backup),
  };
  return plan;
}

// The remediation steps import it from here; it lives with the describes (respond uses it too).
export { isoTime };

/**
 * Why the notebook described now is not the source that was planned, or undefined when it is: the
 * same ARN (so the same account, region and name), the same CreationTime (not deleted and
 * re-created under the name since), and still failing the rule (nothing to remediate otherwise).
 */
export function sourceMismatch(plan: NotebookRemediationPlan, described: DescribeNotebookInstanceOutput): string | undefined {
  const { name, arn, creationTime } = plan.source;
  const prefix = `'${name}' is not the notebook that was planned:`;
  if (described.NotebookInstanceArn !== arn) return `${prefix} its ARN is ${described.NotebookInstanceArn ?? '(none)'}, the plan's ${arn}`;
  const now = isoTime(described.CreationTime);
  if (now !== creationTime) return `${prefix} it was created ${now ?? 'at an unknown time'}, the planned one ${creationTime} (deleted and re-created under its name since the plan)`;
  const verdict = notebookRule.check(new Resource(liveResourceOf(NOTEBOOK_INSTANCES, described, { account: parseSageMakerArn(arn)?.account ?? '', region: plan.connection.region }, { known: { arn, name } })));
  if (verdict.result !== 'fail') return `'${name}' no longer fails ${notebookRule.meta.id} (${verdict.result}: ${verdict.message}): nothing is left to remediate`;
  return undefined;
}

function copied<K extends keyof DescribeNotebookInstanceOutput>(described: DescribeNotebookInstanceOutput, keys: K[]): Partial<Pick<DescribeNotebookInstanceOutput, K>> {
  const out: Partial<Pick<DescribeNotebookInstanceOutput, K>> = {};
  for (const key of keys) if (described[key] !== undefined && described[key] !== null) out[key] = described[key];
  return out;
}

async function notebookExists(clients: LiveClients, name: string): Promise<boolean> {
  try {
    await NOTEBOOK_INSTANCES.describeById(clients.sageMaker, name);
    return true;
  } catch (e) {
    if (NOTEBOOK_INSTANCES.isGone(e)) return false;
    throw new Error(`could not check whether notebook instance '${name}' exists: ${describeAwsError(e)}`);
  }
}

async function lifecycleConfigExists(clients: LiveClients, name: string): Promise<boolean> {
  try {
    await clients.sageMaker.send(new DescribeNotebookInstanceLifecycleConfigCommand({ NotebookInstanceLifecycleConfigName: name }));
    return true;
  } catch (e) {
    if (awsErrorCode(e) === 'ValidationException' && /does not exist/i.test(String((e as Error).message))) return false;
    throw new Error(`could not check whether lifecycle configuration '${name}' exists: ${describeAwsError(e)}`);
  }
}

async function readLifecycleScripts(clients: LiveClients, name: string | undefined): Promise<SourceLifecycleScripts> {
  if (!name) return {};
  try {
    const lc = await clients.sageMaker.send(new DescribeNotebookInstanceLifecycleConfigCommand({ NotebookInstanceLifecycleConfigName: name }));
    const decode = (hooks: { Content?: string }[] | undefined) => (hooks?.[0]?.Content ? Buffer.from(hooks[0].Content, 'base64').toString('utf8') : undefined);
    const onCreate = decode(lc.OnCreate);
    const onStart = decode(lc.OnStart);
    return { name, ...(onCreate !== undefined ? { onCreate } : {}), ...(onStart !== undefined ? { onStart } : {}) };
  } catch (e) {
    throw new Error(`could not read lifecycle configuration '${name}' of the source notebook: ${describeAwsError(e)}`);
  }
}

async function checkBucket(clients: LiveClients, bucket: string, refusals: string[]): Promise<void> {
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (e) {
    const code = awsErrorCode(e);
    if (code === 'NotFound' || code === 'NoSuchBucket') refusals.push(`--backup-to: bucket '${bucket}' does not exist`);
    else refusals.push(`--backup-to: bucket '${bucket}' can't be read: ${describeAwsError(e)}`);
  }
}

/**
 * The subnet and security groups: they must exist and be in one VPC (AWS rejects a notebook whose
 * groups belong to another VPC than its subnet). Returns undefined after adding refusals.
 */
async function checkNetwork(
  clients: LiveClients,
  subnetId: string | undefined,
  securityGroupIds: string[],
  refusals: string[],
): Promise<NotebookRemediationPlan['network'] | undefined> {
  const before = refusals.length;
  if (!subnetId) refusals.push('no subnet given (--subnet-id): AWS accepts DirectInternetAccess Disabled only for a notebook in a VPC subnet');
  if (securityGroupIds.length === 0) refusals.push("no security groups given (--security-group-ids): without them the VPC's default group would apply");
  if (securityGroupIds.length > 5) refusals.push(`${securityGroupIds.length} security groups given: a notebook instance takes at most 5`);
  let vpcId: string | undefined;
  if (subnetId) {
    try {
      const out = await clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
      vpcId = out.Subnets?.[0]?.VpcId;
      if (!vpcId) refusals.push(`subnet '${subnetId}' was not found`);
    } catch (e) {
      if (/NotFound|Malformed/i.test(awsErrorCode(e))) refusals.push(`subnet '${subnetId}' does not exist (${describeAwsError(e)})`);
      else throw new Error(`could not read subnet '${subnetId}' (ec2:DescribeSubnets): ${describeAwsError(e)}`);
    }
  }
  await checkSecurityGroups(clients, securityGroupIds, vpcId, "the subnet's VPC", refusals);
  if (refusals.length > before || !subnetId || !vpcId) return undefined;
  return { subnetId, vpcId, securityGroupIds: [...securityGroupIds] };
}

/**
 * Adds a refusal for each group that does not exist, or is not in `vpcId` (`vpcRole` says whose
 * VPC it is: "the subnet's VPC"); with no `vpcId` known, only existence is checked.
 */
export async function checkSecurityGroups(clients: LiveClients, securityGroupIds: string[], vpcId: string | undefined, vpcRole: string, refusals: string[]): Promise<void> {
  if (securityGroupIds.length === 0) return;
  try {
    const out = await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: securityGroupIds }));
    const found = new Map((out.SecurityGroups ?? []).map((g) => [g.GroupId, g.VpcId]));
    for (const id of securityGroupIds) {
      if (!found.has(id)) refusals.push(`security group '${id}' does not exist`);
      else if (vpcId && found.get(id) !== vpcId) refusals.push(`security group '${id}' is in ${found.get(id)}, not in ${vpcRole} ${vpcId}`);
    }
  } catch (e) {
    if (/NotFound|Malformed/i.test(awsErrorCode(e))) refusals.push(`security groups ${securityGroupIds.join(', ')}: ${describeAwsError(e)}`);
    else throw new Error(`could not read security groups (ec2:DescribeSecurityGroups): ${describeAwsError(e)}`);
  }
}

function notCarriedOver(
  sourceName: string,
  newName: string,
  described: DescribeNotebookInstanceOutput,
  reservedTags: Tag[],
  backup: BackupPlan | undefined,
): string[] {
  const out = [
    backup
      ? `The ML storage volume itself: the files under /home/ec2-user/SageMaker are copied through ${backup.uri} and restored on '${newName}' when it is created; anything else on the volume is not`
      : `The data on the ML storage volume (/home/ec2-user/SageMaker, ${described.VolumeSizeInGB ?? 5} GB): the new notebook starts with an empty volume`,
    `The name, ARN and URL: the replacement is '${newName}' with its own ARN and URL (${described.Url ?? 'no URL yet'} stops working when '${sourceName}' is deleted)`,
    'The network interface: the replacement gets a new one in the given subnet',
    'Presigned URLs, open Jupyter sessions and running kernels',
    'Software installed outside /home/ec2-user/SageMaker (conda environments, system packages): only a lifecycle configuration brings it back',
    `History: CloudWatch logs and CloudTrail events stay under '${sourceName}'`,
  ];
  if (reservedTags.length > 0) out.push(`Tags reserved to AWS (${reservedTags.map((t) => t.Key).join(', ')}): requests can't set aws: tags`);
  if (backup && described.NotebookInstanceLifecycleConfigName) {
    out.push(`The lifecycle configuration '${described.NotebookInstanceLifecycleConfigName}': the replacement gets '${backup.restoreLifecycleConfigName}', which runs its scripts and then restores the files`);
  }
  return out;
}

function warnings(sourceName: string, deleteSource: boolean, backup: BackupPlan | undefined): string[] {
  if (!deleteSource) return [`'${sourceName}' is kept (no --delete-source): delete it yourself once the replacement works; its volume's data is lost when it is deleted.`];
  if (backup) {
    return [
      `'${sourceName}' is stopped and started once for the backup, then deleted after its replacement is InService.`,
      `Data on '${sourceName}''s ML storage volume outside /home/ec2-user/SageMaker is lost when it is deleted.`,
    ];
  }
  return [`Data on '${sourceName}''s ML storage volume is LOST when it is deleted (no --backup-to): copy what you need first.`];
}

function plannedSteps(sourceName: string, newName: string, deleteSource: boolean, backup: BackupPlan | undefined): PlannedStep[] {
  const steps: PlannedStep[] = [];
  if (backup) {
    steps.push(
      { id: 'create-backup-lifecycle-config', title: `create lifecycle configuration '${backup.backupLifecycleConfigName}' (copies /home/ec2-user/SageMaker to ${backup.uri} on start)` },
      { id: 'stop-source-for-backup', title: `stop '${sourceName}' (if running) and wait until Stopped` },
      { id: 'attach-backup-lifecycle-config', title: `attach '${backup.backupLifecycleConfigName}' to '${sourceName}'` },
      { id: 'start-source-for-backup', title: `start '${sourceName}' and wait until InService` },
      { id: 'wait-backup-marker', title: `wait for s3://${backup.bucket}/${backup.markerKey} (the backup is complete; at most ${backup.timeoutMinutes} minutes)` },
      { id: 'stop-source-after-backup', title: `stop '${sourceName}' and wait until Stopped` },
      { id: 'create-restore-lifecycle-config', title: `create lifecycle configuration '${backup.restoreLifecycleConfigName}' (restores the files on the new notebook)` },
    );
  }
  steps.push({ id: 'create-replacement', title: `create '${newName}' (DirectInternetAccess Disabled, in the subnet) and wait until InService` });
  if (backup && !deleteSource) steps.push({ id: 'reattach-source-lifecycle-config', title: `give '${sourceName}' back its own lifecycle configuration` });
  if (deleteSource) {
    steps.push(
      { id: 'stop-source', title: `stop '${sourceName}' and wait until Stopped` },
      { id: 'delete-source', title: `delete '${sourceName}' and wait until it is gone` },
    );
  }
  return steps;
}
