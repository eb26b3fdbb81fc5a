// CloudFormation parameter values given on the command line (--parameter, --parameters-file), end
// to end: the CLI run from source as a user runs it, worker threads, `fix`, and NoEcho secrecy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyConfig } from '../src/engine/config';
import type { UnitResult } from '../src/engine/report';
import { createWorker, scan } from '../src/engine/scan';
import type { ScanUnitContext } from '../src/engine/scan-unit';
import { DEFAULT_READ_LIMITS } from '../src/engine/files';
import { makeTree } from './helpers/fixtures';

const ROOT = new URL('..', import.meta.url).pathname;
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

/** The CLI from source (through tsx), so these tests need no build. */
function run(args: string[], cwd = ROOT) {
  const { NO_COLOR, FORCE_COLOR, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd, env: { ...env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A notebook whose DirectInternetAccess is the parameter Access (Default Enabled: a failure). */
const NOTEBOOK_WITH_ACCESS_PARAMETER = (name = 'Nb') => `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Access:
    Type: String
    Default: Enabled
    AllowedValues: [Enabled, Disabled]
Resources:
  ${name}:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      SubnetId: subnet-0123456789abcdef0
      SecurityGroupIds: [sg-0123456789abcdef0]
      DirectInternetAccess: !Ref Access
`;

function verdicts(stdout: string): string[] {
  return (JSON.parse(stdout) as { findings: { result: string }[] }).findings.map((f) => f.result);
}

test('scan: the Default without values; a later file wins over an earlier one; --parameter wins over files', () => {
  const t = makeTree({
    't.yaml': NOTEBOOK_WITH_ACCESS_PARAMETER(),
    'cli.json': JSON.stringify([{ ParameterKey: 'Access', ParameterValue: 'Enabled' }]),
    'config.json': JSON.stringify({ Parameters: { Access: 'Disabled' }, Tags: { team: 'ml' } }),
    'plain.json': JSON.stringify({ Access: 'Enabled' }),
  });
  try {
    const scanWith = (...args: string[]) => run(['scan', join(t.root, 't.yaml'), '--format', 'json', ...args]);
    const byDefault = scanWith();
    assert.equal(byDefault.code, 1, byDefault.stderr);
    assert.deepEqual(verdicts(byDefault.stdout), ['fail']);

    const laterFileWins = scanWith('--parameters-file', join(t.root, 'cli.json'), '--parameters-file', join(t.root, 'config.json'));
    assert.equal(laterFileWins.code, 0, laterFileWins.stderr);
    assert.deepEqual(verdicts(laterFileWins.stdout), ['pass']);

    const flagWins = scanWith('--parameters-file', join(t.root, 'config.json'), '--parameter', 'Access=Enabled');
    assert.equal(flagWins.code, 1);
    assert.deepEqual(verdicts(flagWins.stdout), ['fail']);

    const plainFileThenFlag = scanWith('--parameters-file', join(t.root, 'plain.json'), '--parameter', 'Access=Disabled');
    assert.equal(plainFileThenFlag.code, 0, plainFileThenFlag.stderr);
  } finally {
    t.cleanup();
  }
});

test('scan: a bad parameters file or --parameter is a usage error (exit 2) naming the file and the reason', () => {
  const t = makeTree({ 't.yaml': NOTEBOOK_WITH_ACCESS_PARAMETER(), 'bad.json': '{\n  "Access": "Disabled",\n}\n' });
  try {
    const broken = run(['scan', join(t.root, 't.yaml'), '--parameters-file', join(t.root, 'bad.json')]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /bad\.json:3: not valid JSON/);
    assert.equal(broken.stdout, '', 'no report for a scan that never ran');
    const missing = run(['scan', join(t.root, 't.yaml'), '--parameters-file', join(t.root, 'missing.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing\.json: can't read the parameters file/);
    const noValue = run(['scan', join(t.root, 't.yaml'), '--parameter', 'Access']);
    assert.equal(noValue.code, 2);
    assert.match(noValue.stderr, /--parameter 'Access': expected NAME=VALUE/);
  } finally {
    t.cleanup();
  }
});

test('scan: a value AllowedValues refuses is an error entry (exit 2) and the verdict is unknown', () => {
  const t = makeTree({ 't.yaml': NOTEBOOK_WITH_ACCESS_PARAMETER() });
  try {
    const r = run(['scan', join(t.root, 't.yaml'), '--format', 'json', '--parameter', 'Access=disabled']);
    assert.equal(r.code, 2);
    const report = JSON.parse(r.stdout) as { findings: { result: string; message: string }[]; errors: { file: string; line: number; message: string }[] };
    assert.deepEqual(report.findings.map((f) => f.result), ['unknown']);
    assert.match(report.findings[0]!.message, /AllowedValues/);
    assert.equal(report.errors.length, 1);
    assert.match(report.errors[0]!.file, /t\.yaml$/);
    assert.equal(report.errors[0]!.line, 3);
    assert.match(report.errors[0]!.message, /parameter Access is not one of its AllowedValues \(Enabled, Disabled\): CloudFormation would reject the deployment/);
  } finally {
    t.cleanup();
  }
});

test('scan: NoEcho values, given or Default, appear in no output (text, json, sarif, junit)', () => {
  const givenSecret = 'Sup3rS3cretGiven';
  const defaultSecret = 'Sup3rS3cretDefault';
  const patternSecret = 'Sup3rS3cretPattern';
  const t = makeTree({
    't.yaml': `Parameters:
  Access: { Type: String, NoEcho: true }
  Token: { Type: String, NoEcho: 'true', Default: ${defaultSecret} }
  Checked: { Type: String, NoEcho: true, AllowedPattern: '[a-z]+' }
Resources:
  Given:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      DirectInternetAccess: !Ref Access
  ByDefault:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      DirectInternetAccess: !Sub 'prefix-\${Token}'
  Refused:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      DirectInternetAccess: !Ref Checked
`,
  });
  try {
    const files = { json: join(t.root, 'r.json'), sarif: join(t.root, 'r.sarif'), junit: join(t.root, 'r.xml') };
    const r = run([
      'scan',
      join(t.root, 't.yaml'),
      '--verbose',
      '--parameter',
      `Access=${givenSecret}`,
      '--parameter',
      `Checked=${patternSecret}`,
      ...Object.entries(files).flatMap(([format, file]) => ['--output', `${format}=${file}`]),
    ]);
    assert.equal(r.code, 2, r.stderr); // the AllowedPattern error entry
    const outputs: Record<string, string> = { stdout: r.stdout, stderr: r.stderr };
    for (const [format, file] of Object.entries(files)) outputs[format] = readFileSync(file, 'utf8');
    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of [givenSecret, defaultSecret, patternSecret]) assert.ok(!text.includes(secret), `${secret} in ${where}`);
    }
    // The values were used (an invalid value fails, quoted masked), not dropped.
    const report = JSON.parse(outputs['json']!) as { findings: { resource: { id: string }; result: string; message: string }[] };
    const byId = Object.fromEntries(report.findings.map((f) => [f.resource.id, f]));
    assert.equal(byId['Given']!.result, 'fail');
    assert.match(byId['Given']!.message, /DirectInternetAccess is '\*\*\*\*', which is not a valid value/);
    assert.match(byId['ByDefault']!.message, /'prefix-\*\*\*\*'/);
    assert.equal(byId['Refused']!.result, 'unknown');
    assert.match(r.stdout, /\*\*\*\*/);
  } finally {
    t.cleanup();
  }
});

test('scan: worker threads get the values (more than one input, two jobs)', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`t${String(i).padStart(2, '0')}.yaml`] = NOTEBOOK_WITH_ACCESS_PARAMETER(`Nb${i}`);
  const t = makeTree(files);
  try {
    const cloudFormationParameters = { Access: { value: 'Disabled' } };
    const parallel = await scan([t.root], { config: emptyConfig(), jobs: 2, workerThreshold: 1, cloudFormationParameters });
    assert.equal(parallel.findings.length, 40);
    assert.deepEqual(new Set(parallel.findings.map((f) => f.result)), new Set(['pass']));
    const withoutValues = await scan([t.root], { config: emptyConfig(), jobs: 2, workerThreshold: 1 });
    assert.deepEqual(new Set(withoutValues.findings.map((f) => f.result)), new Set(['fail']));
  } finally {
    t.cleanup();
  }
});

test('scan worker: the values reach a worker thread through its context, NoEcho masking too', async () => {
  // The main thread scans batches too, so a whole scan may never hand one to a worker: ask one directly.
  const t = makeTree({
    'a.yaml': NOTEBOOK_WITH_ACCESS_PARAMETER('A'),
    'b.yaml': NOTEBOOK_WITH_ACCESS_PARAMETER('B').replace('    Type: String\n', '    Type: String\n    NoEcho: true\n').replace('AllowedValues: [Enabled, Disabled]', 'MinLength: 1'),
  });
  const context: ScanUnitContext = {
    ruleIds: ['SageMaker-004'],
    exceptions: [],
    readLimits: DEFAULT_READ_LIMITS,
    terraform: {},
    cloudFormation: { parameters: { Access: { value: 'Disabled' }, Other: { unknown: 'kept' } } },
  };
  const worker = createWorker(context);
  try {
    const answer = new Promise<UnitResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    worker.postMessage([{ kind: 'file', path: join(t.root, 'a.yaml') }]);
    const result = await answer;
    assert.deepEqual(result.findings.map((f) => [f.resource.id, f.result]), [['A', 'pass']]);

    const secretContext = { ...context, cloudFormation: { parameters: { Access: { value: 'NotAValidSecret' } } } };
    const secretWorker = createWorker(secretContext);
    try {
      const secretAnswer = new Promise<UnitResult>((resolve, reject) => {
        secretWorker.once('message', resolve);
        secretWorker.once('error', reject);
      });
      secretWorker.postMessage([{ kind: 'file', path: join(t.root, 'b.yaml') }]);
      const secret = await secretAnswer;
      assert.equal(secret.findings[0]!.result, 'fail');
      assert.ok(!JSON.stringify(secret).includes('NotAValidSecret'));
      assert.match(secret.findings[0]!.message, /'\*\*\*\*'/);
    } finally {
      await secretWorker.terminate();
    }
  } finally {
    await worker.terminate();
    t.cleanup();
  }
});

test('fix: a parameter given Disabled makes the notebook pass, so fix has nothing to do', () => {
  const template = NOTEBOOK_WITH_ACCESS_PARAMETER();
  const t = makeTree({ 't.yaml': template, 'params.json': JSON.stringify([{ ParameterKey: 'Access', ParameterValue: 'Disabled' }]) });
  try {
    const withValue = run(['fix', join(t.root, 't.yaml'), '--parameters-file', join(t.root, 'params.json')]);
    assert.equal(withValue.code, 0, withValue.stdout + withValue.stderr);
    assert.match(withValue.stdout, /nothing to fix/);
    assert.equal(readFileSync(join(t.root, 't.yaml'), 'utf8'), template);

    // Without the value the Default (Enabled) fails, and fix would change the template.
    const withoutValue = run(['fix', '--dry-run', join(t.root, 't.yaml')]);
    assert.equal(withoutValue.code, 1, withoutValue.stdout + withoutValue.stderr);
    assert.match(withoutValue.stdout, /1 failing resource finding/);

    const badFile = run(['fix', join(t.root, 't.yaml'), '--parameter', 'not-a-name=x']);
    assert.equal(badFile.code, 2);
    assert.match(badFile.stderr, /'not-a-name' is not a CloudFormation parameter name/);
  } finally {
    t.cleanup();
  }
});
