// `monitor deploy --emit cloudformation`: the central stack (rule, queues, functions, table, topic,
// role; with --organization or --accounts its own event bus) and the StackSet-ready member
// template (forwarding rule, its role, and the read-only role the handler assumes). Written as
// YAML through remediation's writer: every string that is not plainly safe is double-quoted and
// escaped, and no option's value ever stands in an Fn::Sub string.
import { cloudFormationYaml } from '../remediation/live/emit';
import {
  AUDIT_FUNCTION_TIMEOUT,
  BATCH_SIZE,
  DEAD_LETTER_RETENTION,
  DEFAULT_CODE_KEY,
  EVENT_FUNCTION_TIMEOUT,
  HANDLER,
  LOG_RETENTION_DAYS,
  MAX_RECEIVE_COUNT,
  MEMORY_MB,
  QUEUE_VISIBILITY_TIMEOUT,
  RUNTIME,
  TEMPLATE_NOTE,
  TOPIC_KMS_KEY,
  WEBHOOK_URL_MAX,
  eventPattern,
  type MonitorSpec,
  type ParamId,
  type ResId,
  type Statement,
  type Val,
} from './spec';

const LOGICAL: Record<ResId, string> = {
  table: 'HistoryTable',
  queue: 'EventQueue',
  deadLetterQueue: 'DeadLetterQueue',
  topic: 'FindingsTopic',
  bus: 'EventBus',
  rule: 'SageMakerEventRule',
  eventFunction: 'EventFunction',
  auditFunction: 'AuditFunction',
  eventLogGroup: 'EventFunctionLogs',
  auditLogGroup: 'AuditFunctionLogs',
  functionRole: 'FunctionRole',
  auditRole: 'AuditFunctionRole',
  scheduleRule: 'AuditSchedule',
};

const PARAM: Record<ParamId, string> = {
  codeBucket: 'CodeBucket',
  codeKey: 'CodeKey',
  organizationId: 'OrganizationId',
  slackWebhookUrl: 'SlackWebhookUrl',
  webhookUrl: 'WebhookUrl',
  webhookSecret: 'WebhookSecret',
};

/** Ref of each resource type: what `name` means for it. */
const NAME_BY_REF = new Set<ResId>(['table', 'bus', 'eventFunction', 'auditFunction', 'eventLogGroup', 'auditLogGroup', 'functionRole', 'auditRole', 'topic', 'queue']);

function cfn(v: Val): unknown {
  if (typeof v === 'string') return v;
  if ('param' in v) return { Ref: PARAM[v.param] };
  if ('pseudo' in v) return { Ref: { partition: 'AWS::Partition', account: 'AWS::AccountId', region: 'AWS::Region' }[v.pseudo] };
  if ('join' in v) return { 'Fn::Join': ['', v.join.map(cfn)] };
  const id = LOGICAL[v.res];
  switch (v.attr) {
    case 'arn':
      // A topic's Ref is its ARN; a queue's Ref its URL.
      return v.res === 'topic' ? { Ref: id } : { 'Fn::GetAtt': [id, 'Arn'] };
    case 'logStreams':
      // A log group's Arn attribute ends in `:*`: every stream of the group.
      return { 'Fn::GetAtt': [id, 'Arn'] };
    case 'url':
      return { Ref: id };
    case 'name':
      if (v.res === 'queue') return { 'Fn::GetAtt': [id, 'QueueName'] };
      if (v.res === 'topic') return { 'Fn::GetAtt': [id, 'TopicName'] };
      if (!NAME_BY_REF.has(v.res)) throw new Error(`no name for ${v.res}`);
      return { Ref: id };
  }
}

function policyDocument(statements: Statement[]): object {
  return {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      Sid: s.sid,
      Effect: 'Allow',
      Action: s.actions.length === 1 ? s.actions[0] : s.actions,
      Resource: s.resources.length === 1 ? cfn(s.resources[0]!) : s.resources.map(cfn),
    })),
  };
}

/** A role only Lambda assumes, with one inline policy. */
function lambdaRole(description: string, policyName: string, statements: Statement[]): object {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: description,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: policyName, PolicyDocument: policyDocument(statements) }],
    },
  };
}

function logGroup(): object {
  return { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete', Properties: { RetentionInDays: LOG_RETENTION_DAYS } };
}

function lambdaFunction(spec: MonitorSpec, description: string, timeout: number, logs: ResId, role: ResId): object {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Description: description,
      Runtime: RUNTIME,
      Handler: HANDLER,
      // The bundle is plain JavaScript: Graviton is cheaper for the same work.
      Architectures: ['arm64'],
      MemorySize: MEMORY_MB,
      Timeout: timeout,
      Role: cfn({ res: role, attr: 'arn' }),
      Code: { S3Bucket: { Ref: 'CodeBucket' }, S3Key: { Ref: 'CodeKey' } },
      Environment: { Variables: Object.fromEntries(spec.env.map(([k, v]) => [k, cfn(v)])) },
      LoggingConfig: { LogGroup: { Ref: LOGICAL[logs] }, LogFormat: 'Text' },
    },
  };
}

export function centralTemplate(spec: MonitorSpec): object {
  const parameters: Record<string, object> = {
    CodeBucket: { Type: 'String', Description: 'S3 bucket holding the Lambda zip (cloudconform monitor package), in this region', MinLength: 3, MaxLength: 63, AllowedPattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' },
    CodeKey: { Type: 'String', Description: 'S3 key of the Lambda zip (use a new key per version: a changed key redeploys the code)', Default: DEFAULT_CODE_KEY, MinLength: 1, MaxLength: 1024 },
  };
  if (spec.options.organization) {
    parameters.OrganizationId = { Type: 'String', Description: 'AWS Organizations id (o-...): only its accounts may put events on the bus', AllowedPattern: '^o-[a-z0-9]{10,32}$' };
  }
  if (spec.slack) parameters.SlackWebhookUrl = { Type: 'String', NoEcho: true, Description: 'Slack incoming webhook URL (a secret: not written in the template)', AllowedPattern: '^https://\\S+$' };
  if (spec.webhook) {
    parameters.WebhookUrl = { Type: 'String', NoEcho: true, Description: 'Webhook URL findings are posted to (a secret: not written in the template)', MaxLength: WEBHOOK_URL_MAX, AllowedPattern: '^https://\\S+$' };
  }
  if (spec.webhook) parameters.WebhookSecret = { Type: 'String', NoEcho: true, Default: '', Description: 'HMAC-SHA256 key for webhook bodies (empty: unsigned)' };

  const resources: Record<string, object> = {};
  const table = spec.table;
  resources.HistoryTable = {
    Type: 'AWS::DynamoDB::Table',
    // The findings' history outlives the stack: deleting the stack keeps it.
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      BillingMode: table.BillingMode,
      AttributeDefinitions: table.AttributeDefinitions,
      KeySchema: table.KeySchema,
      TimeToLiveSpecification: table.TimeToLiveSpecification,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    },
  };
  resources.DeadLetterQueue = {
    Type: 'AWS::SQS::Queue',
    Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: DEAD_LETTER_RETENTION },
  };
  resources.EventQueue = {
    Type: 'AWS::SQS::Queue',
    Properties: {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: QUEUE_VISIBILITY_TIMEOUT,
      RedrivePolicy: { deadLetterTargetArn: cfn({ res: 'deadLetterQueue', attr: 'arn' }), maxReceiveCount: MAX_RECEIVE_COUNT },
    },
  };
  const queues = [cfn({ res: 'queue', attr: 'arn' }), cfn({ res: 'deadLetterQueue', attr: 'arn' })];
  resources.EventQueuePolicy = {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [{ Ref: 'EventQueue' }, { Ref: 'DeadLetterQueue' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            // Only this rule: the queue (and, for what it can't deliver, the dead-letter queue).
            Sid: 'OnlyTheSageMakerRule',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: queues,
            Condition: { ArnEquals: { 'aws:SourceArn': cfn({ res: 'rule', attr: 'arn' }) } },
          },
          {
            Sid: 'TlsOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sqs:*',
            Resource: queues,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    },
  };
  resources.FindingsTopic = { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: TOPIC_KMS_KEY } };
  if (spec.central) {
    resources.EventBus = { Type: 'AWS::Events::EventBus', Properties: { Name: { 'Fn::Sub': '${AWS::StackName}-sagemaker-events' } } };
    const condition = spec.options.organization
      ? { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } }
      : undefined;
    resources.EventBusPolicy = {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: {
        EventBusName: { 'Fn::GetAtt': ['EventBus', 'Name'] },
        StatementId: spec.options.organization ? 'OrganizationMembersForward' : 'AllowedAccountsForward',
        Statement: {
          Effect: 'Allow',
          Principal: spec.options.organization && spec.accounts.length === 0 ? '*' : { AWS: spec.accounts.map((a) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${a}:root`]] })) },
          Action: 'events:PutEvents',
          Resource: { 'Fn::GetAtt': ['EventBus', 'Arn'] },
          ...(condition ? { Condition: condition } : {}),
        },
      },
    };
  }
  resources.SageMakerEventRule = {
    Type: 'AWS::Events::Rule',
    Properties: {
      Description: 'SageMaker notebook instance and domain changes (CloudTrail) to the cloudconform queue',
      ...(spec.central ? { EventBusName: { 'Fn::GetAtt': ['EventBus', 'Name'] } } : {}),
      EventPattern: eventPattern(),
      State: 'ENABLED',
      Targets: [
        {
          Id: 'cloudconform-queue',
          Arn: cfn({ res: 'queue', attr: 'arn' }),
          DeadLetterConfig: { Arn: cfn({ res: 'deadLetterQueue', attr: 'arn' }) },
        },
      ],
    },
  };
  resources.EventFunctionLogs = logGroup();
  if (spec.schedule) resources.AuditFunctionLogs = logGroup();
  resources.FunctionRole = lambdaRole('cloudconform monitor: the event handler (least privilege: the calls it makes)', 'cloudconform-monitor', spec.statements);
  resources.EventFunction = lambdaFunction(spec, 'cloudconform: checks SageMaker resources named by CloudTrail events', EVENT_FUNCTION_TIMEOUT, 'eventLogGroup', 'functionRole');
  resources.EventSourceMapping = {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: {
      EventSourceArn: cfn({ res: 'queue', attr: 'arn' }),
      FunctionName: { Ref: 'EventFunction' },
      BatchSize: BATCH_SIZE,
      // Only the records the handler lists in batchItemFailures come back.
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    },
  };
  if (spec.schedule) {
    if (!spec.auditStatements) throw new Error('--schedule without the audit role');
    resources.AuditFunctionRole = lambdaRole('cloudconform monitor: the scheduled full audit (least privilege: the calls it makes)', 'cloudconform-monitor-audit', spec.auditStatements);
    resources.AuditFunction = lambdaFunction(spec, 'cloudconform: scheduled full audit', AUDIT_FUNCTION_TIMEOUT, 'auditLogGroup', 'auditRole');
    resources.AuditSchedule = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: 'cloudconform: full audit on a schedule',
        ScheduleExpression: spec.schedule,
        State: 'ENABLED',
        Targets: [{ Id: 'cloudconform-audit', Arn: { 'Fn::GetAtt': ['AuditFunction', 'Arn'] } }],
      },
    };
    resources.AuditPermission = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { Ref: 'AuditFunction' },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': ['AuditSchedule', 'Arn'] },
      },
    };
    // An audit that failed runs again at the next schedule, not twice more at once.
    resources.AuditInvokeConfig = {
      Type: 'AWS::Lambda::EventInvokeConfig',
      Properties: { FunctionName: { Ref: 'AuditFunction' }, Qualifier: '$LATEST', MaximumRetryAttempts: 0 },
    };
  }
  const outputs: Record<string, object> = {
    FunctionRoleArn: { Description: "The handler's role: the member template's CentralLambdaRoleArn", Value: { 'Fn::GetAtt': ['FunctionRole', 'Arn'] } },
    QueueUrl: { Value: { Ref: 'EventQueue' } },
    DeadLetterQueueUrl: { Value: { Ref: 'DeadLetterQueue' } },
    TopicArn: { Description: 'Subscribe to it for findings', Value: { Ref: 'FindingsTopic' } },
    TableName: { Value: { Ref: 'HistoryTable' } },
  };
  if (spec.schedule) outputs.AuditFunctionRoleArn = { Description: "The scheduled audit's role: the member template's CentralAuditRoleArn", Value: { 'Fn::GetAtt': ['AuditFunctionRole', 'Arn'] } };
  if (spec.central) outputs.EventBusArn = { Description: "The member template's CentralEventBusArn", Value: { 'Fn::GetAtt': ['EventBus', 'Arn'] } };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'cloudconform monitor: SageMaker changes checked within a minute (EventBridge, SQS, Lambda, DynamoDB, SNS)',
    Parameters: parameters,
    Resources: resources,
    Outputs: outputs,
  };
}

/**
 * The member accounts' template, for a StackSet over the organization (or the --accounts), in
 * every region to watch: a rule on the default bus forwarding the same events to the central bus,
 * and — in one region only, IAM being global — the read-only role the handler assumes.
 */
const ROLE_ARN_PATTERN = '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$';

export function memberTemplate(spec: MonitorSpec): object {
  if (!spec.roleName) throw new Error('member template without a role name');
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'cloudconform monitor (member account): forwards SageMaker changes to the central bus; the read-only role the central handler assumes',
    Parameters: {
      CentralEventBusArn: { Type: 'String', Description: "The central stack's EventBusArn output", AllowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/[A-Za-z0-9._-]+$' },
      CentralLambdaRoleArn: { Type: 'String', Description: `The central stack's FunctionRoleArn output: the ${spec.schedule ? 'event handler, one of the two principals' : 'only principal'} that may assume the read-only role`, AllowedPattern: ROLE_ARN_PATTERN },
      ...(spec.schedule
        ? { CentralAuditRoleArn: { Type: 'String', Description: "The central stack's AuditFunctionRoleArn output: the scheduled audit, the other principal that may assume the read-only role", AllowedPattern: ROLE_ARN_PATTERN } }
        : {}),
      RoleRegion: { Type: 'String', Description: 'The one region where the (global) read-only role is created', AllowedPattern: '^[a-z]{2}(-[a-z]+)+-\\d$' },
    },
    Conditions: { CreateReadRole: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'RoleRegion' }] } },
    Resources: {
      ForwardRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Description: 'EventBridge forwards SageMaker changes to the cloudconform central bus',
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'put-events-central-bus',
              PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'CentralEventBusArn' } }] },
            },
          ],
        },
      },
      ForwardRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Description: 'SageMaker notebook instance and domain changes (CloudTrail) to the cloudconform central bus',
          EventPattern: eventPattern(),
          State: 'ENABLED',
          Targets: [{ Id: 'cloudconform-central-bus', Arn: { Ref: 'CentralEventBusArn' }, RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] } }],
        },
      },
      ReadRole: {
        Type: 'AWS::IAM::Role',
        Condition: 'CreateReadRole',
        Properties: {
          RoleName: spec.roleName,
          Description: 'cloudconform monitor: read SageMaker notebooks and domains for the central handler',
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { AWS: spec.schedule ? [{ Ref: 'CentralLambdaRoleArn' }, { Ref: 'CentralAuditRoleArn' }] : { Ref: 'CentralLambdaRoleArn' } }, Action: 'sts:AssumeRole' }],
          },
          Policies: [
            {
              PolicyName: 'cloudconform-monitor-read',
              PolicyDocument: { Version: '2012-10-17', Statement: memberStatements(spec) },
            },
          ],
        },
      },
    },
  };
}

/** Reads on `*`; --respond's calls on notebooks (spec.memberStatements). */
function memberStatements(spec: MonitorSpec): object[] {
  return spec.memberStatements.map((s) => ({ Sid: s.sid, Effect: 'Allow', Action: s.actions, Resource: s.resources.length === 1 ? cfn(s.resources[0]!) : s.resources.map(cfn) }));
}

export function emitCloudFormation(spec: MonitorSpec): { central: string; member?: string } {
  const note = (lines: string[]) => lines.map((l) => `# ${l}`).join('\n');
  const central = `${note([...TEMPLATE_NOTE, ...(spec.central ? ['Deploy this stack first; then the member template (--member-template) as a StackSet with its outputs.'] : [])])}\n${cloudFormationYaml(centralTemplate(spec))}`;
  if (!spec.central) return { central };
  const member = `${note([
    'Generated by cloudconform monitor deploy: the member template. Deploy it as a StackSet to every account and',
    'region to watch (the central account too, for its own notebooks), with the central stack\'s outputs',
    `EventBusArn and FunctionRoleArn as CentralEventBusArn and CentralLambdaRoleArn${spec.schedule ? ', AuditFunctionRoleArn as CentralAuditRoleArn' : ''}, and RoleRegion one region.`,
  ])}\n${cloudFormationYaml(memberTemplate(spec))}`;
  return { central, member };
}
