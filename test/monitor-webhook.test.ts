// Think like an attacker reading what `monitor deploy` wrote: a webhook URL is a secret (a token
// often sits in its path or query), so it must be in neither the template, nor the function's
// environment as written, nor standard output. `--notify webhook` makes it a deployment parameter
// (CloudFormation NoEcho WebhookUrl, Terraform sensitive webhook_url), like Slack's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMonitorDeploy, type MonitorDeployCommandOptions } from '../src/cli/monitor-command';
import { lambdaSettings } from '../src/lambda';
import { cfnValue, loadCfn, loadTf, tfResource } from './helpers/monitor-templates';

const SECRET_URL = 'https://hooks.example.com/services/T0SECRETPATH/B0?token=QUERYTOKEN42';

function run(opts: Partial<MonitorDeployCommandOptions>) {
  const dir = mkdtempSync(join(tmpdir(), 'cc-monitor-webhook-'));
  const out = { stdout: '', stderr: '' };
  try {
    const output = join(dir, 'out');
    const code = runMonitorDeploy({ emit: 'cloudformation', ...opts, output: opts.output === '' ? undefined : output }, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t) });
    return { code, ...out, written: existsSync(output) ? readFileSync(output, 'utf8') : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--notify webhook=URL is refused (exit 2, nothing written, nothing on standard output): the URL would be written into the template; the message names --notify webhook and never shows the path or query', () => {
  for (const emit of ['cloudformation', 'terraform'] as const) {
    for (const output of [undefined, '']) {
      const r = run({ emit, notify: [`webhook=${SECRET_URL}`], ...(output === '' ? { output: '' } : {}) });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.written, undefined);
      assert.match(r.stderr, /--notify webhook\b/);
      assert.match(r.stderr, /WebhookUrl/);
      assert.match(r.stderr, /webhook_url/);
      for (const secret of ['T0SECRETPATH', 'QUERYTOKEN42']) assert.ok(!r.stderr.includes(secret), r.stderr);
    }
  }
});

test('--notify webhook: the URL is a NoEcho parameter (Terraform: a sensitive variable), the environment joins it in, and the handler reads it as a webhook target', async () => {
  const r = run({ notify: ['webhook', 'webhook'], output: '' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /WebhookUrl=URL \(a secret\)/);
  const t = loadCfn(r.stdout);
  assert.deepEqual(Object.keys(t.Parameters).filter((p) => p.startsWith('Webhook')).sort(), ['WebhookSecret', 'WebhookUrl'], 'one URL parameter, however often given');
  assert.equal(t.Parameters.WebhookUrl.NoEcho, true);
  assert.equal(t.Parameters.WebhookUrl.Default, undefined);
  const env = t.Resources.EventFunction.Properties.Environment.Variables;
  assert.equal(cfnValue(env).CLOUDCONFORM_NOTIFY, 'sns=<FindingsTopic>\nwebhook=<WebhookUrl>');
  // What Lambda gets once CloudFormation resolved the references: the handler's own reading.
  const resolved = JSON.parse(JSON.stringify(cfnValue(env)).replace('<WebhookUrl>', SECRET_URL).replace('<FindingsTopic>', 'arn:aws:sns:us-east-1:123456789012:t').replace('<WebhookSecret>', 'k'));
  const settings = await lambdaSettings(resolved);
  assert.deepEqual(settings.notify.map((c) => [c.kind, c.kind === 'sns' ? c.topicArn : c.url.href]), [
    ['sns', 'arn:aws:sns:us-east-1:123456789012:t'],
    ['webhook', SECRET_URL],
  ]);

  const tf = run({ emit: 'terraform', notify: ['webhook'], output: '' });
  assert.equal(tf.code, 0, tf.stderr);
  assert.match(tf.stderr, /TF_VAR_webhook_url/);
  const blocks = loadTf(tf.stdout);
  const variable = blocks.find((b) => b.type === 'variable' && b.labels[0] === 'webhook_url');
  assert.equal(variable?.attrs.sensitive, true);
  assert.equal(variable?.attrs.default, undefined);
  const vars = tfResource(blocks, 'aws_lambda_function', 'events').blocks.find((b) => b.type === 'environment')!.attrs.variables;
  assert.equal(vars.CLOUDCONFORM_NOTIFY, 'sns=<aws_sns_topic.findings.arn>\nwebhook=<var.webhook_url>');
});
