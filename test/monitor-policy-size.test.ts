// Many --accounts fit Lambda's 4 KB environment but not IAM's 10,240 characters of inline policy per
// role (one role ARN per account in sts:AssumeRole) nor EventBridge's 10,240-character bus policy:
// the stack would fail half-way through its deployment. Refused up front, with the number that fits;
// what is accepted is checked on the emitted template, every reference at its longest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMonitorDeploy } from '../src/cli/monitor-command';
import { emitCloudFormation } from '../src/monitor/cloudformation';
import { monitorSpec, type MonitorDeployOptions } from '../src/monitor/spec';
import { cfnValue, loadCfn } from './helpers/monitor-templates';

const LIMIT = 10_240;
const ids = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));

/** Characters of a policy document as AWS counts them (no white space), with references at their longest. */
function worstChars(doc: unknown): number {
  const text = JSON.stringify(cfnValue(doc))
    .replace(/<AWS::Partition>/g, 'aws-us-gov')
    .replace(/<[^>]+>/g, 'x'.repeat(256));
  return text.replace(/\s/g, '').length;
}

function fits(o: MonitorDeployOptions): void {
  const t = loadCfn(emitCloudFormation(monitorSpec(o)).central);
  for (const role of ['FunctionRole', 'AuditFunctionRole']) {
    if (!t.Resources[role]) continue;
    const total = t.Resources[role].Properties.Policies.reduce((n: number, p: any) => n + worstChars(p.PolicyDocument), 0);
    assert.ok(total <= LIMIT, `${role}: ${total} characters for ${o.accounts?.length} accounts`);
  }
  assert.ok(worstChars({ Version: '2012-10-17', Statement: [t.Resources.EventBusPolicy.Properties.Statement] }) <= LIMIT, 'bus policy');
}

test('--accounts: more accounts than the role policy holds are refused before anything is emitted, saying how many fit; that many deploy within the limits', () => {
  for (const o of [{}, { schedule: 'rate(1 day)', respond: 'stop' as const }, { roleName: 'r'.repeat(64) }, { organization: true }]) {
    let message = '';
    assert.throws(
      () => monitorSpec({ ...o, accounts: ids(150) }),
      (e: unknown) => {
        message = (e as Error).message;
        return /^--accounts: 150 accounts make the .*role's policy about \d+ characters .*over IAM's 10240 .*give at most (\d+) accounts/.test(message);
      },
      JSON.stringify(o),
    );
    const fit = Number(/at most (\d+) accounts/.exec(message)![1]);
    assert.ok(fit > 20 && fit < 150, message);
    fits({ ...o, accounts: ids(fit) });
    assert.throws(() => monitorSpec({ ...o, accounts: ids(fit + 1) }), /over IAM's 10240/, `${fit + 1} accounts`);
  }
});

test('monitor deploy --accounts with too many accounts: exit 2, nothing written, the reason on standard error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-monitor-size-'));
  try {
    let stderr = '';
    let stdout = '';
    const code = runMonitorDeploy(
      { emit: 'terraform', accounts: ids(200), output: join(dir, 'c.tf'), memberTemplate: join(dir, 'm.tf') },
      { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) },
    );
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /over IAM's 10240/);
    assert.equal(existsSync(join(dir, 'c.tf')) || existsSync(join(dir, 'm.tf')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
