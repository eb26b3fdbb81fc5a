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
  /** A scheduled full audit (`--schedule`): its own function and role, and its listing in the member accounts. */
  schedule?: boolean;
}

const actionsOf = (list: readonly AuditAction[]) => list.map((a) => a.action);

/**
 * What is read in each monitored account (by the role assumed there, or by the function's own role
 * for its own account): the handler's describes and ListTags, and the scheduled audit's listing
 * (DescribeRegions, ListNotebookInstances, ListDomains) and identity.
 */
export const MONITORED_READ_ACTIONS: readonly string[] = actionsOf(Object.values(AUDIT_ACTIONS as Record<string, AuditAction>).filter((a) => a.neededBy === 'audited'));

/**
 * What the event handler reads in each monitored account: the describe of each resource an event
 * names, and its tags (exceptions by tag, --notify-tag). Never the audit's listing.
 */
export const EVENT_READ_ACTIONS: readonly string[] = [AUDIT_ACTIONS.describeNotebookInstance.action, AUDIT_ACTIONS.describeDomain.action, AUDIT_ACTIONS.listTags.action].sort();

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

/**
 * The actions the role assumed in each monitored account needs: the handler's reads, --respond's
 * calls, and with a scheduled audit the audit's reads (its listing and identity).
 */
export function monitoredAccountActions(respond?: RespondMode, opts: { schedule?: boolean } = {}): string[] {
  return [...new Set([...EVENT_READ_ACTIONS, ...(opts.schedule ? MONITORED_READ_ACTIONS : []), ...(respond ? respondIamActions(respond) : [])])].sort();
}

/** What both functions call besides the reads: the other accounts' roles, the organization's list, the history, SNS. */
function sharedActions(opts: MonitorPolicyOptions): string[] {
  const actions: string[] = [];
  if (opts.organization || opts.accounts) actions.push(AUDIT_ACTIONS.assumeRole.action);
  if (opts.organization) actions.push(AUDIT_ACTIONS.listAccounts.action);
  if (opts.store === 'dynamodb') actions.push(...DYNAMODB_ACTIONS);
  if (opts.sns !== false) actions.push(SNS_PUBLISH_ACTION);
  return actions;
}

/**
 * The event handler's own role (the event function's, or whoever runs `handle-event`): the
 * caller's identity, the handler's reads and --respond's calls in its own account, and the shared ones.
 */
export function monitorFunctionActions(opts: MonitorPolicyOptions): string[] {
  return [...new Set([AUDIT_ACTIONS.getCallerIdentity.action, ...monitoredAccountActions(opts.respond), ...sharedActions(opts)])].sort();
}

/** The scheduled audit's own role: the audit's reads in its own account, and the shared ones (no --respond: the audit only reports). */
export function monitorAuditActions(opts: MonitorPolicyOptions): string[] {
  return [...new Set([...MONITORED_READ_ACTIONS, ...sharedActions(opts)])].sort();
}

/**
 * The monitor's least-privilege policy: statement `CloudConformMonitor` for the event handler's
 * own role (it reads its own account with it), with --schedule `CloudConformMonitorAudit` for the
 * scheduled audit's role, and with --organization or --accounts `CloudConformMonitoredAccount`
 * for the role of --role-name in each member account.
 */
export function monitorIamPolicy(opts: MonitorPolicyOptions): IamPolicyDocument {
  const statements: IamPolicyDocument['Statement'] = [{ Sid: 'CloudConformMonitor', Effect: 'Allow', Action: monitorFunctionActions(opts), Resource: '*' }];
  if (opts.schedule) statements.push({ Sid: 'CloudConformMonitorAudit', Effect: 'Allow', Action: monitorAuditActions(opts), Resource: '*' });
  if (opts.organization || opts.accounts) statements.push({ Sid: 'CloudConformMonitoredAccount', Effect: 'Allow', Action: monitoredAccountActions(opts.respond, opts), Resource: '*' });
  return { Version: '2012-10-17', Statement: statements };
}

export const MONITOR_IAM_POLICY_NOTE =
  "Statement 'CloudConformMonitor' is for the event handler's own role (the event function's, or whoever runs " +
  "`cloudconform handle-event`): it reads its own account with it, records the history in DynamoDB and publishes " +
  "to SNS; narrow dynamodb:* to the table, sns:Publish to your topics and sts:AssumeRole to the member role's ARNs. " +
  "Statement 'CloudConformMonitorAudit' is for the scheduled audit's role (monitor deploy --schedule): the audit's " +
  "listing and reads, the same history, SNS and member roles. " +
  "Statement 'CloudConformMonitoredAccount' is for the role named by --role-name in each member account (the audit's " +
  'listing there is needed only with --schedule). ' +
  '--respond tag adds sagemaker:AddTags, --respond stop sagemaker:StopNotebookInstance, to the handler\'s and the member role (on notebook-instance ARNs). ' +
  'This policy is for --organization and --schedule with the DynamoDB history; `cloudconform monitor deploy` emits the exact one for its options.';
