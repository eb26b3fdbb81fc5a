// The GitHub Action (action.yml) and the CI examples (examples/ci/). Validated against the action
// metadata, workflow and GitLab CI schemas that check-jsonschema vendors from SchemaStore (pinned in
// the test venv), and the action's scan step run as the runner runs it: its `run` script under
// `bash --noprofile --norc -eo pipefail`, with its `env:` expanded from the inputs, against the
// built command.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ensureVenv, venvBin } from './aws/venv';
import { NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'bin', 'cloudconform.js');

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  name: string;
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const ACTION = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;
const STEPS = ACTION.runs.steps;
const scanStep = STEPS.find((s) => s.id === 'scan')!;

let work: string;
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'cc-action-'));
  await ensureVenv();
});
after(() => rmSync(work, { recursive: true, force: true }));

function checkJsonschema(schema: string, file: string) {
  const r = spawnSync(venvBin('check-jsonschema'), ['--builtin-schema', schema, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${file} against ${schema}: ${r.stdout}${r.stderr}`);
}

test('action.yml, the GitHub workflow and the GitLab CI example are valid against their SchemaStore schemas', () => {
  checkJsonschema('vendor.github-actions', join(ROOT, 'action.yml'));
  checkJsonschema('vendor.github-workflows', join(ROOT, 'examples', 'ci', 'github-workflow.yml'));
  checkJsonschema('vendor.gitlab-ci', join(ROOT, 'examples', 'ci', 'gitlab-ci.yml'));
});

/** `inputs.NAME` wherever an expression names one, with where. */
function inputRefs(): { name: string; where: string }[] {
  const refs: { name: string; where: string }[] = [];
  const walk = (value: unknown, where: string) => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)) refs.push({ name: m[1]!, where });
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, `${where}.${k}`);
    }
  };
  walk(ACTION.runs, 'runs');
  walk(ACTION.outputs, 'outputs');
  return refs;
}

test('action.yml: a composite action; every run step names its shell; every action used is pinned to a version; inputs referenced exist and every input is used', () => {
  assert.equal(ACTION.runs.using, 'composite');
  for (const step of STEPS) {
    if (step.run !== undefined) assert.equal(step.shell, 'bash', `${step.name}: shell`);
    if (step.uses !== undefined) assert.match(step.uses, /^[\w.-]+\/[\w./-]+@(v\d+(\.\d+)*|[0-9a-f]{40})$/, step.uses);
  }
  assert.ok(STEPS.some((s) => s.uses?.startsWith('actions/setup-node@') && String(s.with?.['node-version']) === '20'));
  const refs = inputRefs();
  for (const ref of refs) assert.ok(ref.name in ACTION.inputs, `${ref.where} names inputs.${ref.name}, which action.yml does not declare`);
  for (const name of ['paths', 'format', 'fail-on', 'config', 'baseline', 'args', 'output-file', 'upload-sarif']) {
    assert.ok(name in ACTION.inputs, `input ${name}`);
  }
  for (const name of Object.keys(ACTION.inputs)) assert.ok(refs.some((r) => r.name === name), `input ${name} is used`);
  assert.match(ACTION.outputs['exit-code']!.value, /steps\.scan\.outputs\.exit-code/);
});

test('attack: no expression is spliced into a run script (inputs reach scripts only through env:)', () => {
  for (const step of STEPS) {
    if (step.run !== undefined) assert.doesNotMatch(step.run, /\$\{\{/, `${step.name}: the script's text must not depend on an input`);
  }
  for (const value of Object.values(scanStep.env ?? {})) assert.match(value, /^\$\{\{ inputs\.[\w-]+ \}\}$/);
});

test('SARIF is uploaded to code scanning with always(), so a scan that exits 1 still uploads, and only when asked', () => {
  const upload = STEPS.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
  assert.ok(upload);
  assert.ok(STEPS.indexOf(upload) > STEPS.indexOf(scanStep));
  assert.match(upload.if ?? '', /\balways\(\)/);
  assert.match(upload.if ?? '', /inputs\.upload-sarif == 'true'/);
  assert.match(upload.with?.sarif_file ?? '', /steps\.scan\.outputs\.sarif-file/);
});

/** Expands the step's env: values as the runner would, for `${{ inputs.X }}` only. */
function stepEnv(inputs: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(ACTION.inputs)) values[name] = inputs[name] ?? spec.default ?? '';
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(scanStep.env ?? {})) {
    env[k] = v.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
      const m = /^inputs\.([\w-]+)$/.exec(expr);
      if (!m) throw new Error(`unexpected expression ${expr}`);
      return values[m[1]!]!;
    });
  }
  return env;
}

let runs = 0;
/** Runs the scan step's script in `workspace` as the runner does; returns its exit code, outputs and output. */
function runScanStep(workspace: string, inputs: Record<string, string>) {
  const dir = join(work, `run-${runs++}`);
  mkdirSync(join(dir, 'temp'), { recursive: true });
  const script = join(dir, 'step.sh');
  writeFileSync(script, scanStep.run!);
  const outputFile = join(dir, 'github-output');
  writeFileSync(outputFile, '');
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
    cwd: workspace,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      NO_COLOR: '1',
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_OUTPUT: outputFile,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: join(dir, 'temp'),
      ...stepEnv(inputs),
    },
    encoding: 'utf8',
  });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, outputs, temp: join(dir, 'temp') };
}

function workspace(files: Record<string, string>): string {
  const ws = mkdtempSync(join(work, 'ws-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(ws, path, '..'), { recursive: true });
    writeFileSync(join(ws, path), content);
  }
  return ws;
}

test('the scan step: exit 1 on a failure, with the exit code and the SARIF file as outputs; fail-on high lets a Medium failure through', () => {
  const ws = workspace({ 'infra/open.yaml': NOTEBOOK_CFN_YAML('Open', 'Enabled'), 'infra/closed.yaml': NOTEBOOK_CFN_YAML('Closed', 'Disabled', 'subnet-0123456789abcdef0') });
  const r = runScanStep(ws, { paths: 'infra' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /FAIL\s+SageMaker-004.*Open/);
  assert.equal(r.outputs['exit-code'], '1');
  assert.equal(r.outputs['sarif-file'], join(r.temp, 'cloudconform.sarif'));
  const sarif = JSON.parse(readFileSync(r.outputs['sarif-file']!, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  assert.ok(sarif.runs[0].results.some((x: { ruleId: string }) => x.ruleId === 'SageMaker-004'));

  const high = runScanStep(ws, { paths: 'infra', 'fail-on': 'high', 'sarif-file': 'out/report.sarif' });
  assert.equal(high.code, 0, high.stderr);
  assert.equal(high.outputs['exit-code'], '0');
  assert.equal(high.outputs['sarif-file'], 'out/report.sarif');
  assert.ok(existsSync(join(ws, 'out', 'report.sarif')));
});

test('the scan step: paths one per line keep their spaces; args, format and output-file are passed on', () => {
  const ws = workspace({ 'team a/nb.yaml': NOTEBOOK_CFN_YAML('SpaceNb', 'Enabled'), 'b.yaml': NOTEBOOK_CFN_YAML('B', 'Enabled') });
  const r = runScanStep(ws, { paths: 'team a/nb.yaml\nb.yaml\n', format: 'json', 'output-file': 'junit=cloudconform.xml' });
  assert.equal(r.code, 1, r.stderr);
  const ids = (JSON.parse(r.stdout) as { findings: { resource: { id: string } }[] }).findings.map((f) => f.resource.id).sort();
  assert.deepEqual(ids, ['B', 'SpaceNb']);
  assert.match(readFileSync(join(ws, 'cloudconform.xml'), 'utf8'), /<testsuites/);
  // args: only SageMaker-005 runs, so the notebooks are not checked.
  const only005 = runScanStep(ws, { paths: 'b.yaml', args: '--rules SageMaker-005' });
  assert.equal(only005.code, 0, only005.stderr);
});

test('attack: a hostile paths or args input is never run by a shell, globbed or taken as an option', () => {
  const ws = workspace({ 'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') });
  const marker = join(work, 'pwned');
  // One run per attempt: a shell that evaluated them all at once would stop at the first syntax error.
  const attempts: Record<string, string>[] = [
    { paths: `$(touch ${marker}-1)` },
    { paths: `\`touch ${marker}-2\`` },
    { paths: `x; touch ${marker}-3` },
    { paths: `x && touch ${marker}-4` },
    { paths: `x | tee ${marker}-5` },
    { paths: `"$(touch ${marker}-6)"\n'$(touch ${marker}-7)'` },
    { paths: `x\ntouch ${marker}-8` },
    { args: `--var x=$(touch ${marker}-9)` },
    { 'sarif-file': `$(touch ${marker}-10)` },
    { config: `$(touch ${marker}-11)` },
  ];
  for (const inputs of attempts) {
    const r = runScanStep(ws, inputs);
    assert.deepEqual(readdirSync(work).filter((f) => f.startsWith('pwned')), [], JSON.stringify(inputs));
    assert.notEqual(r.code, 0, JSON.stringify(inputs));
  }
  // A glob stays a word: `*` is not expanded to nb.yaml (nothing is scanned; the path is an error).
  const glob = runScanStep(ws, { paths: '*', format: 'json' });
  assert.equal(glob.code, 2, glob.stderr);
  const report = JSON.parse(glob.stdout) as { findings: unknown[]; errors: { file: string }[] };
  assert.deepEqual(report.findings, []);
  assert.deepEqual(report.errors.map((e) => e.file), ['*']);
  // After `--`, a path that looks like an option is a path: no report is written where it says.
  const option = runScanStep(ws, { paths: `--output=sarif=${marker}-opt.sarif nb.yaml` });
  assert.equal(option.code, 2, option.stderr);
  assert.ok(!existsSync(`${marker}-opt.sarif`));
  assert.match(option.stdout, /SageMaker-004.*Nb/);
});

test('examples/ci/github-workflow.yml uses the action with inputs it declares and grants security-events: write', () => {
  const wf = parse(readFileSync(join(ROOT, 'examples', 'ci', 'github-workflow.yml'), 'utf8')) as {
    permissions: Record<string, string>;
    jobs: Record<string, { steps: Step[] }>;
  };
  assert.equal(wf.permissions['security-events'], 'write');
  const uses = Object.values(wf.jobs).flatMap((j) => j.steps).filter((s) => /^[\w-]+\/cloudconform@v\d/.test(s.uses ?? ''));
  assert.equal(uses.length, 1);
  for (const key of Object.keys(uses[0]!.with ?? {})) assert.ok(key in ACTION.inputs, `with: ${key} is an input of action.yml`);
});

test('examples/ci/gitlab-ci.yml: its scan command, run here, writes the GitLab SAST report its artifacts name', () => {
  const ci = parse(readFileSync(join(ROOT, 'examples', 'ci', 'gitlab-ci.yml'), 'utf8')) as Record<string, { script?: string[]; artifacts?: { when?: string; reports?: { sast?: string; junit?: string } } }>;
  const job = ci.cloudconform!;
  assert.equal(job.artifacts?.when, 'always', 'the report is kept when the scan fails the job');
  const command = job.script!.find((l) => l.startsWith('cloudconform scan'))!;
  assert.ok(command);
  const ws = workspace({ 'infra/open.yaml': NOTEBOOK_CFN_YAML('Open', 'Enabled') });
  const r = spawnSync(process.execPath, [CLI, ...command.split(/\s+/).slice(1)], { cwd: ws, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: ws } });
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(readFileSync(join(ws, job.artifacts!.reports!.sast!), 'utf8')) as { scan: { type: string }; vulnerabilities: { location: { file: string } }[] };
  assert.equal(report.scan.type, 'sast');
  assert.deepEqual(report.vulnerabilities.map((v) => v.location.file), ['infra/open.yaml']);
  assert.match(readFileSync(join(ws, job.artifacts!.reports!.junit!), 'utf8'), /<testsuites/);
});
