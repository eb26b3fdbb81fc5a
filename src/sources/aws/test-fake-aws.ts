// An in-process AWS for unit tests: an SDK request handler that answers with the real wire shapes
// (JSON 1.1 for SageMaker and Organizations, XML for STS and EC2), so the SDK's own parsing, error
// decoding and retries run as they do against AWS. Faults are injected per operation, region,
// account or resource. Integration tests against a real emulator live in test/aws/.
import type { RequestHandler } from './clients';

export interface FakeNotebook {
  name: string;
  region: string;
  account?: string;
  status?: string;
  /** Left out of the describe output when undefined, as AWS leaves out unset fields. */
  DirectInternetAccess?: string;
  SubnetId?: string;
  tags?: Record<string, string>;
}

export interface FakeDomain {
  id: string;
  name: string;
  region: string;
  account?: string;
  AppNetworkAccessType?: string;
}

export interface FakeFault {
  /** `sagemaker:DescribeNotebookInstance`, `ec2:DescribeRegions`... */
  action: string;
  region?: string;
  account?: string;
  /** The end of the resource named in the request (notebook name, domain id, ARN, role ARN). */
  resource?: string;
  status: number;
  code: string;
  message: string;
  /** How many times it fires (default: always). */
  times?: number;
  /** Matching calls let through before it starts firing (e.g. fail the second page). */
  skip?: number;
}

export interface FakeRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

export interface FakeCall {
  action: string;
  region: string;
  account: string;
  params: Record<string, unknown>;
}

export const CALLER_ACCOUNT = '111122223333';
export const CALLER_KEY = 'AKIDFAKECALLER';
const ASSUMED_KEY_PREFIX = 'AKIDFAKEASSUMED';

/** Points the SDK's default credential chain at fixed keys, away from this machine's AWS config. */
export function useFakeCallerEnvironment(): void {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('AWS_ENDPOINT_URL') || name === 'AWS_PROFILE' || name === 'AWS_SESSION_TOKEN') delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: CALLER_KEY,
    AWS_SECRET_ACCESS_KEY: 'fake-secret-key-never-printed',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
}

export class FakeAws {
  notebooks: FakeNotebook[] = [];
  domains: FakeDomain[] = [];
  enabledRegions = ['us-east-1', 'eu-west-1'];
  organizationAccounts: { id: string; state: string }[] = [];
  faults: FakeFault[] = [];
  /** Notebook names that disappear after being listed (deleted between list and describe). */
  deletedAfterList = new Set<string>();
  readonly calls: FakeCall[] = [];

  readonly handler: RequestHandler = {
    handle: async (request: FakeRequest) => ({ response: this.respond(request) }),
    destroy: () => {},
  } as unknown as RequestHandler;

  count(action: string): number {
    return this.calls.filter((c) => c.action === action).length;
  }

  /** Answers one signed request; also usable behind a real HTTP server (CLI tests). */
  respond(request: FakeRequest): { statusCode: number; headers: Record<string, string>; body: Uint8Array } {
    const header = (name: string) => String(request.headers[name] ?? '');
    const scope = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\//.exec(header('authorization'));
    if (!scope) throw new Error('unsigned request');
    const [, key, region, service] = scope as unknown as [string, string, string, string];
    const account = key === CALLER_KEY ? CALLER_ACCOUNT : key.slice(ASSUMED_KEY_PREFIX.length);
    const body = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body as Uint8Array);
    const target = header('x-amz-target');
    const json = target !== '';
    const operation = json ? target.split('.')[1]! : new URLSearchParams(body).get('Action')!;
    const params: Record<string, unknown> = json ? JSON.parse(body || '{}') : Object.fromEntries(new URLSearchParams(body));
    const action = `${service}:${operation}`;
    this.calls.push({ action, region, account, params });

    const resource = String(params.NotebookInstanceName ?? params.DomainId ?? params.ResourceArn ?? params.RoleArn ?? '');
    const fault = this.faults.find(
      (f) =>
        f.action === action &&
        (f.region === undefined || f.region === region) &&
        (f.account === undefined || f.account === account) &&
        (f.resource === undefined || resource.endsWith(f.resource)) &&
        (f.times === undefined || f.times > 0),
    );
    if (fault && fault.skip) {
      fault.skip--;
    } else if (fault) {
      if (fault.times !== undefined) fault.times--;
      return json ? jsonError(fault) : xmlError(service, fault);
    }
    const mine = <T extends { region: string; account?: string }>(items: T[]) =>
      items.filter((i) => i.region === region && (i.account ?? CALLER_ACCOUNT) === account);
    const arn = (kind: string, name: string) => `arn:aws:sagemaker:${region}:${account}:${kind}/${name}`;

    switch (action) {
      case 'sts:GetCallerIdentity':
        return xml('GetCallerIdentity', `<Arn>arn:aws:iam::${account}:user/auditor</Arn><UserId>AIDAFAKE</UserId><Account>${account}</Account>`);
      case 'sts:AssumeRole': {
        const target = /iam::(\d{12}):role\//.exec(String(params.RoleArn))![1]!;
        return xml(
          'AssumeRole',
          `<Credentials><AccessKeyId>${ASSUMED_KEY_PREFIX}${target}</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey>` +
            `<SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>` +
            `<AssumedRoleUser><AssumedRoleId>AROAFAKE:${params.RoleSessionName}</AssumedRoleId><Arn>${params.RoleArn}</Arn></AssumedRoleUser>`,
        );
      }
      case 'ec2:DescribeRegions':
        return {
          statusCode: 200,
          headers: { 'content-type': 'text/xml' },
          body: utf8(
            `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><regionInfo>` +
              this.enabledRegions.map((r) => `<item><regionName>${r}</regionName><regionEndpoint>ec2.${r}.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>`).join('') +
              `</regionInfo></DescribeRegionsResponse>`,
          ),
        };
      case 'organizations:ListAccounts':
        // ListAccounts pages hold at most 20 accounts.
        return page(this.organizationAccounts.map((a) => ({ Id: a.id, Arn: `arn:aws:organizations::${CALLER_ACCOUNT}:account/o-x/${a.id}`, State: a.state })), params, 'Accounts', 20);
      case 'sagemaker:ListNotebookInstances':
        return page(
          mine(this.notebooks).map((n) => ({ NotebookInstanceName: n.name, NotebookInstanceArn: arn('notebook-instance', n.name), NotebookInstanceStatus: n.status ?? 'InService', CreationTime: 1.7e9 })),
          params,
          'NotebookInstances',
        );
      case 'sagemaker:DescribeNotebookInstance': {
        const n = mine(this.notebooks).find((x) => x.name === params.NotebookInstanceName);
        if (!n || this.deletedAfterList.has(n.name)) return jsonError({ status: 400, code: 'ValidationException', message: 'RecordNotFound' });
        return ok({
          NotebookInstanceArn: arn('notebook-instance', n.name),
          NotebookInstanceName: n.name,
          NotebookInstanceStatus: n.status ?? 'InService',
          InstanceType: 'ml.t3.medium',
          RoleArn: `arn:aws:iam::${account}:role/nb`,
          RootAccess: 'Enabled', // never to be mistaken for DirectInternetAccess
          VolumeSizeInGB: 5,
          CreationTime: 1.7e9,
          ...(n.DirectInternetAccess !== undefined ? { DirectInternetAccess: n.DirectInternetAccess } : {}),
          ...(n.SubnetId !== undefined ? { SubnetId: n.SubnetId, SecurityGroups: ['sg-1'] } : {}),
        });
      }
      case 'sagemaker:ListDomains':
        return page(mine(this.domains).map((d) => ({ DomainId: d.id, DomainName: d.name, DomainArn: arn('domain', d.id), Status: 'InService' })), params, 'Domains');
      case 'sagemaker:DescribeDomain': {
        const d = mine(this.domains).find((x) => x.id === params.DomainId);
        if (!d) return jsonError({ status: 400, code: 'ResourceNotFound', message: `Domain ${params.DomainId} does not exist` });
        return ok({ DomainId: d.id, DomainName: d.name, DomainArn: arn('domain', d.id), Status: 'InService', ...(d.AppNetworkAccessType ? { AppNetworkAccessType: d.AppNetworkAccessType } : {}) });
      }
      case 'sagemaker:ListTags': {
        const name = String(params.ResourceArn).split('/').pop();
        const n = mine(this.notebooks).find((x) => x.name === name);
        return page(Object.entries(n?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })), params, 'Tags');
      }
      default:
        return jsonError({ status: 400, code: 'UnknownOperationException', message: `${action} is not faked` });
    }
  }
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function ok(payload: unknown) {
  return { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: utf8(JSON.stringify(payload)) };
}

/** One page of a JSON list (`MaxResults`, `NextToken` as an offset), as AWS pages. */
function page(items: unknown[], params: Record<string, unknown>, key: string, maxResults = 100) {
  const start = Number(params.NextToken ?? 0);
  const size = Math.min(Number(params.MaxResults ?? maxResults), maxResults);
  const next = start + size < items.length ? { NextToken: String(start + size) } : {};
  return ok({ [key]: items.slice(start, start + size), ...next });
}

function jsonError(fault: Pick<FakeFault, 'status' | 'code' | 'message'>) {
  return { statusCode: fault.status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: utf8(JSON.stringify({ __type: fault.code, message: fault.message })) };
}

function xmlError(service: string, fault: FakeFault) {
  const error = `<Error><Code>${fault.code}</Code><Message>${fault.message}</Message></Error>`;
  const body = service === 'ec2' ? `<Response><Errors>${error}</Errors><RequestID>r</RequestID></Response>` : `<ErrorResponse>${error}<RequestId>r</RequestId></ErrorResponse>`;
  return { statusCode: fault.status, headers: { 'content-type': 'text/xml' }, body: utf8(body) };
}

function xml(operation: string, result: string) {
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/xml' },
    body: utf8(
      `<${operation}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${operation}Result>${result}</${operation}Result>` +
        `<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${operation}Response>`,
    ),
  };
}
