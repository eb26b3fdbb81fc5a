// What the monitor's templates take from the event handler (its IAM actions) and the history
// (its DynamoDB table). PLACEHOLDERS until src/events/actions.ts and src/history/dynamodb.ts land.
import { AUDIT_ACTIONS, type AuditAction } from '../sources/aws/actions';

export interface MonitorPolicyOptions {
  respond?: 'tag' | 'stop';
  organization?: boolean;
  accounts?: boolean;
  store: 'dynamodb' | 'sqlite';
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: { Sid?: string; Effect: 'Allow'; Action: string[]; Resource: string | string[] }[];
}

export function monitorIamPolicy(opts: MonitorPolicyOptions): PolicyDocument {
  const audited = Object.values(AUDIT_ACTIONS as Record<string, AuditAction>).filter((a) => a.neededBy === 'audited').map((a) => a.action);
  const actions = new Set(audited);
  if (opts.store === 'dynamodb') for (const a of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']) actions.add(a);
  actions.add('sns:Publish');
  if (opts.organization || opts.accounts) actions.add('sts:AssumeRole');
  if (opts.organization) actions.add('organizations:ListAccounts');
  if (opts.respond === 'tag') actions.add('sagemaker:AddTags');
  if (opts.respond === 'stop') actions.add('sagemaker:StopNotebookInstance');
  return { Version: '2012-10-17', Statement: [{ Sid: 'CloudConformMonitor', Effect: 'Allow', Action: [...actions].sort(), Resource: '*' }] };
}

/** Actions the role assumed in each member account needs: the audit's reads and --respond's calls. */
export function memberReadActions(respond?: 'tag' | 'stop'): string[] {
  const actions = new Set(Object.values(AUDIT_ACTIONS as Record<string, AuditAction>).filter((a) => a.neededBy === 'audited').map((a) => a.action));
  if (respond === 'tag') actions.add('sagemaker:AddTags');
  if (respond === 'stop') actions.add('sagemaker:StopNotebookInstance');
  return [...actions].sort();
}

export interface DynamoTableDefinition {
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  BillingMode: 'PAY_PER_REQUEST';
  GlobalSecondaryIndexes?: { IndexName: string; KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[]; Projection: { ProjectionType: 'ALL' | 'KEYS_ONLY' } }[];
  TimeToLiveAttribute?: string;
}

export function dynamoTableDefinition(): DynamoTableDefinition {
  return {
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}
