// Shared by the `remediate` integration tests: each file's moto and fault proxy, the network and
// source notebooks seeded in moto through the SDK, the run's clients through the fault proxy, and
// checks on the proxy's log.
import { before, after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, CreateVpcCommand, CreateSubnetCommand, CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
import {
  SageMakerClient,
  CreateDomainCommand,
  CreateNotebookInstanceCommand,
  CreateNotebookInstanceLifecycleConfigCommand,
  DescribeNotebookInstanceCommand,
  ListTagsCommand,
  StopNotebookInstanceCommand,
  type DescribeNotebookInstanceOutput,
} from '@aws-sdk/client-sagemaker';
import type { WaitSettings } from '../../src/remediation/live/step-runner';
import type { CommandIo } from '../../src/cli/remediate-command';
import { makeLiveClients, type LiveClients } from '../../src/remediation/live/clients';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { NotebookPlanRequest } from '../../src/remediation/live/plan';
import { useAwsTestEnv } from './audit-helpers';
import { startMoto, type MotoServer } from './moto-server';
import { RespondError, startFaultProxy, type CallInfo, type FaultProxy, type LoggedCall } from './fault-proxy';
import { clientConfig, MOTO_DEFAULT_ACCOUNT, TEST_CREDENTIALS } from './seed';

export const REGION = 'us-east-1';
export const ROLE_ARN = `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT}:role/notebook-execution`;
export const KMS_KEY = `arn:aws:kms:${REGION}:${MOTO_DEFAULT_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** Waiters poll fast against moto, which changes states at once. */
export const FAST_WAITS: WaitSettings = { minDelay: 0.05, maxDelay: 0.2, maxWaitTime: 30 };

export interface TestNetwork {
  vpcId: string;
  subnetId: string;
  securityGroupIds: string[];
  /** A security group in another VPC: AWS rejects it for the subnet. */
  otherVpcSecurityGroupId: string;
}

export async function seedNetwork(endpoint: string): Promise<TestNetwork> {
  const ec2 = new EC2Client(clientConfig(endpoint, REGION));
  try {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.10.0.0/16' }))).Vpc!.VpcId!;
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.10.1.0/24' }))).Subnet!.SubnetId!;
    const sg1 = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'notebooks', Description: 'notebooks', VpcId: vpcId }))).GroupId!;
    const sg2 = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'egress-proxy', Description: 'egress', VpcId: vpcId }))).GroupId!;
    const otherVpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    const other = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'elsewhere', Description: 'other vpc', VpcId: otherVpc }))).GroupId!;
    return { vpcId, subnetId, securityGroupIds: [sg1, sg2], otherVpcSecurityGroupId: other };
  } finally {
    ec2.destroy();
  }
}

/** What a `remediate` test file runs against: filled in by its `before` hook. */
export interface RemediateTestEnv {
  moto: MotoServer;
  /** In front of moto; the run's clients go through it. */
  proxy: FaultProxy;
  network: TestNetwork;
  clients: LiveClients;
  /** A temp directory for journals and emitted files. */
  dir: string;
}

/**
 * Registers the test file's `before` (the test AWS environment, moto, the fault proxy, the
 * seeded network, the run's clients, a temp dir, then the file's own `setUp`) and `after` (all of
 * it stopped) hooks. The file's set-up goes through here: Node 20 runs a file's top-level
 * `before` hooks concurrently, so a second one could not count on this one.
 */
export function useRemediateTestEnv(opts: { logAnswers?: boolean; setUp?: (env: RemediateTestEnv) => Promise<void> } = {}): RemediateTestEnv {
  const env = {} as RemediateTestEnv;
  before(async () => {
    useAwsTestEnv();
    env.moto = await startMoto();
    env.proxy = await startFaultProxy({ target: env.moto.endpoint, ...(opts.logAnswers ? { logAnswers: true } : {}) });
    env.network = await seedNetwork(env.moto.endpoint);
    env.clients = runClients(env.proxy);
    env.dir = tempDir();
    // Journals are signed with a key of the test's own, never the user's (~/.local/state).
    process.env.CLOUDCONFORM_JOURNAL_KEY_FILE = join(env.dir, 'journal.key');
    await opts.setUp?.(env);
  });
  after(async () => {
    env.clients?.destroy();
    await env.proxy?.stop();
    await env.moto?.stop();
    if (env.dir) rmSync(env.dir, { recursive: true, force: true });
  });
  return env;
}

/**
 * What DescribeNotebookInstance returns on AWS but moto 5.2.5 does not keep: the proxy adds them
 * to the source's describe answer, so the test sees whether the plan copies them.
 */
export const FIELDS_MOTO_DROPS = {
  PlatformIdentifier: 'notebook-al2-v2',
  InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: '2' },
  IpAddressType: 'ipv4',
};

/** A source notebook with every copyable setting, direct internet access Enabled, in no subnet. */
export async function createSourceNotebook(
  endpoint: string,
  proxy: FaultProxy,
  name: string,
  opts: { stopped?: boolean; compliantIn?: TestNetwork; lifecycleConfig?: boolean } = {},
): Promise<void> {
  const sm = new SageMakerClient(clientConfig(endpoint, REGION));
  try {
    const lifecycleConfigName = `${name}-lc`;
    if (opts.lifecycleConfig !== false) {
      await sm.send(
        new CreateNotebookInstanceLifecycleConfigCommand({
          NotebookInstanceLifecycleConfigName: lifecycleConfigName,
          OnStart: [{ Content: Buffer.from('#!/bin/bash\necho started\n').toString('base64') }],
        }),
      );
    }
    await sm.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: name,
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE_ARN,
        KmsKeyId: KMS_KEY,
        VolumeSizeInGB: 20,
        RootAccess: 'Disabled',
        ...(opts.lifecycleConfig !== false ? { LifecycleConfigName: lifecycleConfigName } : {}),
        DefaultCodeRepository: 'https://github.com/example/analysis.git',
        AdditionalCodeRepositories: ['https://github.com/example/shared.git'],
        AcceleratorTypes: ['ml.eia2.medium'],
        Tags: [
          { Key: 'team', Value: 'ml-research' },
          { Key: 'cost-center', Value: '4242' },
        ],
        ...(opts.compliantIn
          ? { DirectInternetAccess: 'Disabled', SubnetId: opts.compliantIn.subnetId, SecurityGroupIds: opts.compliantIn.securityGroupIds }
          : { DirectInternetAccess: 'Enabled' }),
      }),
    );
    if (opts.stopped) await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: name }));
  } finally {
    sm.destroy();
  }
  proxy.addRule({
    fault: 'rewrite',
    action: 'DescribeNotebookInstance',
    params: { NotebookInstanceName: name },
    rewrite: (answer) => ({ ...answer, ...FIELDS_MOTO_DROPS }),
  });
}

/** The run's clients, through the proxy, with the test credentials from the environment. */
export function runClients(proxy: FaultProxy): LiveClients {
  return makeLiveClients({ region: REGION, endpointUrl: proxy.endpoint }, TEST_CREDENTIALS);
}

/** moto's own view (not through the proxy): undefined when the notebook does not exist. */
export async function motoNotebook(endpoint: string, name: string): Promise<(DescribeNotebookInstanceOutput & { tags: Record<string, string> }) | undefined> {
  const sm = new SageMakerClient(clientConfig(endpoint, REGION));
  try {
    const nb = await sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }));
    const tags = await sm.send(new ListTagsCommand({ ResourceArn: nb.NotebookInstanceArn }));
    return { ...nb, tags: Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key!, t.Value!])) };
  } catch (e) {
    if (/RecordNotFound/.test(String((e as Error).message))) return undefined;
    throw e;
  }
} 

const READ_ACTION = /^(Describe|List|Get|Head)/;

/** Calls that change something (anything but Describe/List/Get/Head). */
export function mutatingCalls(log: LoggedCall[]): LoggedCall[] {
  return log.filter((c) => !READ_ACTION.test(c.action));
}

/** Calls of `action` on the notebook `name`. */
export function callsOn(log: LoggedCall[], action: string, name: string): LoggedCall[] {
  return log.filter((c) => c.action === action && c.params.NotebookInstanceName === name);
}

/**
 * The source is never stopped or deleted before its replacement was seen InService: every
 * Stop/Delete of the source comes after a describe of the replacement that answered InService.
 * Returns the problems found.
 */
export function sourceTouchedBeforeReplacementInService(log: LoggedCall[], source: string, replacement: string): string[] {
  const firstInService = log.findIndex(
    (c) => c.action === 'DescribeNotebookInstance' && c.params.NotebookInstanceName === replacement && c.answer?.NotebookInstanceStatus === 'InService',
  );
  const problems: string[] = [];
  log.forEach((c, i) => {
    if ((c.action === 'StopNotebookInstance' || c.action === 'DeleteNotebookInstance') && c.params.NotebookInstanceName === source) {
      if (firstInService === -1 || i < firstInService) problems.push(`${c.action} of ${source} at call ${i}, before ${replacement} was seen InService (${firstInService})`);
    }
  });
  return problems;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cloudconform-remediate-'));
}

export function journalPathIn(dir: string, name: string): string {
  return join(dir, `${name}.journal.json`);
}

/**
 * UpdateNotebookInstance's effect on the lifecycle configuration, kept by the test (moto lacks
 * the API): the proxy answers it from `attached` and shows the attached configuration (and
 * FIELDS_MOTO_DROPS) in DescribeNotebookInstance. Call it before `createSourceNotebook`, whose
 * own describe rewrite would otherwise match first.
 */
export function modelNotebookLifecycleConfigs(proxy: FaultProxy, initial: Record<string, string | undefined>): Record<string, string | undefined> {
  const attached = { ...initial };
  proxy.addRule({
    fault: 'respond',
    action: 'UpdateNotebookInstance',
    respond: (call) => {
      const name = String(call.params.NotebookInstanceName);
      attached[name] = call.params.DisassociateLifecycleConfig ? undefined : String(call.params.LifecycleConfigName);
      return {};
    },
  });
  proxy.addRule({
    fault: 'rewrite',
    action: 'DescribeNotebookInstance',
    when: (call) => String(call.params.NotebookInstanceName) in attached,
    rewrite: (answer, call) => {
      const name = String(call.params.NotebookInstanceName);
      const { NotebookInstanceLifecycleConfigName: _, ...rest } = answer;
      return { ...rest, ...FIELDS_MOTO_DROPS, ...(attached[name] ? { NotebookInstanceLifecycleConfigName: attached[name] } : {}) };
    },
  });
  return attached;
}

/** A plan request for the notebook `name`: into the seeded subnet and groups, deleting the source. */
export function notebookPlanRequest(env: RemediateTestEnv, name: string, extra: Partial<NotebookPlanRequest> = {}): NotebookPlanRequest {
  return {
    connection: { region: REGION, endpointUrl: env.proxy.endpoint },
    notebookName: name,
    subnetId: env.network.subnetId,
    securityGroupIds: env.network.securityGroupIds,
    deleteSource: true,
    ...extra,
  };
}

/**
 * What the backup script does on AWS when the notebook `name` starts with its backup
 * configuration (moto runs no lifecycle script): writes its marker object under `s3Prefix` in
 * `bucket`. `attached` is what `modelNotebookLifecycleConfigs` returned.
 */
export function writeBackupMarkerOnStart(env: RemediateTestEnv, attached: Record<string, string | undefined>, name: string, bucket: string, s3Prefix: string): void {
  env.proxy.addRule({
    fault: 'delay',
    action: 'StartNotebookInstance',
    params: { NotebookInstanceName: name },
    beforeForward: async () => {
      if (attached[name] !== `${name}-cc-backup`) return;
      const s3 = new S3Client({ ...clientConfig(env.moto.endpoint, REGION), forcePathStyle: true });
      try {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${s3Prefix}/${name}/backup-complete.json`, Body: '{"files": 3}' }));
      } finally {
        s3.destroy();
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Studio domains. moto 5.2.5 stores and describes domains but implements neither apps (ListApps,
// DeleteApp) nor UpdateDomain: the proxy answers those from the small state model below, and
// rewrites moto's DescribeDomain answers to show what UpdateDomain changed.

/** A domain in moto with the seeded network: VPC, subnet, and (unless `securityGroups: []`) app security groups. */
export async function createStudioDomain(
  endpoint: string,
  network: TestNetwork,
  name: string,
  opts: { access?: 'VpcOnly' | 'PublicInternetOnly'; securityGroups?: string[]; rstudioRoleArn?: string } = {},
): Promise<string> {
  const sm = new SageMakerClient(clientConfig(endpoint, REGION));
  try {
    const securityGroups = opts.securityGroups ?? network.securityGroupIds;
    await sm.send(
      new CreateDomainCommand({
        DomainName: name,
        AuthMode: 'IAM',
        DefaultUserSettings: { ExecutionRole: ROLE_ARN, ...(securityGroups.length > 0 ? { SecurityGroups: securityGroups } : {}) },
        SubnetIds: [network.subnetId],
        VpcId: network.vpcId,
        ...(opts.access ? { AppNetworkAccessType: opts.access } : {}),
        ...(opts.rstudioRoleArn ? { DomainSettings: { RStudioServerProDomainSettings: { DomainExecutionRoleArn: opts.rstudioRoleArn } } } : {}),
        // moto answers ListTags with a 500 for a domain without tags (see README).
        Tags: [{ Key: 'owner', Value: 'ml-platform' }],
      }),
    );
  } finally {
    sm.destroy();
  }
  return `d-${name}`;
}

export interface ModelApp {
  userProfileName?: string;
  spaceName?: string;
  appType: 'JupyterServer' | 'KernelGateway' | 'JupyterLab' | 'CodeEditor' | 'RStudioServerPro';
  appName: string;
  status: 'InService' | 'Pending' | 'Deleting' | 'Deleted' | 'Failed';
  /** The user stops (deletes) it: Deleted after this many ListApps polls. */
  stopsAfterPolls?: number;
  /** A Pending app is InService after this many ListApps polls. */
  startsAfterPolls?: number;
}

export interface StudioDomainModel {
  apps: ModelApp[];
  /** What UpdateDomain recorded (undefined until it succeeded). */
  updated?: { AppNetworkAccessType?: string; SecurityGroups?: string[]; SubnetIds?: string[] };
  /** UpdateDomain requests that got an answer, accepted or not. */
  updateRequests: Record<string, unknown>[];
}

const BLOCKING = ['InService', 'Pending', 'Deleting'];
const appKeyOf = (a: { UserProfileName?: unknown; SpaceName?: unknown; AppType?: unknown; AppName?: unknown }) =>
  [a.UserProfileName ?? '', a.SpaceName ?? '', a.AppType, a.AppName].map(String).join('/');

/**
 * The proxy answers ListApps, DeleteApp and UpdateDomain for `domainId` from `apps` (moto
 * implements none of them), validating as AWS does: UpdateDomain fails with a
 * ValidationException while an app is InService, Pending or Deleting; DeleteApp needs an
 * InService app. Time passes per ListApps poll (first page): a deleted app is Deleting for
 * `deletingPolls` polls, then Deleted; an app with `stopsAfterPolls` is stopped by its user. After
 * UpdateDomain, DescribeDomain shows Updating for `updatingPolls` answers, then InService with
 * the new settings. ListApps pages hold `pageSize` apps.
 */
export function modelStudioDomain(
  proxy: FaultProxy,
  domainId: string,
  apps: ModelApp[],
  opts: {
    deletingPolls?: number;
    updatingPolls?: number;
    pageSize?: number;
    /** Runs when UpdateDomain arrives, before it is validated (e.g. a user opens Studio just then). */
    beforeUpdate?: (model: StudioDomainModel) => void;
  } = {},
): StudioDomainModel {
  const model: StudioDomainModel = { apps: apps.map((a) => ({ ...a })), updateRequests: [] };
  const deletingLeft = new Map<ModelApp, number>();
  // Apps seeded as Deleting finish like the ones DeleteApp starts.
  for (const app of model.apps) if (app.status === 'Deleting') deletingLeft.set(app, opts.deletingPolls ?? 2);
  let updatingLeft = 0;
  let polls = 0;
  const pageSize = opts.pageSize ?? 2;
  const tick = () => {
    polls++;
    for (const app of model.apps) {
      if (app.stopsAfterPolls !== undefined && polls >= app.stopsAfterPolls && BLOCKING.includes(app.status)) app.status = 'Deleted';
      if (app.startsAfterPolls !== undefined && polls >= app.startsAfterPolls && app.status === 'Pending') app.status = 'InService';
      const left = deletingLeft.get(app);
      if (left !== undefined) {
        if (left <= 1) {
          app.status = 'Deleted';
          deletingLeft.delete(app);
        } else deletingLeft.set(app, left - 1);
      }
    }
  };
  const forDomain = (call: CallInfo) => call.params.DomainId === domainId || call.params.DomainIdEquals === domainId;
  proxy.addRule({
    fault: 'respond',
    action: 'ListApps',
    when: forDomain,
    respond: (call) => {
      const start = call.params.NextToken ? Number(call.params.NextToken) : 0;
      if (start === 0) tick();
      const page = model.apps.slice(start, start + pageSize).map((a) => ({
        DomainId: domainId,
        ...(a.userProfileName ? { UserProfileName: a.userProfileName } : {}),
        ...(a.spaceName ? { SpaceName: a.spaceName } : {}),
        AppType: a.appType,
        AppName: a.appName,
        Status: a.status,
        CreationTime: 1767225600,
      }));
      return { Apps: page, ...(start + pageSize < model.apps.length ? { NextToken: String(start + pageSize) } : {}) };
    },
  });
  proxy.addRule({
    fault: 'respond',
    action: 'DeleteApp',
    when: forDomain,
    respond: (call) => {
      const app = model.apps.find((a) => appKeyOf({ UserProfileName: a.userProfileName, SpaceName: a.spaceName, AppType: a.appType, AppName: a.appName }) === appKeyOf(call.params));
      if (!app || app.status === 'Deleted') throw new RespondError('ResourceNotFound', `App ${String(call.params.AppName)} does not exist.`);
      if (app.status !== 'InService') throw new RespondError('ResourceInUse', `App ${app.appName} is ${app.status}.`);
      app.status = 'Deleting';
      deletingLeft.set(app, opts.deletingPolls ?? 2);
      return {};
    },
  });
  proxy.addRule({
    fault: 'respond',
    action: 'UpdateDomain',
    when: forDomain,
    respond: (call) => {
      model.updateRequests.push(call.params);
      opts.beforeUpdate?.(model);
      const blocking = model.apps.filter((a) => BLOCKING.includes(a.status));
      if (call.params.AppNetworkAccessType !== undefined && blocking.length > 0) {
        throw new RespondError('ValidationException', `AppNetworkAccessType can't be updated while apps are in InService, Pending or Deleting state: ${blocking.map((a) => `${a.userProfileName ?? a.spaceName}/${a.appType}/${a.appName}`).join(', ')}`);
      }
      const settings = call.params.DefaultUserSettings as { SecurityGroups?: string[] } | undefined;
      model.updated = {
        ...model.updated,
        ...(call.params.AppNetworkAccessType ? { AppNetworkAccessType: String(call.params.AppNetworkAccessType) } : {}),
        ...(settings?.SecurityGroups ? { SecurityGroups: settings.SecurityGroups } : {}),
        ...(call.params.SubnetIds ? { SubnetIds: call.params.SubnetIds as string[] } : {}),
      };
      updatingLeft = opts.updatingPolls ?? 2;
      return { DomainArn: `arn:aws:sagemaker:${REGION}:123456789012:domain/${domainId}` };
    },
  });
  proxy.addRule({
    fault: 'rewrite',
    action: 'DescribeDomain',
    when: forDomain,
    rewrite: (answer) => {
      if (!model.updated) return answer;
      const { AppNetworkAccessType, SecurityGroups, SubnetIds } = model.updated;
      const status = updatingLeft > 0 ? 'Updating' : 'InService';
      if (updatingLeft > 0) updatingLeft--;
      return {
        ...answer,
        Status: status,
        ...(AppNetworkAccessType ? { AppNetworkAccessType } : {}),
        ...(SubnetIds ? { SubnetIds } : {}),
        ...(SecurityGroups ? { DefaultUserSettings: { ...(answer.DefaultUserSettings as object), SecurityGroups } } : {}),
      };
    },
  });
  return model;
}

/** Calls of `action` on the domain `domainId`. */
export function callsOnDomain(log: LoggedCall[], action: string, domainId: string): LoggedCall[] {
  return log.filter((c) => c.action === action && (c.params.DomainId === domainId || c.params.DomainIdEquals === domainId));
}

/** A CommandIo that keeps what a command printed and the questions it asked, answering `answer`. */
export function captureIo(opts: { interactive?: boolean; answer?: string } = {}) {
  let stdout = '';
  let stderr = '';
  const questions: string[] = [];
  const io: CommandIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    interactive: opts.interactive ?? false,
    ask: async (q) => {
      questions.push(q);
      return opts.answer ?? '';
    },
  };
  return { io, stdout: () => stdout, stderr: () => stderr, questions };
}
