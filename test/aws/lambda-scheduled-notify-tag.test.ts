// The Lambda function's notifications from its scheduled full audit: with a tag filter
// (CLOUDCONFORM_NOTIFY_TAG) the audit must read the resources' tags for it, as `audit --notify-tag`
// and the event handler do, or every finding is "tags unknown" and the daily audit notifies
// nothing, without a word; a webhook sent unsigned (no CLOUDCONFORM_WEBHOOK_SECRET: the deploy
// template's default) is said in the function's log, not only in the report's notes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { seed } from './seed';
import { useAuditEmulator } from './audit-helpers';
import { startNotifyServer, type NotifyServer } from '../helpers/notify-server';
import { handler, resetLambda } from '../../src/lambda';
import { notebookEvent, sqsBatch } from '../helpers/cloudtrail';

const REGION = 'us-east-1';

const emulator = useAuditEmulator({
  seed: async (moto) =>
    seed(moto.endpoint, [
      {
        region: REGION,
        notebooks: [
          { name: 'sched-tag-ml', access: 'Enabled', tags: { team: 'ml' } },
          { name: 'sched-tag-web', access: 'Enabled', tags: { team: 'web' } },
        ],
      },
    ]),
});

describe('the scheduled audit with CLOUDCONFORM_NOTIFY_TAG', () => {
  let server: NotifyServer;
  const saved = { ...process.env };
  before(async () => (server = await startNotifyServer()));
  after(async () => {
    await resetLambda();
    await server.stop();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('notifies the failures whose resources carry the tag (their tags read by the audit)', async () => {
    await resetLambda();
    for (const k of Object.keys(process.env)) if (k.startsWith('CLOUDCONFORM_')) delete process.env[k];
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: emulator.proxy.endpoint,
      AWS_REGION: REGION,
      AWS_MAX_ATTEMPTS: '1',
      CLOUDCONFORM_NOTIFY: `webhook=${server.origin}/hook`,
      CLOUDCONFORM_NOTIFY_TAG: 'team=ml',
      CLOUDCONFORM_WEBHOOK_SECRET: 'test-secret',
    });
    const original = console.log;
    const lines: string[] = [];
    console.log = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    try {
      await handler(
        { version: '0', id: 'sched-tag', 'detail-type': 'Scheduled Event', source: 'aws.events', region: REGION, time: '2026-12-05T00:00:00Z', resources: [], detail: {} },
        { functionName: 'cloudconform-audit', awsRequestId: 'r', getRemainingTimeInMillis: () => 300_000 },
      );
    } finally {
      console.log = original;
    }
    assert.equal(server.received.length, 1, `one webhook POST expected; log: ${lines.join('\n')}`);
    const body = JSON.parse(server.received[0]!.body) as { findings: { resource: { name?: string; id: string } }[] };
    const names = body.findings.map((f) => f.resource.name ?? f.resource.id);
    assert.ok(names.some((n) => n.includes('sched-tag-ml')), JSON.stringify(names));
    assert.ok(!names.some((n) => n.includes('sched-tag-web')), JSON.stringify(names));
  });

  it('a webhook sent unsigned is a warning line in the log (CloudWatch), not a silent note', async () => {
    await resetLambda();
    server.received.length = 0;
    for (const k of Object.keys(process.env)) if (k.startsWith('CLOUDCONFORM_')) delete process.env[k];
    Object.assign(process.env, { AWS_ENDPOINT_URL: emulator.proxy.endpoint, AWS_REGION: REGION, AWS_MAX_ATTEMPTS: '1', CLOUDCONFORM_NOTIFY: `webhook=${server.origin}/hook`, CLOUDCONFORM_WEBHOOK_SECRET: '' });
    const original = console.log;
    const lines: string[] = [];
    console.log = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    try {
      await handler(
        { version: '0', id: 'sched-unsigned', 'detail-type': 'Scheduled Event', source: 'aws.events', region: REGION, time: '2026-12-05T00:00:00Z', resources: [], detail: {} },
        { functionName: 'cloudconform-audit', awsRequestId: 'r2', getRemainingTimeInMillis: () => 300_000 },
      );
    } finally {
      console.log = original;
    }
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0]!.headers['x-cloudconform-signature'], undefined);
    assert.ok(
      lines.some((l) => l.includes('"cloudconform":"warning"') && l.includes('unsigned')),
      lines.join('\n'),
    );

    // The same for a batch of events.
    lines.length = 0;
    console.log = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    try {
      await handler(sqsBatch([notebookEvent('create-notebook-default-access.json', 'sched-tag-ml')]), { functionName: 'cloudconform-monitor', awsRequestId: 'r3', getRemainingTimeInMillis: () => 60_000 });
    } finally {
      console.log = original;
    }
    assert.equal(server.received.length, 2, lines.join('\n'));
    assert.ok(
      lines.some((l) => l.includes('"cloudconform":"warning"') && l.includes('unsigned')),
      lines.join('\n'),
    );
  });
});
