// Notifications over HTTP (Slack incoming webhooks, signed webhooks) against a local server:
// attack cases first — markup, links and mentions in names, tags and messages; a server that
// hangs, fails, redirects or answers without end; the URL (a secret) in every message we print.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Finding, ScanReport } from '../src/model/report';
import { findingKey } from '../src/model/report';
import type { ChangeKind, RunComparison } from '../src/history/types';
import { notify, parseNotifyTarget, parseNotifyTargets, parseNotifyFilters, verifyWebhookSignature, NotifyTargetError, type NotifyFilters } from '../src/notify/index';
import { slackLiteral } from '../src/notify/message';
import { startNotifyServer, ok, type NotifyServer } from './helpers/notify-server';

const SECRET = 'whsec-test-0123456789abcdef-SECRET';
const SLACK_PATH = '/services/T0000/B0000/XXXXslacktokenXXXX';
const DEFAULT: NotifyFilters = { on: ['new', 'regressed'] };
const FAST = { timeoutMs: 2000, backoffMs: [10, 20] };

let server: NotifyServer;
before(async () => (server = await startNotifyServer()));
after(() => server.stop());
beforeEach(() => {
  server.received.length = 0;
  server.behave(ok);
});

function finding(id: string, over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'SageMaker-004',
    result: 'fail',
    resource: { type: 'AWS::SageMaker::NotebookInstance', id, source: 'cloudformation' },
    location: { file: 'infra/nb.yaml', line: 3 },
    message: 'DirectInternetAccess is Enabled',
    risk: 'High',
    suppressed: false,
    ...over,
  };
}

function report(findings: Finding[], label = 'scan:repo'): ScanReport {
  return {
    version: 1,
    tool: { name: 'cloudconform', version: 'test' },
    rules: [],
    findings,
    errors: [],
    summary: { resources: findings.length, findings: findings.length, pass: 0, fail: findings.length, unknown: 0, suppressed: 0, errors: 0, filesScanned: 1, failing: findings.length },
    run: { id: '20261204T220000Z-00000001', command: 'scan', startedAt: '2026-12-04T22:00:00.000Z', endedAt: '2026-12-04T22:00:01.000Z', scope: { key: 'scan:repo', label }, evaluated: { files: ['infra/nb.yaml'] } },
  };
}

function comparison(r: ScanReport, changes: [ChangeKind, Finding][]): RunComparison {
  const counts = Object.fromEntries(['new', 'regressed', 'still-failing', 'resolved', 'newly-suppressed', 'suppression-expired', 'not-evaluated', 'unchanged'].map((k) => [k, 0])) as RunComparison['counts'];
  for (const [c] of changes) counts[c]++;
  return { current: r.run!, changes: changes.map(([change, f]) => ({ key: findingKey(f), change, finding: f })), counts };
}

const slack = () => parseNotifyTarget(`slack=${server.origin}${SLACK_PATH}`);
const webhook = (path = '/hook/abc') => parseNotifyTarget(`webhook=${server.origin}${path}`);

const HOSTILE = '<!channel> <!here|here> <@U024BE7LH> @here @channel <https://evil.example/login|Click to fix> *bold* _it_ ~s~ `code` https://evil.example www.evil.example &amp; \u001b]8;;https://evil.example\u0007x\u202e';

test('attack: links, mentions and markup in resource names, ids, messages and the scope label reach Slack only as literal text', async () => {
  const f = finding(HOSTILE, { message: `msg ${HOSTILE}`, resource: { type: 'AWS::SageMaker::NotebookInstance', id: `arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/x`, source: 'aws', details: { name: HOSTILE } }, location: { file: `aws://111122223333/us-east-1`, line: 0 } });
  const r = report([f, finding(`id ${HOSTILE}`, { location: { file: `dir/${HOSTILE}.yaml`, line: 1 } })], `label ${HOSTILE}`);
  const out = await notify(comparison(r, r.findings.map((x) => ['new', x] as [ChangeKind, Finding])), r, [slack()], DEFAULT, FAST);
  assert.deepEqual(out.errors, []);
  assert.equal(server.received.length, 1);
  const payload = JSON.parse(server.received[0]!.body);
  const text: string = payload.text;
  // Slack reads <...> as links and mentions, & as an entity: none may come from the findings.
  assert.ok(!text.includes('<') && !text.includes('>'), text);
  assert.ok(!/&(?!amp;|lt;|gt;)/.test(text), 'every & is an entity');
  assert.ok(!/@(here|channel|everyone|U024)/.test(text), 'no mention');
  assert.ok(!text.includes('://') && !/www\./i.test(text), 'no autolink');
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/.test(text), 'no control or bidi character');
  // Every name sits in a code span: an even number of backticks, none from the names themselves.
  assert.equal((text.match(/`/g) ?? []).length % 2, 0);
  assert.ok(text.includes('&lt;!channel&gt;'), 'shown literally');
  assert.equal(payload.unfurl_links, false);
  assert.equal(payload.link_names, false);
  assert.equal(payload.parse, 'none');
});

test('attack: slackLiteral keeps no way out of its code span', () => {
  for (const s of ['`', '``', '`<!channel>`', 'a`b', '\n`\n', '```x```']) {
    const lit = slackLiteral(s);
    assert.equal((lit.match(/`/g) ?? []).length, 2, lit);
    assert.ok(!lit.includes('\n'));
  }
});

test('webhook: the body is signed (HMAC-SHA256 over timestamp.body), and the receiver can verify it', async () => {
  const f = finding('Nb');
  const r = report([f]);
  const out = await notify(comparison(r, [['new', f]]), r, [webhook()], DEFAULT, { ...FAST, env: { CLOUDCONFORM_WEBHOOK_SECRET: SECRET } });
  assert.deepEqual(out.errors, []);
  assert.deepEqual(out.warnings, []);
  assert.equal(out.sent[0]!.signed, true);
  const req = server.received[0]!;
  const ts = req.headers['x-cloudconform-timestamp'] as string;
  const sig = req.headers['x-cloudconform-signature'] as string;
  assert.match(ts, /^\d{10}$/);
  assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 60);
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${req.body}`).digest('hex')}`;
  assert.ok(timingSafeEqual(Buffer.from(sig), Buffer.from(expected)), 'signature verifies');
  // The exported check, as a receiver would run it: tampering, another secret, a stale timestamp all fail.
  const check = (over: Partial<Parameters<typeof verifyWebhookSignature>[0]>) => verifyWebhookSignature({ secret: SECRET, timestamp: ts, signature: sig, body: req.body, ...over });
  assert.equal(check({}), true);
  assert.equal(check({ body: req.body.replace('"new"', '"old"') }), false);
  assert.equal(check({ secret: 'other' }), false);
  assert.equal(check({ now: new Date((Number(ts) + 301) * 1000) }), false, 'a replay after 5 minutes');
  assert.equal(check({ signature: undefined }), false);
  assert.equal(check({ signature: sig.slice(0, -1) }), false);
  // A replayed body under a new timestamp does not verify: the timestamp is signed.
  const forged = `sha256=${createHmac('sha256', SECRET).update(`${Number(ts) + 600}.${req.body}`).digest('hex')}`;
  assert.notEqual(sig, forged);
  const doc = JSON.parse(req.body);
  assert.match(doc.delivery, /^[0-9a-f-]{36}$/);
  assert.equal(req.headers['x-cloudconform-delivery'], doc.delivery);
  assert.match(req.headers['user-agent'] as string, /^cloudconform\/\d/);
  assert.equal(doc.source, 'cloudconform');
  assert.deepEqual(doc.counts, { new: 1 });
  assert.equal(doc.findings[0].key, findingKey(f));
  assert.equal(doc.findings[0].resource.id, 'Nb');
  assert.equal(doc.run.id, r.run!.id);
  assert.ok(!req.body.includes(SECRET) && !JSON.stringify(req.headers).includes(SECRET), 'the secret is never sent');
});

test('webhook: no secret: sent unsigned, with one warning for every webhook channel together', async () => {
  const f = finding('Nb');
  const r = report([f]);
  const out = await notify(comparison(r, [['new', f]]), r, [webhook('/a'), webhook('/b')], DEFAULT, { ...FAST, env: {} });
  assert.equal(out.warnings.length, 1);
  assert.match(out.warnings[0]!, /CLOUDCONFORM_WEBHOOK_SECRET is not set/);
  assert.equal(server.received.length, 2);
  for (const req of server.received) assert.equal(req.headers['x-cloudconform-signature'], undefined);
  assert.equal(out.sent[0]!.signed, false);
});

test('attack: a server that never answers: an error entry within the deadline, nothing kept open', async () => {
  server.behave(() => {});
  const f = finding('Nb');
  const r = report([f]);
  const started = Date.now();
  const out = await notify(comparison(r, [['new', f]]), r, [slack()], DEFAULT, { timeoutMs: 500, backoffMs: [10] });
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  assert.equal(out.errors.length, 1);
  assert.equal(out.errors[0]!.file, 'notify:slack');
  assert.match(out.errors[0]!.message, /no answer within 0\.5s/);
  assert.equal(server.received.length, 1, 'a timeout is not retried (the server may have the message)');
  assert.ok(!out.errors[0]!.message.includes('XXXXslacktokenXXXX'));
});

test('attack: 500s are retried, then an error entry; the URL path (the secret) is never in it, even when the server echoes it', async () => {
  server.behave((req, res) => res.writeHead(500).end(`internal error for ${req.path} at ${server.origin}${req.path}`));
  const f = finding('Nb');
  const r = report([f]);
  const out = await notify(comparison(r, [['new', f]]), r, [slack(), webhook('/hook/also-secret?token=abc')], DEFAULT, { ...FAST, env: {} });
  assert.equal(server.received.length, 6, 'three attempts per channel');
  assert.equal(out.errors.length, 2);
  for (const e of out.errors) {
    assert.match(e.message, /HTTP 500/);
    assert.match(e.message, /after 3 attempts/);
    for (const secret of ['XXXXslacktokenXXXX', 'also-secret', 'token=abc', '/services/']) assert.ok(!e.message.includes(secret), e.message);
  }
  assert.deepEqual(out.errors.map((e) => e.file).sort(), ['notify:slack', 'notify:webhook']);
  assert.match(out.errors.find((e) => e.file === 'notify:slack')!.message, /^slack http:\/\/127\.0\.0\.1:\d+\/…: not sent/);
});

test('a 429 with Retry-After is waited out (at most 10 s), then sent', async () => {
  let calls = 0;
  server.behave((_req, res) => (calls++ === 0 ? res.writeHead(429, { 'retry-after': '1' }).end('rate_limited') : res.writeHead(200).end('ok')));
  const f = finding('Nb');
  const r = report([f]);
  const started = Date.now();
  const out = await notify(comparison(r, [['new', f]]), r, [slack()], DEFAULT, FAST);
  assert.deepEqual(out.errors, []);
  assert.equal(server.received.length, 2);
  assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
});

test('attack: a redirect is not followed (the findings, and a signature, would go elsewhere)', async () => {
  const other = await startNotifyServer();
  try {
    server.behave((_req, res) => res.writeHead(307, { location: `${other.origin}/stolen` }).end());
    const f = finding('Nb');
    const r = report([f]);
    const out = await notify(comparison(r, [['new', f]]), r, [webhook()], DEFAULT, { ...FAST, env: { CLOUDCONFORM_WEBHOOK_SECRET: SECRET } });
    assert.equal(other.received.length, 0);
    assert.equal(out.errors.length, 1);
    assert.match(out.errors[0]!.message, /HTTP 307 \(a redirect\): not followed/);
  } finally {
    await other.stop();
  }
});

test('attack: an endless answer is not read: success (2xx) or failure is decided from the first KB, the connection closed', async () => {
  const endless = (status: number) => (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    const chunk = Buffer.alloc(64 * 1024, 'A');
    const pump = () => {
      while (res.write(chunk)) if (res.destroyed) return;
    };
    res.on('drain', pump);
    pump();
  };
  const f = finding('Nb');
  const r = report([f]);
  for (const status of [200, 400]) {
    server.behave(endless(status));
    const started = Date.now();
    const out = await notify(comparison(r, [['new', f]]), r, [slack()], DEFAULT, FAST);
    assert.ok(Date.now() - started < 2000, `${status}: took ${Date.now() - started} ms`);
    if (status === 200) assert.deepEqual(out.errors, []);
    else {
      assert.equal(out.errors.length, 1);
      assert.ok(out.errors[0]!.message.length < 500, 'at most 200 characters of the answer');
    }
  }
});

test('attack: an answer trickling a byte a second: a 2xx counts at once, an error keeps what came by the deadline', async () => {
  const trickle = (status: number) => (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('z')), 100);
    res.on('close', () => clearInterval(timer));
  };
  const f = finding('Nb');
  const r = report([f]);
  server.behave(trickle(200));
  let started = Date.now();
  const delivered = await notify(comparison(r, [['new', f]]), r, [slack()], DEFAULT, { timeoutMs: 1000, backoffMs: [10] });
  assert.deepEqual(delivered.errors, []);
  assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
  server.behave(trickle(400));
  started = Date.now();
  const refused = await notify(comparison(r, [['new', f]]), r, [slack()], DEFAULT, { timeoutMs: 1000, backoffMs: [10] });
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  assert.match(refused.errors[0]!.message, /answered HTTP 400: z+$/);
});

test('nothing to say, nothing sent: still-failing, suppressed and passing findings; no channel touched', async () => {
  const f = finding('Nb');
  const s = finding('Sup', { suppressed: true });
  const p = finding('Ok', { result: 'pass' });
  const r = report([f, s, p]);
  const out = await notify(comparison(r, [['still-failing', f], ['newly-suppressed', s], ['unchanged', p]]), r, [slack(), webhook()], DEFAULT, FAST);
  assert.deepEqual(out, { sent: [], errors: [], warnings: [], tagsUnknown: 0 });
  assert.equal(server.received.length, 0);
});

test('no history (no comparison): every failure that is not suppressed counts as new', async () => {
  const r = report([finding('A'), finding('B', { suppressed: true }), finding('C', { result: 'pass' }), finding('D', { result: 'unknown' })]);
  const out = await notify(undefined, r, [webhook()], DEFAULT, { ...FAST, env: {} });
  assert.equal(out.sent[0]!.findings, 1);
  const doc = JSON.parse(server.received[0]!.body);
  assert.deepEqual(doc.findings.map((x: { resource: { id: string }; change: string }) => [x.resource.id, x.change]), [['A', 'new']]);
});

test('filters: risk, rule, tags (findings whose tags are unknown are left out and counted), and --notify-on', async () => {
  const high = finding('High');
  const low = finding('Low', { risk: 'Low' });
  const dom = finding('Dom', { ruleId: 'SageMaker-005', risk: 'Very High' });
  const gone = finding('Gone');
  const r = report([high, low, dom]);
  const c = comparison(r, [['new', high], ['regressed', low], ['new', dom], ['resolved', gone]]);
  const ids = async (filters: NotifyFilters, tagsOf?: (f: Finding) => Record<string, string> | undefined) => {
    server.received.length = 0;
    const out = await notify(c, r, [webhook()], filters, { ...FAST, env: {}, tagsOf });
    const doc = server.received[0] ? JSON.parse(server.received[0].body) : { findings: [] };
    return { ids: doc.findings.map((x: { resource: { id: string } }) => x.resource.id), out };
  };
  assert.deepEqual((await ids(DEFAULT)).ids, ['Dom', 'High', 'Low'], 'worst first');
  assert.deepEqual((await ids({ ...DEFAULT, minRisk: 'High' })).ids, ['Dom', 'High']);
  assert.deepEqual((await ids({ ...DEFAULT, ruleIds: ['SageMaker-005'] })).ids, ['Dom']);
  assert.deepEqual((await ids({ on: ['resolved'] })).ids, ['Gone']);
  const tagged = await ids({ ...DEFAULT, tags: [{ key: 'team', value: 'ml' }] }, (f) => (f.resource.id === 'High' ? { team: 'ml' } : f.resource.id === 'Low' ? { team: 'web' } : undefined));
  assert.deepEqual(tagged.ids, ['High']);
  assert.equal(tagged.out.tagsUnknown, 1, 'Dom: tags unknown');
  const anyValue = await ids({ ...DEFAULT, tags: [{ key: 'team' }] }, () => ({ team: '' }));
  assert.deepEqual(anyValue.ids, ['Dom', 'High', 'Low']);
});

test('bounded: 5,000 findings give one Slack message under 40,000 characters and one webhook body under 200 KB, the rest counted by rule', async () => {
  const many = Array.from({ length: 5000 }, (_, i) => finding(`nb-${i}-${'x'.repeat(200)}`, { message: 'm'.repeat(1500) }));
  const r = report(many);
  const c = comparison(r, many.map((f) => ['new', f] as [ChangeKind, Finding]));
  const out = await notify(c, r, [slack(), webhook()], DEFAULT, { ...FAST, env: {} });
  assert.deepEqual(out.errors, []);
  const slackBody = server.received.find((x) => x.path === SLACK_PATH)!;
  const text = JSON.parse(slackBody.body).text as string;
  assert.ok(text.length < 40_000, `${text.length}`);
  assert.match(text, /…and \d+ more \(`SageMaker-004: \d+`\)/);
  const hook = server.received.find((x) => x.path !== SLACK_PATH)!;
  assert.ok(Buffer.byteLength(hook.body) <= 200_100, `${Buffer.byteLength(hook.body)}`);
  const doc = JSON.parse(hook.body);
  assert.equal(doc.findings.length + doc.omitted, 5000);
  assert.ok(doc.findings.length > 10);
  assert.equal(doc.counts.new, 5000);
});

test('targets: refused with a message that never quotes the URL path or query', () => {
  const bad = [
    'slack=http://hooks.example.com/services/T/B/SECRETPATH',
    'webhook=https://user:SECRETPATH@example.com/x',
    'webhook=ftp://example.com/SECRETPATH',
    'webhook=not a url SECRETPATH',
    'teams=https://example.com/SECRETPATH',
    'https://hooks.slack.com/services/SECRETPATH',
    'sns=arn:aws:sns:us-east-1:1234:SECRETPATH',
    'sns=arn:aws:sqs:us-east-1:111122223333:q',
    'slack=env:NO_SUCH_VARIABLE',
  ];
  for (const spec of bad) {
    assert.throws(() => parseNotifyTarget(spec, {}), (e: Error) => e instanceof NotifyTargetError && !e.message.includes('SECRETPATH') && !e.message.includes('/T/B'), spec);
  }
  assert.deepEqual(parseNotifyTarget('sns=arn:aws:sns:eu-west-1:111122223333:findings.fifo'), {
    kind: 'sns',
    topicArn: 'arn:aws:sns:eu-west-1:111122223333:findings.fifo',
    region: 'eu-west-1',
    fifo: true,
    shown: 'sns arn:aws:sns:eu-west-1:111122223333:findings.fifo',
  });
  const fromEnv = parseNotifyTarget('slack=env:MY_HOOK', { MY_HOOK: 'https://hooks.slack.com/services/T/B/SECRET' });
  assert.equal(fromEnv.shown, 'slack https://hooks.slack.com/…');
  for (const local of ['http://127.0.0.1:9/x', 'http://localhost:9/x', 'http://[::1]:9/x']) assert.equal(parseNotifyTarget(`webhook=${local}`).kind, 'webhook');
  // CLOUDCONFORM_NOTIFY: whitespace or commas between targets; a comma inside a URL's query stays in it.
  const list = parseNotifyTargets('sns=arn:aws:sns:us-east-1:111122223333:t,slack=env:HOOK \n webhook=https://h.example/x?a=1,2', { HOOK: 'https://hooks.slack.com/s' });
  assert.deepEqual(list.map((c) => c.kind), ['sns', 'slack', 'webhook']);
  assert.equal((list[2] as { url: URL }).url.search, '?a=1,2');
  assert.deepEqual(parseNotifyTargets('  '), []);
});

test('filters: parsed and checked (risk names, rule aliases, KEY[=VALUE] tags, --notify-on kinds)', () => {
  const find = (id: string) => ({ 'sagemaker-004': 'SageMaker-004', ckv_aws_122: 'SageMaker-004' })[id.toLowerCase()];
  assert.deepEqual(parseNotifyFilters({ notifyRisk: 'very-high', notifyRule: ['CKV_AWS_122'], notifyTag: ['team=ml', 'owner', 'k=v=w'], notifyOn: ['new,resolved'] }, find), {
    on: ['new', 'resolved'],
    minRisk: 'Very High',
    ruleIds: ['SageMaker-004'],
    tags: [{ key: 'team', value: 'ml' }, { key: 'owner' }, { key: 'k', value: 'v=w' }],
  });
  assert.throws(() => parseNotifyFilters({ notifyRisk: 'severe' }, find), /--notify-risk/);
  assert.throws(() => parseNotifyFilters({ notifyRule: ['nope'] }, find), /--notify-rule: no rule 'nope'/);
  assert.throws(() => parseNotifyFilters({ notifyOn: ['unchanged'] }, find), /--notify-on/);
  assert.throws(() => parseNotifyFilters({ notifyTag: ['=x'] }, find), /--notify-tag/);
});

test("attack: a receiver's error page quoting the URL HTML-escaped, or cut at the quoted answer's 200 characters, shows no part of its path or query", async () => {
  const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  // Express's default 404 page (finalhandler): `Cannot POST PATH`, HTML-escaped.
  server.behave((req, res) =>
    res.writeHead(404, { 'content-type': 'text/html' }).end(`<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot POST ${escapeHtml(req.path)}</pre>\n</body>\n</html>\n`),
  );
  const f = finding('Nb');
  const r = report([f]);
  let out = await notify(comparison(r, [['new', f]]), r, [webhook('/webhook/in?team=a&token=tok-s3cret-value')], DEFAULT, { ...FAST, env: {} });
  assert.equal(out.errors.length, 1);
  assert.match(out.errors[0]!.message, /HTTP 404/);
  for (const secret of ['tok-s3cret-value', 'token=']) assert.ok(!out.errors[0]!.message.includes(secret), out.errors[0]!.message);
  // Only the answer loses the path's pieces: the channel is still named whole.
  assert.match(out.errors[0]!.message, /^webhook http:\/\/127\.0\.0\.1:\d+\/…: not sent: answered HTTP 404/);

  // The path quoted past the 200 characters an answer is cut to: the part before the cut is no less secret.
  const path = `/in/${'K7xQ2'.repeat(20)}`;
  server.behave((req, res) => res.writeHead(400).end(`${'-'.repeat(150)} no such hook: ${req.path}`));
  out = await notify(comparison(r, [['new', f]]), r, [webhook(path)], DEFAULT, { ...FAST, env: {} });
  assert.equal(out.errors.length, 1);
  assert.match(out.errors[0]!.message, /HTTP 400/);
  assert.ok(!out.errors[0]!.message.includes('K7xQ2K7xQ2'), out.errors[0]!.message);
});
