// `scan --notify` through the built command (bin/cloudconform.js, as `npm run build` made it),
// with a local server as the webhook receiver: one message listing the new failures, none for
// the same run again, a failed channel exit 2 with the run still reported and recorded, and the
// webhook secret and the URL's path nowhere in what the command prints or writes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ScanReport } from '../src/model/report';
import { findingKey } from '../src/model/report';
import { useNotifyCliHarness } from './helpers/notify-cli-harness';

const harness = useNotifyCliHarness('cc-notify-cli-');
const { work, repo, run } = harness;
const SECRET = 'cc-webhook-secret-0d1e2f3a4b5c6d7e';
const PATH_SECRET = '/hooks/T0PSECRETPATH?token=QUERYSECRET';

function noSecrets(dir: string, ...outputs: string[]): void {
  // Report files and the history database (and its -wal) as bytes: nothing of the secret or the URL is kept.
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') || f.includes('.db')).map((f) => readFileSync(join(dir, f), 'latin1'));
  for (const text of [...outputs, ...files]) {
    for (const secret of [SECRET, 'T0PSECRETPATH', 'QUERYSECRET']) assert.ok(!text.includes(secret), `${secret} printed or written`);
  }
}

test('scan --notify webhook: one signed message with the new failures; the same run again sends nothing; a new failure sends only it', async () => {
  const dir = repo();
  const hook = `webhook=${harness.server().origin}${PATH_SECRET}`;
  const args = ['scan', '.', '--db', join(dir, 'h.db'), '--notify', hook, '-o', 'json=report.json'];
  const env = { CLOUDCONFORM_WEBHOOK_SECRET: SECRET };
  const first = await run(args, dir, env);
  assert.equal(first.code, 1, first.stderr);
  assert.equal(harness.server().received.length, 1);
  const req = harness.server().received[0]!;
  assert.equal(req.path, PATH_SECRET);
  const ts = req.headers['x-cloudconform-timestamp'] as string;
  assert.equal(req.headers['x-cloudconform-signature'], `sha256=${createHmac('sha256', SECRET).update(`${ts}.${req.body}`).digest('hex')}`);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ScanReport;
  const failing = report.findings.filter((f) => f.result === 'fail' && !f.suppressed);
  assert.equal(failing.length, 8);
  const doc = JSON.parse(req.body);
  assert.deepEqual(doc.counts, { new: 8 });
  assert.deepEqual(doc.findings.map((f: { key: string }) => f.key).sort(), failing.map(findingKey).sort());
  assert.equal(doc.run.id, report.run!.id);
  assert.match(first.stderr, /notified webhook http:\/\/127\.0\.0\.1:\d+\/… of 8 findings/);
  noSecrets(dir, first.stdout, first.stderr);

  const second = await run(args, dir, env);
  assert.equal(second.code, 1, second.stderr);
  assert.equal(harness.server().received.length, 1, 'nothing new: nothing sent');
  assert.doesNotMatch(second.stderr, /notified/);

  appendFileSync(
    join(dir, 'examples', 'terraform', 'noncompliant', 'main.tf'),
    '\nresource "aws_sagemaker_notebook_instance" "added" {\n  name = "added"\n  role_arn = "arn:aws:iam::111122223333:role/r"\n  instance_type = "ml.t3.medium"\n}\n',
  );
  const third = await run(args, dir, env);
  assert.equal(third.code, 1, third.stderr);
  assert.equal(harness.server().received.length, 2);
  const added = JSON.parse(harness.server().received[1]!.body);
  assert.deepEqual(added.findings.map((f: { resource: { id: string }; change: string }) => [f.resource.id, f.change]), [['aws_sagemaker_notebook_instance.added', 'new']]);
  noSecrets(dir, third.stdout, third.stderr);
});

test('a channel that fails: exit 2, the error said (without the URL path), the report written and the run recorded', async () => {
  harness.server().behave((req, res) => res.writeHead(500).end(`no route for ${req.path}`));
  const dir = repo();
  const db = join(dir, 'h.db');
  const r = await run(['scan', '.', '--db', db, '--notify', `webhook=${harness.server().origin}${PATH_SECRET}`, '-o', 'json=report.json', '-q'], dir, { CLOUDCONFORM_WEBHOOK_SECRET: SECRET });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /error: notify:webhook: webhook http:\/\/127\.0\.0\.1:\d+\/…: not sent: answered HTTP 500: no route for \/… \(after 3 attempts\)/);
  assert.equal(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).summary.failing, 8);
  const history = await run(['history', '--db', db, '-f', 'json'], dir);
  assert.equal(JSON.parse(history.stdout).runs.length, 1, 'the run is recorded');
  noSecrets(dir, r.stdout, r.stderr, history.stdout);
});

test('--no-history: every failure is new on every run; without the secret, one warning and an unsigned body', async () => {
  const dir = repo();
  for (let i = 1; i <= 2; i++) {
    const r = await run(['scan', '.', '--no-history', '--notify', `webhook=${harness.server().origin}/h`, '-q'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(harness.server().received.length, i);
    assert.equal(JSON.parse(harness.server().received[i - 1]!.body).findings.length, 8);
    assert.equal(harness.server().received[i - 1]!.headers['x-cloudconform-signature'], undefined);
    assert.equal(r.stderr.match(/CLOUDCONFORM_WEBHOOK_SECRET is not set/g)?.length, 1);
  }
});

test('bad usage before any scan (exit 2, no report, the URL path never quoted): plain http elsewhere, user-info, a filter without --notify, an unknown rule', async () => {
  const dir = repo();
  const cases: [string[], RegExp][] = [
    [['--notify', 'slack=http://hooks.slack.example/services/T0PSECRETPATH'], /plain http is allowed only to this machine/],
    [['--notify', 'webhook=https://me:QUERYSECRET@example.com/T0PSECRETPATH'], /user name or password in the URL is refused/],
    [['--notify-risk', 'high'], /--notify-risk without --notify: nothing would be sent/],
    [['--notify', `webhook=${harness.server().origin}/h`, '--notify-rule', 'NOPE-1'], /--notify-rule: no rule 'NOPE-1'/],
    [['--notify', 'sns=arn:aws:sns:us-east-1:bad:topic'], /expected a topic ARN/],
  ];
  for (const [extra, message] of cases) {
    const r = await run(['scan', '.', '--no-history', ...extra], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '', 'no scan ran');
    noSecrets(dir, r.stderr);
  }
  assert.equal(harness.server().received.length, 0);
});

test('--notify-risk and --notify-rule narrow what is sent; nothing left, nothing sent', async () => {
  const dir = repo();
  const hook = `webhook=${harness.server().origin}/h`;
  const r = await run(['scan', '.', '--no-history', '--notify', hook, '--notify-rule', 'SageMaker-005', '-q'], dir);
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(harness.server().received[0]!.body);
  assert.deepEqual(doc.findings.map((f: { ruleId: string }) => f.ruleId), ['SageMaker-005']);
  const none = await run(['scan', '.', '--no-history', '--notify', hook, '--notify-on', 'resolved', '-q'], dir);
  assert.equal(none.code, 1, none.stderr);
  assert.equal(harness.server().received.length, 1);
});

test('scan --notify-tag is refused: a template\'s tags are not all the deployed resource gets', async () => {
  const dir = repo();
  const r = await run(['scan', '.', '--no-history', '--notify', `webhook=${harness.server().origin}/h`, '--notify-tag', 'team=ml'], dir);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--notify-tag: a scan's findings have no known tags/);
  assert.equal(harness.server().received.length, 0);
});
