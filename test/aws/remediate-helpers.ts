// Shared by the `remediate` integration tests: the network and source notebooks seeded in moto
// through the SDK, the run's clients through the fault proxy, and checks on the proxy's log.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, CreateVpcCommand, CreateSubnetCommand, CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
import {
  SageMakerClient,
  CreateNotebookInstanceCommand,
  CreateNotebookInstanceLifecycleConfigCommand,
  DescribeNotebookInstanceCommand,
  ListTagsCommand,
  StopNotebookInstanceCommand,
  type DescribeNotebookInstanceOutput,
} from '@aws-sdk/client-sagemaker';
import type { WaitSettings } from '../../src/remediation/live/apply';
import { makeLiveClients, type LiveClients } from '../../src/remediation/live/clients';
import type { FaultProxy, LoggedCall } from './fault-proxy';
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
