// `cloudconform guardrail`: the command function (output per type, format and rule selection,
// --output, exit codes), and the command line itself (commander options from main.ts, run from
// source with tsx, so no build is needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GUARDRAIL_DESCRIPTIONS, guardrailPolicy } from '../remediation/guardrail/policies';
import { runGuardrailCommand, type GuardrailCommandOptions } from './guardrail-command';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(opts: GuardrailCommandOptions): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runGuardrailCommand(opts, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function actionsOf(doc: { Statement: { Action: string[] }[] }): string[] {
  return doc.Statement.flatMap((s) => s.Action);
}

test('default: the SCP then the IAM policy, each after a header line saying where it goes', () => {
  const r = run({});
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const parts = r.stdout.split(/^# .*\n/m);
  assert.equal(parts.shift(), '');
  assert.equal(parts.length, 2);
  assert.deepEqual(JSON.parse(parts[0]!), guardrailPolicy('scp'));
  assert.deepEqual(JSON.parse(parts[1]!), guardrailPolicy('iam'));
  const headers = r.stdout.match(/^# .*$/gm)!;
  assert.deepEqual(headers, [`# ${GUARDRAIL_DESCRIPTIONS.scp}`, `# ${GUARDRAIL_DESCRIPTIONS.iam}`]);
  assert.match(headers[0]!, /Service control policy/);
  assert.match(headers[1]!, /IAM policy/);
});

test('--type alone: the bare policy JSON on stdout (ready for a file), what it is on stderr', () => {
  for (const type of ['scp', 'iam'] as const) {
    const r = run({ type });
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), guardrailPolicy(type));
    assert.ok(r.stdout.startsWith('{') && r.stdout.endsWith('}\n'));
    assert.equal(r.stderr, `${GUARDRAIL_DESCRIPTIONS[type]}\n`);
  }
});

test('--format json: one object keyed by type, with the selected types only', () => {
  const both = run({ format: 'json' });
  assert.equal(both.code, 0);
  assert.deepEqual(JSON.parse(both.stdout), { scp: guardrailPolicy('scp'), iam: guardrailPolicy('iam') });
  assert.equal(both.stderr, '');
  const iam = run({ format: 'json', type: 'iam', rules: 'SageMaker-005' });
  assert.deepEqual(Object.keys(JSON.parse(iam.stdout)), ['iam']);
  assert.deepEqual(actionsOf(JSON.parse(iam.stdout).iam), ['sagemaker:CreateDomain', 'sagemaker:UpdateDomain']);
});

test('--rules selects statements; ids are case-insensitive, aliases work, duplicates and order do not matter', () => {
  assert.deepEqual(actionsOf(JSON.parse(run({ type: 'scp', rules: 'SageMaker-004' }).stdout)), ['sagemaker:CreateNotebookInstance']);
  assert.deepEqual(actionsOf(JSON.parse(run({ type: 'scp', rules: 'sagemaker-005' }).stdout)), ['sagemaker:CreateDomain', 'sagemaker:UpdateDomain']);
  // Checkov's id for SageMaker-004.
  assert.deepEqual(actionsOf(JSON.parse(run({ type: 'scp', rules: 'CKV_AWS_122' }).stdout)), ['sagemaker:CreateNotebookInstance']);
  const all = JSON.parse(run({ type: 'scp', rules: ' SageMaker-005 , SageMaker-004,SageMaker-004 ' }).stdout);
  assert.deepEqual(all, guardrailPolicy('scp'));
});

test('bad usage: exit 2 with a message naming the problem, nothing on stdout', () => {
  const cases: [GuardrailCommandOptions, RegExp][] = [
    [{ rules: 'SageMaker-999' }, /--rules: no rule 'SageMaker-999' \(see 'cloudconform rules'\)/],
    [{ rules: ' , ' }, /--rules: no rule ids given/],
    [{ type: 'rcp' as never }, /--type: 'rcp' is not scp or iam/],
    [{ format: 'yaml' as never }, /--format: 'yaml' is not text or json/],
    [{ output: join(tmpdir(), 'no-such-dir-cc', 'x', 'p.json') }, /--output: cannot write .*p\.json: ENOENT/],
  ];
  for (const [opts, message] of cases) {
    const r = run(opts);
    assert.equal(r.code, 2, JSON.stringify(opts));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
  }
});

test('--output writes the file instead of stdout and says so on stderr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-guardrail-'));
  try {
    const file = join(dir, 'scp.json');
    const r = run({ type: 'scp', output: file });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /wrote scp policy for SageMaker-004, SageMaker-005 to .*scp\.json/);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), guardrailPolicy('scp'));
    const both = join(dir, 'both.json');
    assert.equal(run({ format: 'json', output: both }).code, 0);
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(both, 'utf8'))), ['scp', 'iam']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('command line: options, files and exit codes through commander', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-guardrail-cli-'));
  try {
    const file = join(dir, 'iam.json');
    const ok = cli(['guardrail', '-t', 'iam', '-r', 'SageMaker-004', '-o', file]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, '');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), guardrailPolicy('iam', ['SageMaker-004']));

    const json = cli(['guardrail', '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), { scp: guardrailPolicy('scp'), iam: guardrailPolicy('iam') });

    const badType = cli(['guardrail', '--type', 'rcp', '-o', join(dir, 'never.json')]);
    assert.equal(badType.code, 2);
    assert.match(badType.stderr, /argument 'rcp' is invalid\. Allowed choices are scp, iam/);
    assert.equal(existsSync(join(dir, 'never.json')), false);

    const badRule = cli(['guardrail', '--rules', 'SageMaker-999']);
    assert.equal(badRule.code, 2);
    assert.match(badRule.stderr, /no rule 'SageMaker-999'/);

    const help = cli(['guardrail', '--help']);
    assert.equal(help.code, 0);
    for (const words of ['--type <type>', '--rules <ids>', '--format <format>', '--output <file>', 'Exit codes', 'CreateNotebookInstance', 'UpdateDomain']) {
      assert.ok(help.stdout.includes(words), `--help lacks ${words}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
