// Notifications are delivered at least once (the outbox): a run's notifiable findings are kept,
// per channel, in the same write as the run; a channel that fails keeps them, and the next run of
// the scope (same --db) sends them, said "delivered late". Through the built command for scan,
// and through the SQLite store and notify() for the bound and the state check.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ok } from './helpers/notify-server';
import { useNotifyCliHarness } from './helpers/notify-cli-harness';
import { fileFinding, report } from './helpers/history-fixtures';
import { openHistory } from '../src/history/store';
import { asyncHistory } from '../src/history/types';
import { OUTBOX_MAX_FINDINGS, OUTBOX_MAX_ROWS } from '../src/history/outbox';
import { findingKey, type Finding } from '../src/model/report';
import { plainText } from '../src/notify/message';
import { channelId, notify, outboxPlan, parseNotifyFilters, parseNotifyTarget } from '../src/notify/index';

const harness = useNotifyCliHarness('cc-notify-outbox-');
const { work, repo, run } = harness;
let n = 0;
const PATH_SECRET = '/hooks/T0PSECRETPATH?token=QUERYSECRET';
const fail500 = () => harness.server().behave((_req, res) => res.writeHead(500).end('down'));

test('scan: a webhook that answers 500 keeps the new failures; the next scan (nothing new) delivers them, said "delivered late"; then nothing', async () => {
  const dir = repo();
  const args = ['scan', '.', '--db', join(dir, 'h.db'), '--notify', `webhook=${harness.server().origin}${PATH_SECRET}`, '-q'];
  fail500();
  const first = await run(args, dir);
  assert.equal(first.code, 2, first.stderr);
  assert.match(first.stderr, /not sent: answered HTTP 500.*kept: sent with the next run/);
  assert.equal(harness.server().received.length, 3, 'three attempts');
  harness.server().received.length = 0;
  harness.server().behave(ok);

  const second = await run(args, dir);
  assert.equal(second.code, 1, second.stderr);
  assert.equal(harness.server().received.length, 1, 'the first run\'s failures, delivered by the second');
  const doc = JSON.parse(harness.server().received[0]!.body);
  assert.equal(doc.findings.length, 8);
  assert.ok(doc.findings.every((f: { change: string; late?: { runId: string } }) => f.change === 'new' && typeof f.late?.runId === 'string'), harness.server().received[0]!.body.slice(0, 500));
  assert.match(doc.summary, /8 delivered late/);

  const third = await run(args, dir);
  assert.equal(third.code, 1, third.stderr);
  assert.equal(harness.server().received.length, 1, 'delivered once: nothing pending any more');
  // The channel is kept as a hash: the URL (a secret) is nowhere in the database.
  for (const f of readdirSync(dir).filter((f) => f.includes('.db'))) {
    const bytes = readFileSync(join(dir, f), 'latin1');
    for (const secret of ['T0PSECRETPATH', 'QUERYSECRET', harness.server().origin]) assert.ok(!bytes.includes(secret), `${secret} in ${f}`);
  }
});

test('scan with two channels, one failing: the next scan re-sends to the failing one only', async () => {
  const dir = repo();
  harness.server().behave((req, res) => (req.path.startsWith('/down') ? res.writeHead(503).end('later') : res.writeHead(200).end('ok')));
  const args = ['scan', '.', '--db', join(dir, 'h.db'), '--notify', `webhook=${harness.server().origin}/up`, '--notify', `webhook=${harness.server().origin}/down`, '-q'];
  const first = await run(args, dir);
  assert.equal(first.code, 2, first.stderr);
  assert.equal(harness.server().received.filter((r) => r.path === '/up').length, 1);
  harness.server().received.length = 0;
  harness.server().behave(ok);
  const second = await run(args, dir);
  assert.equal(second.code, 1, second.stderr);
  assert.deepEqual(harness.server().received.map((r) => r.path), ['/down']);
  assert.equal(JSON.parse(harness.server().received[0]!.body).findings.length, 8);
});

const filters = parseNotifyFilters({}, (id) => id);
const quick = { attempts: 1, backoffMs: [0] };

async function recordAndNotify(store: ReturnType<typeof asyncHistory>, r: ReturnType<typeof report>, url: string) {
  const channels = [parseNotifyTarget(`webhook=${url}`)];
  const comparison = await store.record(r, { outbox: outboxPlan(channels, filters, r) });
  return notify(comparison, r, channels, filters, { ...quick, outbox: { store, scopeKey: r.run!.scope.key, runId: r.run!.id } });
}

test('the outbox is bounded: at most 1,000 findings per channel are kept, the rest dropped and counted in the message', async () => {
  const store = asyncHistory(openHistory({ path: join(work, `bound-${n++}.db`) }));
  try {
    const many = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => fileFinding('main.tf', `${prefix}${i}`, 'fail'));
    fail500();
    const a = await recordAndNotify(store, report(many('a', 1500), { files: ['main.tf'] }, { minutes: 1 }), `${harness.server().origin}/h`);
    assert.equal(a.errors.length, 1);
    const b = await recordAndNotify(store, report([...many('a', 1500), ...many('b', 300)], { files: ['main.tf'] }, { minutes: 2 }), `${harness.server().origin}/h`);
    assert.equal(b.errors.length, 1);
    harness.server().received.length = 0;
    harness.server().behave(ok);
    const c = await recordAndNotify(store, report([...many('a', 1500), ...many('b', 300)], { files: ['main.tf'] }, { minutes: 3 }), `${harness.server().origin}/h`);
    assert.deepEqual(c.errors, []);
    assert.equal(harness.server().received.length, 1);
    const doc = JSON.parse(harness.server().received[0]!.body);
    assert.equal(c.sent[0]!.findings, OUTBOX_MAX_FINDINGS, 'the oldest 1,000 kept');
    assert.deepEqual(doc.outbox, { late: OUTBOX_MAX_FINDINGS, dropped: 800, expired: 0, settled: 0 });
    assert.match(doc.summary, /800 dropped/);
    harness.server().received.length = 0;
    await recordAndNotify(store, report([...many('a', 1500), ...many('b', 300)], { files: ['main.tf'] }, { minutes: 4 }), `${harness.server().origin}/h`);
    assert.equal(harness.server().received.length, 0, 'the outbox is empty');
  } finally {
    await store.close();
  }
});

test('a pending finding that passes by the next run is not sent (the state is checked); one past 7 days expires', async () => {
  const store = asyncHistory(openHistory({ path: join(work, `state-${n++}.db`) }));
  try {
    fail500();
    await recordAndNotify(store, report([fileFinding('main.tf', 'x', 'fail'), fileFinding('main.tf', 'y', 'fail')], { files: ['main.tf'] }, { minutes: 1 }), `${harness.server().origin}/h`);
    harness.server().received.length = 0;
    harness.server().behave(ok);
    // x passes now, y still fails: y delivered late, x not (it would be sent as a failure it no longer is).
    const out = await recordAndNotify(store, report([fileFinding('main.tf', 'x', 'pass'), fileFinding('main.tf', 'y', 'fail')], { files: ['main.tf'] }, { minutes: 2 }), `${harness.server().origin}/h`);
    assert.deepEqual(out.errors, []);
    const doc = JSON.parse(harness.server().received[0]!.body);
    assert.deepEqual(doc.findings.map((f: { resource: { id: string } }) => f.resource.id), ['y']);
    assert.equal(doc.outbox.settled, 1);

    fail500();
    await recordAndNotify(store, report([fileFinding('main.tf', 'z', 'fail')], { files: ['main.tf'] }, { minutes: 3 }), `${harness.server().origin}/h`);
    harness.server().received.length = 0;
    harness.server().behave(ok);
    const later = await recordAndNotify(store, report([fileFinding('main.tf', 'z', 'fail')], { files: ['main.tf'] }, { minutes: 3 + 8 * 24 * 60 }), `${harness.server().origin}/h`);
    assert.equal(later.sent.length, 0, 'nothing left to send');
    assert.equal(harness.server().received.length, 0);
    assert.equal(later.outbox?.expired, 1);
  } finally {
    await store.close();
  }
});

test('a version 1 history (before the outbox) is read as it is and brought up to date by the next recording', async () => {
  const path = join(work, `v1-${n++}.db`);
  openHistory({ path }).record(report([fileFinding('main.tf', 'x', 'fail')], { files: ['main.tf'] }, { minutes: 1 }));
  const { createRequire } = await import('node:module');
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(path);
  db.exec('DROP TABLE outbox');
  db.pragma('user_version = 1');
  db.close();
  const reader = openHistory({ path, readonly: true });
  assert.equal(reader.runs().length, 1);
  reader.close();
  const store = asyncHistory(openHistory({ path }));
  fail500();
  const out = await recordAndNotify(store, report([fileFinding('main.tf', 'x', 'fail'), fileFinding('main.tf', 'y', 'fail')], { files: ['main.tf'] }, { minutes: 2 }), `${harness.server().origin}/h`);
  assert.equal(out.errors.length, 1);
  const taken = await store.pending!('scan:repo', '0'.repeat(64), { now: new Date() });
  assert.deepEqual(taken.entries, []);
  await store.close();
});

test('attack: an outbox entry whose count says fewer findings than it holds (past the 1,000 bound) is dropped, never taken', async () => {
  const path = join(work, `lie-${n++}.db`);
  const failing = fileFinding('main.tf', 'x', 'fail');
  openHistory({ path }).record(report([failing], { files: ['main.tf'] }, { minutes: 1 }));
  const { createRequire } = await import('node:module');
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(path);
  // `n` is what the bound counts: an entry saying 0 while holding 1,001 findings slipped every one through.
  const items = JSON.stringify(Array.from({ length: OUTBOX_MAX_FINDINGS + 1 }, () => ({ key: findingKey(failing), change: 'new', finding: failing })));
  db.prepare('INSERT INTO outbox (scope_key, channel, run_id, started_at, n, dropped, items) VALUES (?, ?, ?, ?, ?, ?, ?)').run('scan:repo', Buffer.alloc(32), 'forged', new Date().toISOString(), 0, 0, items);
  db.close();
  const store = openHistory({ path });
  try {
    const taken = store.pending!('scan:repo', '0'.repeat(64), { now: new Date() });
    assert.deepEqual(taken.entries, []);
    assert.deepEqual(store.pending!('scan:repo', '0'.repeat(64), { now: new Date() }).entries, [], 'the entry is deleted');
  } finally {
    store.close();
  }
});

test('attack: a local history holding more outbox entries of a channel than are ever read (a doctored file): at most OUTBOX_MAX_ROWS are read per run, as from DynamoDB', async () => {
  const path = join(work, `flood-${n++}.db`);
  const failing = fileFinding('main.tf', 'x', 'fail');
  openHistory({ path }).record(report([failing], { files: ['main.tf'] }, { minutes: 1 }));
  const { createRequire } = await import('node:module');
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(path);
  // Entries past their 7 days: each read is expired (and counted), so the count shows how many were read.
  const insert = db.prepare('INSERT INTO outbox (scope_key, channel, run_id, started_at, n, dropped, items) VALUES (?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < OUTBOX_MAX_ROWS + 50; i++) insert.run('scan:repo', Buffer.alloc(32), `old-${i}`, '2020-01-01T00:00:00.000Z', 1, 0, '[]');
  })();
  db.close();
  const store = openHistory({ path });
  try {
    assert.equal(store.pending!('scan:repo', '0'.repeat(64), { now: new Date() }).expired, OUTBOX_MAX_ROWS);
    assert.equal(store.pending!('scan:repo', '0'.repeat(64), { now: new Date() }).expired, 50, 'the rest on the next run');
  } finally {
    store.close();
  }
});

test("attack: a forged outbox entry in the local history whose finding's risk is Slack markup (<!channel>) is never sent as markup", async () => {
  const path = join(work, `forged-risk-${n++}.db`);
  const failing = fileFinding('main.tf', 'x', 'fail');
  openHistory({ path }).record(report([failing], { files: ['main.tf'] }, { minutes: 1 }));
  const channels = [parseNotifyTarget(`slack=${harness.server().origin}/slack`)];
  const { createRequire } = await import('node:module');
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(path);
  // The key is the finding's own (the risk is not part of it): the entry passes every check of its shape.
  const forged = { ...failing, risk: '<!channel> <https://evil.example|click>' };
  const items = JSON.stringify([{ key: findingKey(failing), change: 'new', finding: forged }]);
  db.prepare('INSERT INTO outbox (scope_key, channel, run_id, started_at, n, dropped, items) VALUES (?, ?, ?, ?, ?, ?, ?)').run('scan:repo', Buffer.from(channelId(channels[0]!), 'hex'), 'forged', new Date().toISOString(), 1, 0, items);
  db.close();
  const store = asyncHistory(openHistory({ path }));
  try {
    harness.server().received.length = 0;
    harness.server().behave(ok);
    const r = report([failing], { files: ['main.tf'] }, { minutes: 2 });
    const comparison = await store.record(r, { outbox: outboxPlan(channels, filters, r) });
    await notify(comparison, r, channels, filters, { ...quick, outbox: { store, scopeKey: r.run!.scope.key, runId: r.run!.id } });
    assert.equal(harness.server().received.length, 1);
    const text: string = JSON.parse(harness.server().received[0]!.body).text;
    assert.doesNotMatch(text, /<!channel>|<https:/, text);
    assert.match(text, /`&lt;!channel&gt; &lt;https:\u2060\/\/evil\.example\|click&gt;`/, 'shown as literal text');
  } finally {
    await store.close();
  }
});

test('attack: the plain-text message (SNS email) shows a forged risk and rule id with their control characters escaped', () => {
  const forged = { ...fileFinding('main.tf', 'x', 'fail'), risk: 'High\x1b[2J\u202e', ruleId: 'R\x1b]8;;https://evil.example\x07' } as unknown as Finding;
  const items = Array.from({ length: 3 }, () => ({ change: 'new' as const, finding: forged }));
  const text = plainText({ items, tagsUnknown: 0 }, 200);
  assert.doesNotMatch(text, /[\x1b\x07\u202e]/, JSON.stringify(text));
  assert.match(text, /High\\x1b\[2J\\u202e/);
  assert.match(text, /more \(R\\x1b\]8;;/, 'the findings past the budget are counted by their escaped rule id');
});
