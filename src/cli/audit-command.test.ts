// `cloudconform audit` and `iam-policy` as a user runs them (the built command), against the
// in-process fake AWS behind a loopback HTTP server given as --endpoint-url.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { emptyConfig } from '../engine/config';
import { auditIamPolicy } from '../sources/aws/actions';
import { CALLER_ACCOUNT, FakeAws, useFakeCallerEnvironment } from '../sources/aws/test-fake-aws';
import { auditOptions, progressText, type AuditCommandOptions } from './audit-command';

const CLI = new URL('../../bin/cloudconform.js', import.meta.url).pathname;

useFakeCallerEnvironment();

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: process.env, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

describe('audit command options', () => {
  const reportOptions = { format: 'text' as const, output: [], color: false };

  it('passes on only the options given', () => {
    const opts: AuditCommandOptions = { ...reportOptions, regions: ['us-east-1', 'eu-west-1'], accounts: ['222233334444'], roleName: 'Audit', concurrency: 8, maxAttempts: 5, timeout: 90_000 };
    const config = emptyConfig();
    assert.deepEqual(auditOptions(opts, { config, failOn: 'Medium', ruleIds: ['SageMaker-004'] }), {
      config,
      failOn: 'Medium',
      ruleIds: ['SageMaker-004'],
      regions: ['us-east-1', 'eu-west-1'],
      accounts: ['222233334444'],
      roleName: 'Audit',
      concurrency: 8,
      maxAttempts: 5,
      timeoutMs: 90_000,
    });
    assert.deepEqual(Object.keys(auditOptions(reportOptions, { config, failOn: 'Low' })), ['config', 'failOn']);
  });

  it('says how far the audit is', () => {
    assert.equal(
      progressText({ accountsTotal: 1, regionsTotal: 17, regionsDone: 3, seen: { 'AWS::SageMaker::NotebookInstance': 120, 'AWS::SageMaker::Domain': 2 } }),
      'Auditing: 3/17 regions in 1 account, 120 notebooks, 2 domains',
    );
  });
});

describe('cloudconform audit (built command)', () => {
  const fake = new FakeAws();
  let server: Server;
  let endpoint: string;

  before(async () => {
    server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const answer = fake.respond({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(answer.statusCode, answer.headers).end(Buffer.from(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('parses its options: comma lists, numbers, and contradictions exit 2 before any call', async () => {
    const calls = fake.calls.length;
    for (const [args, message] of [
      [['--accounts', '111122223333,12'], /--accounts: '12' is not a 12-digit AWS account id/],
      [['--accounts', '111122223333'], /needs --role-name/],
      [['--organization', '--role-arn', 'arn:aws:iam::111122223333:role/A', '--role-name', 'A'], /can't be combined/],
      [['--regions', 'us-east-1,,nowhere'], /'nowhere' is not an AWS region/],
      [['--concurrency', '0'], /must be a whole number/],
      [['--max-attempts', 'many'], /must be a whole number/],
      [['--timeout', '0.5s'], /--timeout.*at least 1s/],
      [['--call-timeout', 'soon'], /--call-timeout.*duration/],
      [['--format', 'xml'], /xml/],
    ] as const) {
      const r = await run(['audit', '--endpoint-url', endpoint, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(fake.calls.length, calls);
  });

  it('exits 1 on failures, 0 when everything passes, 2 when the audit is incomplete', async () => {
    fake.notebooks = [{ name: 'nb-open', region: 'us-east-1', DirectInternetAccess: 'Enabled' }];
    const failing = await run(['audit', '--endpoint-url', endpoint, '--regions', 'us-east-1', '--format', 'json']);
    assert.equal(failing.code, 1, failing.stderr);
    const report = JSON.parse(failing.stdout);
    assert.equal(report.findings[0].resource.id, `arn:aws:sagemaker:us-east-1:${CALLER_ACCOUNT}:notebook-instance/nb-open`);
    assert.deepEqual(report.notes, []);
    assert.equal(failing.stderr, '', 'no progress line and no SDK warning when standard error is not a terminal');

    fake.notebooks = [{ name: 'nb-private', region: 'us-east-1', DirectInternetAccess: 'Disabled', SubnetId: 'subnet-1' }];
    assert.equal((await run(['audit', '--endpoint-url', endpoint, '--regions', 'us-east-1'])).code, 0);

    fake.faults.push({ action: 'sagemaker:ListNotebookInstances', region: 'eu-west-1', status: 400, code: 'AccessDeniedException', message: 'denied' });
    const incomplete = await run(['audit', '--endpoint-url', endpoint, '--regions', 'us-east-1,eu-west-1,ap-southeast-5', '--no-color']);
    assert.equal(incomplete.code, 2);
    assert.match(incomplete.stdout, new RegExp(`aws://${CALLER_ACCOUNT}/eu-west-1: sagemaker:ListNotebookInstances: notebook instances not read in eu-west-1: AccessDeniedException: denied`));
    // A region the user named is never a mere note: not enabled, it is an error.
    assert.match(incomplete.stdout, new RegExp(`aws://${CALLER_ACCOUNT}/ap-southeast-5: ap-southeast-5 was requested but is not enabled for account ${CALLER_ACCOUNT}`));
    assert.match(incomplete.stdout, /— 1 resource, 2 errors\n/);
    const quiet = await run(['audit', '--endpoint-url', endpoint, '--regions', 'us-east-1', '--quiet', '--max-attempts', '1']);
    assert.equal(quiet.stdout, '');
  });
});

describe('cloudconform iam-policy', () => {
  it('prints the policy JSON on standard output and what it is for on standard error', async () => {
    const r = await run(['iam-policy']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), auditIamPolicy());
    assert.match(r.stderr, /CloudConformMultiAccountCaller/);
  });
});
