// Every AWS action the monitor calls: the event handler (describes, ListTags, the caller's identity,
// roles assumed in monitored accounts, the organization's accounts), the full audit a scheduled
// event runs, the history's DynamoDB store, SNS notifications and --respond. `iam-policy --for
// monitor` and the monitor's deploy templates (the Lambda role and each member account's role)
// take their policies from here, and a test compares them with the calls the handler makes.
import { AUDIT_ACTIONS, type AuditAction, type IamPolicyDocument } from '../sources/aws/actions';
import { DYNAMODB_ACTIONS } from '../history/dynamodb';
import { respondIamActions, type RespondMode } from './respond';

/** sns:Publish: `--notify sns=ARN` (the notifier, src/notify, publishes one message per run and topic). */
export const SNS_PUBLISH_ACTION = 'sns:Publish';

export interface MonitorPolicyOptions {
  /** `--respond tag|stop`: AddTags or StopNotebookInstance, in each monitored account. */
  respond?: RespondMode;
  /** Events of the organization's accounts: ListAccounts, AssumeRole. */
  organization?: boolean;
  /** Events of listed accounts (`--accounts`): AssumeRole. */
  accounts?: boolean;
  /** Where the findings history is: DynamoDB (the Lambda function) or SQLite (a host's file: no AWS call). */
  store: 'dynamodb' | 'sqlite';
  /** Notifications to SNS topics (default true: the deploy template makes one). */
  sns?: boolean;
}

const actionsOf = (list: readonly AuditAction[]) => list.map((a) => a.action);

/**
 * What is read in each monitored account (by the role assumed there, or by the function's own role
 * for its own account): the handler's describes and ListTags, and the scheduled audit's listing
 * (DescribeRegions, ListNotebookInstances, ListDomains) and identity.
 */
export const MONITORED_READ_ACTIONS: readonly string[] = actionsOf(Object.values(AUDIT_ACTIONS as Record<string, AuditAction>).filter((a) => a.neededBy === 'audited'));

/** Every action of the monitor, whatever the options, sorted: what a full deployment may call. */
export const MONITOR_ACTIONS: readonly string[] = [
  ...new Set([
    ...MONITORED_READ_ACTIONS,
    AUDIT_ACTIONS.assumeRole.action,
    AUDIT_ACTIONS.listAccounts.action,
    ...DYNAMODB_ACTIONS,
    SNS_PUBLISH_ACTION,
    ...respondIamActions('tag'),
    ...respondIamActions('stop'),
  ]),
].sort();

/** The actions the role assumed in each monitored account needs: the reads, and --respond's call. */
export function monitoredAccountActions(respond?: RespondMode): string[] {
  return [...new Set([...MONITORED_READ_ACTIONS, ...(respond ? respondIamActions(respond) : [])])].sort();
}

/** The actions the monitor's own role (the Lambda function's) needs for these options. */
export function monitorFunctionActions(opts: MonitorPolicyOptions): string[] {
  const actions = new Set(monitoredAccountActions(opts.respond));
  if (opts.organization || opts.accounts) actions.add(AUDIT_ACTIONS.assumeRole.action);
  if (opts.organization) actions.add(AUDIT_ACTIONS.listAccounts.action);
  if (opts.store === 'dynamodb') for (const a of DYNAMODB_ACTIONS) actions.add(a);
  if (opts.sns !== false) actions.add(SNS_PUBLISH_ACTION);
  return [...actions].sort();
}

/**
 * The monitor's least-privilege policy: statement `CloudConformMonitor` for the function's own
 * role (it reads its own account with it), and with --organization or --accounts statement
 * `CloudConformMonitoredAccount` for the role of --role-name in each member account.
 */
export function monitorIamPolicy(opts: MonitorPolicyOptions): IamPolicyDocument {
  const statements: IamPolicyDocument['Statement'] = [{ Sid: 'CloudConformMonitor', Effect: 'Allow', Action: monitorFunctionActions(opts), Resource: '*' }];
  if (opts.organization || opts.accounts) statements.push({ Sid: 'CloudConformMonitoredAccount', Effect: 'Allow', Action: monitoredAccountActions(opts.respond), Resource: '*' });
  return { Version: '2012-10-17', Statement: statements };
}

export const MONITOR_IAM_POLICY_NOTE =
  "Statement 'CloudConformMonitor' is for the monitor's own role (the Lambda function's, or whoever runs " +
  "`cloudconform handle-event`): it reads its own account with it, records the history in DynamoDB and publishes " +
  "to SNS; narrow dynamodb:* to the table, sns:Publish to your topics and sts:AssumeRole to the member role's ARNs. " +
  "Statement 'CloudConformMonitoredAccount' is for the role named by --role-name in each member account. " +
  '--respond tag adds sagemaker:AddTags, --respond stop sagemaker:StopNotebookInstance, to both (on notebook-instance ARNs). ' +
  'This policy is for --organization with the DynamoDB history; `cloudconform monitor deploy` emits the exact one for its options.';
