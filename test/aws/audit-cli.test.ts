// `cloudconform audit` end to end (the built CLI, as a user runs it) against moto, with exit codes;
// parity with the AWS CLI, the client the rule's own audit steps use; and `cloudconform iam-policy`
// proved against the calls a full audit really makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScanReport } from '../../src/model/report';
import { makeTree } from '../helpers/fixtures';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { seed, seedOrganization, mixedNotebooks, mixedDomains, mergeSeeded, pool } from './seed';
import { PROJECT_ROOT, venvBin } from './venv';
import { awsTestEnv, useAuditEmulator, runCli, checkInvariants, selectSeeded, findingFor, NOTEBOOK_RULE } from './audit-helpers';

const execFileAsync = promisify(execFile);
const ACCOUNT = MOTO_DEFAULT_ACCOUNT;

/** An organization of two member accounts, resources in each and in the caller's account. */
const emulator = useAuditEmulator({
  seed: async (moto) => {
    const members = await seedOrganization(moto.endpoint, 2);
    const parts = await Promise.all([
      seed(moto.endpoint, [
        { region: 'us-east-1', notebooks: mixedNotebooks('use1', 21, { every: 5, tags: { env: 'sandbox' } }), domains: mixedDomains('use1') },
        // Only compliant resources here.
        {
          region: 'eu-west-1',
          notebooks: [
            { name: 'euw1-private-a', access: 'Disabled', inSubnet: true },
            { name: 'euw1-private-b', access: 'Disabled', inSubnet: true, stopped: true },
          ],
          domains: [{ name: 'euw1-vpc-only', access: 'VpcOnly' }],
        },
      ]),
      ...members.map((account, i) => seed(moto.endpoint, [{ region: 'us-east-1', notebooks: mixedNotebooks(`m${i}`, 3), domains: [{ name: `m${i}-dom`, access: 'VpcOnly' }] }], { account })),
    ]);
    return mergeSeeded(...parts);
  },
});

async function cliAudit(args: string[], env: Record<string, string> = {}) {
  emulator.proxy.clearLog();
  const result = await runCli(['audit', '--endpoint-url', emulator.proxy.endpoint, ...args], { env });
  let report: ScanReport | undefined;
  if (args.includes('json')) {
    try {
      report = JSON.parse(result.stdout) as ScanReport;
    } catch {
      assert.fail(`not JSON (exit ${result.code}):\n${result.stdout.slice(0, 2000)}\n${result.stderr}`);
    }
  }
  return { ...result, report };
}

const mine = (regions: string[]) => selectSeeded(emulator.seeded, regions, [ACCOUNT]);

test('cli: failures found: exit 1 and the JSON report with every seeded resource and its verdict', async () => {
  const { code, report, stderr } = await cliAudit(['--regions', 'us-east-1,eu-west-1', '--format', 'json']);
  assert.equal(code, 1, stderr);
  assert.equal(report!.version, 1);
  const { problems, covered } = checkInvariants(report!, mine(['us-east-1', 'eu-west-1']));
  assert.deepEqual(problems, []);
  assert.equal(covered, 21 + 3 + 2 + 1);
  assert.equal(stderr.trim(), '', 'no progress display when standard error is not a terminal');
});

test('cli: nothing fails: exit 0; failures below --fail-on: exit 0', async () => {
  const clean = await cliAudit(['--regions', 'eu-west-1', '--format', 'json']);
  assert.equal(clean.code, 0, clean.stderr);
  assert.equal(clean.report!.summary.pass, 3);
  const below = await cliAudit(['--regions', 'us-east-1', '--format', 'json', '--fail-on', 'high']);
  assert.equal(below.code, 0, below.stderr);
  assert.ok(below.report!.summary.fail > 0);
});

test('cli: incomplete audit (access denied in one region): exit 2, the report keeps everything else and names the error', async () => {
  emulator.proxy.addRule({ fault: 'access-denied', service: 'sagemaker', region: 'eu-west-1' });
  const { code, report } = await cliAudit(['--regions', 'us-east-1,eu-west-1', '--format', 'json']);
  assert.equal(code, 2);
  assert.deepEqual(checkInvariants(report!, mine(['us-east-1', 'eu-west-1'])).problems, []);
  assert.ok(report!.errors.length >= 1);
  for (const e of report!.errors) {
    assert.equal(e.account, ACCOUNT);
    assert.equal(e.region, 'eu-west-1');
    assert.match(e.call ?? '', /^sagemaker:List/);
  }
});

test('cli: throttling exhausted in one region: exit 2 with an error entry for that region; the others complete', async () => {
  emulator.proxy.addRule({ fault: 'throttle', action: 'ListNotebookInstances', region: 'eu-west-1' });
  const { code, report } = await cliAudit(['--regions', 'us-east-1,eu-west-1', '--format', 'json', '--max-attempts', '2']);
  assert.equal(code, 2);
  assert.deepEqual(checkInvariants(report!, mine(['us-east-1', 'eu-west-1'])).problems, []);
  assert.deepEqual(report!.errors.map((e) => [e.region, e.call]), [['eu-west-1', 'sagemaker:ListNotebookInstances']]);
  assert.match(report!.errors[0]!.message, /ThrottlingException.*after 2 attempts/);
});

test('cli: AWS_ENDPOINT_URL is honoured as --endpoint-url is; text report locates findings at aws://ACCOUNT/REGION', async () => {
  emulator.proxy.clearLog();
  const { code, stdout, stderr } = await runCli(['audit', '--regions', 'eu-west-1,us-east-1'], { env: { AWS_ENDPOINT_URL: emulator.proxy.endpoint } });
  assert.equal(code, 1, stderr);
  assert.ok(emulator.proxy.log.length > 0, 'the calls went to the endpoint from the environment');
  assert.match(stdout, new RegExp(`aws://${ACCOUNT}/us-east-1`));
  assert.match(stdout, /use1-000/);
});

test('cli: --output writes the report, --quiet prints nothing; bad usage exits 2 before any call', async () => {
  const dir = makeTree({});
  try {
    const file = join(dir.root, 'audit.json');
    const { code, stdout } = await cliAudit(['--regions', 'eu-west-1', '--quiet', '--output', `json=${file}`]);
    assert.equal(code, 0);
    assert.equal(stdout, '');
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as ScanReport).summary.pass, 3);
  } finally {
    dir.cleanup();
  }
  const bad = await cliAudit(['--role-name', 'Audit']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--role-name/);
  assert.equal(emulator.proxy.log.length, 0);
});

test('cli: a live progress line on a terminal (accounts, regions, notebooks seen); none with --quiet', async () => {
  // `script` gives the CLI a pseudo-terminal; the progress line shows after half a second.
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const inTerminal = async (extra: string[]) => {
    const command = [process.execPath, join(PROJECT_ROOT, 'bin', 'cloudconform.js'), 'audit', '--endpoint-url', emulator.proxy.endpoint, '--regions', 'us-east-1,eu-west-1', ...extra].map(quote).join(' ');
    const env = { ...process.env, ...awsTestEnv(), NO_COLOR: '1' };
    const { stdout } = await execFileAsync('script', ['-qefc', command, '/dev/null'], { env, maxBuffer: 16 * 1024 * 1024 }).catch((e: { stdout: string }) => e);
    return stdout;
  };
  emulator.proxy.setLatency(150);
  try {
    const shown = await inTerminal(['--format', 'json']);
    assert.match(shown, /Auditing: \d+\/2 regions in 1 account, \d+ notebooks, \d+ domains/);
    const quiet = await inTerminal(['--quiet']);
    assert.doesNotMatch(quiet, /Auditing/);
  } finally {
    emulator.proxy.setLatency(0);
  }
});

test('AWS CLI parity: aws sagemaker list-notebook-instances and describe-notebook-instance --query DirectInternetAccess agree with the audit', async () => {
  const { report } = await cliAudit(['--regions', 'us-east-1', '--format', 'json']);
  const aws = async (...args: string[]) => {
    const { stdout } = await execFileAsync(venvBin('aws'), [...args, '--endpoint-url', emulator.moto.endpoint, '--region', 'us-east-1'], {
      env: { ...process.env, ...awsTestEnv() },
    });
    return stdout;
  };
  const listed = JSON.parse(await aws('sagemaker', 'list-notebook-instances', '--output', 'json')) as {
    NotebookInstances: { NotebookInstanceArn: string; NotebookInstanceName: string; NotebookInstanceStatus: string }[];
  };
  const ours = report!.findings.filter((f) => f.ruleId === NOTEBOOK_RULE);
  assert.deepEqual(
    listed.NotebookInstances.map((n) => [n.NotebookInstanceArn, n.NotebookInstanceName, n.NotebookInstanceStatus]).sort(),
    ours.map((f) => [f.resource.id, f.resource.details?.name, f.resource.details?.status]).sort(),
  );
  // One notebook of each setting (mixedNotebooks cycles through seven).
  const sample = listed.NotebookInstances.map((n) => n.NotebookInstanceName).sort().slice(0, 7);
  await pool(sample, 2, async (name) => {
    const access = (await aws('sagemaker', 'describe-notebook-instance', '--notebook-instance-name', name, '--query', 'DirectInternetAccess', '--output', 'text')).trim();
    const nb = emulator.seeded.notebooks.find((n) => n.name === name)!;
    assert.equal(access, nb.directInternetAccess, name);
    const f = findingFor(report!, NOTEBOOK_RULE, nb.arn)!;
    assert.equal(f.result, access === 'Disabled' && nb.subnetId ? 'pass' : 'fail', name);
    assert.ok(f.message.includes(access), `${name}: our message names the value the AWS CLI shows (${access}): ${f.message}`);
  });
});

test('iam-policy lists exactly the actions a full audit calls (organization, every region, tag exceptions)', async () => {
  const policy = await runCli(['iam-policy']);
  assert.equal(policy.code, 0);
  const document = JSON.parse(policy.stdout) as { Statement: { Action: string[] }[] };
  const inPolicy = new Set(document.Statement.flatMap((s) => s.Action));

  const dir = makeTree({
    '.cloudconform.yml': 'exceptions:\n  - rules: [SageMaker-004]\n    tags: { env: sandbox }\n    reason: Sandbox notebooks (SEC-1)\n',
  });
  try {
    const { code, report } = await cliAudit(['--organization', '--role-name', 'CloudConformAudit', '--config', join(dir.root, '.cloudconform.yml'), '--format', 'json']);
    assert.equal(code, 1);
    assert.deepEqual(report!.errors, []);
    // Every account and region was audited, and tag exceptions applied.
    assert.deepEqual(checkInvariants(report!, emulator.seeded).problems, []);
    assert.ok(report!.summary.suppressed > 0);
  } finally {
    dir.cleanup();
  }
  const called = new Set(emulator.proxy.log.map((c) => c.iamAction));
  assert.deepEqual([...called].sort(), [...inPolicy].sort());
});

test('cli: --regions with a typo (eu-wset-1) is a usage error before any call: exit 2, "did you mean eu-west-1?", the valid regions named', async () => {
  for (const regions of ['eu-wset-1', 'us-east-1,eu-wset-1', 'EU-WEST-1']) {
    const { code, stdout, stderr } = await cliAudit(['--regions', regions]);
    assert.equal(code, 2, `${regions}: ${stdout}${stderr}`);
    assert.equal(stdout, '', 'no report');
    assert.equal(emulator.proxy.log.length, 0, 'no call');
    assert.match(stderr, /did you mean eu-west-1\?/, stderr);
    assert.match(stderr, /af-south-1, ap-east-1, .*us-west-2/, 'the valid regions are named');
    assert.ok(stderr.trimEnd().split('\n').length <= 2, stderr);
  }
});

test('cli: --regions naming no region (xx-fake-1, a word, another shape) is a usage error before any call, naming the valid regions', async () => {
  for (const name of ['xx-fake-1', 'eu-fake-1', 'frankfurt', 'us-east']) {
    const { code, stdout, stderr } = await cliAudit(['--regions', name]);
    assert.equal(code, 2, `${name}: ${stdout}${stderr}`);
    assert.equal(emulator.proxy.log.length, 0, `${name}: no call`);
    assert.ok(stderr.includes(`'${name}'`), stderr);
    assert.match(stderr, /us-east-1/, 'the valid regions are named');
  }
});

test('cli: a hostile --regions value (control characters, 10,000 characters) is a usage error, shown escaped and cut', async () => {
  for (const name of ['eu-west-1\u001b[2J\u001b]0;pwned\u0007', `us-east-${'1'.repeat(10_000)}`, 'a'.repeat(10_000)]) {
    const { code, stderr } = await cliAudit(['--regions', name]);
    assert.equal(code, 2, stderr.slice(0, 500));
    assert.equal(emulator.proxy.log.length, 0, 'no call');
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(stderr), `no control character reaches the terminal: ${JSON.stringify(stderr.slice(0, 200))}`);
    assert.ok(stderr.length < 1500, `${stderr.length} characters`);
  }
});

test('cli: regions the account has not enabled are one note line per account, in every format', async () => {
  const listed = ['us-east-1', 'eu-west-1'].map((r) => `<item><regionName>${r}</regionName><regionEndpoint>ec2.${r}.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>`).join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><regionInfo>${listed}</regionInfo></DescribeRegionsResponse>`;
  emulator.proxy.addRule({ fault: 'raw', action: 'DescribeRegions', contentType: 'text/xml;charset=UTF-8', body });
  const json = await cliAudit(['--format', 'json']);
  assert.equal(json.code, 1, json.stderr);
  assert.deepEqual(checkInvariants(json.report!, mine(['us-east-1', 'eu-west-1'])).problems, []);
  const notEnabled = (json.report!.notes ?? []).filter((n) => /not enabled/.test(n.message));
  assert.equal(notEnabled.length, 1, JSON.stringify(json.report!.notes));
  assert.equal(notEnabled[0]!.account, ACCOUNT);
  assert.match(notEnabled[0]!.message, /^31 regions not enabled: af-south-1, ap-east-1, .*, us-west-2$/);
  for (const format of ['text', 'sarif', 'junit']) {
    const run = await cliAudit(['--format', format, '--verbose']);
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stdout.split('\n').filter((l) => /not enabled/.test(l));
    assert.ok(lines.length <= 1 && !run.stdout.includes('skipped: not enabled'), `${format}:\n${lines.join('\n')}`);
  }
});

test('cli: a typo in the home region (AWS_REGION=eu-wset-1), where account-wide calls go, is a usage error before any call', async () => {
  const { code, stdout, stderr } = await cliAudit(['--regions', 'eu-west-1'], { AWS_REGION: 'eu-wset-1' });
  assert.equal(code, 2, stdout + stderr);
  assert.equal(emulator.proxy.log.length, 0, 'no call');
  assert.match(stderr, /AWS_REGION.*'eu-wset-1' is not an AWS region; did you mean eu-west-1\?/);
});

test('cli: DescribeRegions denied, and regions that then reject the credentials: one note per account naming them, in every format', async () => {
  const rejecting = ['af-south-1', 'ap-east-1', 'me-south-1', 'il-central-1'];
  emulator.proxy.addRule({ fault: 'access-denied', action: 'DescribeRegions' });
  emulator.proxy.addRule({ fault: 'not-enabled', service: 'sagemaker', region: rejecting });
  const json = await cliAudit(['--format', 'json']);
  assert.equal(json.code, 2, json.stderr);
  assert.deepEqual(checkInvariants(json.report!, mine(['us-east-1', 'eu-west-1'])).problems, []);
  const skipped = (json.report!.notes ?? []).filter((n) => /skipped/.test(n.message));
  assert.equal(skipped.length, 1, JSON.stringify(json.report!.notes));
  assert.equal(skipped[0]!.account, ACCOUNT);
  assert.equal(skipped[0]!.region, undefined);
  assert.match(skipped[0]!.message, /^4 regions skipped, probably not enabled \(UnrecognizedClientException: .*\): af-south-1, ap-east-1, il-central-1, me-south-1$/);
  const text = await cliAudit([]);
  assert.equal(text.stdout.split('\n').filter((l) => /skipped/.test(l)).length, 1, text.stdout);
});
