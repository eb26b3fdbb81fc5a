// `cloudconform handle-event` through the built CLI against moto (standard input, files, exit codes,
// the history), and `iam-policy --for monitor` against the calls the handler and a scheduled audit
// actually make (proxy log), as `iam-policy` is proven for the audit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleEvents } from '../../src/events/handler';
import { MONITOR_ACTIONS, monitorIamPolicy } from '../../src/events/actions';
import { audit } from '../../src/engine/audit';
import { parseConfig } from '../../src/engine/config';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { mergeSeeded, seed, seedOrganization } from './seed';
import { awsTestEnv, runCli, useAuditEmulator, type CliResult } from './audit-helpers';
import { PROJECT_ROOT } from './venv';
import { domainEvent, fixture, notebookEvent, sqsBatch } from '../helpers/cloudtrail';

const REGION = 'us-east-1';
const MEMBER = '111111111111';

const emulator = useAuditEmulator({
  seed: async (moto) => {
    const seeded = mergeSeeded(
      await seed(moto.endpoint, [{ region: REGION, notebooks: [{ name: 'cc-event-open' }, { name: 'cc-cli-private', access: 'Disabled', inSubnet: true }], domains: [{ name: 'cc-cli-studio' }] }]),
      await seed(moto.endpoint, [{ region: REGION, notebooks: [{ name: 'cc-member-nb' }] }], { account: MEMBER }),
    );
    const organization = await seedOrganization(moto.endpoint, 1);
    return { ...seeded, organization };
  },
});

/** The built CLI with `input` on its standard input. */
function runWithStdin(args: string[], input: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_')) base[k] = v;
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'cloudconform.js'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...base, ...awsTestEnv(), NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('handle-event (built CLI)', () => {
  const common = () => ['--endpoint-url', emulator.proxy.endpoint, '--max-attempts', '1', '--no-history'];

  it('standard input: a failing notebook exits 1, a passing one 0 (JSON and text reports)', async () => {
    const failing = await runWithStdin(['handle-event', ...common(), '-f', 'json'], JSON.stringify(fixture('create-notebook-default-access.json')));
    assert.equal(failing.code, 1, failing.stderr);
    const report = JSON.parse(failing.stdout);
    assert.equal(report.run.command, 'event');
    assert.equal(report.findings[0].result, 'fail');
    assert.equal(report.findings[0].resource.details.name, 'cc-event-open');
    const passing = await runWithStdin(['handle-event', ...common(), '-'], JSON.stringify(sqsBatch([notebookEvent('create-notebook-disabled.json', 'cc-cli-private')])));
    assert.equal(passing.code, 0, passing.stderr);
    assert.match(passing.stdout, /cc-cli-private|1 resource/);
  });

  it('a record that cannot be handled exits 2 and the others are still reported; a file that cannot be read likewise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-handle-event-'));
    try {
      const lines = join(dir, 'events.jsonl');
      writeFileSync(lines, [JSON.stringify(notebookEvent('create-notebook-disabled.json', 'cc-cli-private')), '{broken', JSON.stringify(fixture('create-notebook-failed.json'))].join('\n'));
      const result = await runCli(['handle-event', ...common(), '-f', 'json', lines, join(dir, 'missing.json')]);
      assert.equal(result.code, 2, result.stderr);
      const report = JSON.parse(result.stdout);
      assert.equal(report.findings.length, 1);
      assert.equal(report.findings[0].result, 'pass');
      const messages = report.errors.map((e: { file: string; message: string }) => `${e.file}: ${e.message}`);
      assert.ok(messages.some((m: string) => m.startsWith(`${lines}: record 1: invalid JSON`)), messages.join('\n'));
      assert.ok(messages.some((m: string) => m.includes('record 2: CreateNotebookInstance failed (errorCode')));
      assert.ok(messages.some((m: string) => m.startsWith(join(dir, 'missing.json'))));
      assert.match(result.stderr, /error: .*record 1: invalid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad usage exits 2 before any call: --role-name without accounts, an unknown --respond mode', async () => {
    emulator.proxy.clearLog();
    const noAccounts = await runWithStdin(['handle-event', ...common(), '--role-name', 'R'], '{}');
    assert.equal(noAccounts.code, 2);
    assert.match(noAccounts.stderr, /--role-name is used with --accounts or --organization/);
    const respond = await runWithStdin(['handle-event', ...common(), '--respond', 'delete'], '{}');
    assert.equal(respond.code, 2);
    assert.match(respond.stderr, /expected tag, stop or off/);
    assert.equal(emulator.proxy.log.length, 0);
  });

  it('recorded in the history under the audit\'s scope; the same event again is still failing, not new', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-handle-event-db-'));
    try {
      const db = join(dir, 'history.db');
      const args = ['handle-event', '--endpoint-url', emulator.proxy.endpoint, '--max-attempts', '1', '--db', db, '-q'];
      const event = JSON.stringify(fixture('create-notebook-default-access.json'));
      assert.equal((await runWithStdin(args, event)).code, 1);
      assert.equal((await runWithStdin(args, event)).code, 1);
      const listed = await runCli(['history', '--db', db, '-f', 'json']);
      assert.equal(listed.code, 0, listed.stderr);
      const { runs } = JSON.parse(listed.stdout) as { runs: { run: { command: string; scope: { key: string } }; changes: Record<string, number> }[] };
      assert.deepEqual(runs.map((r) => [r.run.command, r.run.scope.key, r.changes.new, r.changes['still-failing']]), [
        ['event', `audit:caller:${MOTO_DEFAULT_ACCOUNT}`, 0, 1],
        ['event', `audit:caller:${MOTO_DEFAULT_ACCOUNT}`, 1, 0],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--notify: the handler notifies after recording: one signed webhook message, none for the same event again', async () => {
    const bodies: { body: string; signature?: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        bodies.push({ body, signature: req.headers['x-cloudconform-signature'] as string | undefined });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'cc-handle-event-notify-'));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook/s3cr3t-path`;
      const args = ['handle-event', '--endpoint-url', emulator.proxy.endpoint, '--max-attempts', '1', '--db', join(dir, 'h.db'), '-q', '--notify', `webhook=${url}`];
      const event = JSON.stringify(sqsBatch([fixture('create-notebook-default-access.json')]));
      const first = await runWithStdin(args, event, { CLOUDCONFORM_WEBHOOK_SECRET: 'test-secret' });
      assert.equal(first.code, 1, first.stderr);
      assert.equal(bodies.length, 1);
      assert.match(bodies[0]!.body, /cc-event-open/);
      assert.match(bodies[0]!.signature ?? '', /^sha256=[0-9a-f]{64}$/);
      const again = await runWithStdin(args, event, { CLOUDCONFORM_WEBHOOK_SECRET: 'test-secret' });
      assert.equal(again.code, 1, again.stderr);
      assert.equal(bodies.length, 1, 'nothing new: no second message');
      assert.doesNotMatch(first.stderr + again.stderr, /s3cr3t-path|test-secret/);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('iam-policy --for monitor', () => {
  it('each statement equals the calls of its caller: the handler (other accounts, the organization) CloudConformMonitor, a scheduled audit CloudConformMonitorAudit, but DynamoDB, SNS and --respond (tested with their stores and channels)', async () => {
    const { organization } = emulator.seeded;
    const endpointUrl = emulator.proxy.endpoint;
    // An exception by tag makes the handler and the audit read tags (ListTags).
    const config = parseConfig({ exceptions: [{ rules: '*', tags: { team: 'sandbox' }, reason: 'sandbox' }] });
    const domain = emulator.seeded.domains[0]!;
    const elsewhere = (a: string) => a.startsWith('dynamodb:') || a === 'sns:Publish' || a === 'sagemaker:AddTags' || a === 'sagemaker:StopNotebookInstance';
    const exact = (called: Set<string>, granted: Set<string>, who: string) => {
      assert.deepEqual([...called].filter((a) => !granted.has(a)).sort(), [], `${who}: called but not granted`);
      assert.deepEqual([...granted].filter((a) => !called.has(a) && !elsewhere(a)).sort(), [], `${who}: granted but never called`);
    };
    const policy = monitorIamPolicy({ organization: true, schedule: true, store: 'dynamodb' });
    const statement = (sid: string) => new Set(policy.Statement.find((s) => s.Sid === sid)!.Action);

    emulator.proxy.clearLog();
    await handleEvents(
      { source: 'test', data: sqsBatch([fixture('create-notebook-default-access.json'), notebookEvent('create-notebook-default-access.json', 'cc-member-nb', { account: MEMBER }), domainEvent('update-domain.json', domain.id)]) },
      { config, endpointUrl, accounts: [MOTO_DEFAULT_ACCOUNT, MEMBER], roleName: 'CloudConformMonitor', notFoundDelaysMs: [] },
    );
    await handleEvents({ source: 'test', data: notebookEvent('create-notebook-default-access.json', 'cc-member-nb', { account: organization[0] ?? MEMBER }) }, { endpointUrl, organization: true, roleName: 'CloudConformMonitor', notFoundDelaysMs: [] });
    // The handler's role, and (without --schedule) the member role's reads, which are some of its own.
    exact(new Set(emulator.proxy.log.map((c) => c.iamAction)), statement('CloudConformMonitor'), 'handler');
    const eventMember = monitorIamPolicy({ organization: true, store: 'dynamodb' }).Statement.find((s) => s.Sid === 'CloudConformMonitoredAccount')!.Action;
    for (const a of eventMember) assert.ok(statement('CloudConformMonitor').has(a) || elsewhere(a), a);

    emulator.proxy.clearLog();
    await audit({ config, endpointUrl, regions: [REGION], organization: true, roleName: 'CloudConformMonitor' });
    exact(new Set(emulator.proxy.log.map((c) => c.iamAction)), statement('CloudConformMonitorAudit'), 'scheduled audit');
    for (const a of statement('CloudConformMonitoredAccount')) assert.ok(statement('CloudConformMonitorAudit').has(a) || elsewhere(a), a);

    const granted = new Set(policy.Statement.flatMap((s) => s.Action));
    for (const a of MONITOR_ACTIONS) assert.ok(granted.has(a) || a === 'sagemaker:AddTags' || a === 'sagemaker:StopNotebookInstance', a);
    const printed = await runCli(['iam-policy', '--for', 'monitor']);
    assert.equal(printed.code, 0, printed.stderr);
    assert.deepEqual(JSON.parse(printed.stdout), policy);
    assert.match(printed.stderr, /CloudConformMonitoredAccount/);
  });
});
