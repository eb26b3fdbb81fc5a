// Think like an attacker: `monitor deploy` writes option values into YAML and HCL. The first wall
// refuses what AWS would not take (validate.ts, through the command); the second — tested here
// by handing the emitters hostile values directly, as if a check were missed — escapes every
// string, so a value reads back as itself and never adds a resource, a key or an interpolation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMonitorDeploy, type MonitorDeployCommandOptions } from '../src/cli/monitor-command';
import { emitCloudFormation } from '../src/monitor/cloudformation';
import { emitTerraform } from '../src/monitor/terraform';
import { monitorSpec, type MonitorSpec } from '../src/monitor/spec';
import { cfnValue, loadCfn, loadTf, tfResource } from './helpers/monitor-templates';

const HOSTILE = [
  'x\nResources:\n  Evil:\n    Type: AWS::IAM::User',
  'x"\n}\nresource "aws_iam_user" "evil" {\n  name = "e',
  "a'b",
  '${AWS::AccountId}',
  '${var.code_bucket}',
  '$${x}',
  '%{if true}x%{endif}',
  'line\u2028sep\u0085nel\rcr',
  '# comment',
  'yes',
  'on',
  '@x',
  '*alias',
  '&anchor x',
  '!Ref Evil',
  '{a: b}',
  '[1, 2]',
  'back\\slash\\',
  'key: value',
  '- item',
  '\u0000nul\u001b[31m',
  '\ufeffbom',
  '<<: *x',
];

function run(opts: Partial<MonitorDeployCommandOptions>) {
  const dir = mkdtempSync(join(tmpdir(), 'cc-monitor-inject-'));
  const out = { stdout: '', stderr: '' };
  try {
    const output = join(dir, 'out.yaml');
    const member = join(dir, 'member.yaml');
    const code = runMonitorDeploy(
      { emit: 'cloudformation', output, ...opts, ...(opts.organization || opts.accounts ? { memberTemplate: member } : {}) },
      { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t) },
    );
    return { code, ...out, wrote: existsSync(output) || existsSync(member) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the command refuses hostile role names, account ids, schedules and notify targets: exit 2, nothing written, the value escaped on standard error', () => {
  for (const h of HOSTILE) {
    for (const opts of [
      { organization: true, roleName: h },
      { accounts: [h] },
      { schedule: h },
      { schedule: `rate(1 day)${h}` },
      { notify: [`sns=arn:aws:sns:us-east-1:123456789012:t${h}`] },
      { notify: [`webhook=https://h.example/${h}`] },
      { notify: [`slack=${h}`] },
    ] as Partial<MonitorDeployCommandOptions>[]) {
      const r = run(opts);
      // What AWS takes is accepted (escaped by the second wall): a role name such as `yes`. Nothing
      // with a line break or control character; no webhook URL at all (a secret: a deployment parameter).
      if (r.code === 0) {
        const legit =
          opts.roleName !== undefined
            ? /^[\w+=,.@-]{1,64}$/.test(h)
            : opts.notify?.[0]?.startsWith('sns=') === true && /^[\w-]+$/.test(h);
        assert.ok(legit, `accepted ${JSON.stringify(opts)}`);
        assert.doesNotMatch(h, /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/, JSON.stringify(h));
        continue;
      }
      assert.equal(r.code, 2, JSON.stringify(opts));
      assert.equal(r.wrote, false, JSON.stringify(opts));
      assert.equal(r.stdout, '');
      assert.doesNotMatch(r.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/, `stderr escaped for ${JSON.stringify(opts)}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line for ${JSON.stringify(opts)}: ${r.stderr}`);
    }
  }
});

/** A spec as if validation had let hostile values through. */
function hostileSpec(h: string): MonitorSpec {
  const spec = monitorSpec({ accounts: ['111111111111'], schedule: 'rate(1 day)', respond: 'tag', notify: [{ kind: 'webhook' }] });
  return {
    ...spec,
    roleName: h,
    schedule: h,
    env: spec.env.map(([k, v]) => [k, typeof v === 'string' ? h : k === 'CLOUDCONFORM_NOTIFY' ? { join: [v, '\n', `webhook=${h}`] } : v]),
    statements: spec.statements.map((s) => (s.sid === 'Notify' ? { ...s, resources: [...s.resources, h] } : s)),
  };
}

test('CloudFormation: a hostile value reads back as itself (YAML 1.1 and 1.2 alike), adds no resource or key, and is never in an Fn::Sub', () => {
  const plain = emitCloudFormation(monitorSpec({ accounts: ['111111111111'], schedule: 'rate(1 day)', respond: 'tag', notify: [{ kind: 'webhook' }] }));
  const keys = (t: any) => JSON.stringify({ top: Object.keys(t), res: Object.keys(t.Resources), params: Object.keys(t.Parameters) });
  for (const h of HOSTILE) {
    const out = emitCloudFormation(hostileSpec(h));
    const central = loadCfn(out.central);
    const member = loadCfn(out.member!);
    assert.equal(keys(central), keys(loadCfn(plain.central)), JSON.stringify(h));
    assert.equal(keys(member), keys(loadCfn(plain.member!)), JSON.stringify(h));
    const env = cfnValue(central.Resources.EventFunction.Properties.Environment.Variables);
    assert.equal(env.CLOUDCONFORM_ROLE_NAME, h);
    assert.equal(env.CLOUDCONFORM_RESPOND, h);
    assert.ok(env.CLOUDCONFORM_NOTIFY.endsWith(`\nwebhook=${h}`));
    assert.equal(central.Resources.AuditSchedule.Properties.ScheduleExpression, h);
    assert.equal(member.Resources.ReadRole.Properties.RoleName, h);
    const notify = central.Resources.FunctionRole.Properties.Policies[0].PolicyDocument.Statement.find((s: any) => s.Sid === 'Notify');
    assert.equal(notify.Resource.at(-1), h);
    for (const text of [out.central, out.member!]) {
      const subs = [...JSON.stringify(loadCfn(text)).matchAll(/"Fn::Sub":("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!));
      for (const s of subs) assert.doesNotMatch(s, /\$\{(?!AWS::StackName\})/, 'Fn::Sub holds only pseudo parameters');
    }
  }
});

test('Terraform: a hostile value reads back as itself through our HCL parser, adds no block or attribute, and no ${…} or %{…} of it is live', () => {
  const plain = emitTerraform(monitorSpec({ accounts: ['111111111111'], schedule: 'rate(1 day)', respond: 'tag', notify: [{ kind: 'webhook' }] }));
  const shape = (text: string) => JSON.stringify(loadTf(text).map((b) => [b.type, b.labels, Object.keys(b.attrs), b.blocks.map((x) => x.type)]));
  for (const h of HOSTILE) {
    const out = emitTerraform(hostileSpec(h));
    assert.equal(shape(out.central), shape(plain.central), JSON.stringify(h));
    assert.equal(shape(out.member!), shape(plain.member!), JSON.stringify(h));
    const central = loadTf(out.central);
    const fn = tfResource(central, 'aws_lambda_function', 'events');
    const vars = fn.blocks.find((b) => b.type === 'environment')!.attrs.variables;
    assert.equal(vars.CLOUDCONFORM_ROLE_NAME, h);
    assert.ok(vars.CLOUDCONFORM_NOTIFY.endsWith(`\nwebhook=${h}`), JSON.stringify(vars.CLOUDCONFORM_NOTIFY));
    assert.equal(tfResource(central, 'aws_cloudwatch_event_rule', 'audit').attrs.schedule_expression, h);
    assert.equal(tfResource(loadTf(out.member!), 'aws_iam_role', 'read').attrs.name, h);
    for (const b of central) for (const i of b.interpolations) assert.match(i, /^aws_cloudwatch_log_group\.(events|audit)\.arn$/, JSON.stringify(h));
  }
});
