// The report as a user gets it from the built CLI: in a real terminal (a pseudo-terminal through
// script(1), 80 columns) the text report fits the width; through a pipe its lines are whole; and
// --format gitlab-sast / -o gitlab-sast=FILE write what GitLab's published schema accepts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'cloudconform.js');
const SCRIPT = '/usr/bin/script';
const ANSI = /\u001b\[[0-9;]*m/g;

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'cc-report-cli-'));
  const dir = join(work, 'templates');
  mkdirSync(dir);
  // A logical id (CloudFormation allows 255 characters) and a comment no terminal line holds.
  const id = `Notebook${'Analytics'.repeat(12)}`;
  writeFileSync(
    join(dir, 'notebook.yaml'),
    `Resources:
  ${id}:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: Enabled
  Other:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
`,
  );
});
after(() => rmSync(work, { recursive: true, force: true }));

/** The environment without the colour switches a developer's shell may set. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return env;
}

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', env: plainEnv() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI on a pseudo-terminal of `cols` columns; its output as the terminal received it. */
function runInTerminal(args: string[], cols: number) {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync(SCRIPT, ['-qec', `stty cols ${cols} rows 40; exec ${quoted}`, '/dev/null'], {
    cwd: work,
    encoding: 'utf8',
    env: { ...plainEnv(), TERM: 'xterm-256color' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('in an 80-column terminal every line of the text report fits, colour included; the cut is said', { skip: !existsSync(SCRIPT) && 'script(1) is not installed' }, () => {
  const r = runInTerminal(['scan', 'templates'], 80);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /\u001b\[31m/, 'a terminal gets colour');
  const lines = r.stdout.split(/\r?\n/).map((l) => l.replace(ANSI, ''));
  for (const line of lines) assert.ok([...line].length <= 80, `${[...line].length} columns: ${line}`);
  assert.ok(lines.some((l) => l.includes('…')), r.stdout);
  assert.ok(lines.includes("Lines are cut to the terminal's 80 columns; --verbose shows them whole."), lines.join('\n'));
  assert.ok(lines.includes('Summary'));
});

test('piped, the text report keeps whole lines and says nothing about a width', () => {
  const r = run(['scan', 'templates']);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.stdout.includes(`Notebook${'Analytics'.repeat(12)}`), r.stdout);
  assert.doesNotMatch(r.stdout, /…|terminal's/);
  assert.doesNotMatch(r.stdout, /\u001b/);
});

test('--verbose in a terminal shows every line whole', { skip: !existsSync(SCRIPT) && 'script(1) is not installed' }, () => {
  const r = runInTerminal(['scan', 'templates', '--verbose'], 80);
  assert.ok(r.stdout.replace(ANSI, '').includes(`Notebook${'Analytics'.repeat(12)}`), r.stdout);
  assert.doesNotMatch(r.stdout, /terminal's 80 columns/);
});

test("--format gitlab-sast and -o gitlab-sast=FILE (or gl-sast-report.json) write what GitLab's schema accepts", () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'gitlab', 'sast-report-format.json'), 'utf8'));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const examples = join(ROOT, 'examples');
  const r = run(['scan', examples, '--format', 'gitlab-sast', '-o', `gitlab-sast=${join(work, 'out.json')}`, '-o', join(work, 'gl-sast-report.json')]);
  assert.equal(r.code, 1, r.stderr);
  for (const text of [r.stdout, readFileSync(join(work, 'out.json'), 'utf8'), readFileSync(join(work, 'gl-sast-report.json'), 'utf8')]) {
    const doc = JSON.parse(text) as { scan: { type: string }; vulnerabilities: { identifiers: { value: string }[] }[] };
    assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
    assert.equal(doc.scan.type, 'sast');
    assert.ok(doc.vulnerabilities.length > 0);
    assert.ok(doc.vulnerabilities.every((v) => /^SageMaker-00[45]$/.test(v.identifiers[0]!.value)));
  }
  // The suppressed notebook in the examples is not a vulnerability.
  const ids = JSON.parse(r.stdout).vulnerabilities.map((v: { details: { resource: { value: string } } }) => v.details.resource.value);
  assert.ok(!ids.includes('aws_sagemaker_notebook_instance.sandbox'), ids.join(', '));
});
