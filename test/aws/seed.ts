// Seeds moto through its API with the real AWS SDK: a VPC, subnet and security group per region,
// notebook instances in every network setting (Enabled, Disabled in a subnet, absent = AWS's
// default Enabled, stopped ones), Studio domains (VpcOnly, PublicInternetOnly, absent = default
// PublicInternetOnly), tags, several regions and accounts. Returns what was made with the verdict
// the audit must give, so tests and the benchmark can check every resource.
import { EC2Client, CreateVpcCommand, CreateSubnetCommand, CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
import {
  SageMakerClient,
  CreateNotebookInstanceCommand,
  StopNotebookInstanceCommand,
  CreateDomainCommand,
  DescribeDomainCommand,
} from '@aws-sdk/client-sagemaker';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { OrganizationsClient, CreateOrganizationCommand, CreateAccountCommand } from '@aws-sdk/client-organizations';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';

export { MOTO_DEFAULT_ACCOUNT };

/** The credentials every test uses; moto maps unknown keys to its default account. */
export const TEST_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type Verdict = 'pass' | 'fail';

export interface NotebookSpec {
  name: string;
  /** Absent: not sent, AWS's default (Enabled) applies. */
  access?: 'Enabled' | 'Disabled';
  /** Put the notebook in the region's seeded subnet (required by AWS for Disabled). */
  inSubnet?: boolean;
  stopped?: boolean;
  /** RootAccess, which has nothing to do with the network: a check must not read it for DirectInternetAccess. */
  rootAccess?: 'Enabled' | 'Disabled';
  tags?: Record<string, string>;
}

export interface DomainSpec {
  name: string;
  /** Absent: not sent, the default PublicInternetOnly applies. */
  access?: 'VpcOnly' | 'PublicInternetOnly';
  tags?: Record<string, string>;
}

export interface SeededNotebook {
  account: string;
  region: string;
  name: string;
  arn: string;
  /** What was sent to CreateNotebookInstance (undefined = absent). */
  requested?: 'Enabled' | 'Disabled';
  /** The effective setting. */
  directInternetAccess: 'Enabled' | 'Disabled';
  subnetId?: string;
  status: 'InService' | 'Stopped';
  tags: Record<string, string>;
  expected: Verdict;
}

export interface SeededDomain {
  account: string;
  region: string;
  id: string;
  name: string;
  arn: string;
  requested?: 'VpcOnly' | 'PublicInternetOnly';
  appNetworkAccessType: 'VpcOnly' | 'PublicInternetOnly';
  tags: Record<string, string>;
  expected: Verdict;
}

export interface RegionPlan {
  region: string;
  notebooks: NotebookSpec[];
  domains?: DomainSpec[];
}

export interface Seeded {
  notebooks: SeededNotebook[];
  domains: SeededDomain[];
  /** Per account and region: the network made for it. */
  networks: { account: string; region: string; vpcId: string; subnetId: string; securityGroupId: string }[];
}

const ROLE_FOR_NOTEBOOKS = (account: string) => `arn:aws:iam::${account}:role/service-role/AmazonSageMaker-ExecutionRole`;

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return results;
}

export function clientConfig(endpoint: string, region: string, credentials: Credentials = TEST_CREDENTIALS) {
  return { endpoint, region, credentials, maxAttempts: 5 };
}

/**
 * Credentials for `account` in moto: AssumeRole of a role there (moto needs no such role to exist
 * and maps the returned key to the role's account). The default account uses `testing`.
 */
export async function credentialsFor(endpoint: string, account: string, roleName = 'CloudConformSeeder'): Promise<Credentials> {
  if (account === MOTO_DEFAULT_ACCOUNT) return TEST_CREDENTIALS;
  const sts = new STSClient(clientConfig(endpoint, 'us-east-1'));
  try {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${roleName}`, RoleSessionName: 'seed' }));
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}

/**
 * Creates the notebooks and domains of `plan` in `account` (default: moto's default account).
 * `concurrency` bounds the requests in flight (moto is one Python process).
 */
export async function seed(endpoint: string, plan: RegionPlan[], opts: { account?: string; concurrency?: number } = {}): Promise<Seeded> {
  const account = opts.account ?? MOTO_DEFAULT_ACCOUNT;
  const credentials = await credentialsFor(endpoint, account);
  const concurrency = opts.concurrency ?? 8;
  const seeded: Seeded = { notebooks: [], domains: [], networks: [] };

  await Promise.all(
    plan.map(async ({ region, notebooks, domains = [] }) => {
      const ec2 = new EC2Client(clientConfig(endpoint, region, credentials));
      const sm = new SageMakerClient(clientConfig(endpoint, region, credentials));
      try {
        const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
        const vpcId = vpc.Vpc!.VpcId!;
        const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24' }));
        const subnetId = subnet.Subnet!.SubnetId!;
        const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'notebooks', Description: 'notebooks', VpcId: vpcId }));
        const securityGroupId = sg.GroupId!;
        seeded.networks.push({ account, region, vpcId, subnetId, securityGroupId });

        const made = await pool(notebooks, concurrency, async (spec) => {
          const tags = spec.tags ?? {};
          const out = await sm.send(
            new CreateNotebookInstanceCommand({
              NotebookInstanceName: spec.name,
              InstanceType: 'ml.t3.medium',
              RoleArn: ROLE_FOR_NOTEBOOKS(account),
              ...(spec.inSubnet ? { SubnetId: subnetId, SecurityGroupIds: [securityGroupId] } : {}),
              ...(spec.access ? { DirectInternetAccess: spec.access } : {}),
              ...(spec.rootAccess ? { RootAccess: spec.rootAccess } : {}),
              ...(Object.keys(tags).length ? { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
            }),
          );
          if (spec.stopped) await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: spec.name }));
          const effective = spec.access ?? 'Enabled';
          const nb: SeededNotebook = {
            account,
            region,
            name: spec.name,
            arn: out.NotebookInstanceArn!,
            requested: spec.access,
            directInternetAccess: effective,
            subnetId: spec.inSubnet ? subnetId : undefined,
            status: spec.stopped ? 'Stopped' : 'InService',
            tags,
            expected: effective === 'Disabled' && spec.inSubnet ? 'pass' : 'fail',
          };
          return nb;
        });
        seeded.notebooks.push(...made);

        const madeDomains = await pool(domains, concurrency, async (spec) => {
          // moto 5.2.5 answers ListTags on a domain created without tags with a 500 (its tag list
          // is None): every seeded domain gets one, as most real domains have.
          const tags = { owner: 'ml-platform', ...spec.tags };
          const out = await sm.send(
            new CreateDomainCommand({
              DomainName: spec.name,
              AuthMode: 'IAM',
              DefaultUserSettings: { ExecutionRole: ROLE_FOR_NOTEBOOKS(account) },
              SubnetIds: [subnetId],
              VpcId: vpcId,
              ...(spec.access ? { AppNetworkAccessType: spec.access } : {}),
              Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
            }),
          );
          const arn = out.DomainArn!;
          const id = (await sm.send(new DescribeDomainCommand({ DomainId: arn.slice(arn.lastIndexOf('/') + 1) }))).DomainId!;
          const effective = spec.access ?? 'PublicInternetOnly';
          const d: SeededDomain = {
            account,
            region,
            id,
            name: spec.name,
            arn,
            requested: spec.access,
            appNetworkAccessType: effective,
            tags,
            expected: effective === 'VpcOnly' ? 'pass' : 'fail',
          };
          return d;
        });
        seeded.domains.push(...madeDomains);
      } finally {
        ec2.destroy();
        sm.destroy();
      }
    }),
  );
  return seeded;
}

export function mergeSeeded(...parts: Seeded[]): Seeded {
  return {
    notebooks: parts.flatMap((p) => p.notebooks),
    domains: parts.flatMap((p) => p.domains),
    networks: parts.flatMap((p) => p.networks),
  };
}

/**
 * `count` notebooks named `${prefix}-NNN` cycling through every setting: Enabled in no subnet,
 * Disabled in a subnet, absent, Enabled in a subnet (still internet access: fail), and a stopped
 * one of each of the first two.
 */
export function mixedNotebooks(prefix: string, count: number, tagEvery?: { every: number; tags: Record<string, string> }): NotebookSpec[] {
  const variants: Omit<NotebookSpec, 'name'>[] = [
    { access: 'Enabled' },
    { access: 'Disabled', inSubnet: true },
    {},
    { access: 'Enabled', inSubnet: true },
    { access: 'Enabled', stopped: true },
    { access: 'Disabled', inSubnet: true, stopped: true },
    { inSubnet: true },
  ];
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-${String(i).padStart(3, '0')}`,
    ...variants[i % variants.length]!,
    ...(tagEvery && i % tagEvery.every === 0 ? { tags: tagEvery.tags } : {}),
  }));
}

/** The domains every region gets in the standard plans: one of each setting. */
export function mixedDomains(prefix: string): DomainSpec[] {
  return [
    { name: `${prefix}-vpc-only`, access: 'VpcOnly' },
    { name: `${prefix}-public`, access: 'PublicInternetOnly' },
    { name: `${prefix}-default` },
  ];
}

/** AWS Organizations in moto: the caller's account becomes the management account; `count` members are created. */
export async function seedOrganization(endpoint: string, count: number): Promise<string[]> {
  const org = new OrganizationsClient(clientConfig(endpoint, 'us-east-1'));
  try {
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const ids = await pool(Array.from({ length: count }, (_, i) => i), 4, async (i) => {
      const out = await org.send(new CreateAccountCommand({ AccountName: `member-${i}`, Email: `member-${i}@example.com` }));
      return out.CreateAccountStatus!.AccountId!;
    });
    return ids;
  } finally {
    org.destroy();
  }
}
