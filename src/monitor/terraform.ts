// `monitor deploy --emit terraform`: the same resources as the CloudFormation templates, for the
// hashicorp/aws provider. The central configuration, and with --organization or --accounts a
// member configuration (apply it in each account and region, e.g. with provider aliases).
import { block, expr, jsonencode, render, value, type Block, type Expr, type HclValue, type Item } from './hcl';
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
  eventPattern,
  type MonitorSpec,
  type ParamId,
  type ResId,
  type Statement,
  type Val,
} from './spec';

const ADDRESS: Record<ResId, string> = {
  table: 'aws_dynamodb_table.history',
  queue: 'aws_sqs_queue.events',
  deadLetterQueue: 'aws_sqs_queue.dead_letter',
  topic: 'aws_sns_topic.findings',
  bus: 'aws_cloudwatch_event_bus.sagemaker',
  rule: 'aws_cloudwatch_event_rule.sagemaker',
  eventFunction: 'aws_lambda_function.events',
  auditFunction: 'aws_lambda_function.audit',
  eventLogGroup: 'aws_cloudwatch_log_group.events',
  auditLogGroup: 'aws_cloudwatch_log_group.audit',
  functionRole: 'aws_iam_role.function',
  auditRole: 'aws_iam_role.audit',
  scheduleRule: 'aws_cloudwatch_event_rule.audit',
};

const VARIABLE: Record<ParamId, string> = {
  codeBucket: 'code_bucket',
  codeKey: 'code_key',
  organizationId: 'organization_id',
  slackWebhookUrl: 'slack_webhook_url',
  webhookUrl: 'webhook_url',
  webhookSecret: 'webhook_secret',
};

function tf(v: Val): HclValue {
  if (typeof v === 'string') return v;
  if ('param' in v) return expr(`var.${VARIABLE[v.param]}`);
  if ('pseudo' in v) {
    return expr({ partition: 'data.aws_partition.current.partition', account: 'data.aws_caller_identity.current.account_id', region: 'data.aws_region.current.name' }[v.pseudo]);
  }
  if ('join' in v) return joinExpr(v.join.map(tf));
  const address = ADDRESS[v.res];
  switch (v.attr) {
    case 'arn':
      return expr(`${address}.arn`);
    case 'logStreams':
      return expr(`"\${${address}.arn}:*"`);
    case 'url':
      return expr(`${address}.url`);
    case 'name':
      return expr(v.res === 'eventFunction' || v.res === 'auditFunction' ? `${address}.function_name` : `${address}.name`);
  }
}

/** join("", [...]): the parts stay values (hclString-escaped literals), never template text. */
function joinExpr(parts: HclValue[]): Expr {
  return expr(`join("", [${parts.map((p) => value(p, '')).join(', ')}])`);
}

function policy(statements: Statement[]): Expr {
  return jsonencode({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      Sid: s.sid,
      Effect: 'Allow',
      Action: s.actions,
      Resource: s.resources.map(tf),
    })),
  });
}

const ref = (res: ResId, attr: 'arn' | 'name' | 'url' = 'arn'): HclValue => tf({ res, attr });

const TRUST_LAMBDA = jsonencode({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

function lambdaFunction(spec: MonitorSpec, name: string, functionName: string, description: string, timeout: number, logs: ResId, role: 'function' | 'audit'): Block {
  return block('resource', ['aws_lambda_function', name], [
    ['function_name', functionName],
    ['description', description],
    ['runtime', RUNTIME],
    ['handler', HANDLER],
    ['architectures', ['arm64']],
    ['memory_size', MEMORY_MB],
    ['timeout', timeout],
    ['role', ref(role === 'function' ? 'functionRole' : 'auditRole')],
    ['s3_bucket', expr('var.code_bucket')],
    ['s3_key', expr('var.code_key')],
    block('environment', [], [['variables', Object.fromEntries(spec.env.map(([k, v]) => [k, tf(v)]))]]),
    block('logging_config', [], [
      ['log_format', 'Text'],
      ['log_group', ref(logs, 'name')],
    ]),
    // The role's policy is a separate resource: the function must not start without it.
    ['depends_on', [expr(`aws_iam_role_policy.${role}`)]],
  ]);
}

/** A role only Lambda assumes, and its one inline policy. */
function lambdaRole(name: 'function' | 'audit', prefix: string, description: string, policyName: string, statements: Statement[]): Block[] {
  return [
    block('resource', ['aws_iam_role', name], [
      ['name_prefix', prefix],
      ['description', description],
      ['assume_role_policy', TRUST_LAMBDA],
    ]),
    block('resource', ['aws_iam_role_policy', name], [
      ['name', policyName],
      ['role', expr(`aws_iam_role.${name}.id`)],
      ['policy', policy(statements)],
    ]),
  ];
}

function logGroup(name: string, prefix: string): Block {
  return block('resource', ['aws_cloudwatch_log_group', name], [
    ['name_prefix', prefix],
    ['retention_in_days', LOG_RETENTION_DAYS],
  ]);
}

/** Terraform and the AWS provider versions both configurations need: said once, so they can't diverge. */
function providerRequirements(): Block {
  return block('terraform', [], [
    ['required_version', '>= 1.5'],
    block('required_providers', [], [['aws', { source: 'hashicorp/aws', version: '>= 5.40' }]]),
  ]);
}

export function centralConfiguration(spec: MonitorSpec): Block[] {
  const out: Block[] = [
    providerRequirements(),
    block('variable', ['code_bucket'], [
      ['description', 'S3 bucket holding the Lambda zip (cloudconform monitor package), in this region'],
      ['type', expr('string')],
    ]),
    block('variable', ['code_key'], [
      ['description', 'S3 key of the Lambda zip (use a new key per version: a changed key redeploys the code)'],
      ['type', expr('string')],
      ['default', DEFAULT_CODE_KEY],
    ]),
  ];
  if (spec.options.organization) {
    out.push(
      block('variable', ['organization_id'], [
        ['description', 'AWS Organizations id (o-...): only its accounts may put events on the bus'],
        ['type', expr('string')],
        block('validation', [], [
          ['condition', expr('can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))')],
          ['error_message', 'An organization id is o- and 10 to 32 lowercase letters or digits.'],
        ]),
      ]),
    );
  }
  if (spec.slack) {
    out.push(
      block('variable', ['slack_webhook_url'], [
        ['description', 'Slack incoming webhook URL (a secret: not written in the configuration)'],
        ['type', expr('string')],
        ['sensitive', true],
      ]),
    );
  }
  if (spec.webhook) {
    out.push(
      block('variable', ['webhook_url'], [
        ['description', 'Webhook URL findings are posted to (a secret: not written in the configuration)'],
        ['type', expr('string')],
        ['sensitive', true],
      ]),
      block('variable', ['webhook_secret'], [
        ['description', 'HMAC-SHA256 key for webhook bodies (empty: unsigned)'],
        ['type', expr('string')],
        ['sensitive', true],
        ['default', ''],
      ]),
    );
  }
  out.push(block('data', ['aws_partition', 'current'], []));
  const table = spec.table;
  const hash = table.KeySchema.find((k) => k.KeyType === 'HASH')!.AttributeName;
  const range = table.KeySchema.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  const tableBody: Item[] = [
    ['name', 'cloudconform-monitor-history'],
    ['billing_mode', table.BillingMode],
    ['hash_key', hash],
    ...(range ? ([['range_key', range]] as Item[]) : []),
    ...table.AttributeDefinitions.map((a) => block('attribute', [], [['name', a.AttributeName], ['type', a.AttributeType]])),
    block('ttl', [], [
      ['attribute_name', table.TimeToLiveSpecification.AttributeName],
      ['enabled', table.TimeToLiveSpecification.Enabled],
    ]),
    block('point_in_time_recovery', [], [['enabled', true]]),
    // The findings' history outlives the configuration (CloudFormation: DeletionPolicy Retain).
    block('lifecycle', [], [['prevent_destroy', true]]),
  ];
  out.push(block('resource', ['aws_dynamodb_table', 'history'], tableBody));
  out.push(
    block('resource', ['aws_sqs_queue', 'dead_letter'], [
      ['name_prefix', 'cloudconform-monitor-dlq-'],
      ['sqs_managed_sse_enabled', true],
      ['message_retention_seconds', DEAD_LETTER_RETENTION],
    ]),
    block('resource', ['aws_sqs_queue', 'events'], [
      ['name_prefix', 'cloudconform-monitor-'],
      ['sqs_managed_sse_enabled', true],
      ['visibility_timeout_seconds', QUEUE_VISIBILITY_TIMEOUT],
      ['redrive_policy', jsonencode({ deadLetterTargetArn: ref('deadLetterQueue'), maxReceiveCount: MAX_RECEIVE_COUNT })],
    ]),
  );
  for (const [name, res] of [['events', 'queue'], ['dead_letter', 'deadLetterQueue']] as const) {
    out.push(
      block('resource', ['aws_sqs_queue_policy', name], [
        ['queue_url', ref(res, 'url')],
        [
          'policy',
          jsonencode({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'OnlyTheSageMakerRule',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: ref(res),
                Condition: { ArnEquals: { 'aws:SourceArn': ref('rule') } },
              },
              { Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: ref(res), Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
            ],
          }),
        ],
      ]),
    );
  }
  out.push(
    block('resource', ['aws_sns_topic', 'findings'], [
      ['name_prefix', 'cloudconform-findings-'],
      ['kms_master_key_id', TOPIC_KMS_KEY],
    ]),
  );
  if (spec.central) {
    out.push(
      block('resource', ['aws_cloudwatch_event_bus', 'sagemaker'], [['name', 'cloudconform-sagemaker-events']]),
      block('resource', ['aws_cloudwatch_event_bus_policy', 'sagemaker'], [
        ['event_bus_name', ref('bus', 'name')],
        [
          'policy',
          jsonencode({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: spec.options.organization ? 'OrganizationMembersForward' : 'AllowedAccountsForward',
                Effect: 'Allow',
                Principal:
                  spec.options.organization && spec.accounts.length === 0
                    ? '*'
                    : { AWS: spec.accounts.map((a) => joinExpr(['arn:', expr('data.aws_partition.current.partition'), `:iam::${a}:root`])) },
                Action: 'events:PutEvents',
                Resource: ref('bus'),
                ...(spec.options.organization ? { Condition: { StringEquals: { 'aws:PrincipalOrgID': expr('var.organization_id') } } } : {}),
              },
            ],
          }),
        ],
      ]),
    );
  }
  out.push(
    block('resource', ['aws_cloudwatch_event_rule', 'sagemaker'], [
      ['name_prefix', 'cloudconform-sagemaker-'],
      ['description', 'SageMaker notebook instance and domain changes (CloudTrail) to the cloudconform queue'],
      ...(spec.central ? ([['event_bus_name', ref('bus', 'name')]] as Item[]) : []),
      ['event_pattern', jsonencode(eventPattern() as HclValue)],
    ]),
    block('resource', ['aws_cloudwatch_event_target', 'queue'], [
      ['rule', expr('aws_cloudwatch_event_rule.sagemaker.name')],
      ...(spec.central ? ([['event_bus_name', ref('bus', 'name')]] as Item[]) : []),
      ['target_id', 'cloudconform-queue'],
      ['arn', ref('queue')],
      block('dead_letter_config', [], [['arn', ref('deadLetterQueue')]]),
    ]),
    logGroup('events', '/cloudconform/monitor-events-'),
  );
  if (spec.schedule) out.push(logGroup('audit', '/cloudconform/monitor-audit-'));
  out.push(
    ...lambdaRole('function', 'cloudconform-monitor-', 'cloudconform monitor: the event handler (least privilege: the calls it makes)', 'cloudconform-monitor', spec.statements),
    lambdaFunction(spec, 'events', 'cloudconform-monitor-events', 'cloudconform: checks SageMaker resources named by CloudTrail events', EVENT_FUNCTION_TIMEOUT, 'eventLogGroup', 'function'),
    block('resource', ['aws_lambda_event_source_mapping', 'events'], [
      ['event_source_arn', ref('queue')],
      ['function_name', expr('aws_lambda_function.events.arn')],
      ['batch_size', BATCH_SIZE],
      ['function_response_types', ['ReportBatchItemFailures']],
    ]),
  );
  if (spec.schedule) {
    if (!spec.auditStatements) throw new Error('--schedule without the audit role');
    out.push(
      ...lambdaRole('audit', 'cloudconform-audit-', 'cloudconform monitor: the scheduled full audit (least privilege: the calls it makes)', 'cloudconform-monitor-audit', spec.auditStatements),
      lambdaFunction(spec, 'audit', 'cloudconform-monitor-audit', 'cloudconform: scheduled full audit', AUDIT_FUNCTION_TIMEOUT, 'auditLogGroup', 'audit'),
      block('resource', ['aws_cloudwatch_event_rule', 'audit'], [
        ['name_prefix', 'cloudconform-audit-'],
        ['description', 'cloudconform: full audit on a schedule'],
        ['schedule_expression', spec.schedule],
      ]),
      block('resource', ['aws_cloudwatch_event_target', 'audit'], [
        ['rule', expr('aws_cloudwatch_event_rule.audit.name')],
        ['target_id', 'cloudconform-audit'],
        ['arn', ref('auditFunction')],
      ]),
      block('resource', ['aws_lambda_permission', 'audit'], [
        ['action', 'lambda:InvokeFunction'],
        ['function_name', expr('aws_lambda_function.audit.function_name')],
        ['principal', 'events.amazonaws.com'],
        ['source_arn', expr('aws_cloudwatch_event_rule.audit.arn')],
      ]),
      block('resource', ['aws_lambda_function_event_invoke_config', 'audit'], [
        ['function_name', expr('aws_lambda_function.audit.function_name')],
        ['maximum_retry_attempts', 0],
      ]),
    );
  }
  out.push(
    block('output', ['function_role_arn'], [['description', "The handler's role: the member configuration's central_lambda_role_arn"], ['value', expr('aws_iam_role.function.arn')]]),
    block('output', ['queue_url'], [['value', expr('aws_sqs_queue.events.url')]]),
    block('output', ['dead_letter_queue_url'], [['value', expr('aws_sqs_queue.dead_letter.url')]]),
    block('output', ['topic_arn'], [['description', 'Subscribe to it for findings'], ['value', expr('aws_sns_topic.findings.arn')]]),
    block('output', ['table_name'], [['value', expr('aws_dynamodb_table.history.name')]]),
  );
  if (spec.schedule) out.push(block('output', ['audit_function_role_arn'], [['description', "The scheduled audit's role: the member configuration's central_audit_role_arn"], ['value', expr('aws_iam_role.audit.arn')]]));
  if (spec.central) out.push(block('output', ['event_bus_arn'], [['description', "The member configuration's central_event_bus_arn"], ['value', expr('aws_cloudwatch_event_bus.sagemaker.arn')]]));
  return out;
}

export function memberConfiguration(spec: MonitorSpec): Block[] {
  if (!spec.roleName) throw new Error('member configuration without a role name');
  const statements: HclValue[] = spec.memberStatements.map((s) => ({ Sid: s.sid, Effect: 'Allow', Action: s.actions, Resource: s.resources.length === 1 ? tf(s.resources[0]!) : s.resources.map(tf) }));
  return [
    providerRequirements(),
    block('variable', ['central_event_bus_arn'], [
      ['description', "The central configuration's event_bus_arn output"],
      ['type', expr('string')],
    ]),
    block('variable', ['central_lambda_role_arn'], [
      ['description', "The central configuration's function_role_arn output: the only principal that may assume the read-only role"],
      ['type', expr('string')],
    ]),
    ...(spec.schedule
      ? [
          block('variable', ['central_audit_role_arn'], [
            ['description', "The central configuration's audit_function_role_arn output: the scheduled audit, the other principal that may assume the read-only role"],
            ['type', expr('string')],
          ]),
        ]
      : []),
    block('variable', ['create_read_role'], [
      ['description', 'Create the (global) read-only role: true in one region of each account only'],
      ['type', expr('bool')],
      ['default', true],
    ]),
    block('data', ['aws_partition', 'current'], []),
    block('data', ['aws_caller_identity', 'current'], []),
    block('resource', ['aws_iam_role', 'forward'], [
      ['name_prefix', 'cloudconform-forward-'],
      ['description', 'EventBridge forwards SageMaker changes to the cloudconform central bus'],
      [
        'assume_role_policy',
        jsonencode({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': expr('data.aws_caller_identity.current.account_id') } },
            },
          ],
        }),
      ],
    ]),
    block('resource', ['aws_iam_role_policy', 'forward'], [
      ['name', 'put-events-central-bus'],
      ['role', expr('aws_iam_role.forward.id')],
      ['policy', jsonencode({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: expr('var.central_event_bus_arn') }] })],
    ]),
    block('resource', ['aws_cloudwatch_event_rule', 'forward'], [
      ['name_prefix', 'cloudconform-forward-'],
      ['description', 'SageMaker notebook instance and domain changes (CloudTrail) to the cloudconform central bus'],
      ['event_pattern', jsonencode(eventPattern() as HclValue)],
    ]),
    block('resource', ['aws_cloudwatch_event_target', 'forward'], [
      ['rule', expr('aws_cloudwatch_event_rule.forward.name')],
      ['target_id', 'cloudconform-central-bus'],
      ['arn', expr('var.central_event_bus_arn')],
      ['role_arn', expr('aws_iam_role.forward.arn')],
    ]),
    block('resource', ['aws_iam_role', 'read'], [
      ['count', expr('var.create_read_role ? 1 : 0')],
      ['name', spec.roleName],
      ['description', 'cloudconform monitor: read SageMaker notebooks and domains for the central handler'],
      [
        'assume_role_policy',
        jsonencode({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: spec.schedule ? [expr('var.central_lambda_role_arn'), expr('var.central_audit_role_arn')] : expr('var.central_lambda_role_arn') }, Action: 'sts:AssumeRole' }],
        }),
      ],
    ]),
    block('resource', ['aws_iam_role_policy', 'read'], [
      ['count', expr('var.create_read_role ? 1 : 0')],
      ['name', 'cloudconform-monitor-read'],
      ['role', expr('aws_iam_role.read[0].id')],
      ['policy', jsonencode({ Version: '2012-10-17', Statement: statements })],
    ]),
  ];
}

export function emitTerraform(spec: MonitorSpec): { central: string; member?: string } {
  const central = render(centralConfiguration(spec), [
    ...TEMPLATE_NOTE.map((l) => l.replace('as parameters', 'as variables code_bucket and code_key')),
    ...(spec.central ? ['Apply it first; then the member configuration (--member-template) in each account and region to watch.'] : []),
  ]);
  if (!spec.central) return { central };
  const member = render(memberConfiguration(spec), [
    'Generated by cloudconform monitor deploy: the member configuration. Apply it in every account and region to',
    "watch (the central account too, for its own notebooks), with the central configuration's outputs",
    `event_bus_arn and function_role_arn${spec.schedule ? ' (and audit_function_role_arn as central_audit_role_arn)' : ''}; create_read_role = true in one region per account only.`,
  ]);
  return { central, member };
}
