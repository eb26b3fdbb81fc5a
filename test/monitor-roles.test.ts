// Least privilege, each function on its own: the event function's role holds exactly the calls the
// event handler makes (its describes, ListTags, the caller's identity, the member roles, the
// organization's accounts when it reads them), never the scheduled audit's listing
// (DescribeRegions, ListNotebookInstances, ListDomains); with --schedule the audit function has a
// role of its own, with the audit's calls and neither the queue's nor --respond's. The expected
// lists are written out here, not taken from the code under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emitCloudFormation } from '../src/monitor/cloudformation';
import { emitTerraform } from '../src/monitor/terraform';
import { monitorSpec, type MonitorDeployOptions } from '../src/monitor/spec';
import { cfnValue, loadCfn, loadTf, tfResource } from './helpers/monitor-templates';

const HISTORY = ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'sns:Publish'];
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const QUEUE = ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'];
const EVENT_READS = ['sagemaker:DescribeDomain', 'sagemaker:DescribeNotebookInstance', 'sagemaker:ListTags'];
const AUDIT_LISTING = ['ec2:DescribeRegions', 'sagemaker:ListDomains', 'sagemaker:ListNotebookInstances'];
const AUDIT_READS = [...EVENT_READS, ...AUDIT_LISTING, 'sts:GetCallerIdentity'];

const sorted = (a: string[]) => [...new Set(a)].sort();
const actionsOf = (doc: any) => sorted(doc.Statement.flatMap((s: any) => (Array.isArray(s.Action) ? s.Action : [s.Action])));

function cfnRoles(o: MonitorDeployOptions) {
  const out = emitCloudFormation(monitorSpec(o));
  const t = loadCfn(out.central);
  const r = t.Resources;
  const roleOf = (fn: string) => {
    const ref = r[fn].Properties.Role['Fn::GetAtt'][0] as string;
    return { name: ref, actions: actionsOf(r[ref].Properties.Policies[0].PolicyDocument) };
  };
  return { event: roleOf('EventFunction'), audit: r.AuditFunction ? roleOf('AuditFunction') : undefined, member: out.member ? loadCfn(out.member) : undefined, outputs: t.Outputs };
}

const CASES: { name: string; o: MonitorDeployOptions; event: string[]; audit?: string[] }[] = [
  { name: 'single account', o: {}, event: [...HISTORY, ...EVENT_READS, 'sts:GetCallerIdentity'] },
  { name: 'accounts', o: { accounts: ['111111111111'] }, event: [...HISTORY, ...EVENT_READS, 'sts:GetCallerIdentity', 'sts:AssumeRole'] },
  { name: 'organization', o: { organization: true }, event: [...HISTORY, ...EVENT_READS, 'sts:GetCallerIdentity', 'sts:AssumeRole', 'organizations:ListAccounts'] },
  { name: 'respond stop', o: { respond: 'stop' }, event: [...HISTORY, ...EVENT_READS, 'sts:GetCallerIdentity', 'sagemaker:StopNotebookInstance'] },
  {
    name: 'schedule',
    o: { schedule: 'rate(1 day)', respond: 'tag' },
    event: [...HISTORY, ...EVENT_READS, 'sts:GetCallerIdentity', 'sagemaker:AddTags'],
    audit: [...HISTORY, ...AUDIT_READS],
  },
  {
    name: 'organization + schedule',
    o: { organization: true, schedule: 'rate(1 day)' },
    event: [...HISTORY, ...EVENT_READS, 'sts:GetCallerIdentity', 'sts:AssumeRole', 'organizations:ListAccounts'],
    audit: [...HISTORY, ...AUDIT_READS, 'sts:AssumeRole', 'organizations:ListAccounts'],
  },
];

test("the event function's role holds exactly the event handler's calls (no audit listing without --schedule); with --schedule the audit function has its own role with the audit's calls", () => {
  for (const c of CASES) {
    const roles = cfnRoles(c.o);
    assert.deepEqual(roles.event.actions, sorted([...c.event, ...QUEUE, ...LOGS]), `${c.name}: event role`);
    for (const a of AUDIT_LISTING) assert.ok(!roles.event.actions.includes(a), `${c.name}: ${a} in the event role`);
    if (c.audit) {
      assert.ok(roles.audit, c.name);
      assert.notEqual(roles.audit.name, roles.event.name, `${c.name}: one role for both functions`);
      assert.deepEqual(roles.audit.actions, sorted([...c.audit, ...LOGS]), `${c.name}: audit role`);
    } else {
      assert.equal(roles.audit, undefined, c.name);
    }
    // Terraform alike.
    const tf = loadTf(emitTerraform(monitorSpec(c.o)).central);
    assert.equal(tfResource(tf, 'aws_lambda_function', 'events').attrs.role, '<aws_iam_role.function.arn>');
    assert.deepEqual(actionsOf(tfResource(tf, 'aws_iam_role_policy', 'function').attrs.policy), sorted([...c.event, ...QUEUE, ...LOGS]), `${c.name}: terraform event role`);
    if (c.audit) {
      assert.equal(tfResource(tf, 'aws_lambda_function', 'audit').attrs.role, '<aws_iam_role.audit.arn>');
      assert.deepEqual(actionsOf(tfResource(tf, 'aws_iam_role_policy', 'audit').attrs.policy), sorted([...c.audit, ...LOGS]), `${c.name}: terraform audit role`);
    }
  }
});

test("each role writes only its own function's logs", () => {
  const r = cfnValue(loadCfn(emitCloudFormation(monitorSpec({ schedule: 'rate(1 day)' })).central).Resources);
  const logsOf = (role: string) => r[role].Properties.Policies[0].PolicyDocument.Statement.find((s: any) => s.Sid === 'WriteLogs').Resource;
  assert.equal(logsOf('FunctionRole'), '<EventFunctionLogs.Arn>');
  assert.equal(logsOf('AuditFunctionRole'), '<AuditFunctionLogs.Arn>');
});

test("member accounts: the read-only role holds the handler's reads, and the audit's listing only with --schedule, when it trusts the audit function's role too", () => {
  const memberActions = (m: any) => actionsOf(m.Resources.ReadRole.Properties.Policies[0].PolicyDocument);
  const trust = (m: any) => cfnValue(m.Resources.ReadRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal.AWS);
  const events = cfnRoles({ organization: true });
  assert.deepEqual(memberActions(events.member), sorted(EVENT_READS));
  assert.equal(trust(events.member), '<CentralLambdaRoleArn>');
  assert.equal(events.member.Parameters.CentralAuditRoleArn, undefined);
  const scheduled = cfnRoles({ organization: true, schedule: 'rate(1 day)', respond: 'stop' });
  assert.deepEqual(memberActions(scheduled.member), sorted([...AUDIT_READS, 'sagemaker:StopNotebookInstance']));
  assert.deepEqual(trust(scheduled.member), ['<CentralLambdaRoleArn>', '<CentralAuditRoleArn>']);
  assert.ok(scheduled.member.Parameters.CentralAuditRoleArn);
  assert.deepEqual(cfnValue(scheduled.outputs.AuditFunctionRoleArn.Value), '<AuditFunctionRole.Arn>');
  const tf = emitTerraform(monitorSpec({ organization: true, schedule: 'rate(1 day)' }));
  const read = tfResource(loadTf(tf.member!), 'aws_iam_role', 'read').attrs.assume_role_policy.Statement[0].Principal.AWS;
  assert.deepEqual(read, ['<var.central_lambda_role_arn>', '<var.central_audit_role_arn>']);
});
