// What `monitor deploy` builds, said once for both emitters (CloudFormation and Terraform): the
// event pattern, the sizes and timeouts, the Lambda function's environment and its role's
// statements. Values that name other resources or parameters are symbolic (`Val`): each emitter
// spells them its own way (`Fn::GetAtt`, `aws_sqs_queue.events.arn`).
import { dynamoTableDefinition, monitorAuditActions, monitorFunctionActions, monitoredAccountActions } from './deps';
import { MonitorUsageError, validateAccountId, validateRoleName, validateSchedule, type MonitorNotifyTarget } from './validate';

export interface MonitorDeployOptions {
  /** `rate(1 day)`, `cron(...)`: a scheduled full audit (validated). */
  schedule?: string;
  organization?: boolean;
  accounts?: readonly string[];
  notify?: readonly MonitorNotifyTarget[];
  respond?: 'tag' | 'stop';
  roleName?: string;
}

/** The six SageMaker calls that create, change or delete what the rules check. */
export const EVENT_NAMES = [
  'CreateNotebookInstance',
  'UpdateNotebookInstance',
  'DeleteNotebookInstance',
  'CreateDomain',
  'UpdateDomain',
  'DeleteDomain',
] as const;

/**
 * CloudTrail records of those calls as EventBridge delivers them. A record with `errorCode` is a
 * call that failed (nothing was created or changed): `exists: false` keeps it out.
 */
export function eventPattern(): object {
  return {
    source: ['aws.sagemaker'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['sagemaker.amazonaws.com'],
      eventName: [...EVENT_NAMES],
      errorCode: [{ exists: false }],
    },
  };
}

/** Seconds the event handler may run: describes with retries for eventual consistency, history, notifications. */
export const EVENT_FUNCTION_TIMEOUT = 120;
/** AWS: a queue's visibility timeout at least six times its Lambda function's timeout. */
export const QUEUE_VISIBILITY_TIMEOUT = 6 * EVENT_FUNCTION_TIMEOUT;
/** The scheduled full audit: Lambda's longest. */
export const AUDIT_FUNCTION_TIMEOUT = 900;
export const BATCH_SIZE = 10;
/** Deliveries before a message goes to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
/** SQS's longest retention: time to look at what failed. */
export const DEAD_LETTER_RETENTION = 14 * 24 * 3600;
export const LOG_RETENTION_DAYS = 90;
export const MEMORY_MB = 512;
/**
 * The bundle targets Node 20 (esbuild `node20`) and runs on any later Node. nodejs20.x is deprecated
 * since 2026-04-30 and can't be created from 2027-02-01 (cfn-lint W2531): the newest runtime, which
 * AWS names as every older one's successor. (It takes async handlers only, as ours is.)
 */
export const RUNTIME = 'nodejs24.x';
export const HANDLER = 'lambda.handler';
export const DEFAULT_CODE_KEY = 'cloudconform-lambda.zip';
export const DEFAULT_ROLE_NAME = 'cloudconform-monitor-read';
/** SNS's AWS-managed key: encrypted at rest with no key to manage; the publisher needs no KMS grant. */
export const TOPIC_KMS_KEY = 'alias/aws/sns';

export type ResId =
  | 'table'
  | 'queue'
  | 'deadLetterQueue'
  | 'topic'
  | 'bus'
  | 'rule'
  | 'eventFunction'
  | 'auditFunction'
  | 'eventLogGroup'
  | 'auditLogGroup'
  | 'functionRole'
  | 'auditRole'
  | 'scheduleRule';

export type ParamId = 'codeBucket' | 'codeKey' | 'organizationId' | 'slackWebhookUrl' | 'webhookUrl' | 'webhookSecret';

/** A value: a literal, a resource's attribute, a parameter, the partition/account, or a concatenation. */
export type Val =
  | string
  | { res: ResId; attr: 'arn' | 'name' | 'url' | 'logStreams' }
  | { param: ParamId }
  | { pseudo: 'partition' | 'account' | 'region' }
  | { join: Val[] };

export interface Statement {
  sid: string;
  actions: string[];
  resources: Val[];
}

const arn = (res: ResId): Val => ({ res, attr: 'arn' });
const partition: Val = { pseudo: 'partition' };
/** Every notebook instance: what --respond's calls (AddTags, StopNotebookInstance) act on. */
const NOTEBOOK_INSTANCES: Val = { join: ['arn:', partition, ':sagemaker:*:*:notebook-instance/*'] };

export interface MonitorSpec {
  options: MonitorDeployOptions;
  /** --organization or --accounts: a central bus, a member template, a role assumed in each account. */
  central: boolean;
  roleName?: string;
  accounts: string[];
  schedule?: string;
  snsTargets: string[];
  slack: boolean;
  /** `--notify webhook`: one URL, a deployment parameter (a secret, never written). */
  webhook: boolean;
  env: [string, Val][];
  /** The event function's role: exactly monitorIamPolicy's CloudConformMonitor actions, plus the queue's consumer calls and its logs. */
  statements: Statement[];
  /** monitorIamPolicy's statement for the event handler's role (what `statements` must cover, no more). */
  handlerActions: string[];
  /** --schedule: the audit function's own role (CloudConformMonitorAudit's actions and its logs; no queue, no --respond). */
  auditStatements?: Statement[];
  auditActions?: string[];
  /** The read-only role in each member account: reads on `*`, --respond's calls on notebooks. */
  memberStatements: Statement[];
  table: ReturnType<typeof dynamoTableDefinition>;
}

/** SQS calls a Lambda event source mapping makes with the function's role (AWS Lambda developer guide). */
export const QUEUE_CONSUMER_ACTIONS = ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'];
export const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

export function monitorSpec(options: MonitorDeployOptions): MonitorSpec {
  const accounts = [...new Set((options.accounts ?? []).map(validateAccountId))];
  const central = options.organization === true || accounts.length > 0;
  if (options.roleName !== undefined && !central) {
    throw new MonitorUsageError('--role-name is the role assumed in other accounts: give it with --organization or --accounts');
  }
  const roleName = central ? validateRoleName(options.roleName ?? DEFAULT_ROLE_NAME) : undefined;
  const schedule = options.schedule === undefined ? undefined : validateSchedule(options.schedule);
  const notify = options.notify ?? [];
  const snsTargets = [...new Set(notify.flatMap((n) => (n.kind === 'sns' ? [n.arn] : [])))];
  const slack = notify.some((n) => n.kind === 'slack');
  const webhook = notify.some((n) => n.kind === 'webhook');
  const table = dynamoTableDefinition();

  // Newline-separated: an ARN holds none (validate.ts), a URL parameter none (its AllowedPattern).
  const notifyParts: Val[] = [{ join: ['sns=', arn('topic')] }];
  for (const a of snsTargets) notifyParts.push(`sns=${a}`);
  if (slack) notifyParts.push({ join: ['slack=', { param: 'slackWebhookUrl' }] });
  if (webhook) notifyParts.push({ join: ['webhook=', { param: 'webhookUrl' }] });
  const env: [string, Val][] = [
    ['CLOUDCONFORM_TABLE', { res: 'table', attr: 'name' }],
    ['CLOUDCONFORM_NOTIFY', { join: notifyParts.flatMap((p, i) => (i === 0 ? [p] : ['\n', p])) }],
  ];
  if (webhook) env.push(['CLOUDCONFORM_WEBHOOK_SECRET', { param: 'webhookSecret' }]);
  if (roleName) env.push(['CLOUDCONFORM_ROLE_NAME', roleName]);
  // --organization with --accounts: the bus takes the organization's accounts, the handler reads
  // the listed ones only (it refuses both settings at once, as audit refuses both options).
  const organizationWide = options.organization === true && accounts.length === 0;
  if (organizationWide) env.push(['CLOUDCONFORM_ORGANIZATION', 'true']);
  if (accounts.length > 0) env.push(['CLOUDCONFORM_ACCOUNTS', accounts.join(',')]);
  if (options.respond) env.push(['CLOUDCONFORM_RESPOND', options.respond]);

  const envBytes = env.reduce((n, [k, v]) => n + Buffer.byteLength(k) + valBytes(v), 0);
  if (envBytes > LAMBDA_ENV_LIMIT) {
    throw new MonitorUsageError(`the function's environment would take about ${envBytes} bytes, over Lambda's ${LAMBDA_ENV_LIMIT}: give fewer or shorter --notify targets`);
  }

  const policyOptions = { respond: options.respond, organization: organizationWide, accounts: accounts.length > 0, schedule: schedule !== undefined, store: 'dynamodb' as const };
  const handlerActions = monitorFunctionActions(policyOptions);
  const ctx = { snsTargets, roleName, accounts };
  const statements = scopedStatements(handlerActions, ctx, 'event');
  const auditActions = schedule === undefined ? undefined : monitorAuditActions(policyOptions);
  const auditStatements = auditActions && scopedStatements(auditActions, ctx, 'audit');
  for (const [fn, st] of [['event function', statements], ['audit function', auditStatements]] as const) {
    if (st) checkRolePolicySize(fn, st, accounts, roleName);
  }
  return {
    options,
    central,
    roleName,
    accounts,
    schedule,
    snsTargets,
    slack,
    webhook,
    env,
    statements,
    handlerActions,
    ...(auditStatements ? { auditStatements, auditActions } : {}),
    memberStatements: memberStatements(monitoredAccountActions(options.respond, { schedule: schedule !== undefined })),
    table,
  };
}

/**
 * The handler's actions, each on the narrowest resources it takes: the stack's table, topic(s)
 * and queue, the named role in the allowed accounts, notebooks for --respond; the rest (List and
 * Describe calls over every notebook and domain, STS, EC2 regions) on `*`.
 */
function scopedStatements(actions: string[], ctx: { snsTargets: string[]; roleName?: string; accounts: string[] }, fn: 'event' | 'audit'): Statement[] {
  const groups = new Map<string, Statement>();
  const put = (sid: string, action: string, resources: Val[]) => {
    const s = groups.get(sid) ?? { sid, actions: [], resources };
    s.actions.push(action);
    groups.set(sid, s);
  };
  for (const action of actions) {
    if (action.startsWith('dynamodb:')) {
      // The table has no index: its own ARN is all.
      put('HistoryTable', action, [arn('table')]);
    } else if (action === 'sns:Publish') {
      put('Notify', action, [arn('topic'), ...ctx.snsTargets]);
    } else if (action === 'sts:AssumeRole') {
      if (!ctx.roleName) throw new Error('sts:AssumeRole without a role name');
      const accounts = ctx.accounts.length > 0 ? ctx.accounts : ['*'];
      put('AssumeMemberRole', action, accounts.map((a) => memberRoleArn(a, ctx.roleName!)));
    } else if (isRespondAction(action)) {
      // --respond's calls (AddTags, StopNotebookInstance) act on notebook instances only.
      put('Respond', action, [NOTEBOOK_INSTANCES]);
    } else {
      put('ReadSageMaker', action, ['*']);
    }
  }
  // Each function writes its own log group; only the event function reads the queue.
  return [
    ...[...groups.values()].map((s) => ({ ...s, actions: [...s.actions].sort() })),
    ...(fn === 'event' ? [{ sid: 'ConsumeEventQueue', actions: [...QUEUE_CONSUMER_ACTIONS], resources: [arn('queue')] }] : []),
    { sid: 'WriteLogs', actions: [...LOG_ACTIONS], resources: [{ res: fn === 'event' ? 'eventLogGroup' : 'auditLogGroup', attr: 'logStreams' }] },
  ];
}

/**
 * The member role's statements: reads on `*` (List and Describe take no narrower resource worth
 * having); --respond's calls on notebooks.
 */
function memberStatements(actions: string[]): Statement[] {
  const writes = actions.filter(isRespondAction);
  return [
    { sid: 'ReadSageMaker', actions: actions.filter((a) => !isRespondAction(a)), resources: ['*'] },
    ...(writes.length > 0 ? [{ sid: 'Respond', actions: writes, resources: [NOTEBOOK_INSTANCES] }] : []),
  ];
}

const memberRoleArn = (account: string, roleName: string): Val => ({ join: ['arn:', partition, ':iam::', account, `:role/${roleName}`] });

/** IAM: a role's inline policies take at most 10,240 characters together, white space not counted. */
const IAM_ROLE_POLICY_LIMIT = 10_240;

/** A value at its longest once deployed: the longest partition's name, a reference at REFERENCE_BYTES. */
function worstCase(v: Val): string {
  if (typeof v === 'string') return v;
  if ('join' in v) return v.join.map(worstCase).join('');
  if ('pseudo' in v) return { partition: 'aws-us-gov', account: '123456789012', region: 'x'.repeat(20) }[v.pseudo];
  return 'x'.repeat(REFERENCE_BYTES);
}

/**
 * One role ARN per --accounts account (sts:AssumeRole) can take a role's policy past IAM's limit,
 * which the 4 KB environment check lets through (~13 bytes an account there, 60 to 100 here): the
 * stack would fail half-way through its deployment. Refused here with the number that fits. The
 * bus policy lists the same accounts in fewer characters each (arn:…:root): this limit binds first.
 */
function checkRolePolicySize(fn: string, statements: Statement[], accounts: string[], roleName: string | undefined): void {
  const doc = { Version: '2012-10-17', Statement: statements.map((s) => ({ Sid: s.sid, Effect: 'Allow', Action: s.actions, Resource: s.resources.map(worstCase) })) };
  const chars = JSON.stringify(doc).length;
  if (chars <= IAM_ROLE_POLICY_LIMIT) return;
  // Each account beyond the first adds its ARN, quoted, and a comma.
  const perAccount = accounts.length > 0 && roleName ? JSON.stringify(worstCase(memberRoleArn(accounts[0]!, roleName))).length + 1 : 0;
  const fit = perAccount > 0 ? Math.max(0, accounts.length - Math.ceil((chars - IAM_ROLE_POLICY_LIMIT) / perAccount)) : 0;
  throw new MonitorUsageError(
    `--accounts: ${accounts.length} accounts make the ${fn} role's policy about ${chars} characters (one role ARN per account), over IAM's ${IAM_ROLE_POLICY_LIMIT} ` +
      `for a role's inline policies: the stack would fail to deploy; give at most ${fit} accounts (a shorter --role-name fits more), or --organization without --accounts (one role ARN pattern for every account)`,
  );
}

/** Lambda takes at most 4 KB of environment variables (names and values), checked at deployment. */
const LAMBDA_ENV_LIMIT = 4096;
/** The most a resolved reference takes: an ARN, a Slack URL (~80); a webhook URL up to its parameter's MaxLength. */
const REFERENCE_BYTES = 256;
export const WEBHOOK_URL_MAX = 1024;

function valBytes(v: Val): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if ('join' in v) return v.join.reduce((n: number, p) => n + valBytes(p), 0);
  return 'param' in v && v.param === 'webhookUrl' ? WEBHOOK_URL_MAX : REFERENCE_BYTES;
}

/** SageMaker calls that change something (--respond's AddTags, StopNotebookInstance): on notebooks only. */
export function isRespondAction(action: string): boolean {
  const [service, name = ''] = action.split(':');
  return service === 'sagemaker' && !/^(List|Describe|Get)/.test(name);
}

export const TEMPLATE_NOTE = [
  'Generated by cloudconform monitor deploy. The Lambda code is the zip `cloudconform monitor package` writes:',
  'upload it (aws s3 cp cloudconform-lambda.zip s3://BUCKET/KEY) and give the bucket and key as parameters.',
];
